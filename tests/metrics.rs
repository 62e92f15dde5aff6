//! Every agreement metric equals its reference implementation (scikit-learn, statsmodels,
//! `krippendorff`, pyannote.metrics) to 1e-9, on real and generated data. The reference
//! values are in `tests/metrics/reference.json`; `tests/metrics/regenerate.sh` recomputes
//! them in a venv of their own. Here the same ratings are read with Concordant's readers and
//! the dataset packs' mappings, and computed with `concordant::metrics`. The real and
//! generated data come from `../shared`; without it those tests say so and skip.

mod support;

use concordant::data::formats::mapping::TableFormat;
use concordant::data::formats::{to_json_lines, InputFormat, ReadOptions};
use concordant::metrics::agreement::{
    cohen_kappa, fleiss_kappa, krippendorff_alpha, percent_agreement, Level, Weights,
};
use concordant::metrics::temporal::{
    diarization_error, match_segments, DiarizationError, Matching, Segment,
};
use concordant::metrics::Label;
use concordant::Pack;
use indexmap::IndexMap;
use serde_json::Value;
use std::path::{Path, PathBuf};

use support::root;

/// A file of a public data set in `../shared/data`, when it is there.
fn data(path: &str, test: &str) -> Option<PathBuf> {
    support::shared(&format!("data/{path}"), test)
}

/// The records a data file gives, through its data set's pack mapping when it has one.
fn records(dataset: &str, path: &Path) -> Vec<Value> {
    let pack = Pack::from_paths(&[root().join("rules/datasets").join(dataset)])
        .unwrap_or_else(|e| panic!("the {dataset} pack compiles: {e:?}"));
    let mapping = pack
        .mappings()
        .for_path(path)
        .cloned()
        .map(std::sync::Arc::new);
    let format = match mapping.as_ref().map(|m| m.format) {
        Some(TableFormat::Csv | TableFormat::Tsv) => InputFormat::Csv,
        Some(_) => InputFormat::MappedJson,
        None => InputFormat::of_file(path),
    };
    let bytes = std::fs::read(path).expect("the data file is readable");
    let item = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let options = ReadOptions { fps: None, mapping };
    let (lines, errors) = to_json_lines(format, &bytes, &item, &options);
    assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    lines
        .into_iter()
        .map(|(_, line)| serde_json::from_str(&line).expect("a record is JSON"))
        .collect()
}

fn label(value: &Value) -> Label {
    match value {
        Value::Number(n) => Label::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Label::Text(s.as_str().into()),
        other => Label::Text(other.to_string().into()),
    }
}

/// Units in order of first appearance; per unit, raters in order with their first value.
#[derive(Default)]
struct Ratings {
    units: IndexMap<String, IndexMap<Label, Label>>,
}

impl Ratings {
    fn add(&mut self, unit: String, rater: Label, value: Label) {
        self.units
            .entry(unit)
            .or_default()
            .entry(rater)
            .or_insert(value);
    }

    fn values(&self) -> Vec<Vec<Label>> {
        self.units
            .values()
            .map(|u| u.values().cloned().collect())
            .collect()
    }

    fn raters(&self) -> Vec<Label> {
        let mut raters: Vec<Label> = self
            .units
            .values()
            .flat_map(|u| u.keys().cloned())
            .collect();
        raters.sort();
        raters.dedup();
        raters
    }

    /// The two raters (in order) who rated the most units in common; the first such pair.
    fn busiest_pair(&self) -> (Label, Label) {
        let raters = self.raters();
        let mut best: Option<(usize, usize, usize)> = None;
        for i in 0..raters.len() {
            for j in i + 1..raters.len() {
                let n = self
                    .units
                    .values()
                    .filter(|u| u.contains_key(&raters[i]) && u.contains_key(&raters[j]))
                    .count();
                if best.is_none_or(|(m, _, _)| n > m) {
                    best = Some((n, i, j));
                }
            }
        }
        let (_, i, j) = best.expect("two raters");
        (raters[i].clone(), raters[j].clone())
    }

    fn pair(&self, a: &Label, b: &Label) -> (Vec<Label>, Vec<Label>) {
        self.units
            .values()
            .filter_map(|u| Some((u.get(a)?.clone(), u.get(b)?.clone())))
            .unzip()
    }

