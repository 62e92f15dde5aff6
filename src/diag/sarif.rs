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

mod limit;

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The base the data's relative paths resolve against: the directory the run read them
/// from (`%SRCROOT%` in `originalUriBaseIds`).
pub const SRCROOT: &str = "%SRCROOT%";

/// Where a run's relative paths resolve (the working directory), read once per log: every
/// location of every result is written against it.
#[derive(Clone)]
struct Base {
    /// The directory, and the same as a directory URL (`file:///work/project/`).
    root: Option<(std::path::PathBuf, url::Url)>,
}

impl Base {
    fn here() -> Base {
        let dir = std::env::current_dir().ok();
        let root = dir.and_then(|d| url::Url::from_directory_path(&d).ok().map(|u| (d, u)));
        Base { root }
    }

    /// A file's name as a SARIF artifact location: a relative path as a URI reference
    /// against [`SRCROOT`], an absolute one as a `file:` URL, each percent-encoded by the
    /// `url` crate (`#` would start a fragment, `?` a query; spaces and non-ASCII letters are
    /// encoded), and standard input under a name of its own.
    fn artifact(&self, name: &str) -> Value {
        if name == "<stdin>" {
            return json!({ "uri": "stdin" });
        }
        let path = std::path::Path::new(name);
        if path.is_absolute() {
            if let Ok(url) = url::Url::from_file_path(path) {
                return json!({ "uri": url.as_str() });
            }
        } else if let Some((dir, root)) = &self.root {
            if let Ok(url) = url::Url::from_file_path(dir.join(path)) {
                return match root.make_relative(&url) {
                    Some(relative) => json!({ "uri": relative, "uriBaseId": SRCROOT }),
                    None => json!({ "uri": url.as_str() }),
                };
            }
        }
        // No file URL for it (not a path of this system): its name, every byte that is not
        // unreserved percent-encoded.
        json!({ "uri": encoded(name) })
    }

    /// A location at a line (and column) of a file; the whole file when the line is 0.
    fn location(&self, file: &str, line: u32, column: u32) -> Value {
        let mut physical = json!({ "artifactLocation": self.artifact(file) });
        if line > 0 {
            let mut region = json!({ "startLine": line });
            if column > 0 {
                region["startColumn"] = json!(column);
            }
            physical["region"] = region;
        }
        json!({ "physicalLocation": physical })
    }

    /// A `file:` URL of a rule's definition (`…/rules/sync.cord#L12`).
    fn rule_url(&self, file: &std::path::Path, line: usize) -> Option<String> {
        let absolute = match (file.is_absolute(), &self.root) {
            (true, _) => file.to_path_buf(),
            (false, Some((dir, _))) => dir.join(file),
            (false, None) => return None,
        };
        let mut url = url::Url::from_file_path(absolute).ok()?;
        url.set_fragment(Some(&format!("L{line}")));
        Some(url.to_string())
    }
}

fn encoded(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The most related locations one result lists: GitHub shows 100 and refuses a result with
/// more than 1,000; a group's records beyond them are counted in the result's properties.
const MOST_RELATED: usize = 100;

/// Where the data-error codes are documented.
const DATA_ERRORS_HELP: &str = concat!(
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/output.md#data-error"
);

/// The pack's rules as SARIF reporting descriptors, then one per data-error code met.
fn rules(base: &Base, pack: &Pack, data_codes: &[String]) -> Vec<Value> {
    let mut rules: Vec<Value> = pack
        .plan
        .rules
        .iter()
        .map(|rule| {
            let doc = rule.doc.join("\n");
            let short = rule.doc.first().cloned().unwrap_or_else(|| rule.id.clone());
            let full = if doc.is_empty() { rule.id.clone() } else { doc };
            let defined = format!("{}:{}", rule.location.file.display(), rule.location.line);
            let mut descriptor = json!({
                "id": rule.id,
                "name": rule.id,
                "shortDescription": { "text": short },
                "fullDescription": { "text": full },
                "help": {
                    "text": format!("{full}\n\nSeverity: {}. Defined at {defined}; `concordant explain --rules … {}` shows why a finding fired.", rule.severity.as_str(), rule.id),
                    "markdown": format!("{full}\n\n**Severity:** {}. Defined at `{defined}`; `concordant explain --rules … {}` shows why a finding fired.", rule.severity.as_str(), rule.id),
                },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": {
                    "scope": match rule.scope {
                        crate::ops::Scope::Item => "item",
                        crate::ops::Scope::Dataset => "dataset",
                    },
                    "definedAt": defined,
                },
            });
            if let Some(url) = base.rule_url(&rule.location.file, rule.location.line) {
                descriptor["helpUri"] = json!(url);
            }
            descriptor
        })
        .collect();
    rules.extend(data_codes.iter().map(|code| {
        json!({
            "id": code,
            "name": code,
            "shortDescription": { "text": "a record that could not be checked" },
            "fullDescription": { "text": "A line or record of the data was rejected before any rule saw it; docs/output.md lists the codes." },
            "help": { "text": format!("`{code}`: a line or record of the data was rejected before any rule saw it; the data error's message says why and what to change.") },
            "helpUri": DATA_ERRORS_HELP,
            "defaultConfiguration": { "level": "error" },
        })
    }));
    rules
}

