//! Evaluating one item: its ids checked for repeats, every item rule run, its records'
//! waivers applied; and what every thread needs to do so ([`Work`]).

use super::Problem;
use super::RunOptions;
use crate::data::{DataError, Origin, Record};
use crate::eval::{Evaluator, Finding};
use crate::ops::Scope;
use crate::pack::Pack;
use crate::schema::KindId;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// What evaluating one item produced.
pub struct ItemResult {
    /// The item.
    pub item: Arc<str>,
    /// Where its first record is.
    pub first: Origin,
    /// Its findings, sorted by rule and key.
    pub findings: Vec<Finding>,
    /// Records left out because their id repeats, and rules stopped by the work budget,
    /// each with the kind of the record it names.
    pub errors: Vec<(Problem, Option<KindId>)>,
    /// What the item contributes to the statistics of streamed data-set rules.
    pub partials: Vec<crate::metrics::Part>,
    /// Its statistics (rules without `for`), when the run keeps them.
    pub statistics: Vec<(usize, crate::plan::ExprId, crate::data::Value)>,
    /// Findings its records waive, left out.
    pub waived: u64,
    /// The findings `explain` asked about.
    pub explanations: Vec<crate::eval::explain::Explanation>,
    /// Its records, when it has findings and the run keeps them for a report.
    pub records: Vec<Record>,
}

impl ItemResult {
    /// A result with no findings and no errors for the item of `records`.
    pub(super) fn nothing_for(records: &[Record]) -> ItemResult {
        ItemResult {
            item: records
                .first()
                .map_or_else(|| Arc::from(""), |r| r.item.clone()),
            first: records.first().map_or_else(Origin::default, |r| r.origin),
            findings: Vec::new(),
            errors: Vec::new(),
            partials: Vec::new(),
            statistics: Vec::new(),
            waived: 0,
            explanations: Vec::new(),
            records: Vec::new(),
        }
    }
}

/// Evaluates one item's records: drops records whose id repeats within the item (reporting
/// them), then runs every item-scope rule. With `keep_records`, an item with findings keeps
/// its records in the result.
pub fn evaluate_item(
    evaluator: &Evaluator,
    records: Vec<Record>,
    keep_records: bool,
) -> ItemResult {
    let ItemResult { item, first, .. } = ItemResult::nothing_for(&records);
    let (records, mut errors) = item_faults(evaluator.plan(), records);
    let mut evaluation = evaluator.evaluate(&records, Scope::Item);
    let waived = apply_waivers(
        evaluator.plan(),
        &records,
        &mut evaluation.findings,
        &mut errors,
    );
    for rule in evaluation.exceeded {
        let error = crate::eval::EvalError::WorkBudget {
            rule: evaluator.plan().rules[rule].id.clone(),
            item: Some(item.to_string()),
            budget: evaluator.budget(),
            origin: records.first().map_or_else(Origin::default, |r| r.origin),
        };
        errors.push((error.into(), None));
    }
    let keep = keep_records && !evaluation.findings.is_empty();
    ItemResult {
        item,
        first,
        findings: evaluation.findings,
        errors,
        partials: evaluation.partials,
        statistics: Vec::new(),
        waived,
        explanations: Vec::new(),
        records: if keep { records } else { Vec::new() },
    }
}

/// The findings of the rule `explain` asks about on an item, explained — when the item is
/// the one asked about, or has the record asked about.
fn explain(
    evaluator: &Evaluator,
    request: &super::ExplainRequest,
    records: &[Record],
) -> Vec<crate::eval::explain::Explanation> {
    let item = records.first().map(|r| &*r.item);
    if request.item.as_deref().is_some_and(|i| Some(i) != item) {
        return Vec::new();
    }
    if let Some(id) = &request.record {
        if !records.iter().any(|r| &*r.id == id) {
            return Vec::new();
        }
    }
    let mut out = evaluator.explain(records, request.rule);
    if let Some(id) = &request.record {
        out.retain(|e| e.finding.records.iter().any(|r| &*r.id == id));
    }
    out
}

