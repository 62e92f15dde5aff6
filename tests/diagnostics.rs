//! Rule-file mistakes: every fixture under `tests/fixtures/{parse,check}/err` is compiled and
//! the rendered diagnostics are snapshotted, as a user would see them (colour off).

mod support;

use concordant::diag::{render_pack_error, render_pack_warnings, Color};
use concordant::Pack;
use std::path::Path;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
}

fn rendered(path: &Path) -> String {
    match Pack::from_paths(&[relative(path)]) {
        Ok(pack) => format!("(compiles)\n{}", render_pack_warnings(&pack, Color::Never)),
        Err(e) => render_pack_error(&e, Color::Never),
    }
}

#[test]
fn parse_errors() {
    insta::glob!("fixtures/parse/err/*.cord", |path| {
        let out = rendered(path);
        assert!(
            !out.starts_with("(compiles)"),
            "{} should not parse",
            path.display()
        );
        insta::assert_snapshot!(out);
    });
}

#[test]
fn check_errors() {
    insta::glob!("fixtures/check/err/*.cord", |path| {
        let out = rendered(path);
        assert!(
            out.contains("cord::check::"),
            "{} should give a checker diagnostic",
            path.display()
        );
        insta::assert_snapshot!(out);
    });
}

/// Every diagnostic code the crate defines is shown by at least one fixture's snapshot, so
/// each message a user can meet has been read as they would read it.
#[test]
fn every_diagnostic_code_has_a_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read_all = |dir: &str| -> String {
        (support::files_under(&root.join(dir), "").iter())
            .filter_map(|file| std::fs::read_to_string(file).ok())
            .collect()
    };
    let sources = read_all("src");
    let mut codes: Vec<&str> = sources
        .match_indices("\"cord::")
        .filter_map(|(at, _)| sources[at + 1..].split('"').next())
        .filter(|code| code.matches("::").count() == 2 && !code.ends_with("::"))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let snapshots = read_all("tests/snapshots");
    let missing: Vec<&&str> = codes.iter().filter(|c| !snapshots.contains(**c)).collect();
    assert!(codes.len() > 50, "found only {} codes", codes.len());
    assert!(
        missing.is_empty(),
        "codes no fixture's snapshot shows: {missing:?}"
    );
}
