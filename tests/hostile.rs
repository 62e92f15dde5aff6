//! Hostile and careless uses of the command line, one scenario per
//! `tests/fixtures/hostile/*.case` file, each snapshotted as a user sees it: the exit status,
//! standard output and error, and every file the run changed or created.
//!
//! A case file starts with comment lines saying what it guards against, then `$$ name`
//! sections: `$$ args` is the command line (words split on spaces; `{rules}` is the
//! repository's `rules/`, and `> PATH` at the end sends standard output to PATH, e.g.
//! `/dev/full`), `$$ stdin` is standard input, `$$ file-size-blocks` limits the size of any
//! file the command writes (`ulimit -f`, in the shell's blocks: a disk that fills up),
//! `$$ cwd` names the folder (of the case's) to run in, `$$ env` sets environment variables
//! (`NAME=value` lines; `{dir}` is the case's folder), and every other section is a file written into
//! a fresh directory (names may have folders) that the command runs in. A snapshot that lists
//! no file under "files" shows that nothing was overwritten.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::sections;

/// Every file under `dir`, by its path relative to it, with its bytes.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)
            .expect("a readable folder")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.insert(path.strip_prefix(dir).expect("under").to_path_buf(), bytes);
            }
        }
    }
    files
}

/// The command line of a case, with where its standard output goes; under a file-size limit
/// it runs through `sh`, which sets the limit and ignores the signal a write past it sends,
/// so the write fails as on a full disk.
fn command(args: &str, dir: &Path, file_blocks: Option<&str>) -> (Command, Option<PathBuf>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut words: Vec<String> = args
        .split_whitespace()
        .map(|w| w.replace("{rules}", &format!("{root}/rules")))
        .collect();
    let redirect = match words.len() {
        n if n >= 2 && words[n - 2] == ">" => {
            let to = words.pop().map(PathBuf::from);
            words.pop();
            to
        }
        _ => None,
    };
    let binary = env!("CARGO_BIN_EXE_concordant");
    let mut cmd = match file_blocks {
        Some(blocks) => {
            let mut sh = Command::new("sh");
            let script = format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\"");
            sh.args(["-c", &script, binary]);
            sh
        }
        None => Command::new(binary),
    };
    cmd.args(&words).current_dir(dir).env("NO_COLOR", "1");
    (cmd, redirect.map(|to| dir.join(to)))
}

fn run_case(path: &Path) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = std::fs::read_to_string(path).expect("a case file");
    let (mut args, mut stdin, mut blocks, mut cwd) = (String::new(), None, None, None);
    let mut env: Vec<(String, String)> = Vec::new();
    for (name, body) in sections(&text) {
        match name.as_str() {
            "args" => args = body.trim().to_string(),
            "stdin" => stdin = Some(body),
            "file-size-blocks" => blocks = Some(body.trim().to_string()),
            "cwd" => cwd = Some(dir.path().join(body.trim())),
            "env" => {
                let folder = dir.path().display().to_string();
                env = (body.lines())
                    .filter_map(|line| line.split_once('='))
                    .map(|(k, v)| (k.trim().into(), v.trim().replace("{dir}", &folder)))
                    .collect();
            }
            _ => {
                let file = dir.path().join(&name);
                std::fs::create_dir_all(file.parent().expect("a folder")).expect("a folder");
                std::fs::write(&file, body).expect("write a section");
            }
        }
    }
    let before = files_under(dir.path());
    let run_in = cwd.unwrap_or_else(|| dir.path().to_path_buf());
    let (mut cmd, redirect) = command(&args, &run_in, blocks.as_deref());
    cmd.envs(env);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    if let Some(to) = &redirect {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(to);
        cmd.stdout(file.expect("the redirection's target"));
    } else {
        cmd.stdout(Stdio::piped());
    }
    cmd.stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run concordant");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        let _ = pipe.write_all(input.as_bytes());
    }
    let output = child.wait_with_output().expect("concordant ends");
    let after = files_under(dir.path());
    let mut shown = format!(
        "$ concordant {args}\nexit status: {}\n--- stdout\n{}--- stderr\n{}--- files\n",
        output
            .status
            .code()
            .map_or("signal".into(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    for (file, bytes) in &after {
        let verb = match before.get(file) {
            Some(old) if old == bytes => continue,
            Some(_) => "changed",
            None => "created",
        };
        let first: String = String::from_utf8_lossy(bytes)
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        shown.push_str(&format!("{verb} {}:\n{first}\n", file.display()));
    }
    for file in before.keys().filter(|f| !after.contains_key(*f)) {
        shown.push_str(&format!("removed {}\n", file.display()));
    }
    let dir_shown = format!("{}", dir.path().display());
    shown
        .replace(&dir_shown, "$DIR")
        .replace(env!("CARGO_MANIFEST_DIR"), "$ROOT")
}

#[test]
fn hostile_cases() {
    insta::glob!("fixtures/hostile/*.case", |path| {
        insta::assert_snapshot!(run_case(path));
    });
}

/// The command line's golden cases, in the same form: `tests/fixtures/commands/*.case`
/// (arguments, standard input and files in, everything a user sees out).
#[test]
fn command_cases() {
    insta::glob!("fixtures/commands/*.case", |path| {
        insta::assert_snapshot!(run_case(path));
    });
}

/// A named pipe called `.cord` is refused as an import, not opened: opening it would wait
/// for a writer forever (the command, or the language server reading its own input, hung).
#[test]
fn importing_a_named_pipe_is_refused_without_opening_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe.cord"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::fs::write(dir.path().join("rules.cord"), "import \"pipe.cord\"\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["test", "rules.cord"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("concordant ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("it is not a regular file"), "{stderr}");
}

