//! Every kind of input gives the same outcome: a file read from its path and the same file's
//! content given as `Input::Bytes` under the same name (JSON Lines, subtitles, Label Studio
//! exports, CSV data sets through a mapping) give byte-identical JSON output.

mod support;

use concordant::{Input, Pack, RunOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every data file of the real-data fixtures and the bundled example, with the pack that
/// reads it.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = support::root();
    let mut cases = vec![(root.join("rules"), root.join("examples/data/clips.jsonl"))];
    let real = root.join("tests/fixtures/real");
    for entry in std::fs::read_dir(&real)
        .expect("the real-data fixtures")
        .flatten()
    {
        let folder = entry.path();
        let pack = root.join("rules/datasets").join(entry.file_name());
        if !folder.is_dir() || !pack.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder)
            .expect("a fixture folder")
            .flatten()
        {
            cases.push((pack.clone(), file.path()));
        }
    }
    cases.sort();
    cases
}

fn json(pack: &Pack, input: Input) -> String {
    let outcome = pack.check(&[input], &RunOptions::default());
    concordant::diag::json::render(pack, &outcome)
}

fn bytes_of(path: &Path) -> Input {
    let bytes = std::fs::read(path).expect("a readable fixture");
    Input::Bytes {
        name: path.display().to_string(),
        bytes: Arc::from(bytes),
    }
}

#[test]
fn bytes_in_memory_read_as_the_file_does() {
    let cases = cases();
    assert!(cases.len() > 10, "only {} cases", cases.len());
    for (pack_dir, file) in cases {
        let pack = Pack::from_paths(&[&pack_dir]).expect("the pack compiles");
        let from_path = json(&pack, Input::Path(file.clone()));
        let from_bytes = json(&pack, bytes_of(&file));
        assert_eq!(from_path, from_bytes, "{}", file.display());
        assert!(
            from_path.contains("\"type\":\"summary\""),
            "{}",
            file.display()
        );
    }
}

#[test]
fn bytes_that_look_like_a_label_studio_export_are_read_as_one() {
    let root = support::root();
    let pack = Pack::from_paths(&[root.join("rules/datasets/label-studio")]).expect("compiles");
    let folder = root.join("tests/fixtures/real/label-studio");
    let file = std::fs::read_dir(&folder)
        .expect("the Label Studio fixtures")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a Label Studio export");
    let outcome = pack.check(&[bytes_of(&file)], &RunOptions::default());
    assert_eq!(outcome.sources[0].format.name(), "labelstudio");
    assert!(outcome.summary.total().checked > 0);
}
