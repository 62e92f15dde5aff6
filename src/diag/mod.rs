//! Diag: rendering what the core found, as miette human output or JSON Lines.
//!
//! Finding problems and showing them are separate: the core returns data ([`Finding`],
//! [`crate::data::DataError`], [`crate::PackDiagnostic`]); only this module renders.
//!
//! [`Finding`]: crate::eval::Finding

mod human;
pub mod json;
mod lines;

pub use human::{render, render_pack_error, render_pack_warnings, Color, HumanRenderer};

use crate::pack::Pack;
use crate::run::Outcome;

/// The closing summary in words, with the per-kind reconciliation table.
pub fn summary_text(pack: &Pack, outcome: &Outcome) -> String {
    let s = json::summary(pack, outcome);
    let mut out = String::new();
    let t = &s.records;
    out.push_str(&format!(
        "\nchecked {} of {} records in {} items ({} rejected)\n",
        t.checked, t.read, s.items, t.rejected
    ));
    out.push_str(&format!(
        "  {:<20} {:>10} {:>10} {:>10}\n",
        "kind", "read", "checked", "rejected"
    ));
    for (kind, c) in s.per_kind.iter() {
        out.push_str(&format!(
            "  {:<20} {:>10} {:>10} {:>10}\n",
            kind, c.read, c.checked, c.rejected
        ));
    }
    let rules: Vec<String> = s
        .per_rule
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| format!("{r}: {n}"))
        .collect();
    out.push_str(&format!(
        "findings: {} errors, {} warnings, {} info; {} data errors\n",
        s.findings["error"], s.findings["warning"], s.findings["info"], s.data_errors
    ));
    if !rules.is_empty() {
        out.push_str(&format!("  {}\n", rules.join(", ")));
    }
    out
}