    /// The units with the most common number of ratings among units with two or more (the
    /// larger on a tie).
    fn even_units(&self) -> (usize, Vec<Vec<Label>>) {
        let counts: Vec<usize> = self
            .units
            .values()
            .map(IndexMap::len)
            .filter(|&n| n >= 2)
            .collect();
        let common = *counts
            .iter()
            .max_by_key(|&&n| (counts.iter().filter(|&&m| m == n).count(), n))
            .expect("units");
        let units = self
            .values()
            .into_iter()
            .filter(|u| u.len() == common)
            .collect();
        (common, units)
    }
}

fn close(name: &str, got: Option<f64>, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{name}: no reference value"));
    let got = got.unwrap_or_else(|| panic!("{name}: undefined, reference {want}"));
    assert!(
        (got - want).abs() <= 1e-9,
        "{name}: {got} against the reference {want}"
    );
}

fn rater_name(label: &Label) -> String {
    match label {
        Label::Num(n) => format!("{n}"),
        Label::Text(t) => t.to_string(),
    }
}

/// The categorical metrics of a data set against its reference entry.
fn check_categorical(name: &str, ratings: &Ratings, reference: &Value, levels: &[(&str, Level)]) {
    let values = ratings.values();
    assert_eq!(reference["units"], values.len(), "{name}: units");
    close(
        &format!("{name} percent agreement"),
        percent_agreement(&values),
        &reference["percent_agreement"],
    );
    let (raters, even) = ratings.even_units();
    assert_eq!(
        reference["fleiss_kappa"]["raters"], raters,
        "{name}: Fleiss raters"
    );
    assert_eq!(
        reference["fleiss_kappa"]["units"],
        even.len(),
        "{name}: Fleiss units"
    );
    close(
        &format!("{name} Fleiss' kappa"),
        fleiss_kappa(&even),
        &reference["fleiss_kappa"]["kappa"],
    );
    let (a, b) = ratings.busiest_pair();
    let names = [rater_name(&a), rater_name(&b)];
    assert_eq!(
        reference["cohen_kappa"]["raters"],
        serde_json::json!(names),
        "{name}: Cohen pair"
    );
    let (x, y) = ratings.pair(&a, &b);
    for (key, weights) in [
        ("unweighted", Weights::Unweighted),
        ("linear", Weights::Linear),
        ("quadratic", Weights::Quadratic),
    ] {
        let want = &reference["cohen_kappa"][key];
        if !want.is_null() {
            close(
                &format!("{name} Cohen's kappa {key}"),
                cohen_kappa(&x, &y, weights),
                want,
            );
        }
    }
    for (key, level) in levels {
        close(
            &format!("{name} alpha {key}"),
            krippendorff_alpha(&values, *level),
            &reference[format!("alpha_{key}")],
        );
    }
}

fn reference() -> Value {
    let text = std::fs::read_to_string(root().join("tests/metrics/reference.json"))
        .expect("reference.json");
    serde_json::from_str(&text).expect("reference.json is JSON")
}

fn generated(test: &str) -> Option<Vec<Value>> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let records = std::fs::read_to_string(generated_file(dir.path(), test)?)
        .expect("generated data")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a record"))
        .collect();
    Some(records)
}