/// One finding as a SARIF result.
fn finding(base: &Base, pack: &Pack, sources: &[String], f: &Finding) -> Value {
    let rule = &pack.plan.rules[f.rule];
    let shown = super::json::finding(pack, sources, f);
    let rule_file = rule.location.file.display().to_string();
    let definition = {
        let mut l = base.location(&rule_file, rule.location.line as u32, 0);
        l["id"] = json!(0);
        l["message"] = json!({ "text": format!("rule `{}` is defined here", rule.id) });
        l
    };
    let mut related = vec![definition];
    for (i, r) in shown
        .records
        .iter()
        .enumerate()
        .skip(1)
        .take(MOST_RELATED - 1)
    {
        let mut l = base.location(r.file, r.line, r.column);
        l["id"] = json!(i);
        l["message"] = json!({ "text": format!("{} `{}`", r.kind, r.id) });
        related.push(l);
    }
    let locations: Vec<Value> = match shown.records.first() {
        Some(r) => vec![base.location(r.file, r.line, r.column)],
        // A data-set rule about no record in particular: the rule itself.
        None => vec![base.location(&rule_file, rule.location.line as u32, 0)],
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
        "properties": {
            "item": f.item,
            "key": f.key,
            "records": shown.records.len(),
        },
    })
}

/// One data error as a SARIF result.
fn data_error(base: &Base, sources: &[String], e: &Problem, rule_index: usize) -> Value {
    let shown = super::json::data_error(sources, e);
    json!({
        "ruleId": shown.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": { "text": shown.message },
        "locations": [base.location(shown.file, shown.line, shown.column)],
    })
}

/// The whole run as one SARIF 2.1.0 log, at most [`MAX_RESULTS`] results in it.
pub fn render(pack: &Pack, outcome: &Outcome) -> String {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let base = Base::here();
    let mut findings = Vec::new();
    for f in &outcome.findings {
        let _ = write_result(&mut findings, &finding(&base, pack, &sources, f));
    }
    let mut out = Vec::new();
    let _ = write_log(&base, pack, outcome, &mut out, MAX_RESULTS, |out, skip| {
        out.write_all(&findings[skip.min(findings.len())..])
    });
    String::from_utf8(out).unwrap_or_default()
}

/// Where the results and the invocation go in the log's text, written around them.
const RESULTS: &str = "\"results\": \"@@concordant-results@@\"";
const INVOCATIONS: &str = "\"@@concordant-invocations@@\"";

/// The most results a log holds unless told otherwise: the most GitHub code scanning accepts
/// in one run.
pub const MAX_RESULTS: usize = 25_000;

