//! Machine-readable output: JSON Lines, one object per finding, data error and summary.
//! The format is documented in docs/output.md and kept stable.

use super::finding_lines::FindingLines;
use crate::eval::Finding;
use crate::pack::Pack;
use crate::run::Problem;
use crate::run::{KindCount, Outcome, Slot};
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
    /// 1-based column, for a record inside a long line (a one-line JSON document).
    #[serde(skip_serializing_if = "is_zero")]
    pub column: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
    pub rule_location: RuleLocation<'a>,
}

/// A rule's file and line, `rules/x.cord:12`, written straight into the output (it is on
/// every finding, so it is not built as a string first).
#[derive(Debug, Clone, Copy)]
pub struct RuleLocation<'a>(pub &'a std::path::Path, pub u32);

impl std::fmt::Display for RuleLocation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.to_str() {
            Some(path) => write!(f, "{path}:{}", self.1),
            None => write!(f, "{}:{}", self.0.display(), self.1),
        }
    }
}

impl Serialize for RuleLocation<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
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
    /// 1-based column, for a problem inside a long line.
    #[serde(skip_serializing_if = "is_zero")]
    pub column: u32,
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
    /// Findings left out because their primary record waives their rule.
    pub waived: u64,
    /// Findings left out because the baseline lists them.
    pub baselined: u64,
    /// Baseline entries that no finding matched.
    pub stale_baseline: &'a [crate::run::BaselineEntry],
}

fn source_name(names: &[String], index: u32) -> &str {
    names.get(index as usize).map_or("?", |s| s.as_str())
}

/// A finding as JSON; `sources` names the data sources by index.
pub fn finding<'a>(pack: &'a Pack, sources: &'a [String], f: &'a Finding) -> JsonFinding<'a> {
    let rule = &pack.plan.rules[f.rule];
    JsonFinding {
        kind: "finding",
        rule: &rule.id,
        severity: rule.severity.as_str(),
        message: &f.message,
        item: f.item.as_deref(),
        key: &f.key,
        records: f
            .records
            .iter()
            .map(|r| JsonRecord {
                id: &r.id,
                kind: &pack.plan.schema.kind(r.kind).name,
                file: source_name(sources, r.origin.source.0),
                line: r.origin.line,
                column: r.origin.column,
            })
            .collect(),
        rule_location: RuleLocation(&rule.location.file, rule.location.line as u32),
    }
}

/// A data error as JSON; `sources` names the data sources by index.
pub fn data_error<'a>(sources: &'a [String], e: &Problem) -> JsonDataError<'a> {
    let origin = e.origin();
    JsonDataError {
        kind: "data-error",
        code: e.code_str(),
        severity: "error",
        message: e.to_string(),
        file: source_name(sources, origin.source.0),
        line: origin.line,
        column: origin.column,
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
    for (rule, n) in pack.plan.rules.iter().zip(&outcome.per_rule) {
        findings[rule.severity.as_str()] += *n as usize;
        per_rule[rule.id.as_str()] += *n as usize;
    }
    JsonSummary {
        kind: "summary",
        items: outcome.summary.items,
        records: outcome.summary.total(),
        per_kind: &outcome.summary.per_kind,
        findings,
        per_rule,
        data_errors: outcome.data_errors.len(),
        waived: outcome.waived,
        baselined: outcome.baselined,
        stale_baseline: &outcome.stale_baseline,
    }
}

fn names(outcome: &Outcome) -> Vec<String> {
    outcome.sources.iter().map(|s| s.name.clone()).collect()
}

/// The whole run as JSON Lines: data errors, findings, then the summary.
pub fn render(pack: &Pack, outcome: &Outcome) -> String {
    let sources = names(outcome);
    let mut out = Vec::new();
    for e in &outcome.data_errors {
        line(&mut out, &data_error(&sources, e));
    }
    let lines = FindingLines::new(pack, &sources);
    for f in &outcome.findings {
        lines.write(f, &mut out);
    }
    line(&mut out, &summary(pack, outcome));
    // Every part was written from `str`s, escaped as JSON.
    String::from_utf8(out).unwrap_or_default()
}

/// `value` as a line of JSON.
fn line(out: &mut Vec<u8>, value: &impl Serialize) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
    out.push(b'\n');
}

/// How `--format json` renders findings: a line each.
pub struct JsonLines<'p> {
    pack: &'p Pack,
    lines: FindingLines,
}

impl super::spool::Rendering for JsonLines<'_> {
    fn render(
        &mut self,
        _slot: &crate::run::Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for f in findings {
            self.lines.write(f, out);
        }
        Ok(())
    }
}

