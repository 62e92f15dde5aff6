//! A project's settings (`concordant.toml`, `[tool.concordant]`), `concordant init`, and the
//! command-line habits around them: `--stdin-filename`, `FORCE_COLOR`, shell completions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `concordant` in `dir` with `NO_COLOR` unset unless `env` sets it.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concordant"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run concordant")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A project folder with the bundled rules and example data, and `settings` as its
/// `concordant.toml` (none when empty).
fn project(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("rules"), &dir.path().join("rules"));
    std::fs::create_dir_all(dir.path().join("data/nested")).unwrap();
    std::fs::copy(
        root().join("examples/data/clips.jsonl"),
        dir.path().join("data/clips.jsonl"),
    )
    .unwrap();
    if !settings.is_empty() {
        std::fs::write(dir.path().join("concordant.toml"), settings).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        match path.is_dir() {
            true => copy_dir(&path, &target),
            false => {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
}

const SETTINGS: &str = r#"
rules = ["rules/"]
inputs = ["data/*.jsonl"]
fail-on = "warning"
format = "json"
"#;

#[test]
fn a_project_file_alone_runs_check_as_the_long_form_does() {
    let dir = project(SETTINGS);
    let short = run_in(dir.path(), &["check"], &[]);
    let long = run_in(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--rules",
            "rules/",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "data/clips.jsonl",
        ],
        &[],
    );
    assert_eq!(long.status.code(), Some(1), "{}", text(&long.stderr));
    assert!(text(&long.stdout).contains(r#""type":"finding""#));
    assert_eq!(short.status.code(), long.status.code());
    assert_eq!(text(&short.stdout), text(&long.stdout));
    assert_eq!(text(&short.stderr), text(&long.stderr));
}

#[test]
fn a_project_is_found_from_a_folder_inside_it_and_its_paths_read_from_there() {
    let dir = project(SETTINGS);
    let below = dir.path().join("data/nested");
    let out = run_in(&below, &["check"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(r#""file":"../clips.jsonl""#), "{stdout}");
    assert!(
        stdout.contains(r#""rule_location":"../../rules/"#),
        "{stdout}"
    );
    // A flag overrides the setting of the same name.
    let human = run_in(&below, &["check", "--format", "human"], &[]);
    assert!(
        text(&human.stdout).contains("findings:"),
        "{}",
        text(&human.stdout)
    );
    // `test`, `plan` and `fmt` take the project's rules too.
    let tests = run_in(&below, &["test"], &[]);
    assert_eq!(tests.status.code(), Some(0), "{}", text(&tests.stderr));
    assert!(text(&tests.stdout).contains(" passed, 0 failed"));
    assert_eq!(run_in(&below, &["plan"], &[]).status.code(), Some(0));
    assert_eq!(
        run_in(&below, &["fmt", "--check"], &[]).status.code(),
        Some(0)
    );
}

#[test]
fn pyproject_settings_are_read_from_the_tool_table() {
    let dir = project("");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.concordant]\nrules = [\"rules/\"]\ninputs = [\"data/clips.jsonl\"]\nformat = \"json\"\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["check"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(r#""type":"summary""#));
    // A pyproject.toml without the table is passed over.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["check"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no rule files given"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_settings_are_named_with_the_file_and_what_to_write() {
    let cases: [(&str, &str); 5] = [
        (
            "rule = [\"rules/\"]",
            "unknown setting `rule`; did you mean `rules`?",
        ),
        ("rules = 3", "`rules` must be a path or a list of paths"),
        (
            "rules = [\"rules/\"]\nformat = \"jsn\"",
            "`format = \"jsn\"`: expected one of human, json",
        ),
        (
            "rules = [\"rules/\"]\ninputs = [\"nowhere/*.jsonl\"]",
            "`nowhere/*.jsonl` matches no file",
        ),
        ("rules = [", "not valid TOML"),
    ];
    for (settings, expected) in cases {
        let dir = project(settings);
        let out = run_in(dir.path(), &["check"], &[]);
        assert_eq!(out.status.code(), Some(2), "{settings}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("concordant.toml"), "{settings}: {stderr}");
        assert!(stderr.contains(expected), "{settings}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    // `--isolated` reads no settings; `--config` names the file.
    let dir = project("rule = 1");
    let out = run_in(dir.path(), &["check", "--isolated"], &[]);
    assert!(text(&out.stderr).contains("no rule files given"));
    std::fs::write(dir.path().join("other.toml"), SETTINGS).unwrap();
    let out = run_in(dir.path(), &["check", "--config", "other.toml"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn init_writes_a_project_whose_tests_pass_and_whose_check_finds_something() {
    let dir = tempfile::tempdir().unwrap();
    let made = run_in(dir.path(), &["init", "new"], &[]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let project = dir.path().join("new");
    let tests = run_in(&project, &["test"], &[]);
    assert_eq!(tests.status.code(), Some(0), "{}", text(&tests.stdout));
    assert!(text(&tests.stdout).contains("2 passed, 0 failed"));
    let check = run_in(&project, &["check", "--format", "json"], &[]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let findings = text(&check.stdout).matches(r#""type":"finding""#).count();
    assert_eq!(findings, 2, "{}", text(&check.stdout));
    assert_eq!(
        run_in(&project, &["fmt", "--check"], &[]).status.code(),
        Some(0)
    );
    // A second init writes nothing over what is there.
    let rules: PathBuf = project.join("rules/checks.cord");
    std::fs::write(&rules, "// mine\n").unwrap();
    let again = run_in(&project, &["init"], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("nothing was written"));
    assert_eq!(std::fs::read_to_string(&rules).unwrap(), "// mine\n");
}

#[test]
fn stdin_filename_chooses_the_format_and_names_the_findings() {
    let sample = root().join("tests/fixtures/real/webvtt-py/missing_caption_text.vtt");
    let bytes = std::fs::read(&sample).unwrap();
    let rules = root().join("rules/datasets/webvtt-py");
    let by_path = run_in(
        root(),
        &["check", "--isolated", "--format", "json", "--rules"]
            .into_iter()
            .chain([rules.to_str().unwrap(), sample.to_str().unwrap()])
            .collect::<Vec<_>>(),
        &[],
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["check", "--isolated", "--format", "json", "--rules"])
        .arg(&rules)
        .arg("--stdin-filename")
        .arg(&sample)
        .arg("-")
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    let by_stdin = child.wait_with_output().unwrap();
    assert!(text(&by_path.stdout).contains(r#""type":"finding""#));
    assert_eq!(by_stdin.status.code(), by_path.status.code());
    assert_eq!(text(&by_stdin.stdout), text(&by_path.stdout));
    // Without `-` among the inputs the flag is a mistake.
    let out = run_in(
        root(),
        &[
            "check",
            "--isolated",
            "--rules",
            "rules/",
            "--stdin-filename",
            "x.jsonl",
            "examples/data/clips.jsonl",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`--stdin-filename` names standard input"));
    let out = run_in(
        root(),
        &["check", "--isolated", "--rules", "rules/", "--watch", "-"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("standard input can be read only once"));
}

#[test]
fn force_color_colours_output_that_is_not_a_terminal_and_no_color_wins() {
    let args = [
        "check",
        "--isolated",
        "--rules",
        "rules/",
        "examples/data/clips.jsonl",
    ];
    let escape = |out: &Output| text(&out.stdout).contains("\u{1b}[");
    assert!(!escape(&run_in(root(), &args, &[])));
    assert!(escape(&run_in(root(), &args, &[("FORCE_COLOR", "1")])));
    assert!(escape(&run_in(root(), &args, &[("CLICOLOR_FORCE", "1")])));
    assert!(!escape(&run_in(root(), &args, &[("FORCE_COLOR", "0")])));
    assert!(!escape(&run_in(
        root(),
        &args,
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef concordant"),
        ("fish", "complete -c concordant"),
    ] {
        let out = run_in(root(), &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("stdin-filename"), "{shell}");
    }
    assert_eq!(
        run_in(root(), &["completions", "tcsh"], &[]).status.code(),
        Some(2)
    );
}

#[test]
fn watch_checks_again_when_a_data_file_changes() {
    use std::io::BufRead;
    let dir = project(SETTINGS);
    let mut child = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["check", "--watch", "--format", "human"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let (tell, told) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tell.send(line);
        }
    });
    let wait_for = |needle: &str| loop {
        let line = told
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `{needle}` on stderr within a minute"));
        if line.contains(needle) {
            break;
        }
    };
    wait_for("[watching");
    let data = dir.path().join("data/clips.jsonl");
    let mut text = std::fs::read_to_string(&data).unwrap();
    text.push_str(
        r#"{"item":"clip_009","kind":"transcript","id":"t9","start":50,"end":51,"speaker":"x","text":"alone","sentiment":"neutral"}"#,
    );
    text.push('\n');
    std::fs::write(&data, text).unwrap();
    wait_for("[a file changed; checking again]");
    wait_for("[watching");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Each run ends with its summary's `findings:` line.
    let runs: Vec<&str> = stdout.split("findings:").collect();
    assert_eq!(runs.len(), 3, "two runs: {stdout}");
    assert!(
        !runs[0].contains("clip_009") && runs[1].contains("clip_009"),
        "{stdout}"
    );
}
