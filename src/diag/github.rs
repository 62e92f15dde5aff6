//! GitHub Actions workflow commands (`check --format github`): one `::error`, `::warning` or
//! `::notice` line per finding and data error, which a workflow run shows as annotations on
//! the data files of a pull request.

use super::spool::Spool;
use crate::eval::Finding;
use crate::ops::Severity;
use crate::pack::Pack;
use crate::run::Outcome;

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation line.
fn annotation(
    command: &str,
    file: &str,
    line: u32,
    column: u32,
    title: &str,
    message: &str,
) -> String {
    let mut properties = vec![format!("file={}", escape_property(file))];
    if line > 0 {
        properties.push(format!("line={line}"));
    }
    if column > 0 {
        properties.push(format!("col={column}"));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::{command} {}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// The whole run as workflow commands: data errors, then findings, in output order.
pub fn render(pack: &Pack, outcome: &Outcome) -> String {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let mut out = String::new();
    for e in &outcome.data_errors {
        out.push_str(&error_line(&sources, e));
    }
    for f in &outcome.findings {
        out.push_str(&finding_line(pack, &sources, f));
    }
    out
}

/// A data error's annotation.
fn error_line(sources: &[String], e: &crate::run::Problem) -> String {
    let shown = super::json::data_error(sources, e);
    annotation(
        "error",
        shown.file,
        shown.line,
        shown.column,
        &shown.code,
        &shown.message,
    )
}

/// A finding's annotation, at its primary record (or the rule, for a data-set finding about
/// no record).
fn finding_line(pack: &Pack, sources: &[String], f: &Finding) -> String {
    let rule = &pack.plan.rules[f.rule];
    let command = match rule.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let shown = super::json::finding(pack, sources, f);
    let title = format!("{} ({})", rule.id, rule.severity.as_str());
    match shown.records.first() {
        Some(r) => annotation(command, r.file, r.line, r.column, &title, &f.message),
        None => {
            let file = rule.location.file.display().to_string();
            let line = rule.location.line as u32;
            annotation(command, &file, line, 0, &title, &f.message)
        }
    }
}

/// How `--format github` renders findings as a run goes ([`super::spool`]).
pub struct Annotations<'p> {
    pack: &'p Pack,
    sources: Vec<String>,
}

impl super::spool::Rendering for Annotations<'_> {
    fn render(
        &mut self,
        _slot: &crate::run::Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for f in findings {
            out.extend_from_slice(finding_line(self.pack, &self.sources, f).as_bytes());
        }
        Ok(())
    }
}

/// A spool of annotations for a run of `pack` over sources with these names.
pub fn spool(pack: &Pack, sources: Vec<String>) -> std::io::Result<Spool<Annotations<'_>>> {
    Spool::new(Annotations { pack, sources })
}

/// Writes the run's annotations, in the order of [`render`], to `out`.
pub fn finish(
    spool: Spool<Annotations>,
    outcome: &Outcome,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    for e in &outcome.data_errors {
        out.write_all(error_line(&sources, e).as_bytes())?;
    }
    spool.copy_to(out, 0).map(drop)
}
