//! The language's one keyword list (`syntax::keywords::KEYWORDS`) against the grammar: every
//! word `grammar/cord.pest` spells as a keyword (its `keyword` rule, its `kw_*` rules, its
//! severities) is in the list with the right class, every listed word is in the grammar, and
//! the grammar's relations are `ops::Relation::ALL`.

mod support;

use concordant::ops::Relation;
use concordant::syntax::keywords::{Class, KEYWORDS};
use std::collections::BTreeSet;

fn grammar() -> String {
    std::fs::read_to_string(support::root().join("grammar/cord.pest"))
        .expect("grammar/cord.pest is readable")
}

/// The body of the grammar rule `name` (up to its closing brace).
fn rule_body(grammar: &str, name: &str) -> String {
    let start = grammar
        .find(&format!("\n{name} = "))
        .unwrap_or_else(|| panic!("the grammar has a `{name}` rule"));
    let rest = &grammar[start + 1..];
    let first_line = rest.split('\n').next().unwrap_or_default();
    // A rule on one line ends with its line; a longer one with a `}` of its own.
    let end = match first_line.trim_end().ends_with('}') {
        true => first_line.len(),
        false => rest.find("\n}").expect("a rule ends"),
    };
    rest[..end].to_string()
}

/// The quoted words of a text.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn listed(class: Class) -> BTreeSet<String> {
    KEYWORDS
        .iter()
        .filter(|(_, c)| *c == class)
        .map(|(w, _)| w.to_string())
        .collect()
}

#[test]
fn the_reserved_words_are_the_grammars() {
    let grammar = grammar();
    let reserved = quoted(&rule_body(&grammar, "keyword"));
    assert_eq!(
        reserved,
        listed(Class::Reserved),
        "grammar `keyword` vs Class::Reserved"
    );
}

#[test]
fn the_severities_are_the_grammars() {
    let grammar = grammar();
    let severities = quoted(&rule_body(&grammar, "severity"));
    assert_eq!(severities, listed(Class::Severity));
}

#[test]
fn every_kw_rule_spells_a_listed_word() {
    let grammar = grammar();
    let all: BTreeSet<String> = KEYWORDS.iter().map(|(w, _)| w.to_string()).collect();
    let spelled: BTreeSet<String> = grammar
        .lines()
        .filter(|l| l.starts_with("kw_"))
        .flat_map(quoted)
        .collect();
    let missing: Vec<&String> = spelled.difference(&all).collect();
    assert!(
        missing.is_empty(),
        "kw_ rules spell words the list lacks: {missing:?}"
    );
    let contextual = listed(Class::Contextual);
    let unused: Vec<&String> = contextual.difference(&spelled).collect();
    assert!(
        unused.is_empty(),
        "contextual keywords no kw_ rule spells: {unused:?}"
    );
}

#[test]
fn the_relations_are_the_grammars() {
    let grammar = grammar();
    let relations = quoted(&rule_body(&grammar, "relation"));
    let listed: BTreeSet<String> = Relation::ALL.iter().map(|(_, w)| w.to_string()).collect();
    assert_eq!(relations, listed);
}
