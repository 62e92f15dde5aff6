//! SARIF 2.1.0 output (`check --format sarif`), for code-scanning services and editors that
//! read static-analysis results: every rule of the pack with its documentation and default
//! level, every finding at the data line of its primary record, with the rule's definition and
//! the other records as related locations, and every data error.

use super::spool::Spool;
use crate::eval::Finding;
use crate::ops::Severity;
use crate::pack::Pack;
use crate::run::Outcome;
use crate::run::Problem;
use serde_json::{json, Value};
use std::io::Write;

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A data source's name as a URI reference: relative paths stay relative, every byte that
/// is not a path character of RFC 3986 is percent-encoded (`#` would start a fragment, `?` a
/// query, and spaces and non-ASCII letters are not allowed as they are), backslashes become
/// slashes, and standard input gets a name of its own.
fn uri(name: &str) -> String {
    if name == "<stdin>" {
        return "stdin".into();
    }
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'\\' => out.push('/'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => out.push(byte as char),
            b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' => {
                out.push(byte as char)
            }
            b'*' | b'+' | b',' | b';' | b'=' | b':' | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A location at a line (and column) of a file; the whole file when the line is 0.
fn location(file: &str, line: u32, column: u32) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
    if line > 0 {
        let mut region = json!({ "startLine": line });
        if column > 0 {
            region["startColumn"] = json!(column);
        }
        physical["region"] = region;
    }
    json!({ "physicalLocation": physical })
}

/// The pack's rules as SARIF reporting descriptors, then one per data-error code met.
fn rules(pack: &Pack, data_codes: &[String]) -> Vec<Value> {
    let mut rules: Vec<Value> = pack
        .plan
        .rules
        .iter()
        .map(|rule| {
            let doc = rule.doc.join("\n");
            let short = rule.doc.first().cloned().unwrap_or_else(|| rule.id.clone());
            json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": short },
                "fullDescription": { "text": if doc.is_empty() { rule.id.clone() } else { doc } },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "scope": match rule.scope {
                        crate::ops::Scope::Item => "item",
                        crate::ops::Scope::Dataset => "dataset",
                    },
                    "definedAt": format!("{}:{}", rule.location.file.display(), rule.location.line),
                },
            })
        })
        .collect();
    rules.extend(data_codes.iter().map(|code| {
        json!({
            "id": code,
            "name": code,
            "shortDescription": { "text": "a record that could not be checked" },
            "fullDescription": { "text": "A line or record of the data was rejected before any rule saw it; docs/output.md lists the codes." },
            "defaultConfiguration": { "level": "error" },
        })
    }));
    rules
}

/// One finding as a SARIF result.
fn finding(pack: &Pack, sources: &[String], f: &Finding) -> Value {
    let rule = &pack.plan.rules[f.rule];
    let shown = super::json::finding(pack, sources, f);
    let rule_file = rule.location.file.display().to_string();
    let definition = {
        let mut l = location(&rule_file, rule.location.line as u32, 0);
        l["id"] = json!(0);
        l["message"] = json!({ "text": format!("rule `{}` is defined here", rule.id) });
        l
    };
    let mut related = vec![definition];
    for (i, r) in shown.records.iter().enumerate().skip(1) {
        let mut l = location(r.file, r.line, r.column);
        l["id"] = json!(i);
        l["message"] = json!({ "text": format!("{} `{}`", r.kind, r.id) });
        related.push(l);
    }
    let locations: Vec<Value> = match shown.records.first() {
        Some(r) => vec![location(r.file, r.line, r.column)],
        // A data-set rule about no record in particular: the rule itself.
        None => vec![location(&rule_file, rule.location.line as u32, 0)],
    };
    json!({
        "ruleId": rule.id,
        "ruleIndex": f.rule,
        "level": level(rule.severity),
        "message": { "text": f.message },
        "locations": locations,
        "relatedLocations": related,
        "partialFingerprints": {
            "concordantFinding/v1": format!("{}|{}|{}", rule.id, f.item.as_deref().unwrap_or(""), f.key.join("|")),
        },
        "properties": { "item": f.item, "key": f.key },
    })
}