/// `gen.py --items 300 --seed 11`, written into `dir`, when the generator is there.
fn generated_file(dir: &Path, test: &str) -> Option<PathBuf> {
    let gen = support::shared("bench/gen.py", test)?;
    let out = dir.join("gen.jsonl");
    let status = std::process::Command::new("python3")
        .arg(gen)
        .args(["--items", "300", "--seed", "11", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run gen.py");
    assert!(status.success());
    Some(out)
}

/// The data-set rules of rules/ and the reliability pack, run by `concordant check --metrics`,
/// report the reference values — α, Fleiss' κ, each annotator's disagreement with the
/// majority, the diarization error: the statistics stream item by item and merge to the same
/// numbers.
#[test]
fn reliability_pack_metrics_equal_the_references() {
    let reference = reference();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Some(data) = generated_file(dir.path(), "reliability_pack_metrics_equal_the_references")
    else {
        return;
    };
    let metrics = dir.path().join("metrics.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_concordant"))
        .current_dir(root())
        .args([
            "check",
            "--rules",
            "rules/,rules/reliability/",
            "--threads",
            "2",
        ])
        .arg(&data)
        .arg("--metrics")
        .arg(&metrics)
        .output()
        .expect("run concordant");
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    let text = std::fs::read_to_string(&metrics).expect("the metrics file");
    let written: Value = serde_json::from_str(&text).expect("metrics are JSON");
    let value = |rule: &str| {
        written["metrics"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["rule"] == rule))
            .and_then(|m| m["value"].as_f64())
    };
    let labels = &reference["generated sentiment_label (gen.py --items 300 --seed 11)"];
    close(
        "pack α",
        value("sentiment-labels-reliable"),
        &labels["alpha_nominal"],
    );
    close(
        "pack Fleiss' κ",
        value("sentiment-labels-kappa"),
        &labels["fleiss_kappa"]["kappa"],
    );
    let alpha = written["metrics"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|m| m["rule"] == "sentiment-labels-reliable")
        })
        .expect("the α metric");
    let raters = alpha["raters"].as_array().expect("rater rows");
    let want = labels["disagreement_with_majority"]
        .as_object()
        .expect("reference rates");
    assert_eq!(raters.len(), want.len());
    for row in raters {
        let rater = row["rater"].as_str().expect("a rater");
        close(
            &format!("{rater}'s disagreement with the majority"),
            row["disagreement_rate"].as_f64(),
            &want[rater],
        );
    }
    let speakers =
        &reference["generated speech vs transcript speakers (gen.py --items 300 --seed 11)"];
    close(
        "pack diarization error",
        value("speakers-diarized-overall"),
        &speakers["diarization_error_rate"],
    );
}

#[test]
fn generated_labels_and_speakers() {
    let reference = reference();
    let Some(records) = generated("generated_labels_and_speakers") else {
        return;
    };
    let mut ratings = Ratings::default();
    for r in records.iter().filter(|r| r["kind"] == "sentiment_label") {
        let unit = format!("{}/{}", r["item"], r["segment"]);
        ratings.add(unit, label(&r["annotator"]), label(&r["value"]));
    }
    let name = "generated sentiment_label (gen.py --items 300 --seed 11)";
    check_categorical(
        name,
        &ratings,
        &reference[name],
        &[("nominal", Level::Nominal)],
    );

    let mut items: IndexMap<String, (Vec<Segment>, Vec<Segment>)> = IndexMap::new();
    for r in &records {
        let segment = || Segment {
            start: r["start"].as_f64().unwrap_or(0.0),
            end: r["end"].as_f64().unwrap_or(0.0),
            label: r["speaker"].as_str().unwrap_or_default().to_string(),
        };
        let entry = items.entry(r["item"].to_string()).or_default();
        match r["kind"].as_str() {
            Some("speech") => entry.0.push(segment()),
            Some("transcript") => entry.1.push(segment()),
            _ => {}
        }
    }
    let mut total = DiarizationError::default();
    for (reference, hypothesis) in items.values() {
        total.merge(&diarization_error(reference, hypothesis));
    }
    let name = "generated speech vs transcript speakers (gen.py --items 300 --seed 11)";
    assert_eq!(reference[name]["items"], items.len());
    close(
        name,
        total.rate(),
        &reference[name]["diarization_error_rate"],
    );
}

#[test]
fn crowdtruth_judgements() {
    let reference = reference();
    for file in ["mace_temp", "mace_rte"] {
        let Some(path) = data(
            &format!("crowdtruth/tutorial/data/{file}.standardized.csv"),
            "crowdtruth_judgements",
        ) else {
            return;
        };
        let mut ratings = Ratings::default();
        for r in records("crowdtruth", &path) {
            let worker = r["worker"].as_str().unwrap_or_default();
            let column: f64 = worker
                .trim_start_matches('w')
                .parse()
                .expect("a worker column");
            ratings.add(
                r["unit"].to_string(),
                Label::Num(column),
                label(&r["answer"]),
            );
        }
        let name = format!("crowdtruth {file}");
        check_categorical(
            &name,
            &ratings,
            &reference[&name],
            &[("nominal", Level::Nominal)],
        );
    }
}

