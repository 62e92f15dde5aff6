//! Bad data never stops a run: a data file holding every kind of bad line, interleaved with
//! good ones, is checked whole. Every bad line is reported with its line, every good record
//! is checked (and found, where a rule fires), the summary reconciles, and the exit status
//! is the documented one.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

const PACK: &str = r#"schema {
  kind speech { start: time, end: time, speaker: str, tags: list<str>? }
}

rule speech-starts-in-the-media: error {
  for s in speech
  require s.start >= 0s
  message "speech {s.id} starts at {s.start}, before the media does"
}

rule speech-is-short: warning {
  for s in speech
  require duration(s) <= 30s
  message "speech {s.id} lasts {duration(s)}"
}
"#;

fn speech(item: &str, id: &str, start: &str, end: &str) -> String {
    format!(
        r#"{{"item":"{item}","kind":"speech","id":"{id}","start":{start},"end":{end},"speaker":"a"}}"#
    )
}

/// The lines of the file: each good one with the finding it should give, each bad one with
/// the diagnostic it should give.
fn lines() -> Vec<(Vec<u8>, Expect)> {
    use Expect::*;
    let deep = format!(
        r#"{{"item":"c1","kind":"speech","id":"s10","start":1,"end":2,"speaker":"a","x":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let long_list = format!(
        r#"{{"item":"c2","kind":"speech","id":"s13","start":0,"end":1,"speaker":"a","tags":[{}]}}"#,
        vec![r#""t""#; 200_000].join(",")
    );
    let wide: Vec<String> = (0..2000).map(|i| format!(r#""f{i}":1"#)).collect();
    let wide = format!(
        r#"{{"item":"c2","kind":"speech","id":"s14","start":0,"end":1,"speaker":"a",{}}}"#,
        wide.join(",")
    );
    let mut huge =
        br#"{"item":"c2","kind":"speech","id":"s11","start":0,"end":1,"speaker":""#.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 100 << 20));
    huge.extend_from_slice(br#""}"#);
    let invalid_utf8 =
        b"{\"item\":\"c1\",\"kind\":\"speech\",\"id\":\"s2\",\"start\":1,\"end\":2,\"speaker\":\"\xff\xfe\"}";
    vec![
        (speech("c1", "s1", "0", "1").into(), Clean),
        (invalid_utf8.to_vec(), Error("cord::data::invalid-json")),
        (
            speech("c1", "s3", "2", "40").into(),
            Finding("speech-is-short"),
        ),
        (
            speech("c1", "s4", "NaN", "2").into(),
            Error("cord::data::invalid-json"),
        ),
        (
            speech("c1", "s5", "Infinity", "2").into(),
            Error("cord::data::invalid-json"),
        ),
        (
            speech("c1", "s6", "1e400", "2").into(),
            Error("cord::data::invalid-json"),
        ),
        (
            speech("c1", "s7", "0", "1e300").into(),
            Finding("speech-is-short"),
        ),
        (
            speech("c1", "s1", "5", "6").into(),
            Error("cord::data::duplicate-id"),
        ),
        (
            speech("c1", "s8", "-2", "1").into(),
            Finding("speech-starts-in-the-media"),
        ),
        (
            speech("c1", "s9", "5", "4").into(),
            Flawed("cord::data::reversed-interval"),
        ),
        (deep.into(), Error("cord::data::invalid-json")),
        (huge, Error("cord::data::line-too-long")),
        (
            speech("c2", "s12", "0", "50").into(),
            Finding("speech-is-short"),
        ),
        (long_list.into(), Error("cord::data::list-too-long")),
        (wide.into(), Error("cord::data::too-many-fields")),
        (speech("c2", "s15", "3", "4").into(), Clean),
        // Truncated: the last line, cut short and without a line break.
        (
            br#"{"item":"c2","kind":"speech","id":"s16","start":0,"#.to_vec(),
            Error("cord::data::invalid-json"),
        ),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Clean,
    Finding(&'static str),
    /// A data error, and the record is not checked.
    Error(&'static str),
    /// A data error, and the record is checked as read.
    Flawed(&'static str),
}

/// The (code or rule, line) each line should give, for the lines `pick` names.
fn expected(pick: impl Fn(Expect) -> Option<&'static str>) -> Vec<(String, u64)> {
    lines()
        .iter()
        .enumerate()
        .filter_map(|(i, (_, e))| pick(*e).map(|what| (what.to_string(), i as u64 + 1)))
        .collect()
}

fn write_data(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("bad.jsonl");
    let mut file = std::fs::File::create(&path).expect("a temp file");
    let lines = lines();
    for (i, (line, _)) in lines.iter().enumerate() {
        file.write_all(line).expect("written");
        if i + 1 < lines.len() {
            file.write_all(b"\n").expect("written");
        }
    }
    path
}

fn check(dir: &Path, data: &[&Path]) -> Output {
    let pack = dir.join("pack.cord");
    std::fs::write(&pack, PACK).expect("written");
    Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["check", "--format", "json", "--rules"])
        .arg(&pack)
        .args(data)
        .output()
        .expect("run concordant")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON Lines"))
        .collect()
}

#[test]
fn every_bad_line_is_reported_with_its_line_and_every_good_record_is_checked() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = write_data(dir.path());
    let out = check(dir.path(), &[&data]);
    assert_eq!(out.status.code(), Some(1), "data errors fail the check");
    let output = json_lines(&out);
    let of_type = |t: &'static str| output.iter().filter(move |v| v["type"] == t);

    let expected_errors = expected(|e| match e {
        Expect::Error(code) | Expect::Flawed(code) => Some(code),
        _ => None,
    });
    let errors: Vec<(String, u64)> = of_type("data-error")
        .map(|e| {
            (
                e["code"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(errors, expected_errors);

    let expected_findings = expected(|e| match e {
        Expect::Finding(rule) => Some(rule),
        _ => None,
    });
    let mut findings: Vec<(String, u64)> = of_type("finding")
        .map(|f| {
            let rule = f["rule"].as_str().unwrap_or("").to_string();
            (rule, f["records"][0]["line"].as_u64().unwrap_or(0))
        })
        .collect();
    findings.sort_by_key(|(_, line)| *line);
    assert_eq!(findings, expected_findings);

    let summary = of_type("summary").next().expect("a summary");
    let records = &summary["records"];
    let good = lines()
        .iter()
        .filter(|(_, e)| !matches!(e, Expect::Error(_)))
        .count();
    assert_eq!(records["read"], lines().len());
    assert_eq!(records["checked"], good);
    let flawed = lines()
        .iter()
        .filter(|(_, e)| matches!(e, Expect::Flawed(_)))
        .count();
    assert_eq!(records["with_data_errors"], flawed);
    assert_eq!(
        records["read"].as_u64(),
        Some(records["checked"].as_u64().unwrap_or(0) + records["rejected"].as_u64().unwrap_or(0))
    );
}

#[test]
fn input_that_cannot_be_read_is_reported_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = write_data(dir.path());
    // A directory opens but fails on the first read; a missing file fails to open.
    let unreadable = dir.path().join("a-directory");
    std::fs::create_dir(&unreadable).expect("created");
    let missing = dir.path().join("gone.jsonl");
    let out = check(dir.path(), &[&unreadable, &data, &missing]);
    assert_eq!(out.status.code(), Some(2), "unreadable input exits 2");
    let output = json_lines(&out);
    let unreadable_errors: Vec<&str> = output
        .iter()
        .filter(|v| v["code"] == "cord::data::unreadable")
        .filter_map(|v| v["file"].as_str())
        .collect();
    assert_eq!(unreadable_errors.len(), 2, "{unreadable_errors:?}");
    assert!(unreadable_errors[0].ends_with("a-directory"));
    assert!(unreadable_errors[1].ends_with("gone.jsonl"));
    let findings = output.iter().filter(|v| v["type"] == "finding").count();
    let expected = lines()
        .iter()
        .filter(|(_, e)| matches!(e, Expect::Finding(_)))
        .count();
    assert_eq!(findings, expected, "the readable file is checked whole");
}
