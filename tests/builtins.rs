//! The built-ins table (`src/builtins.rs`) is the one place a function is defined: the docs'
//! function table is its rendering, and every function is exercised by a fixture.

mod support;

use concordant::builtins::{functions, BUILTINS};

/// The table `docs/language.md` shows between its `builtins` markers.
fn rendered_table() -> String {
    let mut out = String::from("| function | result | example |\n|---|---|---|\n");
    for b in functions() {
        let signature = b.signature.replace('|', "\\|");
        out.push_str(&format!(
            "| `{signature}` | {} | `{}` |\n",
            b.doc, b.example
        ));
    }
    out
}

#[test]
fn the_docs_list_every_function_as_the_table_does() {
    support::assert_generated_section("docs/language.md", "builtins", &rendered_table());
}

#[test]
fn every_function_is_exercised_by_a_fixture() {
    let dirs = ["eval", "check", "differential"];
    let texts: String = (dirs.iter())
        .flat_map(|dir| support::files_under(&support::root().join("tests/fixtures").join(dir), ""))
        .filter_map(|file| std::fs::read_to_string(file).ok())
        .collect();
    let unused: Vec<&str> = functions()
        .map(|b| b.name)
        .filter(|name| !texts.contains(&format!("{name}(")))
        .collect();
    assert!(unused.is_empty(), "built-ins no fixture calls: {unused:?}");
}

/// The schema every example is written against: `a` and `b` speech, `t` a transcript, `g` a
/// group of speech by label.
const EXAMPLE_SCHEMA: &str = "schema {
  kind speech { start: time, end: time, speaker: str?, label: str, score: num, box: box, polygon: polygon, at: point }
  kind transcript { start: time, end: time, text: str }
}
";

#[test]
fn every_example_compiles() {
    for b in functions() {
        let rule = if b.example.starts_with("share(") {
            format!(
                "rule example: info per dataset {{\n  require {}\n  message \"\"\n}}",
                b.example
            )
        } else if b.example.contains("(g") {
            format!(
                "rule example: info {{\n  for g in group speech by label\n  where {}\n  require true\n  message \"\"\n}}",
                b.example
            )
        } else {
            format!(
                "rule example: info {{\n  for a in speech, b in speech, t in transcript\n  where {}\n  require true\n  message \"\"\n}}",
                b.example
            )
        };
        let source = format!("{EXAMPLE_SCHEMA}{rule}\n");
        if let Err(e) = concordant::Pack::from_source("example.cord", &source) {
            let shown = concordant::diag::render_pack_error(&e, concordant::diag::Color::Never);
            panic!("the example of `{}` does not compile:\n{shown}", b.name);
        }
    }
}

#[test]
fn names_are_unique_and_calls_have_examples() {
    // A name may have one entry per number of arguments, listed side by side.
    let mut names: Vec<(&str, usize)> = BUILTINS.iter().map(|b| (b.name, b.params.len())).collect();
    let in_order: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    assert_eq!(
        names.len(),
        count,
        "a built-in is listed twice with one arity"
    );
    let mut runs = in_order.clone();
    runs.dedup();
    let mut distinct = runs.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        runs.len(),
        distinct.len(),
        "entries of one name are not side by side"
    );
    for b in functions() {
        assert!(
            b.example.contains(&format!("{}(", b.name)),
            "{}: example",
            b.name
        );
        assert!(b.doc.ends_with('.'), "{}: the doc is a sentence", b.name);
    }
}

#[test]
fn the_statistics_are_the_grammars() {
    let grammar = std::fs::read_to_string(support::root().join("grammar/cord.pest"))
        .expect("grammar/cord.pest is readable");
    let mut spelled: Vec<String> = ["\nstatistic = ", "\ntemporal_fn = ", "\nmatch_stat_fn = "]
        .iter()
        .flat_map(|start| {
            let rest = grammar
                .split(start)
                .nth(1)
                .expect("the grammar rule exists");
            let body = rest.split("\n}").next().unwrap_or_default().to_string();
            body.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    spelled.sort();
    let mut listed: Vec<String> = BUILTINS
        .iter()
        .filter(|b| !b.is_call())
        .map(|b| b.name.to_string())
        .collect();
    listed.sort();
    assert_eq!(
        spelled, listed,
        "grammar statistics vs the built-ins table's"
    );
}
