//! Rule-file mistakes: every fixture under `tests/fixtures/{parse,check}/err` is compiled and
//! the rendered diagnostics are snapshotted, as a user would see them (colour off).

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
