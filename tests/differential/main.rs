//! Differential test: the planned evaluator (hash and interval joins, early exits, pushed
//! filters) must report exactly what a naive nested-loop evaluator reports, on random
//! records, for every rule in `rules/` and for rules that join on every time relation.
//!
//! Times come from a coarse grid of tenths with durations that include zero and values a
//! hair above the 0.2 s tolerance, so that touching, nested, zero-length and
//! tolerance-edge intervals are common. The seed is fixed; set `PROPTEST_CASES` to run more
//! cases than the default.

mod assignment;
mod naive;

use concordant::data::{validate, Origin, SourceId};
use concordant::Pack;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value as Json};
use std::path::Path;

const SPEAKERS: [&str; 3] = ["ann", "bob", "bg_1"];
const ANNOTATORS: [&str; 3] = ["x", "y", "z"];
const LABELS: [&str; 3] = ["dog", "cat", "tv"];
const SENTIMENTS: [&str; 3] = ["positive", "negative", "neutral"];
const EMOTIONS: [&str; 4] = ["happy", "angry", "disgust", "neutral"];
/// Durations in seconds: zero, the tolerance, just past it, and long.
const DURATIONS: [f64; 8] = [0.0, 0.1, 0.2, 0.2000000001, 0.3, 1.0, 10.0, 12.5];

fn time() -> impl Strategy<Value = (f64, f64)> {
    (0u32..40, 0usize..DURATIONS.len()).prop_map(|(tenth, d)| {
        let start = tenth as f64 * 0.1;
        (start, start + DURATIONS[d])
    })
}

/// A box on a coarse grid (so that touching, nested and equal boxes are common), rotated
/// now and then, or none.
fn place() -> impl Strategy<Value = Option<Vec<f64>>> {
    let side = prop_oneof![Just(0.0), Just(2.0), Just(5.0), Just(10.0)];
    let rotation = prop_oneof![4 => Just(0.0), 1 => Just(30.0)];
    prop::option::of((0u32..6, 0u32..6, side.clone(), side, rotation)).prop_map(|b| {
        b.map(|(x, y, w, h, r)| {
            let mut b = vec![x as f64 * 2.0, y as f64 * 2.0, w, h];
            if r != 0.0 {
                b.push(r);
            }
            b
        })
    })
}

fn pick<const N: usize>(values: [&'static str; N]) -> impl Strategy<Value = &'static str> {
    (0..N).prop_map(move |i| values[i])
}

/// One record of a random kind, without item and id.
fn record() -> impl Strategy<Value = Json> {
    prop_oneof![
        (time(), pick(SPEAKERS)).prop_map(|((s, e), who)| {
            json!({"kind": "speech", "start": s, "end": e, "speaker": who})
        }),
        (time(), pick(SPEAKERS), pick(SENTIMENTS)).prop_map(|((s, e), who, sentiment)| {
            json!({"kind": "transcript", "start": s, "end": e, "speaker": who,
                   "text": "words", "sentiment": sentiment})
        }),
        (time(), pick(SPEAKERS), pick(EMOTIONS)).prop_map(|((s, e), track, emotion)| {
            json!({"kind": "face", "start": s, "end": e, "track": track, "emotion": emotion})
        }),
        (time(), prop::collection::vec(pick(LABELS), 0..4)).prop_map(|((s, e), mentions)| {
            json!({"kind": "caption", "start": s, "end": e, "text": "a caption",
                   "mentions": mentions})
        }),
        (time(), pick(LABELS), place()).prop_map(|((s, e), label, place)| {
            let mut object = json!({"kind": "object", "start": s, "end": e, "label": label});
            if let Some(b) = place {
                object["box"] = json!(b);
            }
            object
        }),
        (0u32..6, pick(ANNOTATORS), pick(SENTIMENTS)).prop_map(|(t, who, value)| {
            json!({"kind": "sentiment_label", "segment": format!("r{t}"),
                   "annotator": who, "value": value})
        }),
    ]
}

/// One to three items of up to 24 records each, ids `r0`, `r1`, … within each item (so a
/// label's `segment` sometimes names a transcript and sometimes something else).
fn items() -> impl Strategy<Value = Vec<Json>> {
    prop::collection::vec(prop::collection::vec(record(), 1..24), 1..4).prop_map(|items| {
        let mut out = Vec::new();
        for (i, records) in items.into_iter().enumerate() {
            for (j, mut r) in records.into_iter().enumerate() {
                r["item"] = json!(format!("clip{i}"));
                r["id"] = json!(format!("r{j}"));
                out.push(r);
            }
        }
        out
    })
}

fn planned(pack: &Pack, values: &[Json]) -> Vec<naive::Seen> {
    let outcome = pack.check_values(values.iter().cloned());
    // Labels may name a segment that is not a transcript on purpose: those are reported
    // (and checked); nothing else may be.
    let unexpected: Vec<_> = (outcome.data_errors.iter())
        .filter(|e| !format!("{e:?}").starts_with("Data(DanglingReference"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    outcome
        .findings
        .iter()
        .map(|f| naive::Seen {
            item: f.item.as_deref().unwrap_or_default().to_string(),
            rule: pack.rule(f).id.clone(),
            key: f.key.clone(),
            message: f.message.clone(),
        })
        .collect()
}

fn naive_findings(pack: &Pack, values: &[Json]) -> Vec<naive::Seen> {
    let records: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let origin = Origin::line(SourceId(0), i as u32 + 1);
            validate(&pack.plan().schema, v, origin, String::new)
                .expect("generated records are valid")
        })
        .collect();
    naive::evaluate(pack.plan(), &records)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000)
}

fn run_differential(pack: &Pack) {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let seed = *b"concordant differential test 01!";
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let result = runner.run(&items(), |values| {
        let planned = planned(pack, &values);
        let naive = naive_findings(pack, &values);
        prop_assert_eq!(
            planned,
            naive,
            "records: {}",
            serde_json::to_string(&values).unwrap_or_default()
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn every_rule_pack_rule_matches_the_naive_evaluator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let packs = [root.join("rules"), root.join("rules/reliability")];
    let pack = Pack::from_paths(&packs).expect("rules/ loads");
    run_differential(&pack);
}

#[test]
fn joins_on_every_time_relation_match_the_naive_evaluator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack =
        Pack::from_paths(&[root.join("tests/fixtures/differential")]).expect("fixture pack loads");
    let joins = pack
        .plan()
        .rules
        .iter()
        .flat_map(|r| &r.loops)
        .filter(|l| matches!(l.access, concordant::plan::Access::Probe { .. }))
        .count();
    assert!(
        joins >= 10,
        "the fixture pack should exercise index joins, found {joins}"
    );
    run_differential(&pack);
}