/// One data error as a SARIF result.
fn data_error(sources: &[String], e: &Problem, rule_index: usize) -> Value {
    let shown = super::json::data_error(sources, e);
    json!({
        "ruleId": shown.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": { "text": shown.message },
        "locations": [location(shown.file, shown.line, shown.column)],
    })
}

/// The whole run as one SARIF 2.1.0 log.
pub fn render(pack: &Pack, outcome: &Outcome) -> String {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let mut findings = Vec::new();
    for f in &outcome.findings {
        let _ = write_result(&mut findings, &finding(pack, &sources, f));
    }
    let mut out = Vec::new();
    let _ = write_log(pack, outcome, &mut out, |out, skip| {
        out.write_all(&findings[skip.min(findings.len())..])
    });
    String::from_utf8(out).unwrap_or_default()
}

/// Where the results go in the log's text, written around them.
const RESULTS: &str = "\"results\": \"@@concordant-results@@\"";

/// Writes the log: its run's tool, rules and artifacts, then the results (data errors, then
/// what `findings(out, skip)` writes: results each led by `,`, the first `skip` bytes left
/// out when no data error came before them), then the rest.
fn write_log(
    pack: &Pack,
    outcome: &Outcome,
    out: &mut dyn Write,
    findings: impl FnOnce(&mut dyn Write, usize) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let mut data_codes: Vec<String> = outcome.data_errors.iter().map(Problem::code_str).collect();
    data_codes.sort();
    data_codes.dedup();
    let artifacts: Vec<Value> = sources
        .iter()
        .map(|name| json!({ "location": { "uri": uri(name) } }))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "concordant",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(pack, &data_codes),
            }},
            "artifacts": artifacts,
            "results": "@@concordant-results@@",
            "columnKind": "unicodeCodePoints",
        }],
    });
    let text = serde_json::to_string_pretty(&log).map_err(std::io::Error::other)?;
    let (before, after) = text.split_once(RESULTS).unwrap_or((&text, ""));
    write!(out, "{before}\"results\": [")?;
    let mut first = true;
    for e in &outcome.data_errors {
        let code = e.code_str();
        let index = pack.plan.rules.len() + data_codes.binary_search(&code).unwrap_or(0);
        let mut result = Vec::new();
        write_result(&mut result, &data_error(&sources, e, index))?;
        let skip = usize::from(first);
        out.write_all(&result[skip..])?;
        first = false;
    }
    findings(out, usize::from(first))?;
    writeln!(out, "\n]{after}")
}

/// One result as `,` and a line of JSON.
fn write_result(out: &mut Vec<u8>, result: &Value) -> std::io::Result<()> {
    out.extend_from_slice(b",\n");
    serde_json::to_writer(out, result).map_err(std::io::Error::other)
}

/// How `--format sarif` renders findings as a run goes ([`super::spool`]).
pub struct Results<'p> {
    pack: &'p Pack,
    sources: Vec<String>,
}

impl super::spool::Rendering for Results<'_> {
    fn render(
        &mut self,
        _slot: &crate::run::Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for f in findings {
            write_result(out, &finding(self.pack, &self.sources, f))?;
        }
        Ok(())
    }
}

/// A spool of results for a run of `pack` over sources with these names.
pub fn spool(pack: &Pack, sources: Vec<String>) -> std::io::Result<Spool<Results<'_>>> {
    Spool::new(Results { pack, sources })
}

/// Writes the run's log, as [`render`] would, to `out`.
pub fn finish(
    spool: Spool<Results>,
    pack: &Pack,
    outcome: &Outcome,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_log(pack, outcome, out, |out, skip| {
        spool.copy_to(out, skip as u64).map(drop)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_become_uri_references_that_keep_every_character() {
        assert_eq!(
            super::uri("data/clip#1 ü?.jsonl"),
            "data/clip%231%20%C3%BC%3F.jsonl"
        );
        assert_eq!(super::uri("a\\b%c.jsonl"), "a/b%25c.jsonl");
        assert_eq!(super::uri("<stdin>"), "stdin");
    }
}
