//! The six benchmark rules give exactly the DuckDB reference's counts on generated data,
//! grouped and shuffled. Expected counts: `tests/fixtures/bench/seed11-items300.counts.json`
//! (regenerate with `tests/fixtures/bench/regenerate.sh`). The generator is
//! `../shared/bench/gen.py`, beside the repository; without it these tests say so and skip.

mod support;

use concordant::{Input, Pack, RunOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const RULES: [(&str, &str); 6] = [
    ("B1", "transcript-needs-speech"),
    ("B2", "speech-needs-transcript"),
    ("B3", "sentiment-face-contradiction"),
    ("B4", "caption-mentions-visible"),
    ("B5", "speaker-self-overlap"),
    ("B6", "label-disagreement"),
];

/// `gen.py --items 300 --seed 11` (shuffled or not), written into `dir`.
fn generate(gen: &Path, dir: &Path, shuffle: bool) -> PathBuf {
    let out = dir.join(if shuffle {
        "shuffled.jsonl"
    } else {
        "grouped.jsonl"
    });
    let mut cmd = Command::new("python3");
    cmd.arg(gen)
        .args(["--items", "300", "--seed", "11", "--out"])
        .arg(&out);
    if shuffle {
        cmd.arg("--shuffle");
    }
    let status = cmd.status().expect("run python3 gen.py");
    assert!(status.success(), "gen.py failed");
    out
}

fn counts(pack: &Pack, data: PathBuf) -> BTreeMap<String, u64> {
    let outcome = pack.check_inputs(&[Input::Path(data)]);
    assert!(
        outcome.data_errors.is_empty(),
        "{:?}",
        outcome.data_errors.first()
    );
    RULES
        .iter()
        .map(|(check, rule)| {
            let n = outcome
                .findings
                .iter()
                .filter(|f| pack.rule(f).id == *rule)
                .count();
            (check.to_string(), n as u64)
        })
        .collect()
}

#[test]
fn benchmark_rules_match_the_duckdb_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected: BTreeMap<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/bench/seed11-items300.counts.json"))
            .expect("fixture"),
    )
    .expect("json");
    let expected: BTreeMap<String, u64> = expected
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_u64()?)))
        .collect();
    let Some(gen) = support::shared("bench/gen.py", "benchmark_rules_match_the_duckdb_reference")
    else {
        return;
    };
    let pack = Pack::from_paths(&[root.join("rules")]).expect("rules compile");
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        counts(&pack, generate(&gen, dir.path(), false)),
        expected,
        "grouped input"
    );
    assert_eq!(
        counts(&pack, generate(&gen, dir.path(), true)),
        expected,
        "shuffled input"
    );
}

#[test]
fn benchmark_rules_match_the_edge_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(bench) = support::shared("bench/fixtures", "benchmark_rules_match_the_edge_fixture")
    else {
        return;
    };
    let pack = Pack::from_paths(&[root.join("rules")]).expect("rules compile");
    let outcome = pack.check_inputs(&[Input::Path(bench.join("edge.jsonl"))]);
    let mut actual: Vec<String> = outcome
        .findings
        .iter()
        .filter_map(|f| {
            let id = &pack.rule(f).id;
            let (check, _) = RULES.iter().find(|(_, r)| r == id)?;
            Some(
                serde_json::json!({"check": check, "item": f.item.as_deref(), "ids": f.key})
                    .to_string(),
            )
        })
        .collect();
    actual.sort();
    let expected = std::fs::read_to_string(bench.join("edge.expected.jsonl")).expect("expected");
    let mut expected: Vec<String> = expected
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .expect("json")
                .to_string()
        })
        .collect();
    expected.sort();
    assert_eq!(actual, expected);
}

/// Every shape of the pipeline gives the same output: one thread or several, batches of
/// half a megabyte or of a few lines (so that items straddle batches and are evaluated by
/// different threads), grouped or shuffled input.
#[test]
fn output_does_not_depend_on_threads_batches_or_input_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(gen) = support::shared(
        "bench/gen.py",
        "output_does_not_depend_on_threads_batches_or_input_order",
    ) else {
        return;
    };
    let pack = Pack::from_paths(&[root.join("rules")]).expect("rules compile");
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |data: &PathBuf, threads: usize, batch_bytes: usize| {
        let options = RunOptions {
            threads,
            batch_bytes,
            ..RunOptions::default()
        };
        let outcome = pack.check(&[Input::Path(data.clone())], &options);
        concordant::diag::json::render(&pack, &outcome)
    };
    for data in [
        generate(&gen, dir.path(), false),
        generate(&gen, dir.path(), true),
    ] {
        let reference = render(&data, 1, concordant::data::BATCH_BYTES);
        for (threads, batch_bytes) in [(1, 700), (3, 700), (3, 5000), (2, 64 << 10)] {
            let output = render(&data, threads, batch_bytes);
            assert!(
                output == reference,
                "{} threads, {batch_bytes}-byte batches differ on {}",
                threads,
                data.display()
            );
        }
    }
}
