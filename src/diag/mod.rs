//! Diag: rendering what the core found, as miette human output or JSON Lines.
//!
//! Finding problems and showing them are separate: the core returns data ([`Finding`],
//! [`crate::data::DataError`], [`crate::PackDiagnostic`]); only this module renders.
//!
//! [`Finding`]: crate::eval::Finding

pub mod explain;
mod finding_lines;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
mod lines;
mod printable;
pub mod sarif;
pub mod spool;
mod window;

pub use human::{render, render_pack_error, render_pack_warnings, Color, HumanRenderer};
pub use printable::escaped;

use crate::pack::Pack;
use crate::run::Outcome;

/// The closing summary in words, with the per-kind reconciliation table.
pub fn summary_text(pack: &Pack, outcome: &Outcome) -> String {
    let s = json::summary(pack, outcome);
    let mut out = String::new();
    let t = &s.records;
    out.push_str(&format!(
        "\nchecked {} of {} records in {} items ({} rejected, {} checked with data errors)\n",
        t.checked, t.read, s.items, t.rejected, t.with_data_errors
    ));
    out.push_str(&format!(
        "  {:<20} {:>10} {:>10} {:>10} {:>12}\n",
        "kind", "read", "checked", "rejected", "with errors"
    ));
    for (kind, c) in s.per_kind.iter() {
        out.push_str(&format!(
            "  {:<20} {:>10} {:>10} {:>10} {:>12}\n",
            kind, c.read, c.checked, c.rejected, c.with_data_errors
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
    if outcome.waived > 0 {
        out.push_str(&format!(
            "waived by their records: {} finding(s)\n",
            outcome.waived
        ));
    }
    if outcome.baselined > 0 || !outcome.stale_baseline.is_empty() {
        out.push_str(&format!(
            "baseline: {} known finding(s) left out, {} stale entr(ies) to remove\n",
            outcome.baselined,
            outcome.stale_baseline.len()
        ));
        for entry in &outcome.stale_baseline {
            out.push_str(&format!("  stale: {entry}\n"));
        }
    }
    for metric in &outcome.metrics {
        out.push_str(&metric_table(metric));
    }
    out
}

/// A data-set statistic and the compact per-annotator table behind it.
fn metric_table(metric: &crate::run::Metric) -> String {
    let value = metric
        .value
        .map_or("undefined".to_string(), crate::data::format_number);
    let mut out = format!("\n{} = {value}  (rule {})\n", metric.statistic, metric.rule);
    if metric.raters.raters.is_empty() {
        return out;
    }
    out.push_str(&format!(
        "  {:<20} {:>8} {:>12} {:>10} {:>10}\n",
        "rater", "ratings", "vs majority", "disagree", "labels Δ"
    ));
    let pool = metric.raters.pool();
    for (rater, row) in &metric.raters.raters {
        let name = match rater {
            crate::metrics::Label::Num(n) => crate::data::format_number(*n),
            crate::metrics::Label::Text(t) => t.to_string(),
        };
        let percent =
            |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{:.1}%", x * 100.0));
        out.push_str(&format!(
            "  {:<20} {:>8} {:>12} {:>10} {:>10}\n",
            name,
            row.ratings,
            row.compared,
            percent(row.disagreement_rate()),
            row.distance_from(&pool)
                .map_or("–".to_string(), |d| format!("{d:.3}")),
        ));
    }
    out
}