#[test]
fn qvhighlights_saliency() {
    let reference = reference();
    let Some(path) = data(
        "qvhighlights/highlight_val_release.jsonl",
        "qvhighlights_saliency",
    ) else {
        return;
    };
    let mut ratings = Ratings::default();
    for r in records("qvhighlights", &path)
        .iter()
        .filter(|r| r["kind"] == "clip")
    {
        for (rater, score) in r["scores"].as_array().into_iter().flatten().enumerate() {
            ratings.add(r["id"].to_string(), Label::Num(rater as f64), label(score));
        }
    }
    let levels = [
        ("nominal", Level::Nominal),
        ("ordinal", Level::Ordinal),
        ("interval", Level::Interval),
        ("ratio", Level::Ratio),
    ];
    let name = "qvhighlights saliency";
    check_categorical(name, &ratings, &reference[name], &levels);
}

#[test]
fn label_studio_boxes_per_label() {
    let reference = &reference()["label-studio evalme test_bbox boxes per label"];
    let Some(path) = data(
        "label-studio/evalme/tests/test_data/test_bbox.json",
        "label_studio_boxes_per_label",
    ) else {
        return;
    };
    let records = records("label-studio", &path);
    let mut ratings = Ratings::default();
    let mut tasks: IndexMap<String, IndexMap<String, IndexMap<String, f64>>> = IndexMap::new();
    for r in &records {
        if r["kind"] == "annotation" && r["source"] == "annotation" {
            let who = r["annotator"].as_str().unwrap_or_default().to_string();
            tasks
                .entry(r["item"].to_string())
                .or_default()
                .entry(who)
                .or_default();
        }
        if r["kind"] == "region" && r["source"] == "annotation" {
            let who = r["annotator"].as_str().unwrap_or_default().to_string();
            let per = tasks
                .entry(r["item"].to_string())
                .or_default()
                .entry(who)
                .or_default();
            for l in r["labels"].as_array().into_iter().flatten() {
                *per.entry(l.as_str().unwrap_or_default().to_string())
                    .or_default() += 1.0;
            }
        }
    }
    for (task, counts) in &tasks {
        let mut labels: Vec<&String> = counts.values().flat_map(IndexMap::keys).collect();
        labels.sort();
        labels.dedup();
        for l in labels {
            for (who, per) in counts {
                let n = per.get(l).copied().unwrap_or(0.0);
                ratings.add(
                    format!("{task}/{l}"),
                    Label::Text(who.as_str().into()),
                    Label::Num(n),
                );
            }
        }
    }
    let values = ratings.values();
    assert_eq!(reference["units"], values.len());
    close(
        "evalme percent agreement",
        percent_agreement(&values),
        &reference["percent_agreement"],
    );
    close(
        "evalme alpha interval",
        krippendorff_alpha(&values, Level::Interval),
        &reference["alpha_interval"],
    );
    close(
        "evalme alpha ordinal",
        krippendorff_alpha(&values, Level::Ordinal),
        &reference["alpha_ordinal"],
    );
}

#[test]
fn didemo_chunks() {
    let reference = &reference()["didemo chunks"];
    let Some(path) = data("didemo/val_data.json", "didemo_chunks") else {
        return;
    };
    let (mut first, mut last) = (Ratings::default(), Ratings::default());
    for r in records("didemo", &path)
        .iter()
        .filter(|r| r["kind"] == "span")
    {
        let rater = label(&r["annotator"]);
        first.add(
            r["moment"].to_string(),
            rater.clone(),
            label(&r["first_chunk"]),
        );
        last.add(r["moment"].to_string(), rater, label(&r["last_chunk"]));
    }
    assert_eq!(reference["units"], first.values().len());
    let f = &reference["first_chunk"];
    close(
        "didemo first alpha interval",
        krippendorff_alpha(&first.values(), Level::Interval),
        &f["alpha_interval"],
    );
    close(
        "didemo first alpha ordinal",
        krippendorff_alpha(&first.values(), Level::Ordinal),
        &f["alpha_ordinal"],
    );
    let (_, even) = first.even_units();
    close(
        "didemo first Fleiss",
        fleiss_kappa(&even),
        &f["fleiss_kappa"]["kappa"],
    );
    let l = &reference["last_chunk"];
    close(
        "didemo last alpha interval",
        krippendorff_alpha(&last.values(), Level::Interval),
        &l["alpha_interval"],
    );
    close(
        "didemo last alpha ordinal",
        krippendorff_alpha(&last.values(), Level::Ordinal),
        &l["alpha_ordinal"],
    );
}

