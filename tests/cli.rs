//! The `concordant` binary, run as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn concordant(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run concordant")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn misspelled_field_exits_2_and_suggests_the_field() {
    let out = concordant(&[
        "check",
        "--rules",
        "tests/fixtures/cli/misspelled-field.cord",
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("kind `transcript` has no field `speakr`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `speaker`?"), "{stderr}");
    assert!(stderr.contains("misspelled-field.cord:5:"), "{stderr}");
    assert!(out.stdout.is_empty(), "no data is checked");
}

#[test]
fn broken_line_is_reported_and_everything_else_checked() {
    let out = check_rules_as_json("examples/data/clips.jsonl", &[]);
    let lines: Vec<serde_json::Value> = text(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let broken = lines
        .iter()
        .find(|l| l["code"] == "cord::data::invalid-json")
        .expect("broken line reported");
    assert_eq!(broken["line"], 28);
    assert_eq!(broken["file"], "examples/data/clips.jsonl");
    let summary = lines.last().expect("summary");
    let records = &summary["records"];
    assert_eq!(records["read"].as_u64(), Some(29));
    assert_eq!(
        records["read"].as_u64(),
        Some(records["checked"].as_u64().unwrap_or(0) + records["rejected"].as_u64().unwrap_or(0))
    );
    // The record after the broken line is still checked.
    assert!(lines
        .iter()
        .any(|l| l["rule"] == "label-segment-exists" && l["records"][0]["line"] == 29));
}

#[test]
fn human_output_shows_the_record_line_and_the_rule() {
    let out = concordant(&["check", "--rules", "rules/", "examples/data/clips.jsonl"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("transcript t4 [11s–12.4s] has no speech within 0.2s"),
        "{stdout}"
    );
    assert!(
        stdout.contains(" 8 │ {\"item\":\"clip_001\",\"kind\":\"transcript\",\"id\":\"t4\""),
        "{stdout}"
    );
    assert!(stdout.contains("rule defined here"), "{stdout}");
    assert!(
        stdout.contains(
            "checked 28 of 29 records in 2 items (1 rejected, 1 checked with data errors)"
        ),
        "{stdout}"
    );
    // The per-annotator table of each data-set statistic (its counts are gathered only for
    // output that shows them).
    assert!(
        stdout.contains("  ann_a                       3            1       0.0%      0.333"),
        "{stdout}"
    );
}

#[test]
fn fail_on_controls_the_exit_status() {
    let base = ["check", "--rules", "rules/emotion.cord", "--format", "json"];
    let mut args = base.to_vec();
    args.extend([
        "--fail-on",
        "error",
        "tests/fixtures/cli/emotion-only.jsonl",
    ]);
    assert_eq!(concordant(&args).status.code(), Some(0), "warnings only");
    let mut args = base.to_vec();
    args.extend([
        "--fail-on",
        "warning",
        "tests/fixtures/cli/emotion-only.jsonl",
    ]);
    assert_eq!(concordant(&args).status.code(), Some(1));
}

#[test]
fn unreadable_input_exits_2() {
    let out = concordant(&["check", "--rules", "rules/", "no/such/file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("cannot read `no/such/file.jsonl`"));
}

#[test]
fn usage_errors_exit_2_and_help_shows_examples() {
    assert_eq!(concordant(&["check"]).status.code(), Some(2));
    assert_eq!(
        concordant(&["check", "--rules", "rules/", "x.jsonl", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    let help = concordant(&["check", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("Examples:"));
}

#[test]
fn test_command_passes_the_bundled_packs() {
    let out = concordant(&["test", "rules/"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn test_command_shows_a_diff_and_exits_1() {
    let out = concordant(&["test", "tests/fixtures/cli/failing-test.cord"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("test this expectation is wrong on purpose ... FAILED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- expected: short-speech on s2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ actual:   short-speech on s1"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn stdin_gives_the_same_findings_as_the_file() {
    let file = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "json",
        "examples/data/clips.jsonl",
    ]);
    let data =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/clips.jsonl"))
            .expect("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["check", "--rules", "rules/", "--format", "json", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), &data).expect("write");
    drop(child.stdin.take());
    let piped = child.wait_with_output().expect("wait");
    assert_eq!(
        text(&piped.stdout).replace("<stdin>", "examples/data/clips.jsonl"),
        text(&file.stdout)
    );
}

#[test]
fn plan_shows_joins_and_suggests_a_misspelled_rule() {
    let out = concordant(&["plan", "--rules", "rules/", "speaker-self-overlap"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("hash join on key a.speaker"), "{stdout}");
    assert!(stdout.contains("interval join"), "{stdout}");
    let out = concordant(&["plan", "--rules", "rules/", "speaker-overlap"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `speaker-self-overlap`?"),
        "{}",
        text(&out.stderr)
    );
}

/// The bundled example with its lines interleaved: every item is split.
fn shuffled_example(dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/data/clips.jsonl")).expect("example");
    let lines: Vec<&str> = text.lines().collect();
    let odd = lines.iter().skip(1).step_by(2);
    let even = lines.iter().step_by(2);
    let mixed: Vec<&str> = odd.chain(even).copied().collect();
    let path = dir.join("shuffled.jsonl");
    std::fs::write(&path, mixed.join("\n") + "\n").expect("write");
    path
}

/// `check --rules rules/ --format json` with `flags` on `data`, which has findings (exit 1):
/// its output.
fn check_rules_as_json(data: &str, flags: &[&str]) -> Vec<u8> {
    let args = ["check", "--rules", "rules/", "--format", "json"];
    let out = concordant(&[&args[..], flags, &[data]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    out.stdout
}

#[test]
fn output_is_byte_identical_for_one_and_four_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = shuffled_example(dir.path());
    let data = data.to_str().expect("utf-8 path");
    let run = |threads: &str| check_rules_as_json(data, &["--threads", threads]);
    let one = run("1");
    assert!(text(&one).contains("\"type\":\"finding\""));
    assert_eq!(one, run("4"));
}

/// Interleaved input past the memory limit: records go to temporary files and come back
/// partition by partition, and every finding and count is what the run in memory gives.
#[test]
fn items_past_the_memory_limit_are_grouped_on_disk_with_the_same_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = shuffled_example(dir.path());
    let data = data.to_str().expect("utf-8 path");
    let run = |limit: &str| text(&check_rules_as_json(data, &["--memory-limit", limit]));
    let in_memory = run("1G");
    assert!(in_memory.contains("\"type\":\"finding\""));
    assert_eq!(run("1K"), in_memory);
    assert_eq!(run("4K"), in_memory);
}

#[test]
fn a_rule_over_its_work_budget_is_stopped_and_named() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "json",
        "--work-budget",
        "3",
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stopped: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .filter(|l: &serde_json::Value| l["code"] == "cord::eval::work-budget")
        .collect();
    assert!(!stopped.is_empty());
    let message = stopped[0]["message"].as_str().expect("message");
    assert!(message.starts_with("rule `"), "{message}");
    assert!(message.contains("on item `clip"), "{message}");
    assert!(message.contains("more than 3 candidate"), "{message}");
}

#[test]
fn parse_only_reads_everything_and_runs_no_rule() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "json",
        "--parse-only",
        "examples/data/clips.jsonl",
    ]);
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("\"type\":\"finding\""), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("summary")).expect("json");
    assert_eq!(summary["records"]["read"], 29);
    assert_eq!(summary["records"]["checked"], 28);
    assert_eq!(summary["records"]["with_data_errors"], 1);
}

/// The data errors and record counts of a `--format json` run: everything but findings.
fn data_faults(args: &[&str]) -> (Vec<serde_json::Value>, serde_json::Value) {
    let out = concordant(args);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let errors = lines.iter().filter(|l| l["type"] == "data-error").cloned();
    let summary = lines.last().expect("summary")["records"].clone();
    (errors.collect(), summary)
}

#[test]
fn parse_only_reports_the_data_errors_of_a_full_run_repeated_ids_included() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text =
        std::fs::read_to_string(root.join("examples/data/clips.jsonl")).expect("example");
    let first = text.lines().next().expect("a first line").to_string();
    text.push_str(&first.replace("\"start\":0.40", "\"start\":0.50"));
    text.push('\n');
    let data = dir.path().join("repeated-id.jsonl");
    std::fs::write(&data, text).expect("write");
    let data = data.to_str().expect("utf-8 path");
    let args = ["check", "--rules", "rules/", "--format", "json", data];
    let full = data_faults(&args);
    let parse_only = data_faults(&[&args[..], &["--parse-only"]].concat());
    let codes: Vec<&serde_json::Value> = full.0.iter().map(|e| &e["code"]).collect();
    assert!(
        codes.iter().any(|c| *c == "cord::data::duplicate-id"),
        "{codes:?}"
    );
    assert_eq!(parse_only, full);
    assert_eq!(full.1["rejected"], 2);
}

#[test]
fn a_subtitle_file_is_checked_and_its_bad_timestamp_shown_at_its_line() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/datasets/webvtt-py/",
        "tests/fixtures/real/webvtt-py/invalid_timeframe.srt",
        "tests/fixtures/real/webvtt-py/missing_caption_text.vtt",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("`00:00:11.890` is not an SRT timestamp (tests/fixtures/real/webvtt-py/invalid_timeframe.srt:6)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(" 6 │ 00:00:07,000 --> 00:00:11.890"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cue cue-2 [7s–11.89s] has no text"),
        "{stdout}"
    );
    assert!(
        stdout.contains(" 6 │ 00:00:07.000 --> 00:00:11.890"),
        "{stdout}"
    );
}

#[test]
fn input_format_overrides_the_extension_and_convert_prints_records() {
    let srt = "tests/fixtures/real/webvtt-py/missing_caption_text.srt";
    let out = concordant(&["convert", "--input-format", "vtt", srt]);
    assert_eq!(out.status.code(), Some(1), "an SRT file is not WebVTT");
    assert!(text(&out.stderr).contains("a WebVTT file starts with `WEBVTT`"));
    let out = concordant(&["convert", srt]);
    assert_eq!(out.status.code(), Some(0));
    let first = text(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        first,
        r#"{"item":"missing_caption_text.srt","kind":"cue","id":"1","start":0.5,"end":7,"index":1,"text":"Caption text #1"}"#
    );
    let out = concordant(&["convert", "--input-format", "xml", srt]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the formats are jsonl, vtt, srt, sbv, textgrid"));
}

#[test]
fn a_pack_that_declares_none_of_a_files_kinds_says_so() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "json",
        "tests/fixtures/real/textgrid-praatio/mary_misaligned.TextGrid",
    ]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("cord::data::no-declared-kind"), "{stdout}");
    assert!(stdout.contains("grid, tier, interval, point"), "{stdout}");
}

#[test]
fn items_that_start_on_one_line_keep_their_own_findings() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("one-line.json");
    let record = |item: &str| {
        format!(r#"{{"item":"{item}","kind":"speech","id":"s1","start":0,"end":1,"speaker":"x"}}"#)
    };
    let array = format!("[{}, {}, {}]", record("a"), record("b"), record("c"));
    std::fs::write(&path, array).expect("write the array");
    let out = concordant(&[
        "check",
        "--rules",
        "rules/sync.cord",
        "--format",
        "json",
        path.to_str().expect("a UTF-8 path"),
    ]);
    let stdout = text(&out.stdout);
    let items: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("speech-needs-transcript"))
        .filter_map(|l| l.split("\"item\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(items, ["a", "b", "c"], "{stdout}");
    assert!(stdout.contains(r#""line":1,"column":2"#), "{stdout}");
}

#[test]
fn broken_subtitle_files_give_data_diagnostics_with_their_lines() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/webvtt-py");
    let mut broken: Vec<_> = std::fs::read_dir(&dir)
        .expect("the fixtures are readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ["invalid", "missing", "empty"]
                .iter()
                .any(|w| name.starts_with(w))
        })
        .collect();
    broken.sort();
    assert!(broken.len() >= 10);
    for path in broken {
        let out = concordant(&[
            "check",
            "--rules",
            "rules/datasets/webvtt-py/",
            "--format",
            "json",
            path.to_str().expect("a UTF-8 path"),
        ]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{}: {stdout}", path.display());
        let positioned = stdout.lines().any(|l| {
            (l.contains("\"type\":\"data-error\"") || l.contains("\"type\":\"finding\""))
                && !l.contains("\"line\":0")
        });
        assert!(
            positioned,
            "{}: a diagnostic with a line: {stdout}",
            path.display()
        );
    }
}

#[test]
fn metrics_file_holds_the_data_set_statistics_and_rater_counts() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let rules = dir.path().join("reliable.cord");
    std::fs::write(
        &rules,
        format!(
            "import \"{}\"\nrule sentiment-reliable: warning per dataset {{\n  require (alpha(l in sentiment_label: l.value per l.segment by l.annotator) ?? 1) >= 0.99\n  message \"α = {{alpha(l in sentiment_label: l.value per l.segment by l.annotator)}}\"\n}}\n",
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/schema.cord").display()
        ),
    )
    .expect("write the rule");
    let metrics = dir.path().join("metrics.json");
    let out = concordant(&[
        "check",
        "--rules",
        rules.to_str().expect("a UTF-8 path"),
        "--metrics",
        metrics.to_str().expect("a UTF-8 path"),
        "examples/data/clips.jsonl",
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("rater"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).expect("metrics written"))
            .expect("metrics are JSON");
    let metric = &json["metrics"][0];
    assert_eq!(metric["rule"], "sentiment-reliable");
    assert!(metric["value"].is_number(), "{json}");
    let raters = metric["raters"].as_array().expect("raters");
    assert!(raters.iter().any(|r| r["rater"] == "ann_a"), "{json}");
    assert_eq!(
        json["metrics"].as_array().map(Vec::len),
        Some(1),
        "one metric, not two"
    );
    assert_eq!(
        json["items"].as_array().map(Vec::len),
        Some(0),
        "no per-item rule"
    );
}

#[test]
fn select_runs_only_the_named_rules_and_suggests_a_misspelled_one() {
    let all = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "-f",
        "json",
    ]);
    let selected = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "-f",
        "json",
        "--select",
        "label-disagreement,transcript-needs-speech",
    ]);
    let findings_of = |out: &Output, rules: &[&str]| -> Vec<String> {
        text(&out.stdout)
            .lines()
            .filter(|l| {
                rules
                    .iter()
                    .any(|r| l.contains(&format!("\"rule\":\"{r}\"")))
            })
            .map(str::to_string)
            .collect()
    };
    let named = ["label-disagreement", "transcript-needs-speech"];
    let kept = findings_of(&selected, &named);
    assert!(!kept.is_empty(), "the example has findings of both rules");
    assert_eq!(
        kept,
        findings_of(&all, &named),
        "the same findings as in a full run"
    );
    let every = text(&selected.stdout);
    let findings = every
        .lines()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .count();
    assert_eq!(findings, kept.len(), "no other rule ran: {every}");

    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "--select",
        "label-disagrement",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `label-disagreement`?"));
}

/// Every JSON finding and data error is a SARIF result at the same data line, with its rule
/// in the driver's rules and the rule's definition as a related location. (The schema itself
/// is checked by tests/sarif/validate.sh.)
#[test]
fn sarif_results_match_the_json_output() {
    let run = |format: &str| {
        let out = concordant(&[
            "check",
            "--rules",
            "rules/",
            "examples/data/clips.jsonl",
            "-f",
            format,
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let json: Vec<serde_json::Value> = run("json")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .filter(|v: &serde_json::Value| v["type"] != "summary")
        .collect();
    let log: serde_json::Value = serde_json::from_str(&run("sarif")).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let driver = &log["runs"][0]["tool"]["driver"];
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        json.len(),
        "one result per finding and data error"
    );
    for (result, want) in results.iter().zip(&json) {
        let rule_at = want["rule_location"]
            .as_str()
            .and_then(|at| at.rsplit_once(':'));
        let (file, line) = match (want["type"].as_str(), rule_at) {
            // A data-set finding about no record in particular points at its rule.
            (Some("finding"), Some((file, line))) if want["records"][0].is_null() => (
                serde_json::json!(file),
                serde_json::json!(line.parse::<u64>().ok()),
            ),
            (Some("finding"), _) => (
                want["records"][0]["file"].clone(),
                want["records"][0]["line"].clone(),
            ),
            _ => (want["file"].clone(), want["line"].clone()),
        };
        let physical = &result["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], file);
        assert_eq!(physical["region"]["startLine"], line);
        let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
        assert_eq!(driver["rules"][index]["id"], result["ruleId"]);
        if want["type"] == "finding" {
            assert_eq!(result["ruleId"], want["rule"]);
            assert_eq!(result["message"]["text"], want["message"]);
            let definition = &result["relatedLocations"][0];
            let at = want["rule_location"].as_str().expect("rule location");
            let (rule_file, rule_line) = at.rsplit_once(':').expect("file:line");
            assert_eq!(
                definition["physicalLocation"]["artifactLocation"]["uri"],
                rule_file
            );
            assert_eq!(
                definition["physicalLocation"]["region"]["startLine"].to_string(),
                rule_line
            );
        }
    }
}

#[test]
fn github_annotations_for_the_bundled_example() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "-f",
        "github",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn test_command_writes_junit_with_the_failure() {
    let out = concordant(&[
        "test",
        "tests/fixtures/cli/failing-test.cord",
        "--format",
        "junit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(text(&out.stdout));
    let passing = concordant(&["test", "rules/", "--format", "junit"]);
    assert_eq!(passing.status.code(), Some(0));
    let xml = text(&passing.stdout);
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert_eq!(
        xml.matches("<testcase ").count(),
        text(&concordant(&["test", "rules/"]).stdout)
            .matches("\ntest ")
            .count(),
        "one test case per test"
    );
}

/// A baseline leaves out the findings it lists; a finding it lacks is reported as new, and an
/// entry nothing matches any more is listed as stale.
#[test]
fn a_baseline_reports_only_new_findings_and_its_stale_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "-f",
        "json",
    ]);
    let lines: Vec<String> = text(&first.stdout).lines().map(str::to_string).collect();
    let findings: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .collect();
    assert!(findings.len() > 3);
    // The baseline forgets one finding and lists one that no longer happens.
    let forgotten = findings[1].clone();
    let mut baseline: Vec<String> = lines.iter().filter(|l| **l != forgotten).cloned().collect();
    baseline.push(
        r#"{"type":"finding","rule":"speech-needs-transcript","item":"clip_001","key":["s99"]}"#
            .into(),
    );
    let path = dir.path().join("baseline.jsonl");
    std::fs::write(&path, baseline.join("\n")).expect("write");
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "-f",
        "json",
        "--baseline",
        path.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    let reported: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .collect();
    assert_eq!(
        reported,
        [forgotten.as_str()],
        "only the finding the baseline lacks"
    );
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("a summary")).expect("JSON");
    assert_eq!(summary["baselined"], findings.len() as u64 - 1);
    assert_eq!(summary["stale_baseline"][0]["key"][0], "s99");

    let human = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "--baseline",
        path.to_str().expect("utf-8"),
    ]);
    assert!(
        text(&human.stdout).contains("stale: speech-needs-transcript in clip_001 on s99"),
        "{}",
        text(&human.stdout)
    );

    std::fs::write(&path, "not json\n").expect("write");
    let bad = concordant(&[
        "check",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
        "--baseline",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("line 1 is not JSON"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn explain_shows_bindings_condition_values_and_candidates() {
    let explain = |args: &[&str]| {
        let mut all = vec!["explain", "--rules", "rules/"];
        all.extend_from_slice(args);
        concordant(&all)
    };
    let by_item = explain(&[
        "transcript-needs-speech",
        "--item",
        "clip_001",
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(by_item.status.code(), Some(0), "{}", text(&by_item.stderr));
    let by_record = explain(&[
        "sentiment-face-contradiction",
        "--record",
        "t2",
        "examples/data/clips.jsonl",
    ]);
    insta::assert_snapshot!(format!(
        "{}\n{}",
        text(&by_item.stdout),
        text(&by_record.stdout)
    ));
    let unknown = explain(&["transcript-needs-speach", "examples/data/clips.jsonl"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("did you mean `transcript-needs-speech`?"));
    let no_finding = explain(&[
        "transcript-needs-speech",
        "--item",
        "clip_002",
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(no_finding.status.code(), Some(0));
    assert!(text(&no_finding.stdout).contains("no finding of `transcript-needs-speech` matches"));
    let missing = explain(&[
        "transcript-needs-speech",
        "examples/data/no-such-file.jsonl",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("cannot read `examples/data/no-such-file.jsonl`"));
}

#[test]
fn html_report_is_self_contained_and_holds_every_finding() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let page = dir.path().join("report.html");
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "html",
        "--output",
        page.to_str().expect("a UTF-8 path"),
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "--output takes the report");
    let html = std::fs::read_to_string(&page).expect("the report");
    // The SVG namespace is a name, not an address the page loads.
    let loaded = html.replace("http://www.w3.org/2000/svg", "");
    for outside in ["http://", "https://", "<link", "src=\""] {
        assert!(
            !loaded.contains(outside),
            "the page loads nothing: found {outside}"
        );
    }
    let start = html.find(r#"id="report-data">"#).expect("the data") + r#"id="report-data">"#.len();
    let end = start + html[start..].find("</script>").expect("its end");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
    let findings: usize = data["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["findings"].as_array().map_or(0, Vec::len))
        .sum();
    let json = check_rules_as_json("examples/data/clips.jsonl", &[]);
    let expected = text(&json)
        .lines()
        .filter(|l| l.contains(r#""type":"finding""#))
        .count();
    assert_eq!(findings, expected);
    let first = data["items"][0]["name"].as_str().expect("an item's name");
    assert!(
        data["timelines"][first]["records"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "timelines"
    );
}

/// One item's records, `n` of them, speech without transcripts (a finding each).
fn speech_item(item: usize, n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"item\":\"clip {item}\",\"kind\":\"speech\",\"id\":\"s{i}\",\"start\":{i},\"end\":{}.5,\"speaker\":\"x\"}}\n",
                i
            )
        })
        .collect()
}

/// With `--stream`, findings reach the reader while the input is still being written: the
/// first item's findings arrive before standard input is closed, and the whole output, once
/// it is, holds the same lines as a run without `--stream`.
#[test]
fn streamed_findings_arrive_before_the_input_ends() {
    use std::io::{BufRead, Write};
    // About 4 MB: more than the batches read ahead (a few per thread, 256 KB each).
    let items: Vec<String> = (1..=1200).map(|item| speech_item(item, 40)).collect();
    let args = [
        "check",
        "--rules",
        "rules/",
        "--select",
        "speech-needs-transcript",
        "--format",
        "json",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(args)
        .args(["--stream", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run concordant");
    let stdout = child.stdout.take().expect("stdout");
    let (lines, arrived) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = lines.send(line.expect("a line of output"));
        }
    });
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(items.concat().as_bytes()).expect("write");
    stdin.flush().expect("flush");
    // Not a time limit on the run: only what keeps a broken stream from hanging the tests.
    let first = arrived
        .recv_timeout(std::time::Duration::from_secs(300))
        .expect("a finding before the input ends");
    assert!(first.contains("\"item\":\"clip 1\""), "{first}");
    drop(stdin);
    reader.join().expect("reader");
    let status = child.wait().expect("exit");
    assert_eq!(status.code(), Some(1));
    let mut streamed: Vec<String> = std::iter::once(first).chain(arrived.iter()).collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data.jsonl");
    std::fs::write(&data, items.concat()).expect("write data");
    let whole = concordant(&[&args[..], &[data.to_str().expect("utf-8")]].concat());
    let mut whole: Vec<String> = text(&whole.stdout).lines().map(str::to_string).collect();
    let file = data.to_str().expect("utf-8");
    assert_eq!(streamed.len(), 1200 * 40 + 1);
    streamed.sort();
    whole.sort();
    let whole: Vec<String> = whole.iter().map(|l| l.replace(file, "<stdin>")).collect();
    assert_eq!(streamed, whole);
}

#[test]
fn sarif_holds_at_most_the_results_asked_for_and_counts_the_rest_per_rule() {
    let out = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "sarif",
        "--sarif-max-results",
        "3",
        "examples/data/clips.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a SARIF log");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(3));
    let whole = concordant(&[
        "check",
        "--rules",
        "rules/",
        "--format",
        "json",
        "examples/data/clips.jsonl",
    ]);
    let total = text(&whole.stdout)
        .lines()
        .filter(|l| !l.contains(r#""type":"summary""#))
        .count();
    let notification = &run["invocations"][0]["toolExecutionNotifications"][0];
    let omitted: u64 = (notification["properties"]["omittedPerRule"]
        .as_object()
        .expect("counts"))
    .values()
    .map(|n| n.as_u64().unwrap_or(0))
    .sum();
    assert_eq!(omitted as usize, total - 3, "{notification}");
    assert!(
        text(&out.stderr).contains("holds the first 3 of"),
        "{}",
        text(&out.stderr)
    );
    // Every rule has help, and the data's paths resolve against %SRCROOT%.
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        assert!(
            rule["help"]["text"].is_string() && rule["helpUri"].is_string(),
            "{rule}"
        );
    }
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/')));
}

#[test]
fn junit_reports_a_pack_that_does_not_compile_as_an_error() {
    let out = concordant(&[
        "test",
        "--format",
        "junit",
        "tests/fixtures/cli/misspelled-field.cord",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let xml = text(&out.stdout);
    assert!(
        xml.contains(r#"errors="1""#) && xml.contains("the rule pack compiles"),
        "{xml}"
    );
    assert!(xml.contains("has no field `speakr`"), "{xml}");
}