/// A [`FindingSink`](crate::run::FindingSink) that writes findings as JSON Lines to a
/// temporary file as items complete ([`super::spool`]), so a run over millions of records
/// holds none of its findings in memory. Once the run is over, [`JsonSpool::finish`] writes
/// the whole output in the same order as [`render`]: data errors, findings, summary.
pub struct JsonSpool<'p>(super::spool::Spool<JsonLines<'p>>);

impl<'p> JsonSpool<'p> {
    /// A spool for a run of `pack` over sources with these names.
    pub fn new(pack: &'p Pack, sources: Vec<String>) -> std::io::Result<Self> {
        let lines = FindingLines::new(pack, &sources);
        super::spool::Spool::new(JsonLines { pack, lines }).map(JsonSpool)
    }

    /// Writes the run's output to `out`.
    pub fn finish(self, outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        write_data_errors(outcome, out)?;
        let rendering = self.0.copy_to(out, 0)?;
        write_summary(rendering.pack, outcome, out)
    }
}

/// Each data error of a run as a line.
fn write_data_errors(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let sources = names(outcome);
    let mut buffer = Vec::new();
    for e in &outcome.data_errors {
        buffer.clear();
        line(&mut buffer, &data_error(&sources, e));
        out.write_all(&buffer)?;
    }
    Ok(())
}

/// The summary line that ends the output.
fn write_summary(
    pack: &Pack,
    outcome: &Outcome,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    line(&mut buffer, &summary(pack, outcome));
    out.write_all(&buffer)
}

/// A [`JsonSpool`] that writes findings to `out` as soon as the run says they are final
/// (input promised in item order: `--stream`), so a pipeline can start on them before the run
/// ends. What is not final before the end follows it, then the data errors (known in full only
/// at the end) and the summary.
pub struct JsonStream<'p, 'w> {
    spool: JsonSpool<'p>,
    out: &'w mut (dyn std::io::Write + Send),
    error: Option<std::io::Error>,
}

impl<'p, 'w> JsonStream<'p, 'w> {
    /// A stream of a run of `pack` over sources with these names, to `out`.
    pub fn new(
        pack: &'p Pack,
        sources: Vec<String>,
        out: &'w mut (dyn std::io::Write + Send),
    ) -> std::io::Result<Self> {
        let spool = JsonSpool::new(pack, sources)?;
        Ok(JsonStream {
            spool,
            out,
            error: None,
        })
    }

    /// Writes the rest of the run's output.
    pub fn finish(self, outcome: &Outcome) -> std::io::Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let rendering = self.spool.0.copy_to(self.out, 0)?;
        write_data_errors(outcome, self.out)?;
        write_summary(rendering.pack, outcome, self.out)
    }
}

impl crate::run::FindingSink for JsonStream<'_, '_> {
    fn deliver(&mut self, slot: Slot, findings: Vec<Finding>) {
        self.spool.deliver(slot, findings);
    }

    fn settled(&mut self, through: &Slot) {
        if self.error.is_none() {
            let written =
                (self.spool.0.write_settled(through, self.out)).and_then(|()| self.out.flush());
            self.error = written.err();
        }
    }
}

impl crate::run::FindingSink for JsonSpool<'_> {
    fn deliver(&mut self, slot: Slot, findings: Vec<Finding>) {
        self.0.deliver(slot, findings);
    }
}

/// Every statistic a data-set rule computed, with each rater's counts, as one JSON document
/// (`--metrics FILE`).
pub fn metrics(outcome: &Outcome) -> serde_json::Value {
    use serde_json::json;
    let label = |l: &crate::metrics::Label| match l {
        crate::metrics::Label::Num(n) => crate::data::format_number(*n),
        crate::metrics::Label::Text(t) => t.to_string(),
    };
    let metrics: Vec<serde_json::Value> = outcome
        .metrics
        .iter()
        .map(|m| {
            let pool = m.raters.pool();
            let raters: Vec<serde_json::Value> = m
                .raters
                .raters
                .iter()
                .map(|(rater, row)| {
                    let labels: serde_json::Map<String, serde_json::Value> = row
                        .labels
                        .iter()
                        .map(|(l, n)| (label(l), json!(*n as u64)))
                        .collect();
                    json!({
                        "rater": label(rater),
                        "ratings": row.ratings as u64,
                        "compared_with_majority": row.compared as u64,
                        "disagreements": row.disagreements as u64,
                        "disagreement_rate": row.disagreement_rate(),
                        "labels": labels,
                        "label_distance_from_pool": row.distance_from(&pool),
                    })
                })
                .collect();
            json!({
                "rule": m.rule,
                "statistic": m.statistic,
                "value": m.value,
                "raters": raters,
            })
        })
        .collect();
    let items: Vec<serde_json::Value> = outcome
        .item_metrics
        .iter()
        .map(|m| json!({ "item": m.item, "rule": m.rule, "statistic": m.statistic, "value": m.value }))
        .collect();
    json!({ "metrics": metrics, "items": items })
}