#[test]
fn activitynet_annotation_sets() {
    let reference = &reference()["activitynet-captions val_1 vs val_2"];
    let mut videos: IndexMap<String, [Vec<Segment>; 2]> = IndexMap::new();
    for (set, file) in ["val_1.json", "val_2.json"].iter().enumerate() {
        let Some(path) = data(
            &format!("activitynet-captions/{file}"),
            "activitynet_annotation_sets",
        ) else {
            return;
        };
        for r in records("activitynet-captions", &path)
            .iter()
            .filter(|r| r["kind"] == "segment")
        {
            let segment = Segment {
                start: r["start"].as_f64().unwrap_or(0.0),
                end: r["end"].as_f64().unwrap_or(0.0),
                label: "event".into(),
            };
            videos.entry(r["item"].to_string()).or_default()[set].push(segment);
        }
    }
    let common: Vec<&[Vec<Segment>; 2]> = videos
        .values()
        .filter(|s| !s[0].is_empty() && !s[1].is_empty())
        .collect();
    assert_eq!(reference["videos"], common.len());
    for threshold in [0.3, 0.5, 0.7] {
        let mut total = Matching {
            matched: 0,
            reference: 0,
            hypothesis: 0,
            boundary_sum: 0.0,
        };
        for sets in &common {
            total.merge(&match_segments(&sets[0], &sets[1], threshold));
        }
        let want = &reference[format!("tiou_{threshold}")];
        close("precision", total.precision(), &want["precision"]);
        close("recall", total.recall(), &want["recall"]);
        close("f1", total.f1(), &want["f1"]);
        close(
            "boundary deviation",
            total.boundary_deviation(),
            &want["boundary_deviation"],
        );
    }
    let mut der = DiarizationError::default();
    for sets in &common {
        der.merge(&diarization_error(&sets[0], &sets[1]));
    }
    close(
        "activitynet DER",
        der.rate(),
        &reference["diarization_error_rate"],
    );
}

/// The edge cases of `tests/metrics/edge-cases.json` — one annotator, unanimous raters, a
/// declared label nobody used, missing ratings — give the reference packages' values, and are
/// undefined (missing) exactly where the packages give NaN or refuse the data.
#[test]
fn edge_cases_match_the_references_and_their_undefined_cases() {
    use concordant::metrics::{Partial, Ratings as Gathered, Statistic};
    let reference = &reference()["edge cases"];
    let text = std::fs::read_to_string(root().join("tests/metrics/edge-cases.json"))
        .expect("edge-cases.json");
    let cases: Value = serde_json::from_str(&text).expect("edge-cases.json is JSON");
    let cases = cases["cases"].as_array().expect("a list of cases");
    assert_eq!(cases.len(), reference.as_object().map_or(0, |o| o.len()));
    for case in cases {
        let name = case["name"].as_str().expect("a name");
        let mut ratings = Gathered::default();
        // Each unit on its own, as items contribute to a streamed data-set statistic.
        let mut per_unit: IndexMap<String, Gathered> = IndexMap::new();
        for rating in case["ratings"].as_array().expect("ratings") {
            let [unit, rater, value] = [&rating[0], &rating[1], &rating[2]].map(label);
            ratings.add(unit.clone(), rater.clone(), value.clone());
            per_unit
                .entry(rating[0].to_string())
                .or_default()
                .add(unit, rater, value);
        }
        let want = reference[name].as_object().expect("reference values");
        assert!(!want.is_empty(), "{name}: no reference values");
        for (key, value) in want {
            let statistic = match key.as_str() {
                "percent_agreement" => Statistic::Agreement,
                "fleiss_kappa" => Statistic::Fleiss,
                "cohen_kappa_unweighted" => Statistic::Kappa(Weights::Unweighted),
                "cohen_kappa_linear" => Statistic::Kappa(Weights::Linear),
                "cohen_kappa_quadratic" => Statistic::Kappa(Weights::Quadratic),
                "alpha_nominal" => Statistic::Alpha(Level::Nominal),
                "alpha_ordinal" => Statistic::Alpha(Level::Ordinal),
                "alpha_interval" => Statistic::Alpha(Level::Interval),
                "alpha_ratio" => Statistic::Alpha(Level::Ratio),
                other => panic!("{name}: unknown statistic {other}"),
            };
            let got = statistic.compute(&ratings);
            let mut parts = per_unit.values().map(|r| Partial::of(statistic, r));
            let mut streamed = parts.next().expect("a unit");
            parts.for_each(|part| streamed.merge(&part));
            let what = format!("{name}: {key}");
            if value.is_null() {
                assert_eq!(got, None, "{what} is undefined in the reference");
                assert_eq!(streamed.finish(), None, "{what}, streamed, is undefined");
            } else {
                close(&what, got, value);
                close(&format!("{what}, streamed"), streamed.finish(), value);
            }
        }
    }
}

