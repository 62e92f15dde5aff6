//! GitHub Actions workflow commands (`check --format github`): one `::error`, `::warning` or
//! `::notice` line per finding and data error, which a workflow run shows as annotations on
//! the data files of a pull request.

use crate::pack::Pack;
use crate::run::Outcome;
use crate::syntax::ast::Severity;

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
        let shown = super::json::data_error(&sources, e);
        out.push_str(&annotation(
            "error",
            shown.file,
            shown.line,
            shown.column,
            &shown.code,
            &shown.message,
        ));
    }
    for f in &outcome.findings {
        let rule = &pack.plan.rules[f.rule];
        let command = match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let shown = super::json::finding(pack, &sources, f);
        let title = format!(
            "{} ({})",
            rule.id,
            super::json::severity_word(rule.severity)
        );
        match shown.records.first() {
            Some(r) => out.push_str(&annotation(
                command, r.file, r.line, r.column, &title, &f.message,
            )),
            None => {
                let file = rule.location.file.display().to_string();
                out.push_str(&annotation(
                    command,
                    &file,
                    rule.location.line as u32,
                    0,
                    &title,
                    &f.message,
                ));
            }
        }
    }
    out
}
