//! What Concordant reads from real annotation files in other formats: every file under
//! `tests/fixtures/real/<data set>/` is read by the reader its extension chooses, and the
//! canonical records (with the line each starts on) and the parts that give no record are
//! snapshotted.

use concordant::data::formats::mapping::{InputSpec, TableFormat};
use concordant::data::formats::{to_json_lines, InputFormat, ReadOptions};
use miette::Diagnostic;

/// The mapping of a data set's pack (`rules/datasets/<folder>/`), for CSV and JSON files.
fn mapping_for(path: &std::path::Path) -> Option<std::sync::Arc<InputSpec>> {
    let dataset = path.parent()?.file_name()?;
    let pack = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules/datasets")
        .join(dataset);
    let pack = concordant::Pack::from_paths(&[pack]).ok()?;
    pack.mappings
        .for_path(path)
        .cloned()
        .map(std::sync::Arc::new)
}

fn read(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let mapping = mapping_for(path);
    let format = match mapping.as_ref().map(|m| m.format) {
        Some(TableFormat::Csv | TableFormat::Tsv) => InputFormat::Csv,
        Some(_) => InputFormat::MappedJson,
        None => InputFormat::of_file(path),
    };
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
    let options = ReadOptions { fps: None, mapping };
    let (records, errors) = to_json_lines(format, &bytes, &item, &options);
    let mut out = format!("format: {}\n", format.name());
    for (origin, record) in records {
        let place = match origin.column {
            0 => origin.line.to_string(),
            column => format!("{}:{column}", origin.line),
        };
        out.push_str(&format!("{place:>4} {record}\n"));
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

#[test]
fn mapped_data_sets() {
    insta::glob!("fixtures/real/{meld,emorynlp,cmu-mosei,charades,crowdtruth,activitynet-captions,youcook2,didemo,qvhighlights}/*", |path| {
        insta::assert_snapshot!(read(path));
    });
}

#[test]
fn label_studio_exports() {
    insta::glob!("fixtures/real/label-studio/*.json", |path| {
        insta::assert_snapshot!(read(path));
    });
}
