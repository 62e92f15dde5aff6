//! Baselines (`check --baseline FILE`): findings already known, read from an earlier run's
//! JSON output, are left out so only new ones are reported; entries no finding matches any
//! more are reported as stale, to be removed from the file.

use crate::eval::Finding;
use crate::plan::Plan;
use rustc_hash::FxHashMap;

/// A known finding: its rule, item (none for a data-set rule) and key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct BaselineEntry {
    /// The rule id.
    pub rule: String,
    /// The item.
    pub item: Option<String>,
    /// The ids and values that tell the finding apart within its item.
    pub key: Vec<String>,
}

impl std::fmt::Display for BaselineEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.rule)?;
        if let Some(item) = &self.item {
            write!(f, " in {item}")?;
        }
        if !self.key.is_empty() {
            write!(f, " on {}", self.key.join(", "))?;
        }
        Ok(())
    }
}

/// The known findings, each as often as the file lists it.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    entries: Vec<BaselineEntry>,
}

/// Why a text is not a baseline, with the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadBaseline {
    /// A line that is not JSON.
    #[error("line {line} is not JSON ({reason}); a baseline is the output of `concordant check --format json`")]
    NotJson {
        /// The line, from 1.
        line: usize,
        /// What the JSON parser said.
        reason: String,
    },
    /// A finding without its rule.
    #[error("line {line} is a finding without a rule")]
    NoRule {
        /// The line, from 1.
        line: usize,
    },
}

impl Baseline {
    /// The findings of a `check --format json` output; other lines (data errors, the summary)
    /// are skipped. An error names the first line that is not a JSON object.
    pub fn from_json_lines(text: &str) -> Result<Baseline, BadBaseline> {
        let mut entries = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|e| BadBaseline::NotJson {
                    line: n + 1,
                    reason: e.to_string(),
                })?;
            if value["type"] != "finding" {
                continue;
            }
            let text_of = |v: &serde_json::Value| v.as_str().map(str::to_string);
            let Some(rule) = text_of(&value["rule"]) else {
                return Err(BadBaseline::NoRule { line: n + 1 });
            };
            let key = value["key"]
                .as_array()
                .map(|k| k.iter().filter_map(text_of).collect())
                .unwrap_or_default();
            entries.push(BaselineEntry {
                rule,
                item: text_of(&value["item"]),
                key,
            });
        }
        Ok(Baseline { entries })
    }

    /// How many known findings it lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A baseline being matched against a run's findings.
pub(super) struct Matcher {
    /// For each known finding, how many times it is listed still unmatched.
    left: FxHashMap<BaselineEntry, u32>,
    /// The entries in file order, to report the stale ones in that order.
    order: Vec<BaselineEntry>,
    /// Findings left out so far.
    pub matched: u64,
}

impl Matcher {
    pub fn new(baseline: &Baseline) -> Matcher {
        let mut left: FxHashMap<BaselineEntry, u32> = FxHashMap::default();
        for entry in &baseline.entries {
            *left.entry(entry.clone()).or_default() += 1;
        }
        Matcher {
            left,
            order: baseline.entries.clone(),
            matched: 0,
        }
    }

    /// Leaves out the findings the baseline lists, and returns their entries (for
    /// [`Matcher::give_back`] should the item be evaluated again).
    pub fn filter(&mut self, plan: &Plan, findings: &mut Vec<Finding>) -> Vec<BaselineEntry> {
        let mut taken = Vec::new();
        findings.retain(|f| {
            let entry = BaselineEntry {
                rule: plan.rules[f.rule].id.clone(),
                item: f.item.as_deref().map(str::to_string),
                key: f.key.clone(),
            };
            match self.left.get_mut(&entry) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    self.matched += 1;
                    taken.push(entry);
                    false
                }
                _ => true,
            }
        });
        taken
    }

    /// Returns entries an earlier evaluation of an item matched: its new evaluation replaces
    /// the old one.
    pub fn give_back(&mut self, entries: Vec<BaselineEntry>) {
        for entry in entries {
            *self.left.entry(entry).or_default() += 1;
            self.matched -= 1;
        }
    }

    /// The entries no finding matched, in file order.
    pub fn stale(mut self) -> Vec<BaselineEntry> {
        self.order
            .into_iter()
            .filter(|e| match self.left.get_mut(e) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .collect()
    }
}