/// Writes the log: its run's tool, rules and artifacts, then the results (data errors, then
/// what `findings(out, skip)` writes: results each led by `,`, the first `skip` bytes left
/// out when no data error came before them), at most `max_results` of them, then the rest,
/// with a notification that counts, per rule, the results left out.
fn write_log(
    base: &Base,
    pack: &Pack,
    outcome: &Outcome,
    out: &mut dyn Write,
    max_results: usize,
    findings: impl FnOnce(&mut dyn Write, usize) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let mut data_codes: Vec<String> = outcome.data_errors.iter().map(Problem::code_str).collect();
    data_codes.sort();
    data_codes.dedup();
    let artifacts: Vec<Value> = (sources.iter())
        .map(|name| json!({ "location": base.artifact(name) }))
        .collect();
    let roots = base.root.as_ref().map_or(json!({}), |(_, root)| {
        json!({ SRCROOT: { "uri": root.as_str(), "description": { "text": "The directory concordant ran in; data paths are relative to it." } } })
    });
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "concordant",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(base, pack, &data_codes),
            }},
            "originalUriBaseIds": roots,
            "artifacts": artifacts,
            "results": "@@concordant-results@@",
            "invocations": "@@concordant-invocations@@",
            "columnKind": "unicodeCodePoints",
        }],
    });
    let text = serde_json::to_string_pretty(&log).map_err(std::io::Error::other)?;
    let (before, after) = text.split_once(RESULTS).unwrap_or((&text, ""));
    write!(out, "{before}\"results\": [")?;
    let mut written = 0;
    let mut omitted: std::collections::BTreeMap<String, u64> = Default::default();
    for e in &outcome.data_errors {
        let code = e.code_str();
        if written == max_results {
            *omitted.entry(code).or_default() += 1;
            continue;
        }
        let index = pack.plan.rules.len() + data_codes.binary_search(&code).unwrap_or(0);
        let mut result = Vec::new();
        write_result(&mut result, &data_error(base, &sources, e, index))?;
        out.write_all(&result[usize::from(written == 0)..])?;
        written += 1;
    }
    let mut limited = limit::Limited::new(out, max_results - written, written > 0);
    findings(&mut limited, 0)?;
    for (rule, n) in limited.finish()? {
        *omitted.entry(rule).or_default() += n;
    }
    let invocation =
        serde_json::to_string(&invocation(&omitted, max_results)).map_err(std::io::Error::other)?;
    writeln!(out, "\n]{}", after.replacen(INVOCATIONS, &invocation, 1))
}

/// The run's invocation: a warning that counts the results left out past `max_results`, per
/// rule, when there are any.
fn invocation(omitted: &std::collections::BTreeMap<String, u64>, max_results: usize) -> Value {
    let total: u64 = omitted.values().sum();
    let notifications: Vec<Value> = match total {
        0 => Vec::new(),
        _ => vec![json!({
            "level": "warning",
            "message": { "text": format!(
                "{total} result(s) past the first {max_results} are left out of this log \
                 (--sarif-max-results); the JSON output (--format json) has every finding"
            ) },
            "properties": { "omittedPerRule": omitted },
        })],
    };
    json!([{ "executionSuccessful": true, "toolExecutionNotifications": notifications }])
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
    base: Base,
}

impl super::spool::Rendering for Results<'_> {
    fn render(
        &mut self,
        _slot: &crate::run::Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for f in findings {
            write_result(out, &finding(&self.base, self.pack, &self.sources, f))?;
        }
        Ok(())
    }
}

/// A spool of results for a run of `pack` over sources with these names.
pub fn spool(pack: &Pack, sources: Vec<String>) -> std::io::Result<Spool<Results<'_>>> {
    Spool::new(Results {
        pack,
        sources,
        base: Base::here(),
    })
}

/// Writes the run's log, as [`render`] would, with at most `max_results` results, to `out`.
pub fn finish(
    mut spool: Spool<Results>,
    pack: &Pack,
    outcome: &Outcome,
    max_results: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // The log's paths resolve against the base its results were written with.
    let base = spool.rendering().base.clone();
    write_log(&base, pack, outcome, out, max_results, |out, skip| {
        spool.copy_to(out, skip as u64).map(drop)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_uri_references_that_keep_every_character() {
        let base = Base::here();
        let artifact = |name: &str| base.artifact(name);
        let relative = artifact("data/clip#1 ü?.jsonl");
        assert_eq!(relative["uri"], "data/clip%231%20%C3%BC%3F.jsonl");
        assert_eq!(relative["uriBaseId"], SRCROOT);
        assert_eq!(artifact("a\\b%c.jsonl")["uri"], "a%5Cb%25c.jsonl");
        assert_eq!(artifact("/srv/x y.jsonl")["uri"], "file:///srv/x%20y.jsonl");
        assert_eq!(artifact("<stdin>")["uri"], "stdin");
    }
}
