//! What Concordant reads from real annotation files in other formats: every file under
//! `tests/fixtures/real/<data set>/` is read by the reader its extension chooses, and the
//! canonical records (with the line each starts on) and the parts that give no record are
//! snapshotted.

use concordant::data::formats::{to_json_lines, InputFormat, ReadOptions};
use miette::Diagnostic;

fn read(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let format = InputFormat::of_path(path);
    assert_ne!(
        format,
        InputFormat::JsonLines,
        "{} has no reader",
        path.display()
    );
    let item = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (records, errors) = to_json_lines(format, &bytes, &item, &ReadOptions::default());
    let mut out = format!("format: {}\n", format.name());
    for (origin, record) in records {
        out.push_str(&format!("{:>4} {record}\n", origin.line));
    }
    for error in errors {
        let code = error.code().map(|c| c.to_string()).unwrap_or_default();
        let help = error
            .help()
            .map(|h| format!("\n       help: {h}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>4} {code}: {error}{help}\n",
            error.origin().line
        ));
    }
    out
}

#[test]
fn subtitles() {
    insta::glob!("fixtures/real/webvtt-py/*", |path| {
        insta::assert_snapshot!(read(path));
    });
}

#[test]
fn textgrids() {
    insta::glob!("fixtures/real/textgrid-praatio/*.TextGrid", |path| {
        insta::assert_snapshot!(read(path));
    });
}

#[test]
fn elan_documents() {
    insta::glob!("fixtures/real/elan-pympi/*.eaf", |path| {
        insta::assert_snapshot!(read(path));
    });
}

#[test]
fn cvat_exports() {
    insta::glob!("fixtures/real/cvat/*.xml", |path| {
        insta::assert_snapshot!(read(path));
    });
}