/// A record of an early clip that turns up at the end makes the run group the input in
/// memory: the statistics merged so far are dropped and their clips read again, so every
/// clip still counts once and the data-set statistics equal those of the grouped file — for
/// any number of threads.
#[test]
fn streamed_statistics_survive_input_that_turns_out_ungrouped() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Some(grouped) = generated_file(
        dir.path(),
        "streamed_statistics_survive_input_that_turns_out_ungrouped",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(&grouped).expect("generated data");
    let mut lines: Vec<&str> = text.lines().collect();
    let item_of =
        |line: &str| serde_json::from_str::<Value>(line).expect("a record")["item"].clone();
    let first_item = item_of(lines[0]);
    let second_item = lines
        .iter()
        .position(|l| item_of(l) != first_item)
        .expect("a second clip");
    let straggler = lines.remove(second_item + 1);
    lines.push(straggler);
    let ungrouped = dir.path().join("straggler.jsonl");
    std::fs::write(&ungrouped, lines.join("\n") + "\n").expect("write");

    let run = |data: &Path, threads: &str| {
        let metrics = dir.path().join(format!("metrics-{threads}.json"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_concordant"))
            .current_dir(root())
            .args([
                "check",
                "--rules",
                "rules/,rules/reliability/",
                "-f",
                "json",
            ])
            .args(["--threads", threads])
            .arg(data)
            .arg("--metrics")
            .arg(&metrics)
            .output()
            .expect("run concordant");
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&metrics).expect("metrics"))
                .expect("metrics are JSON");
        (output.stdout, written)
    };
    let (_, reference) = run(&grouped, "2");
    let (one, metrics) = run(&ungrouped, "1");
    let (four, _) = run(&ungrouped, "4");
    assert_eq!(one, four, "the same output for 1 and 4 threads");
    let values = |m: &Value| -> Vec<(String, f64)> {
        m["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .map(|m| {
                (
                    m["rule"].to_string(),
                    m["value"].as_f64().unwrap_or(f64::NAN),
                )
            })
            .collect()
    };
    let (want, got) = (values(&reference), values(&metrics));
    assert_eq!(want.len(), got.len());
    assert!(want.len() >= 4, "{want:?}");
    for ((rule, a), (_, b)) in want.iter().zip(&got) {
        assert!(
            (a - b).abs() <= 1e-12,
            "{rule}: {a} grouped, {b} with a straggler"
        );
    }
    assert_eq!(
        reference["metrics"][0]["raters"], metrics["metrics"][0]["raters"],
        "each rater counted once"
    );
}

