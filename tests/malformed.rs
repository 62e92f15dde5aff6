//! The malformed-input corpus: rule files under `tests/fixtures/malformed/rules` and data
//! files under `tests/fixtures/malformed/data` (checked against the pack beside them), each
//! with a snapshot of what a user sees. Nothing may panic, and every run's summary
//! reconciles: records read = checked + rejected.

use concordant::diag::{render_pack_error, render_pack_warnings, Color, HumanRenderer};
use concordant::{Input, Pack, RunOptions};
use std::path::Path;

fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
}

#[test]
fn malformed_rule_files() {
    insta::glob!("fixtures/malformed/rules/*.cord", |path| {
        let out = match Pack::from_paths(&[relative(path)]) {
            Ok(pack) => format!("(compiles)\n{}", render_pack_warnings(&pack, Color::Never)),
            Err(e) => render_pack_error(&e, Color::Never),
        };
        insta::assert_snapshot!(out);
    });
}

#[test]
fn malformed_data_files() {
    let pack =
        Pack::from_paths(&["tests/fixtures/malformed/pack.cord"]).expect("the pack compiles");
    let options = RunOptions {
        threads: 1,
        ..RunOptions::default()
    };
    insta::glob!("fixtures/malformed/data/*.jsonl", |path| {
        let input = Input::Path(relative(path).to_path_buf());
        let outcome = pack.check(&[input], &options);
        let total = outcome.summary.total();
        assert_eq!(
            total.read,
            total.checked + total.rejected,
            "{}: the summary reconciles",
            path.display()
        );
        insta::assert_snapshot!(HumanRenderer::new(&pack, &outcome, Color::Never).render_all());
    });
}

/// Rules nesting as deep as the highest limit allows ([`concordant::MAX_NESTING_CEILING`]),
/// in each way a rule can nest, compile and run on records when called from a thread with a
/// 2 MiB stack, what a test or an embedding thread gets: compiling moves to a thread of its
/// own, and evaluation recurses within the pool's stacks.
#[test]
fn rules_at_the_nesting_ceiling_compile_and_run_from_a_small_stack() {
    let head = "schema { kind speech { start: time, end: time, speaker: str } }\n";
    let rule = |condition: String| {
        format!("{head}rule r: error {{\n  for s in speech\n  require {condition}\n  message \"m\"\n}}\n")
    };
    let limits = concordant::Limits {
        max_nesting: concordant::MAX_NESTING_CEILING,
        ..concordant::Limits::default()
    };
    let parses = |text: &String| {
        concordant::syntax::parse_within(concordant::span::FileId(0), text, &limits)
            .1
            .is_empty()
    };
    let deepest = |make: &dyn Fn(usize) -> String| {
        (1..limits.max_nesting * 2)
            .map(make)
            .take_while(parses)
            .last()
            .expect("some depth parses")
    };
    let texts = [
        deepest(&|n| {
            rule(format!(
                "{}s.speaker == \"a\"{}",
                "(".repeat(n),
                ")".repeat(n)
            ))
        }),
        deepest(&|n| rule(format!("{}s.speaker == \"a\"", "not ".repeat(n)))),
        deepest(&|n| rule(vec!["s.speaker == \"a\""; n].join(" and "))),
        deepest(&|n| rule(format!("{}true", "some x in speech where ".repeat(n)))),
        deepest(&|n| rule(format!("duration(s){} > 1s", " + duration(s)".repeat(n)))),
        deepest(&|n| rule(format!("s{} == \"a\"", ".id".repeat(n)))),
    ];
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data.jsonl");
    let record = r#"{"item":"c","kind":"speech","id":"s1","start":0,"end":1,"speaker":"a"}"#;
    std::fs::write(&data, format!("{record}\n")).expect("write");
    let files: Vec<_> = (texts.iter().enumerate())
        .map(|(i, text)| {
            let path = dir.path().join(format!("deep{i}.cord"));
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for file in files {
                let Ok(pack) = Pack::from_paths_within(&[&file], &limits) else {
                    continue;
                };
                for threads in [0, 1] {
                    let options = RunOptions {
                        threads,
                        limits: limits.clone(),
                        ..RunOptions::default()
                    };
                    let outcome = pack.check(&[Input::Path(data.clone())], &options);
                    assert_eq!(outcome.summary.total().checked, 1);
                }
            }
        })
        .expect("a thread")
        .join()
        .expect("no stack overflow");
}
