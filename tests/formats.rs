//! What Concordant reads from real annotation files in other formats: every file under
//! `tests/fixtures/real/<data set>/` is read by the reader its extension chooses, and the
//! canonical records (with the line each starts on) and the parts that give no record are
//! snapshotted.

mod support;

use concordant::data::formats::mapping::{InputSpec, TableFormat};
use concordant::data::formats::{to_json_lines, InputFormat, ReadOptions};
use miette::Diagnostic;
use proptest::strategy::Strategy;

/// The mapping of a data set's pack (`rules/datasets/<folder>/`), for CSV and JSON files.
fn mapping_for(path: &std::path::Path) -> Option<std::sync::Arc<InputSpec>> {
    let dataset = path.parent()?.file_name()?;
    let pack = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules/datasets")
        .join(dataset);
    let pack = concordant::Pack::from_paths(&[pack]).ok()?;
    pack.mappings()
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
fn coco_files() {
    insta::glob!("fixtures/coco/*.json", |path| {
        insta::assert_snapshot!(read(path));
    });
}

#[test]
fn label_studio_exports() {
    insta::glob!("fixtures/real/label-studio/*.json", |path| {
        insta::assert_snapshot!(read(path));
    });
}

/// Every fixture with the reader (and mapping) that reads it.
fn fixtures() -> Vec<(std::path::PathBuf, InputFormat, ReadOptions)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).expect("fixtures").flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = file.path();
            let mapping = mapping_for(&path);
            let format = match mapping.as_ref().map(|m| m.format) {
                Some(TableFormat::Csv | TableFormat::Tsv) => InputFormat::Csv,
                Some(_) => InputFormat::MappedJson,
                None => InputFormat::of_file(&path),
            };
            if format != InputFormat::JsonLines {
                out.push((
                    path,
                    format,
                    ReadOptions {
                        fps: Some(25.0),
                        mapping,
                    },
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A byte-level edit of a file: delete, insert or overwrite at a position, or cut the rest.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Overwrite(usize, u8),
    Truncate(usize),
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *edit {
        Edit::Delete(i) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes.remove(i);
        }
        Edit::Insert(i, b) => {
            let i = at(i, bytes.len() + 1);
            bytes.insert(i, b);
        }
        Edit::Overwrite(i, b) if !bytes.is_empty() => {
            let i = at(i, bytes.len());
            bytes[i] = b;
        }
        Edit::Truncate(i) => {
            let i = at(i, bytes.len() + 1);
            bytes.truncate(i);
        }
        _ => {}
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2000),
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..proptest::test_runner::Config::default()
    })]

    /// Damaged files never make a reader panic: whatever the bytes, it returns records and
    /// diagnostics.
    #[test]
    fn readers_survive_damaged_files(
        which in 0usize..1000,
        edits in proptest::collection::vec(
            proptest::prop_oneof![
                (0usize..1 << 20).prop_map(Edit::Delete),
                (0usize..1 << 20, proptest::prelude::any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
                (0usize..1 << 20, proptest::sample::select(b"\"{}[],:;\n\r\t0123456789-.<>/\\ ".to_vec())).prop_map(|(i, b)| Edit::Overwrite(i, b)),
                (0usize..1 << 20).prop_map(Edit::Truncate),
            ],
            1..8,
        ),
    ) {
        static FIXTURES: std::sync::OnceLock<Vec<(std::path::PathBuf, InputFormat, ReadOptions)>> =
            std::sync::OnceLock::new();
        let all = FIXTURES.get_or_init(fixtures);
        let (path, format, options) = &all[which % all.len()];
        let mut bytes = std::fs::read(path).expect("fixture is readable");
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        let (records, errors) = to_json_lines(*format, &bytes, "damaged", options);
        proptest::prop_assert!(records.len() + errors.len() < 1_000_000);
    }
}

/// The table `docs/formats.md` shows: one row per entry of the format registry.
fn rendered_formats() -> String {
    use concordant::data::formats::FORMATS;
    let mut out = String::from("| name | extensions | reader | kinds |\n|---|---|---|---|\n");
    for f in FORMATS.iter() {
        let extensions = match (f.extensions, f.sniff.is_some()) {
            ([], _) if f.forced => "anything else".to_string(),
            ([], _) => "those a mapping's `files` match".to_string(),
            (list, sniffed) => {
                let list: Vec<String> = list.iter().map(|e| format!("`.{e}`")).collect();
                let shown = list.join(", ");
                if sniffed {
                    format!("{shown} whose first bytes show one")
                } else {
                    shown
                }
            }
        };
        let kinds: Vec<String> = f.kinds.iter().map(|k| format!("`{k}`")).collect();
        let kinds = if kinds.is_empty() {
            "as the records or the mapping say".to_string()
        } else {
            kinds.join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {extensions} | {} | {kinds} |\n",
            f.name, f.describes
        ));
    }
    out
}

#[test]
fn the_docs_list_every_format_as_the_registry_does() {
    support::assert_generated_section("docs/formats.md", "formats", &rendered_formats());
}

#[test]
fn every_format_name_and_alias_is_taken_by_input_format() {
    use concordant::data::formats::InputFormat;
    for f in InputFormat::forcible() {
        for name in std::iter::once(&f.name).chain(f.aliases) {
            assert_eq!(InputFormat::from_name(name), Some(f.format), "{name}");
            assert_eq!(InputFormat::from_name(&name.to_uppercase()), Some(f.format));
        }
    }
    assert_eq!(InputFormat::from_name("csv (mapped)"), None);
}

/// Every key a mapping may hold (each `pub` field of its tables in
/// `src/data/formats/mapping.rs`, under its serde name) has a row in `docs/formats.md`.
#[test]
fn every_mapping_key_is_documented() {
    let source = std::fs::read_to_string(support::root().join("src/data/formats/mapping.rs"))
        .expect("mapping.rs");
    let docs = std::fs::read_to_string(support::root().join("docs/formats.md")).expect("docs");
    let table = docs
        .split("<!-- mapping keys")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /mapping keys -->").next())
        .expect("a mapping keys section in docs/formats.md");
    let mut keys = Vec::new();
    let mut renamed: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[serde(rename = \"") {
            renamed = rest.split('"').next().map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("pub ") {
            let Some((name, _)) = rest.split_once(':') else {
                continue;
            };
            if name.contains(' ') || name.contains('(') {
                continue;
            }
            keys.push(renamed.take().unwrap_or_else(|| name.to_string()));
        } else if !line.starts_with("#[") && !line.starts_with("///") {
            renamed = None;
        }
    }
    assert!(keys.len() > 15, "found only {keys:?}");
    let missing: Vec<&String> = (keys.iter())
        .filter(|k| !table.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "mapping keys without a row: {missing:?}"
    );
}
