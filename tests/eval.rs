//! Evaluation cases: each `tests/fixtures/eval/*.case` file holds a rule file, data and
//! perhaps a mapping (`$$ name.toml`), separated by `$$ name` lines; the JSON output of
//! checking the data is snapshotted.

mod support;

use concordant::{Input, Pack};
use std::path::Path;
use support::sections;

fn run_case(path: &Path) -> String {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string(path).expect("case file");
    let mut data = Vec::new();
    let mut mapped = false;
    for (name, body) in sections(&text) {
        let file = dir.path().join(&name);
        std::fs::write(&file, body).expect("write section");
        mapped |= name.ends_with(".toml");
        if !name.ends_with(".cord") && !name.ends_with(".toml") {
            data.push(Input::Path(file));
        }
    }
    // A case with a mapping loads the pack as a directory, as a pack with one is loaded.
    let pack_path = match mapped {
        true => dir.path().to_path_buf(),
        false => dir.path().join("rules.cord"),
    };
    let pack = match Pack::from_paths(&[pack_path]) {
        Ok(pack) => pack,
        Err(e) => return concordant::diag::render_pack_error(&e, concordant::diag::Color::Never),
    };
    let outcome = pack.check_inputs(&data);
    let prefix = format!("{}/", dir.path().display());
    concordant::diag::json::render(&pack, &outcome).replace(&prefix, "")
}

#[test]
fn eval_cases() {
    insta::glob!("fixtures/eval/*.case", |path| {
        insta::assert_snapshot!(run_case(path));
    });
}

/// What one rule reports on the shared-quantifier case with a work budget: its findings
/// (item, key) and the items on which the budget stopped it.
fn one_rule_under_budget(pack: &Pack, data: &Path, rule: &str, budget: u64) -> Vec<String> {
    let options = concordant::RunOptions {
        work_budget: budget,
        ..Default::default()
    };
    let outcome = pack.check(&[Input::Path(data.to_path_buf())], &options);
    let findings = (outcome.findings.iter())
        .filter(|f| pack.rule(f).id == rule)
        .map(|f| format!("{:?} {:?}", f.item, f.key));
    let stopped = (outcome.data_errors.iter())
        .map(ToString::to_string)
        .filter(|e| e.contains(&format!("`{rule}`")));
    findings.chain(stopped).collect()
}

/// A quantifier shared between rules is computed once, but each rule still counts its
/// candidates against its own work budget: under every budget, every rule reports and
/// stops exactly as it does alone (where nothing is shared).
#[test]
fn shared_quantifiers_cost_each_rule_its_own_budget() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let case = std::fs::read_to_string(root.join("tests/fixtures/eval/shared-quantifiers.case"))
        .expect("case file");
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data.jsonl");
    let (_, body) = (sections(&case).into_iter())
        .find(|(name, _)| name == "data.jsonl")
        .expect("data section");
    std::fs::write(&data, body).expect("write data");
    let rules = root.join("tests/fixtures/plan/shared-quantifiers.cord");
    let all = Pack::from_paths(&[&rules]).expect("fixture compiles");
    assert!(all.plan().memo_slots > 0, "the fixture shares quantifiers");
    let stopped =
        |budget| one_rule_under_budget(&all, &data, "voiced-turn-has-its-speaker", budget);
    assert!(
        stopped(2).iter().any(|e| e.contains("stopped on item")),
        "{:?}",
        stopped(2)
    );
    assert!(
        !stopped(12).iter().any(|e| e.contains("stopped on item")),
        "{:?}",
        stopped(12)
    );
    for rule in all.plan().rules.iter().map(|r| r.id.clone()) {
        let mut alone = Pack::from_paths(&[&rules]).expect("fixture compiles");
        alone.select(&[&rule]).expect("the rule exists");
        for budget in 0..=12 {
            assert_eq!(
                one_rule_under_budget(&all, &data, &rule, budget),
                one_rule_under_budget(&alone, &data, &rule, budget),
                "rule {rule}, budget {budget}"
            );
        }
    }
}