/// Leaves out the findings whose primary record waives their rule, and reports the waivers
/// no finding needed. Returns how many findings were left out.
fn apply_waivers(
    plan: &crate::plan::Plan,
    records: &[Record],
    findings: &mut Vec<crate::eval::Finding>,
    errors: &mut Vec<(Problem, Option<KindId>)>,
) -> u64 {
    let waiving: FxHashMap<&str, &Record> = records
        .iter()
        .filter(|r| !r.waivers().is_empty())
        .map(|r| (&*r.id, r))
        .collect();
    if waiving.is_empty() {
        return 0;
    }
    let mut used: std::collections::HashSet<(&str, &str)> = Default::default();
    let before = findings.len();
    findings.retain(|f| {
        let rule = plan.rules[f.rule].id.as_str();
        let Some(record) = f.records.first().and_then(|r| waiving.get(&*r.id)) else {
            return true;
        };
        let waived = (record.waivers().iter()).any(|w| w.reason.is_some() && &*w.rule == rule);
        if waived {
            used.insert((&*record.id, rule));
        }
        !waived
    });
    for record in waiving.values() {
        for waiver in record.waivers() {
            let rule = &*waiver.rule;
            if waiver.reason.is_none() {
                let error = DataError::BadWaiver {
                    id: record.id.to_string(),
                    text: rule.to_string(),
                    origin: record.origin,
                };
                errors.push((error.into(), Some(record.kind)));
                continue;
            }
            let why = if used.contains(&(&*record.id, rule))
                || plan.unselected.iter().any(|u| u == rule)
            {
                continue;
            } else if plan.rule(rule).is_some() {
                "found nothing on it".to_string()
            } else {
                let ids = plan.rules.iter().map(|r| r.id.as_str());
                match crate::suggest::closest(rule, ids) {
                    Some(near) => format!("is not a rule of the pack (did you mean `{near}`?)"),
                    None => "is not a rule of the pack".to_string(),
                }
            };
            let error = DataError::StaleWaiver {
                id: record.id.to_string(),
                rule: rule.to_string(),
                why,
                origin: record.origin,
            };
            errors.push((error.into(), Some(record.kind)));
        }
    }
    (before - findings.len()) as u64
}

fn dangling(
    plan: &crate::plan::Plan,
    record: &Record,
    field: crate::schema::FieldId,
    target: KindId,
    missing: &str,
) -> DataError {
    let kind = plan.schema.kind(record.kind);
    DataError::DanglingReference {
        kind: kind.name.clone(),
        id: record.id.to_string(),
        field: kind.field(field).name.clone(),
        target: plan.schema.kind(target).name.clone(),
        missing: missing.to_string(),
        item: record.item.to_string(),
        origin: record.origin,
    }
}

/// The item's records without the second and later records of an id (each reported), and
/// every `ref` field (or element of a `list<ref …>` field) that names no record of its kind
/// in the item reported too: both read one map of the item's ids.
fn item_faults(
    plan: &crate::plan::Plan,
    records: Vec<Record>,
) -> (Vec<Record>, Vec<(Problem, Option<KindId>)>) {
    let mut first: FxHashMap<&str, (u32, KindId)> = FxHashMap::default();
    first.reserve(records.len());
    let mut errors = Vec::new();
    let mut repeated = Vec::new();
    for (i, record) in records.iter().enumerate() {
        match first.entry(&record.id) {
            std::collections::hash_map::Entry::Vacant(place) => {
                place.insert((record.origin.line, record.kind));
            }
            std::collections::hash_map::Entry::Occupied(line) => {
                repeated.push(i);
                let error = DataError::DuplicateId {
                    id: record.id.to_string(),
                    item: record.item.to_string(),
                    first_line: line.get().0,
                    origin: record.origin,
                };
                errors.push((error.into(), Some(record.kind)));
            }
        }
    }
    if !plan.references.is_empty() {
        let exists = |id: &str, kind: KindId| first.get(id).is_some_and(|(_, k)| *k == kind);
        // Records that refer to one record tend to come together (the labels of a segment):
        // the last answer saves most lookups.
        let mut last: Option<(&str, KindId)> = None;
        let refers = |kind: KindId| plan.references.iter().any(|r| r.0 == kind);
        for record in records.iter().filter(|r| refers(r.kind)) {
            for &(_, field, target) in plan.references.iter().filter(|r| r.0 == record.kind) {
                let named: &[crate::value::Value] = match record.get(field) {
                    crate::value::Value::List(items) => items,
                    other => std::slice::from_ref(other),
                };
                for id in named.iter().filter_map(crate::value::Value::as_str) {
                    if last == Some((id, target)) {
                        continue;
                    }
                    if exists(id, target) {
                        last = Some((id, target));
                    } else {
                        let error = dangling(plan, record, field, target, id);
                        errors.push((error.into(), Some(record.kind)));
                    }
                }
            }
        }
    }
    drop(first);
    if repeated.is_empty() {
        return (records, errors);
    }
    let kept = records
        .into_iter()
        .enumerate()
        .filter(|(i, _)| repeated.binary_search(i).is_err())
        .map(|(_, r)| r)
        .collect();
    (kept, errors)
}

/// What evaluating needs; shared by the threads of the pool.
pub(super) struct Work<'p> {
    pub evaluator: Evaluator<'p>,
    pub(super) parse_only: bool,
    item_metrics: bool,
    explain: Option<super::ExplainRequest>,
    /// How many more items' records a report may keep, shared with the runner: items
    /// evaluated once it is 0 send none back.
    keep_left: KeepLeft,
}

/// The count of items whose records may still be kept, shared by the threads evaluating items
/// and the runner that keeps them.
pub(super) type KeepLeft = Arc<std::sync::atomic::AtomicUsize>;

