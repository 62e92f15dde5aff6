//! Plans: each `tests/fixtures/plan/*.cord` pack's rules as `concordant plan` shows them,
//! snapshotted, and the plan of the shipped packs in `rules/`.

use concordant::plan::describe_rule;
use concordant::Pack;
use std::path::Path;

fn describe(pack: &Pack) -> String {
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    pack.plan()
        .rules
        .iter()
        .map(|rule| describe_rule(pack.plan(), rule))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&root, "")
}

#[test]
fn plan_cases() {
    insta::glob!("fixtures/plan/*.cord", |path| {
        let pack = Pack::from_paths(&[path]).expect("fixture compiles");
        insta::assert_snapshot!(describe(&pack));
    });
}

#[test]
fn plan_of_the_shipped_rule_packs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = Pack::from_paths(&[root.join("rules")]).expect("rules/ compiles");
    insta::assert_snapshot!(describe(&pack));
}
