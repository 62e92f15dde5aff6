//! The same records give the same output whatever their layout: one file grouped by item,
//! one file per kind (merged in item order), random splits into files each in item order,
//! and files whose items come in any order (grouped in memory). Findings, metrics, the
//! summary and their order must be identical; only the places records are read from differ.

mod support;

use concordant::{Input, Outcome, Pack, RunOptions};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use support::root;

/// One record: its item's number and its JSON line.
#[derive(Debug, Clone)]
struct Line {
    item: usize,
    kind: &'static str,
    text: String,
}

/// Records of `items` items: speech turns, transcripts over them (some without speech, some
/// disagreeing in speaker or sentiment), faces and sentiment labels from several annotators,
/// so that the rules of `rules/` find things, groups of records included.
fn records(items: usize) -> impl Strategy<Value = Vec<Line>> {
    let turn = (0..items, 0u32..50, 1u32..6, 0usize..3, 0usize..3, 0u8..4);
    prop::collection::vec(turn, 1..120).prop_map(|turns| {
        let speakers = ["ana", "ben", "cy"];
        let sentiments = ["positive", "negative", "neutral"];
        let mut lines = Vec::new();
        for (n, (item, start, length, speaker, sentiment, shape)) in turns.into_iter().enumerate() {
            let (start, end) = (f64::from(start) / 2.0, f64::from(start + length) / 2.0);
            let (who, feeling) = (speakers[speaker], sentiments[sentiment]);
            let mut push = |kind: &'static str, id: String, fields: String| {
                let text =
                    format!(r#"{{"item":"clip {item}","kind":"{kind}","id":"{id}",{fields}}}"#);
                lines.push(Line { item, kind, text });
            };
            if shape != 1 {
                let said = format!(r#""start":{start},"end":{end},"speaker":"{who}""#);
                push("speech", format!("s{n}"), said);
            }
            let said = format!(
                r#""start":{start},"end":{end},"speaker":"{who}","text":"well yes","sentiment":"{feeling}""#
            );
            push("transcript", format!("t{n}"), said);
            if shape == 3 {
                let face = format!(r#""start":{start},"end":{end},"track":"{who}","emotion":"angry""#);
                push("face", format!("f{n}"), face);
            }
            if shape >= 2 {
                for (k, label) in sentiments.iter().enumerate().take(2 + sentiment % 2) {
                    let fields = format!(r#""segment":"t{n}","value":"{label}","annotator":"ann{k}""#);
                    push("sentiment_label", format!("l{n}-{k}"), fields);
                }
            }
        }
        lines
    })
}

/// Writes files of lines into `dir` and gives back their paths.
fn write(dir: &Path, files: &[Vec<&Line>]) -> Vec<Input> {
    files
        .iter()
        .enumerate()
        .map(|(n, lines)| {
            let path: PathBuf = dir.join(format!("part{n}.jsonl"));
            let text: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
            std::fs::write(&path, text).expect("the test writes its files");
            Input::Path(path)
        })
        .collect()
}

/// The lines sorted by item (natural order), in their order within an item.
fn grouped(lines: &[Line]) -> Vec<&Line> {
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by_key(|l| l.item);
    sorted
}

/// The output of a run with every place a record was read from left out.
fn output(pack: &Pack, inputs: &[Input], threads: usize) -> String {
    let options = RunOptions {
        threads,
        batch_bytes: 512,
        // Records of input not grouped by item go to disk past 2 KiB.
        memory_limit: 4 << 10,
        ..RunOptions::default()
    };
    let outcome: Outcome = pack.check(inputs, &options);
    let mut out = String::new();
    for f in &outcome.findings {
        let records: Vec<&str> = f.records.iter().map(|r| r.id.as_str()).collect();
        out.push_str(&format!(
            "{} {:?} {:?} {records:?} {}\n",
            f.rule, f.item, f.key, f.message
        ));
    }
    for m in &outcome.metrics {
        out.push_str(&format!("{} {} {:?}\n", m.rule, m.statistic, m.value));
    }
    out.push_str(&format!(
        "{:?}\n{}\n",
        outcome.summary,
        outcome.data_errors.len()
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_layout_gives_the_grouped_output(
        (lines, shuffled) in records(12).prop_flat_map(|lines| {
            (Just(lines.clone()), Just(lines).prop_shuffle())
        }),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        order in any::<prop::sample::Index>(),
        threads in 1usize..4,
    ) {
        let pack = Pack::from_paths(&[root().join("rules")]).expect("rules/ compiles");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let sorted = grouped(&lines);
        let want = output(&pack, &write(dir.path(), std::slice::from_ref(&sorted)), 1);
        prop_assert!(want.contains("transcript"), "the rules find something: {want}");

        // One file per kind, each in item order: merged.
        let kinds = ["speech", "transcript", "face", "sentiment_label"];
        let per_kind: Vec<Vec<&Line>> = kinds
            .iter()
            .map(|k| sorted.iter().copied().filter(|l| l.kind == *k).collect())
            .collect();
        let dir = tempfile::tempdir().expect("a temporary directory");
        prop_assert_eq!(&output(&pack, &write(dir.path(), &per_kind), threads), &want);

        // Lines dealt into files at random, each file keeping item order: merged.
        let parts = cuts.len() + 1;
        let mut dealt: Vec<Vec<&Line>> = vec![Vec::new(); parts];
        for (n, line) in sorted.iter().enumerate() {
            dealt[cuts[n % cuts.len()].index(parts)].push(line);
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        prop_assert_eq!(&output(&pack, &write(dir.path(), &dealt), threads), &want);

        // The same files with their lines rotated: items out of order, grouped in memory.
        for file in &mut dealt {
            if !file.is_empty() {
                let at = order.index(file.len());
                file.rotate_left(at);
            }
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        prop_assert_eq!(&output(&pack, &write(dir.path(), &dealt), threads), &want);

        // Every line in a random place: grouped on disk.
        let dir = tempfile::tempdir().expect("a temporary directory");
        let shuffled: Vec<&Line> = shuffled.iter().collect();
        prop_assert_eq!(&output(&pack, &write(dir.path(), &[shuffled]), threads), &want);
    }
}
