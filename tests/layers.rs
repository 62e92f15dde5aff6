//! The layer rule of ARCHITECTURE.md, enforced: the modules of `src/` are listed there bottom
//! first (the fenced `layers` block), and a module may name only modules listed before it,
//! and never one its line forbids (`eval !check` — eval sees check's types through plan).
//! Test modules (after `#[cfg(test)]`) and comments are not imports and are left out.

mod support;

use std::collections::BTreeMap;

/// One line of the layers block: the module and the lower modules it may not name.
struct Layer {
    rank: usize,
    forbidden: Vec<String>,
}

fn layers() -> BTreeMap<String, Layer> {
    let text = std::fs::read_to_string(support::root().join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md is readable");
    let block = text
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    let mut layers = BTreeMap::new();
    for (rank, line) in block.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let mut words = line.split_whitespace();
        let module = words.next().expect("a module name").to_string();
        let forbidden = words
            .map(|w| {
                w.strip_prefix('!')
                    .expect("`!module` after the name")
                    .to_string()
            })
            .collect();
        layers.insert(module, Layer { rank, forbidden });
    }
    layers
}

/// The top-level modules a source file names through `crate::`, outside tests and comments.
fn named_modules(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut names = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or_default();
                names.extend(group.split(',').filter_map(first_word));
            } else {
                names.extend(first_word(rest));
            }
        }
    }
    names
}

fn first_word(text: &str) -> Option<String> {
    let word: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

#[test]
fn no_module_imports_against_the_pipeline_order() {
    let layers = layers();
    let src = support::root().join("src");
    let files = support::files_under(&src, "rs");
    let mut violations = Vec::new();
    let mut unlisted = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative.components().next().expect("a component");
        let top = top.as_os_str().to_string_lossy();
        let module = top.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "cli") {
            continue; // the crate root and the binary sit above every layer
        }
        let Some(layer) = layers.get(module) else {
            unlisted.push(module.to_string());
            continue;
        };
        let source = std::fs::read_to_string(file).expect("a source file is readable");
        for name in named_modules(&source) {
            let Some(other) = layers.get(&name) else {
                continue; // an item of the crate root (`crate::Limits`)
            };
            if name != module && (other.rank > layer.rank || layer.forbidden.contains(&name)) {
                violations.push(format!("{} names `crate::{name}`", relative.display()));
            }
        }
    }
    unlisted.sort();
    unlisted.dedup();
    assert!(
        unlisted.is_empty(),
        "modules missing from ARCHITECTURE.md's layers block: {unlisted:?}"
    );
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "imports against the layer order of ARCHITECTURE.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_an_import_against_the_order() {
    let names = named_modules("use crate::{data::Value, ops};\nfn f() { crate::run::x() }\n");
    assert_eq!(names, ["data", "ops", "run"]);
    let in_tests = named_modules("#[cfg(test)]\nmod tests { use crate::run; }\n");
    assert!(in_tests.is_empty());
}

/// House style: no source file over 800 lines; a file that grows past it is split along its
/// seams (one job per file).
#[test]
fn no_source_file_is_over_800_lines() {
    let files = support::files_under(&support::root().join("src"), "rs");
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > 800).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    long.sort();
    assert!(long.is_empty(), "source files over 800 lines: {long:?}");
}
