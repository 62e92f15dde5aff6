//! `concordant fmt`: the canonical layout of every rule file in the repository is a fixed
//! point (formatting it again changes nothing) and means the same rules (it parses to the same
//! syntax tree); a messy file is shown before and after.

use concordant::span::FileId;
use concordant::syntax::{format, parse};
use std::path::{Path, PathBuf};

/// The syntax tree of a rule file without its byte offsets, which formatting moves.
fn tree_without_spans(text: &str) -> String {
    let (tree, errors) = parse(FileId(0), text);
    assert!(errors.is_empty(), "{errors:?}");
    let spans =
        regex::Regex::new(r"Span \{ file: FileId\(\d+\), range: \d+\.\.\d+ \}").expect("a regex");
    spans.replace_all(&format!("{tree:?}"), "Span").into_owned()
}

fn cord_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            cord_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "cord") {
            out.push(path);
        }
    }
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning_of_every_rule_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["rules", "tests/fixtures", "examples"] {
        cord_files(&root.join(dir), &mut files);
    }
    let mut checked = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // a malformed fixture that is not UTF-8
        };
        if !parse(FileId(0), &text).1.is_empty() {
            continue; // syntax-error fixtures: fmt refuses them
        }
        let once = format(&text);
        assert_eq!(
            format(&once),
            once,
            "{}: formatting twice changes it",
            file.display()
        );
        assert!(
            tree_without_spans(&once) == tree_without_spans(&text),
            "{}: formatting changed the rules:\n{once}",
            file.display()
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} rule files found");
}

#[test]
fn every_shipped_rule_file_is_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    cord_files(&root.join("rules"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a rule file");
        assert!(
            format(&text) == text,
            "{} is not formatted: run `concordant fmt rules/`",
            file.display()
        );
    }
}

#[test]
fn a_messy_file_before_and_after() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let before =
        std::fs::read_to_string(root.join("tests/fixtures/fmt/messy.cord")).expect("fixture");
    let after = format(&before);
    insta::assert_snapshot!(format!("{before}\n---- formatted ----\n\n{after}"));
}
