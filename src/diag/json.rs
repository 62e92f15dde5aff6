//! Machine-readable output: JSON Lines, one object per finding, data error and summary.
//! The format is documented in docs/output.md and kept stable.

use crate::data::DataError;
use crate::eval::Finding;
use crate::pack::Pack;
use crate::run::{KindCount, Outcome};
use crate::syntax::ast::Severity;
use indexmap::IndexMap;
use serde::Serialize;

/// A record named by a finding.
#[derive(Debug, Serialize)]
pub struct JsonRecord<'a> {
    /// Record id.
    pub id: &'a str,
    /// Record kind.
    pub kind: &'a str,
    /// Data file.
    pub file: &'a str,
    /// 1-based line.
    pub line: u32,
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// Always `"finding"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Rule id.
    pub rule: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// Rendered message.
    pub message: &'a str,
    /// Item, or null for a data-set rule.
    pub item: Option<&'a str>,
    /// Ids and values of the rule's bindings.
    pub key: &'a [String],
    /// Records involved, primary first.
    pub records: Vec<JsonRecord<'a>>,
    /// Rule file and line.
    pub rule_location: String,
}

/// One rejected line or record.
#[derive(Debug, Serialize)]
pub struct JsonDataError<'a> {
    /// Always `"data-error"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Stable code.
    pub code: String,
    /// Always `error`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// Data file.
    pub file: &'a str,
    /// 1-based line (0 for the whole file).
    pub line: u32,
}

/// The closing summary.
#[derive(Debug, Serialize)]
pub struct JsonSummary<'a> {
    /// Always `"summary"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Items seen.
    pub items: u64,
    /// Totals.
    pub records: KindCount,
    /// Per kind.
    pub per_kind: &'a IndexMap<String, KindCount>,
    /// Findings per severity.
    pub findings: IndexMap<&'static str, usize>,
    /// Findings per rule, in pack order.
    pub per_rule: IndexMap<&'a str, usize>,
    /// Number of data errors.
    pub data_errors: usize,
}

/// The word for a severity in output.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn source_name(outcome: &Outcome, index: u32) -> &str {
    outcome
        .sources
        .get(index as usize)
        .map_or("?", |s| s.name.as_str())
}

/// A finding as JSON.
pub fn finding<'a>(pack: &'a Pack, outcome: &'a Outcome, f: &'a Finding) -> JsonFinding<'a> {
    let rule = &pack.plan.rules[f.rule];
    JsonFinding {
        kind: "finding",
        rule: &rule.id,
        severity: severity_word(rule.severity),
        message: &f.message,
        item: f.item.as_deref(),
        key: &f.key,
        records: f
            .records
            .iter()
            .map(|r| JsonRecord {
                id: &r.id,
                kind: &pack.plan.schema.kind(r.kind).name,
                file: source_name(outcome, r.origin.source.0),
                line: r.origin.line,
            })
            .collect(),
        rule_location: format!("{}:{}", rule.location.file.display(), rule.location.line),
    }
}

/// A data error as JSON.
pub fn data_error<'a>(outcome: &'a Outcome, e: &DataError) -> JsonDataError<'a> {
    let origin = e.origin();
    JsonDataError {
        kind: "data-error",
        code: e.code_str(),
        severity: "error",
        message: e.to_string(),
        file: source_name(outcome, origin.source.0),
        line: origin.line,
    }
}

/// The summary as JSON.
pub fn summary<'a>(pack: &'a Pack, outcome: &'a Outcome) -> JsonSummary<'a> {
    let mut findings: IndexMap<&'static str, usize> = ["error", "warning", "info"]
        .into_iter()
        .map(|s| (s, 0))
        .collect();
    let mut per_rule: IndexMap<&str, usize> =
        pack.plan.rules.iter().map(|r| (r.id.as_str(), 0)).collect();
    for f in &outcome.findings {
        let rule = &pack.plan.rules[f.rule];
        findings[severity_word(rule.severity)] += 1;
        per_rule[rule.id.as_str()] += 1;
    }
    JsonSummary {
        kind: "summary",
        items: outcome.summary.items,
        records: outcome.summary.total(),
        per_kind: &outcome.summary.per_kind,
        findings,
        per_rule,
        data_errors: outcome.data_errors.len(),
    }
}

/// The whole run as JSON Lines: data errors, findings, then the summary.
pub fn render(pack: &Pack, outcome: &Outcome) -> String {
    let mut out = String::new();
    let mut line = |value: &dyn erased::Json| {
        out.push_str(&value.to_json());
        out.push('\n');
    };
    for e in &outcome.data_errors {
        line(&data_error(outcome, e));
    }
    for f in &outcome.findings {
        line(&finding(pack, outcome, f));
    }
    line(&summary(pack, outcome));
    out
}

mod erased {
    /// Serialises any of the report types to one line of JSON.
    pub trait Json {
        fn to_json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}
