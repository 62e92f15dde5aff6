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
        let outcome = pack.check_inputs_with(&[input], &options);
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

/// Rules nesting as deep as the limit allows, in each way a rule can nest, compile (or fail
/// with a diagnostic) on a thread with a 2 MiB stack, what a test or an embedding thread gets.
#[test]
fn rules_at_the_nesting_limit_compile_in_a_small_stack() {
    let head = "schema { kind speech { start: time, end: time, speaker: str } }\n";
    let rule = |condition: String| {
        format!("{head}rule r: error {{\n  for s in speech\n  require {condition}\n  message \"m\"\n}}\n")
    };
    let limit = concordant::DEFAULT_MAX_NESTING;
    let deepest = |make: &dyn Fn(usize) -> String| {
        (1..limit * 2)
            .map(make)
            .take_while(|text| {
                concordant::syntax::parse(concordant::span::FileId(0), text)
                    .1
                    .is_empty()
            })
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
        deepest(&|n| {
            rule(format!(
                "{}s.speaker == \"a\"",
                "some x in speech where ".repeat(n)
            ))
        }),
        deepest(&|n| rule(format!("duration(s){} > 1s", " + duration(s)".repeat(n)))),
    ];
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for text in texts {
                let _ = Pack::from_source("deep.cord", &text);
            }
        })
        .expect("a thread")
        .join()
        .expect("no stack overflow");
}