/// The data set split into parts by item (as Spark partitions it), each part checked with
/// its data-set rules deferred, the parts' statistics merged from bytes: the data-set
/// findings and metrics equal those of one run over the whole data set, to 1e-9.
#[test]
fn data_set_parts_checked_apart_merge_to_the_whole_runs_results() {
    use concordant::{DatasetParts, Input, Pack, RunOptions};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Some(whole) = generated_file(
        dir.path(),
        "data_set_parts_checked_apart_merge_to_the_whole_runs_results",
    ) else {
        return;
    };
    let pack = Pack::from_paths(&[root().join("rules")]).expect("rules/ compiles");
    let reference = pack.check_inputs(&[Input::Path(whole.clone())]);

    let text = std::fs::read_to_string(&whole).expect("generated data");
    let mut parts: Vec<String> = vec![String::new(); 3];
    let mut items: Vec<Value> = Vec::new();
    for line in text.lines() {
        let item = serde_json::from_str::<Value>(line).expect("a record")["item"].clone();
        let index = match items.iter().position(|i| *i == item) {
            Some(i) => i,
            None => {
                items.push(item);
                items.len() - 1
            }
        };
        parts[(index * 7) % 3].push_str(line);
        parts[(index * 7) % 3].push('\n');
    }
    let options = RunOptions {
        defer_dataset: true,
        ..RunOptions::default()
    };
    let mut bytes = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let path = dir.path().join(format!("part-{i}.jsonl"));
        std::fs::write(&path, part).expect("write a part");
        let outcome = pack.check(&[Input::Path(path)], &options);
        assert!(
            outcome.findings.iter().all(|f| f.item.is_some()),
            "no data-set finding yet"
        );
        bytes.push(outcome.dataset_parts.expect("parts").to_bytes());
    }
    let merged = bytes
        .iter()
        .map(|b| DatasetParts::from_bytes(b).expect("parts from bytes"));
    let (findings, metrics) = pack.finish_dataset(merged);
    let dataset: Vec<&concordant::eval::Finding> = reference
        .findings
        .iter()
        .filter(|f| f.item.is_none())
        .collect();
    assert!(!dataset.is_empty() || !metrics.is_empty());
    assert_eq!(findings.len(), dataset.len());
    for (got, want) in findings.iter().zip(&dataset) {
        assert_eq!((got.rule, &got.key), (want.rule, &want.key));
    }
    assert_eq!(metrics.len(), reference.metrics.len());
    for (got, want) in metrics.iter().zip(&reference.metrics) {
        assert_eq!(got.rule, want.rule);
        let (g, w) = (got.value.expect("a value"), want.value.expect("a value"));
        assert!((g - w).abs() < 1e-9, "{}: {g} against {w}", got.rule);
        assert_eq!(got.raters.raters.len(), want.raters.raters.len());
    }
    assert!(DatasetParts::from_bytes(b"not parts").is_err());
}

/// Turning the raters' counts off (as `check` does for output that does not show them)
/// changes nothing else: the same findings, and the same statistics to the bit.
#[test]
fn statistics_without_rater_counts_equal_those_with_them() {
    use concordant::{Input, Pack, RunOptions};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Some(data) = generated_file(
        dir.path(),
        "statistics_without_rater_counts_equal_those_with_them",
    ) else {
        return;
    };
    let data = [Input::Path(data)];
    let pack = Pack::from_paths(&[root().join("rules"), root().join("rules/reliability")])
        .expect("the packs compile");
    let with = pack.check_inputs(&data);
    let options = RunOptions {
        rater_metrics: false,
        ..RunOptions::default()
    };
    let without = pack.check(&data, &options);
    let findings = |o: &concordant::Outcome| -> Vec<(usize, Vec<String>, String)> {
        o.findings
            .iter()
            .map(|f| (f.rule, f.key.clone(), f.message.clone()))
            .collect()
    };
    assert!(!with.findings.is_empty());
    assert_eq!(findings(&with), findings(&without));
    assert!(with.metrics.len() >= 4, "{}", with.metrics.len());
    assert_eq!(with.metrics.len(), without.metrics.len());
    for (a, b) in with.metrics.iter().zip(&without.metrics) {
        assert_eq!(a.rule, b.rule);
        assert_eq!(
            a.value.map(f64::to_bits),
            b.value.map(f64::to_bits),
            "{}",
            a.rule
        );
        assert!(b.raters.raters.is_empty(), "{}: no rater counts", b.rule);
    }
    assert!(with.metrics.iter().any(|m| !m.raters.raters.is_empty()));
}