/// The HTML report of data holding `<!--<script>` and `</script>` keeps its data whole: the
/// JSON the page's script reads ends where the template ends it, parses, and holds them.
#[test]
fn html_report_data_survives_script_markup_in_values() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = dir.path().join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args([
            "check",
            "--rules",
            &format!("{root}/rules"),
            "--format",
            "html",
        ])
        .arg("--output")
        .arg(&page)
        .arg(format!("{root}/tests/html/hostile.jsonl"))
        .status()
        .expect("concordant ends");
    assert_eq!(status.code(), Some(1));
    let html = std::fs::read_to_string(&page).expect("the report");
    let marker = r#"id="report-data">"#;
    let start = html.find(marker).expect("the data") + marker.len();
    let end = start + html[start..].find("</script>").expect("its end");
    assert!(!html[start..end].contains('<'), "no markup inside the data");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("JSON");
    let text = data.to_string();
    assert!(
        text.contains("<!--<script>clip_001"),
        "the item's name is kept"
    );
    assert!(
        text.contains("</script><script>alert(1)</script>"),
        "the id is kept"
    );
}

/// The JSON findings and summary of checking `data` with the packs of `rules/`.
fn json_run(data: &Path, extra: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args([
            "check",
            "--rules",
            &format!("{root}/rules"),
            "--format",
            "json",
        ])
        .args(extra)
        .arg(data)
        .output()
        .expect("concordant ends");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// One record out of place makes the input ungrouped; once grouping passes
/// `--max-grouping-bytes`, the items that follow, whose records all come together, are still
/// checked (they used to be rejected with a false "item reappears"), and the output equals
/// that of the grouped input.
#[test]
fn a_record_out_of_place_costs_only_its_own_item_past_the_grouping_budget() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut lines = Vec::new();
    // Enough batches that some are read after the input turns out ungrouped.
    for clip in 0..10_000 {
        for (i, (start, end)) in [(0.0, 1.0), (1.5, 2.5), (3.0, 4.0)].iter().enumerate() {
            lines.push(format!(
                r#"{{"item":"clip{clip}","kind":"speech","id":"s{i}","start":{start},"end":{end},"speaker":"a"}}"#
            ));
        }
        lines.push(format!(
            r#"{{"item":"clip{clip}","kind":"transcript","id":"t0","start":0,"end":1,"speaker":"a","text":"hi","sentiment":"neutral"}}"#
        ));
    }
    let grouped = dir.path().join("grouped.jsonl");
    std::fs::write(&grouped, lines.join("\n") + "\n").expect("write");
    let straggler = lines.remove(21);
    lines.insert(0, straggler);
    let moved = dir.path().join("moved.jsonl");
    std::fs::write(&moved, lines.join("\n") + "\n").expect("write");
    let reference = json_run(&grouped, &[]);
    let budget = json_run(&moved, &["--max-grouping-bytes", "100000"]);
    assert!(!budget.contains("grouping-limit"), "no item is given up");
    let without_files = |s: &str| {
        s.replace("moved.jsonl", "data")
            .replace("grouped.jsonl", "data")
    };
    let findings = |s: &str| {
        let mut f: Vec<String> = without_files(s)
            .lines()
            .filter(|l| l.contains(r#""type":"finding""#))
            .map(|l| l.split(r#""records""#).next().unwrap_or("").to_string())
            .collect();
        f.sort();
        f
    };
    assert_eq!(findings(&budget), findings(&reference));
    let summary = |s: &str| s.lines().last().unwrap_or("").to_string();
    assert_eq!(summary(&budget), summary(&reference));
}

/// A chain of 5,000 imports, each file importing the next, loads: the loader walks it with
/// a stack of its own (the parser, short of call stack, used to fail at depth ~3,300).
#[test]
fn a_chain_of_five_thousand_imports_loads() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let n = 5_000;
    for i in 0..n {
        let import = match i + 1 < n {
            true => format!("import \"f{}.cord\"\n", i + 1),
            false => "schema { kind speech { start: time, end: time, speaker: str } }\n".into(),
        };
        let text = format!("{import}const c{i} = {i}\n");
        std::fs::write(dir.path().join(format!("f{i}.cord")), text).expect("write");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["test", "f0.cord"])
        .current_dir(dir.path())
        .output()
        .expect("concordant ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

/// A Label Studio export that is an array of tasks is read task by task: with a document
/// limit far below the file's size (but above each task's), it is checked, and gives exactly
/// what reading it whole gives.
#[test]
fn a_label_studio_export_is_read_task_by_task() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let tasks: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "data": {{"video": "v{i}.mp4"}}, "annotations": [{{"id": {i}, "completed_by": 1, "result": [{{"id": "r{i}", "from_name": "label", "to_name": "video", "type": "labels", "value": {{"start": {i}, "end": {}, "labels": ["Speech"]}}}}]}}]}}"#,
                i + 1
            )
        })
        .collect();
    let export = dir.path().join("export.json");
    std::fs::write(&export, format!("[\n{}\n]\n", tasks.join(",\n"))).expect("write");
    let pack = format!("{root}/rules/datasets/label-studio");
    let run = |limit: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_concordant"))
            .args(["check", "--rules", &pack, "--format", "json"])
            .args(["--max-document-bytes", limit])
            .arg(&export)
            .output()
            .expect("concordant ends");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let streamed = run("2000");
    assert!(!streamed.contains("file-too-large"), "{streamed}");
    assert!(
        streamed.contains(r#""records":{"read":800,"checked":800"#),
        "{streamed}"
    );
    assert_eq!(streamed, run("67108864"));
}