impl<'p> Work<'p> {
    /// What a run of `pack` with `options` needs to evaluate items; `keep_left` is the
    /// runner's ([`Runner::keep_left`]).
    pub fn new(pack: &'p Pack, options: &RunOptions, keep_left: KeepLeft) -> Self {
        Work {
            evaluator: Evaluator::new(&pack.plan)
                .with_budget(options.work_budget)
                .with_rater_metrics(options.rater_metrics),
            parse_only: options.parse_only,
            item_metrics: options.item_metrics,
            explain: options.explain.clone(),
            keep_left,
        }
    }

    /// Evaluates items one after another on this thread.
    pub fn evaluate_serial(&self, items: Vec<Vec<Record>>) -> Vec<ItemResult> {
        items
            .into_iter()
            .map(|records| self.evaluate_one(records))
            .collect()
    }

    /// Evaluates one item. When reading and validating is all that was asked for, it only
    /// checks that the item's ids are unique: a repeated id is a fault of the data, whatever
    /// the rules.
    pub fn evaluate_one(&self, mut records: Vec<Record>) -> ItemResult {
        in_canonical_order(&mut records);
        if self.parse_only {
            let nothing = ItemResult::nothing_for(&records);
            let (_, errors) = item_faults(self.evaluator.plan(), records);
            return ItemResult { errors, ..nothing };
        }
        let statistics = match self.item_metrics {
            true => self.evaluator.item_statistics(&records),
            false => Vec::new(),
        };
        let explanations = match &self.explain {
            Some(request) => explain(&self.evaluator, request, &records),
            None => Vec::new(),
        };
        ItemResult {
            statistics,
            explanations,
            ..evaluate_item(&self.evaluator, records, self.keeps_records())
        }
    }

    /// Whether an item evaluated now may still have its records kept.
    fn keeps_records(&self) -> bool {
        self.keep_left.load(std::sync::atomic::Ordering::Relaxed) > 0
    }

    /// Evaluates items on the thread pool.
    pub fn evaluate(&self, items: Vec<Vec<Record>>) -> Vec<ItemResult> {
        items
            .into_par_iter()
            .map(|records| self.evaluate_one(records))
            .collect()
    }
}

/// Puts an item's records in an order that depends on the records alone, not on how the
/// input was laid out (one file or one per kind, grouped or shuffled): each kind's records
/// in natural order of their ids. Rules read an item's records kind by kind, so the order of
/// records of different kinds among each other never shows; when every kind's records are
/// already in id order (as an export or a tool usually writes them), nothing moves.
/// Otherwise the records are sorted by kind, then id; records with one id keep their order.
fn in_canonical_order(records: &mut [Record]) {
    let by_id = |a: &Record, b: &Record| crate::data::compare_items(&a.id, &b.id);
    if each_kind_in_id_order(records) {
        return;
    }
    records.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| by_id(a, b)));
}

/// Whether the records of each kind, taken in turn, come in natural order of their ids.
fn each_kind_in_id_order(records: &[Record]) -> bool {
    let mut last: smallvec::SmallVec<[Option<&str>; 16]> = smallvec::SmallVec::new();
    records.iter().all(|record| {
        let kind = record.kind.0 as usize;
        if last.len() <= kind {
            last.resize(kind + 1, None);
        }
        let ordered = last[kind].is_none_or(|before| {
            crate::data::compare_items(before, &record.id) != std::cmp::Ordering::Greater
        });
        last[kind] = Some(&record.id);
        ordered
    })
}

/// The findings and metrics of the data-set rules that stream, from their merged parts.
pub(super) fn streamed_results(
    evaluator: &Evaluator,
    merged: &[crate::metrics::Part],
) -> (Vec<crate::eval::Finding>, Vec<super::Metric>) {
    let plan = evaluator.plan();
    let mut metrics: Vec<super::Metric> = Vec::new();
    for (k, &(rule, id)) in evaluator.streamed().iter().enumerate() {
        let metric = super::Metric {
            rule: plan.rules[rule].id.clone(),
            statistic: crate::plan::describe_expr(plan, &plan.rules[rule], id),
            value: evaluator.streamed_value(merged, k),
            raters: evaluator
                .streamed_raters(merged, k)
                .cloned()
                .unwrap_or_default(),
        };
        // A statistic written twice (in the condition and the message) is one metric.
        let seen = metrics
            .iter()
            .any(|m| m.rule == metric.rule && m.statistic == metric.statistic);
        if !seen {
            metrics.push(metric);
        }
    }
    (evaluator.finish_streamed(merged), metrics)
}

/// The number of findings of each rule, in the order rules first appear (findings come
/// sorted by rule, so this is one pair per rule that found something).
pub(super) fn count_by_rule(findings: &[crate::eval::Finding]) -> Box<[(u32, u32)]> {
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for finding in findings {
        let rule = finding.rule as u32;
        match counts.iter_mut().rev().find(|(r, _)| *r == rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((rule, 1)),
        }
    }
    counts.into_boxed_slice()
}
