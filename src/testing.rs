//! Running the `test` blocks of a pack: each test's records are evaluated with every rule,
//! and the findings of the rules its `expect` lines name are compared with what it expects.

use crate::check::ir::Expectation;
use crate::eval::Evaluator;
use crate::ops::Scope;
use crate::pack::Pack;
use indexmap::IndexMap;

/// A finding reduced to what an `expect` line can say: rule, item and key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observed {
    /// Rule id.
    pub rule: String,
    /// Item (`None` for a data-set rule).
    pub item: Option<String>,
    /// Key texts.
    pub key: Vec<String>,
}

impl std::fmt::Display for Observed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.key.is_empty() {
            true => write!(f, "{}", self.rule)?,
            false => write!(f, "{} on {}", self.rule, self.key.join(", "))?,
        }
        match &self.item {
            Some(item) if item != crate::check::DEFAULT_TEST_ITEM => {
                write!(f, " in item \"{item}\"")
            }
            _ => Ok(()),
        }
    }
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Its rule file and line.
    pub location: String,
    /// Expected findings that did not occur.
    pub missing: Vec<Observed>,
    /// Findings that occurred but were not expected.
    pub unexpected: Vec<Observed>,
}

impl TestResult {
    /// Whether the findings matched the expectations.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

impl Pack {
    /// Runs every `test` block of the pack.
    pub fn run_tests(&self) -> Vec<TestResult> {
        let evaluator = Evaluator::new(&self.plan);
        self.checked
            .tests
            .iter()
            .map(|test| {
                let mut by_item: IndexMap<&str, Vec<crate::data::Record>> = IndexMap::new();
                for r in &test.records {
                    by_item.entry(&r.item).or_default().push(r.clone());
                }
                let mut findings = Vec::new();
                let mut merged = evaluator.partials(&[]);
                for records in by_item.values() {
                    findings.extend(evaluator.evaluate(records, Scope::Item).findings);
                    for (into, part) in merged.iter_mut().zip(evaluator.partials(records)) {
                        into.merge(&part);
                    }
                }
                findings.extend(evaluator.evaluate(&test.records, Scope::Dataset).findings);
                findings.extend(evaluator.finish_streamed(&merged));
                let observed: Vec<Observed> = findings
                    .iter()
                    .map(|f| Observed {
                        rule: self.plan.rules[f.rule].id.clone(),
                        item: f.item.as_deref().map(str::to_string),
                        key: f.key.clone(),
                    })
                    .collect();
                let (missing, unexpected) = compare(&test.expectations, observed);
                TestResult {
                    name: test.name.clone(),
                    location: self.sources.location(&test.span),
                    missing,
                    unexpected,
                }
            })
            .collect()
    }
}

/// Matches expectations against observed findings. Only rules that the test names are
/// compared (all rules after `expect nothing`), so a test keeps passing when other rules join
/// the pack.
fn compare(
    expectations: &[Expectation],
    observed: Vec<Observed>,
) -> (Vec<Observed>, Vec<Observed>) {
    let all_rules = expectations
        .iter()
        .any(|e| matches!(e, Expectation::Nothing));
    let named: Vec<&str> = expectations
        .iter()
        .filter_map(|e| match e {
            Expectation::None(rule) | Expectation::Finding { rule, .. } => Some(rule.as_str()),
            Expectation::Nothing => None,
        })
        .collect();
    let mut actual: Vec<Observed> = observed
        .into_iter()
        .filter(|o| all_rules || named.contains(&o.rule.as_str()))
        .collect();
    let mut missing = Vec::new();
    for e in expectations {
        let Expectation::Finding { rule, key, item } = e else {
            continue;
        };
        let matches = |o: &Observed| {
            o.rule == *rule && o.key == *key && o.item.as_ref().is_none_or(|i| i == item)
        };
        match actual.iter().position(matches) {
            Some(i) => {
                actual.remove(i);
            }
            None => missing.push(Observed {
                rule: rule.clone(),
                item: Some(item.clone()),
                key: key.clone(),
            }),
        }
    }
    actual.sort();
    (missing, actual)
}
