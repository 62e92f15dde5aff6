//! `concordant explain` in words: each finding of the rule asked about, with its bindings, the
//! value every part of the condition took, and the candidates of each quantifier.

use crate::eval::explain::{Binding, Explanation};
use crate::pack::Pack;
use crate::run::Outcome;
use std::fmt::Write;

/// A binding (or candidate) in one line: a record with its place and fields.
fn binding(pack: &Pack, sources: &[String], b: &Binding) -> String {
    match b {
        Binding::Record(r, fields) => {
            let kind = &pack.plan.schema.kind(r.kind).name;
            let file = sources
                .get(r.origin.source.0 as usize)
                .map_or("?", String::as_str);
            let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!(
                "{kind} `{}` ({file}:{}) {{ {} }}",
                r.id,
                r.origin.line,
                fields.join(", ")
            )
        }
        Binding::Group(key, n) => format!("the group of {n} record(s) with key {key}"),
        Binding::Value(v) => v.clone(),
    }
}

/// Every explanation of a run.
pub fn render(pack: &Pack, outcome: &Outcome, rule: usize) -> String {
    let sources: Vec<String> = outcome.sources.iter().map(|s| s.name.clone()).collect();
    let plan = &pack.plan.rules[rule];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "rule {} ({}) at {}:{}",
        plan.id,
        plan.severity.as_str(),
        plan.location.file.display(),
        plan.location.line
    );
    let mode = match plan.mode {
        crate::ops::Mode::Require => "fires when this is false",
        crate::ops::Mode::Forbid => "fires when this is true",
    };
    let _ = writeln!(
        out,
        "  {mode}: {}",
        crate::plan::describe_expr(&pack.plan, plan, plan.condition)
    );
    if outcome.explanations.is_empty() {
        let _ = writeln!(
            out,
            "\nno finding of `{id}` matches among the {} item(s) read; nothing to explain.\n\
             help: `concordant check --select {id} --format json` lists where the rule fires",
            outcome.summary.items,
            id = plan.id
        );
    }
    for e in &outcome.explanations {
        explanation(&mut out, pack, &sources, e);
    }
    out
}

fn explanation(out: &mut String, pack: &Pack, sources: &[String], e: &Explanation) {
    let item = e.finding.item.as_deref().unwrap_or("the data set");
    let _ = writeln!(out, "\nfinding in {item}: {}", e.finding.message);
    let _ = writeln!(out, "  bindings:");
    for (name, b) in &e.bindings {
        let _ = writeln!(out, "    {name} = {}", binding(pack, sources, b));
    }
    let _ = writeln!(out, "  condition:");
    for step in &e.steps {
        let indent = "  ".repeat(step.depth + 2);
        let _ = writeln!(out, "{indent}{}  →  {}", step.expr, step.value);
        if step.quantifier {
            let _ = writeln!(
                out,
                "{indent}  {} candidate(s) considered:",
                step.candidates.len()
            );
        }
        for c in &step.candidates {
            let verdict = match (c.passes_filter, c.satisfies) {
                (false, _) => "left out by `where`".to_string(),
                (true, None) => "passes `where`".to_string(),
                (true, Some(s)) => format!("passes `where`; `satisfy` is {s}"),
            };
            let _ = writeln!(
                out,
                "{indent}    {}: {verdict}",
                binding(pack, sources, &c.what)
            );
        }
    }
}
