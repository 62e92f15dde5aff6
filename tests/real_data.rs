//! The dataset packs on the real data sets: for every data set in
//! `tests/fixtures/real/counts.json`, `rules/datasets/<name>/` checks every annotation file of
//! `../shared/data/<name>/`, and its findings per rule, its data diagnostics per code and its
//! checked records per kind must equal the counts there. Those counts come from an
//! independent script (`tests/real_data/crosscheck.py`), which CI runs too. Without
//! `../shared/data` beside the repository, these tests say so and skip.

mod support;

use concordant::data::formats::InputFormat;
use concordant::{Input, Pack};
use miette::Diagnostic;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use support::root;

/// The files of a data set that Concordant reads (in subfolders too), in path order.
fn annotation_files(folder: &Path, pack: &Pack) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{} must be readable: {e}", folder.display()));
    for path in entries.filter_map(|entry| entry.ok().map(|e| e.path())) {
        if path.is_dir() {
            files.extend(annotation_files(&path, pack));
        } else if is_settings(&path) {
            continue;
        } else if InputFormat::choose(Some(&path), None, pack.mappings()).0
            != InputFormat::JsonLines
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Label Studio's labelling configurations sit beside its exports: settings, not annotations.
fn is_settings(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("label_config"))
}

fn nonzero(counts: BTreeMap<String, u64>) -> Value {
    Value::Object(
        counts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k, json!(n)))
            .collect::<Map<_, _>>(),
    )
}

/// A data set's pack and its run over every annotation file of the data set.
fn check_data_set(name: &str) -> (Pack, concordant::Outcome) {
    let pack = Pack::from_paths(&[root().join("rules/datasets").join(name)])
        .unwrap_or_else(|e| panic!("the {name} pack must compile: {e:?}"));
    let inputs: Vec<Input> = annotation_files(&root().join("../shared/data").join(name), &pack)
        .into_iter()
        .map(Input::Path)
        .collect();
    assert!(!inputs.is_empty(), "{name} has no annotation files");
    let outcome = pack.check_inputs(&inputs);
    (pack, outcome)
}

/// The expected counts, by data set.
fn expected_counts() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/real/counts.json"))
        .expect("counts.json is readable");
    serde_json::from_str(&text).expect("counts.json is JSON")
}

/// A data set's counts, and for each rule the records of its first findings (to name them
/// when a count differs from the independent one).
fn counts_of(name: &str) -> (Value, BTreeMap<String, Vec<String>>) {
    let (pack, outcome) = check_data_set(name);
    let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &outcome.findings {
        let shown = named.entry(pack.rule(f).id.clone()).or_default();
        if shown.len() < 10 {
            let item = f.item.as_deref().unwrap_or("the data set");
            shown.push(format!(
                "{} of item {item} (line {})",
                f.key.join(", "),
                f.records.first().map_or(0, |r| r.origin.line)
            ));
        }
    }
    let rules = pack
        .plan()
        .rules
        .iter()
        .zip(&outcome.per_rule)
        .map(|(r, n)| (r.id.clone(), *n))
        .collect();
    let mut errors = BTreeMap::new();
    for e in &outcome.data_errors {
        let code = e.code().map(|c| c.to_string()).unwrap_or_default();
        *errors.entry(code).or_insert(0) += 1;
    }
    let checked = outcome
        .summary
        .per_kind
        .iter()
        .map(|(kind, c)| (kind.clone(), c.checked))
        .collect();
    let counts = json!({ "rules": nonzero(rules), "data_errors": nonzero(errors), "checked": nonzero(checked) });
    (counts, named)
}

#[test]
fn dataset_packs_find_what_the_independent_script_counts() {
    if support::shared(
        "data",
        "dataset_packs_find_what_the_independent_script_counts",
    )
    .is_none()
    {
        return;
    }
    let expected = expected_counts();
    assert!(!expected.is_empty());
    let mut differences = Vec::new();
    for (name, want) in expected {
        let (got, named) = counts_of(&name);
        if got == want {
            continue;
        }
        differences.push(format!("{name}: Concordant {got}\n  recount {want}"));
        let rules = |v: &Value| v["rules"].as_object().cloned().unwrap_or_default();
        let (got_rules, want_rules) = (rules(&got), rules(&want));
        for (rule, records) in &named {
            if got_rules.get(rule) != want_rules.get(rule) {
                differences.push(format!("  {rule} reports, first: {}", records.join("; ")));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "the packs and the independent recount (tests/real_data/crosscheck.py) differ:\n{}",
        differences.join("\n")
    );
}

/// On every data set, the human output of a finding shows the line of the original file the
/// record came from.
#[test]
fn human_output_shows_the_original_line_on_every_data_set() {
    if support::shared(
        "data",
        "human_output_shows_the_original_line_on_every_data_set",
    )
    .is_none()
    {
        return;
    }
    use concordant::diag::{Color, HumanRenderer};
    for name in expected_counts().keys() {
        let (pack, outcome) = check_data_set(name);
        let finding = outcome
            .findings
            .first()
            .unwrap_or_else(|| panic!("{name}: the pack finds something"));
        let origin = finding.records[0].origin;
        let path = &outcome.sources[origin.source.0 as usize].name;
        let line = std::fs::read_to_string(path)
            .expect("the data file is readable")
            .lines()
            .nth(origin.line as usize - 1)
            .map(str::to_string)
            .expect("the record's line exists");
        let start = (origin.column as usize).saturating_sub(1).min(line.len());
        let shown: String = line[start..].chars().take(30).collect();
        let rendered = HumanRenderer::new(&pack, &outcome, Color::Never).render_all();
        assert!(
            rendered.contains(&format!("{} │ ", origin.line)) && rendered.contains(shown.trim()),
            "{name}: the output should show line {} of {path} ({shown:?})",
            origin.line
        );
    }
}
