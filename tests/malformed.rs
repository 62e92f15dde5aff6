//! The malformed-input corpus: rule files under `tests/fixtures/malformed/rules` and data
//! files under `tests/fixtures/malformed/data` (checked against the pack beside them), each
//! with a snapshot of what a user sees. Nothing may panic, and every run's summary
//! reconciles: records read = checked + rejected.

use concordant::diag::{render_pack_error, render_pack_warnings, Color, HumanRenderer};
use concordant::{Input, Pack, RunOptions};
use std::path::Path;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
}

#[test]
fn malformed_rule_files() {
    insta::glob!("fixtures/malformed/rules/*.cord", |path| {
        let out = match Pack::from_paths(&[relative(path)]) {
            Ok(pack) => format!("(compiles)\n{}", render_pack_warnings(&pack, Color::Never)),
            Err(e) => render_pack_error(&e, Color::Never),
        };
        insta::assert_snapshot!(out);
    });
}

#[test]
fn malformed_data_files() {
    let pack =
        Pack::from_paths(&["tests/fixtures/malformed/pack.cord"]).expect("the pack compiles");
    let options = RunOptions {
        threads: 1,
        ..RunOptions::default()
    };
    insta::glob!("fixtures/malformed/data/*.jsonl", |path| {
        let input = Input::Path(relative(path).to_path_buf());
        let outcome = pack.check_inputs_with(&[input], &options);
        let total = outcome.summary.total();
        assert_eq!(
            total.read,
            total.checked + total.rejected,
            "{}: the summary reconciles",
            path.display()
        );
        insta::assert_snapshot!(HumanRenderer::new(&pack, &outcome, Color::Never).render_all());
    });
}
