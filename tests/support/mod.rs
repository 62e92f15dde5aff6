//! What several test targets share: the repository's root, and `../shared` beside it.
//!
//! Some tests check Concordant against material that is not in the repository: the benchmark
//! generator and its reference counts (`../shared/bench`) and the full public data sets
//! (`../shared/data`). A clone with nothing beside it still gets a passing `cargo test`: such
//! a test says in one line what it skipped and returns. CI sets `CONCORDANT_REQUIRE_SHARED`,
//! and there a missing path fails the test instead, so nothing is ever skipped in CI.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/<relative>` beside the repository, when it is there.
///
/// When it is not, the line saying so goes straight to the process's standard error, not
/// through `eprintln!`, which the test harness captures and shows only for failing tests.
pub fn shared(relative: &str, test: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    let required = std::env::var_os("CONCORDANT_REQUIRE_SHARED").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{test}: `{}` is missing, and CONCORDANT_REQUIRE_SHARED says every test must run",
        path.display()
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: needs ../shared/{relative} beside the repository (the benchmark \
         generator and the public data sets); put it there to run this test"
    );
    None
}

/// A case file's `$$ name` sections, in order: each name with the lines below it.
pub fn sections(text: &str) -> Vec<(String, String)> {
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

/// Asserts that the part of a doc between `<!-- NAME: … -->` and `<!-- /NAME -->` is
/// `expected` (a table generated from a registry in the code), printing what it should read.
#[allow(dead_code)] // Not every test target checks a generated section.
pub fn assert_generated_section(doc: &str, name: &str, expected: &str) {
    let text = std::fs::read_to_string(root().join(doc))
        .unwrap_or_else(|e| panic!("{doc} must be readable: {e}"));
    let start = format!("<!-- {name}: ");
    let shown = text
        .split_once(&start)
        .and_then(|(_, rest)| rest.split_once("-->\n"))
        .and_then(|(_, rest)| rest.split(&format!("<!-- /{name} -->")).next())
        .unwrap_or_else(|| panic!("{doc} has no `{name}` markers"));
    assert_eq!(
        shown, expected,
        "{doc}'s `{name}` section differs from the code; it should read:\n{expected}"
    );
}

/// Every file under `dir` (in subfolders too) whose name ends with `.extension` (any file
/// when `extension` is empty), in path order.
#[allow(dead_code)] // Not every test target walks folders.
pub fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
            } else if extension.is_empty() || path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
