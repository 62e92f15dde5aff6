//! A rule written with `fn` and `let` gives the findings of the same rule written out, on
//! generated boxes (`tests/fixtures/functions/`): functions are written out where they are
//! called and a `let` is computed once, so the two must agree finding for finding, message
//! for message. The named pack's `test` blocks pass too.

mod support;

use concordant::{Outcome, Pack};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value as Json};
use support::root;

fn pack(name: &str) -> Pack {
    let path = root().join("tests/fixtures/functions").join(name);
    Pack::from_paths(&[path]).unwrap_or_else(|e| panic!("{name} must compile: {e:?}"))
}

/// Boxes on a coarse grid, so that touching, nested, equal and disjoint boxes are common;
/// a few labels and annotators, in up to three items.
fn boxes() -> impl Strategy<Value = Vec<Json>> {
    let one = (
        0u32..3,
        0u32..12,
        0u32..12,
        1u32..8,
        1u32..8,
        0usize..2,
        0usize..4,
    );
    prop::collection::vec(one, 1..30).prop_map(|boxes| {
        (boxes.into_iter().enumerate())
            .map(|(i, (item, x, y, w, h, label, annotator))| {
                let (label, annotator) = (["dog", "cat"][label], ["A", "B", "C", "D"][annotator]);
                json!({
                    "item": format!("clip{item}"), "kind": "box", "id": format!("b{i}"),
                    "x": x, "y": y, "w": w, "h": h,
                    "label": label, "annotator": annotator,
                })
            })
            .collect()
    })
}

/// Each finding as (item, key, message), in order.
fn findings(outcome: &Outcome) -> Vec<(Option<String>, Vec<String>, String)> {
    let mut out: Vec<_> = (outcome.findings.iter())
        .map(|f| {
            (
                f.item.as_deref().map(str::to_string),
                f.key.clone(),
                f.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_rule_with_fn_and_let_finds_what_it_finds_written_out() {
    let (named, written) = (pack("iou-named.cord"), pack("iou-written-out.cord"));
    assert!(named.warnings().is_empty(), "{:?}", named.warnings());
    for result in named.run_tests() {
        assert!(result.passed(), "{}: {result:?}", result.name);
    }
    let config = Config {
        cases: 200,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let reported = std::cell::Cell::new(0);
    runner
        .run(&boxes(), |values| {
            let a = findings(&named.check_values(values.iter().cloned()));
            let b = findings(&written.check_values(values));
            reported.set(reported.get() + a.len());
            prop_assert_eq!(a, b);
            Ok(())
        })
        .expect("the two packs agree");
    let reported = reported.get();
    assert!(
        reported > 100,
        "the generated boxes gave only {reported} findings"
    );
}
