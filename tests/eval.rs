//! Evaluation cases: each `tests/fixtures/eval/*.case` file holds a rule file and data,
//! separated by `$$ name` lines; the JSON output of checking the data is snapshotted.

use concordant::{Input, Pack};
use std::path::Path;

/// Splits a case file into its `$$ name` sections.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("$$ ") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

fn run_case(path: &Path) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string(path).expect("case file");
    let mut data = Vec::new();
    for (name, body) in sections(&text) {
        let file = dir.path().join(&name);
        std::fs::write(&file, body).expect("write section");
        if !name.ends_with(".cord") {
            data.push(Input::Path(file));
        }
    }
    let pack = match Pack::from_paths(&[dir.path().join("rules.cord")]) {
        Ok(pack) => pack,
        Err(e) => return concordant::diag::render_pack_error(&e, concordant::diag::Color::Never),
    };
    let outcome = pack.check_inputs(&data);
    let prefix = format!("{}/", dir.path().display());
    concordant::diag::json::render(&pack, &outcome).replace(&prefix, "")
}

#[test]
fn eval_cases() {
    insta::glob!("fixtures/eval/*.case", |path| {
        insta::assert_snapshot!(run_case(path));
    });
}
