//! The one-thread part of a run: counting records, assigning them to items in input order,
//! and collecting each item's results into its slot, so that output order never depends on
//! how many threads evaluated the items.

use super::evaluate::{count_by_rule, streamed_results, ItemResult, KeepLeft, Work};
use super::merge::{Merge, OutOfOrder};
use super::spill::Spill;

mod held;
mod order;
use super::Problem;
use super::{FindingSink, Outcome, RunOptions, Slot, SourceInfo, UNREADABLE};
use crate::data::{compare_items, DataError, Origin, Record, SourceId};
use crate::eval::Evaluator;
use crate::ops::Scope;
use crate::pack::Pack;
use crate::schema::KindId;
use indexmap::{IndexMap, IndexSet};
use std::collections::HashSet;
use std::sync::Arc;

/// One line, parsed and validated: the kind it names (for counting) and the record or the
/// reason it was rejected.
pub(super) struct Parsed {
    pub bucket: Option<KindId>,
    pub result: Result<Record, Box<DataError>>,
}

/// A run of consecutive records of one item within a batch of lines.
pub(super) enum Run {
    /// Complete within its batch (not at either end, not repeated in it), so evaluated by
    /// the thread that parsed it, while its records were still in that thread's cache.
    Evaluated(ItemResult),
    /// At a batch boundary or repeated within the batch: the records, for the one-thread
    /// stage to join with the rest of their item.
    Pending(Vec<Record>),
}

/// Where a batch showed that the input is not grouped by item: an item's second run in it.
pub(super) struct Scattered {
    /// The item with a second run.
    pub item: Arc<str>,
    /// The item of the run before that second run.
    pub after: Arc<str>,
    /// Where the second run begins.
    pub origin: Origin,
}

/// Everything one batch of lines produced, in line order.
#[derive(Default)]
pub(super) struct BatchOutput {
    /// Lines read, rejected, and checked with data errors per kind, in the order kinds
    /// first appear.
    pub counts: Vec<(Option<KindId>, u64, u64, u64)>,
    /// Rejected lines.
    pub errors: Vec<DataError>,
    /// The records, as runs by item.
    pub runs: Vec<Run>,
    /// Copies of every record, when data-set rules need them.
    pub dataset: Vec<Record>,
    /// The records, encoded for the spill, once the runner groups.
    pub put_aside: Option<super::spill::PutAside>,
    /// An item with two runs in the batch, the item of the run before its second and where
    /// that began: the input is not grouped by item, and none of the batch's runs was
    /// evaluated (the runner groups them all).
    /// (Boxed: a batch's output is moved from thread to thread, and is rarely scattered.)
    pub scattered: Option<Box<Scattered>>,
}

impl BatchOutput {
    /// Counts one line.
    pub fn count(&mut self, bucket: Option<KindId>, rejected: bool) {
        let i = self.bucket(bucket);
        self.counts[i].1 += 1;
        self.counts[i].2 += u64::from(rejected);
    }

    /// Takes a record's defects as data errors, counting it as checked with them.
    pub fn defects(&mut self, record: &mut Record) {
        if record.extras.is_none() {
            return;
        }
        let defects = record.take_defects();
        if !defects.is_empty() {
            let i = self.bucket(Some(record.kind));
            self.counts[i].3 += 1;
            self.errors.extend(defects);
        }
    }

    fn bucket(&mut self, bucket: Option<KindId>) -> usize {
        match self.counts.iter().position(|(b, ..)| *b == bucket) {
            Some(i) => i,
            None => {
                self.counts.push((bucket, 0, 0, 0));
                self.counts.len() - 1
            }
        }
    }
}

/// Per-kind counts, indexed by kind (and one more slot for unreadable lines). The summary
/// lists the kinds read in the schema's order, unreadable lines last, whatever order the
/// input brought them in.
struct Counts {
    slots: Vec<super::KindCount>,
}

impl Counts {
    fn slot(&mut self, bucket: Option<KindId>) -> &mut super::KindCount {
        let i = bucket.map_or(self.slots.len() - 1, |k| k.0 as usize);
        &mut self.slots[i]
    }
}

/// What an item's latest evaluation produced besides findings (its slot in the output is its
/// name, [`Slot::Item`]). An item evaluated again (its records reappeared) replaces all of it,
/// so nothing depends on how the input happened to be split into batches.
#[derive(Default)]
struct ItemState {
    /// How many findings of each rule were delivered for it (rule, count), to correct the
    /// counts on redelivery: a pair per rule, not an entry per finding, since a run keeps
    /// this for every item.
    rules: Box<[(u32, u32)]>,
    /// Its part of the statistics of streamed data-set rules (replaced, not added, when the
    /// item is evaluated again).
    partials: Vec<crate::metrics::Part>,
    /// Whether an evaluation of it has been applied.
    applied: bool,
    /// Findings its records waived.
    waived: u64,
    /// What few items have, boxed: a run keeps a state for every item, so it stays small.
    extra: Option<Box<ItemExtra>>,
}

/// The rarer results of an item's latest evaluation.
#[derive(Default)]
struct ItemExtra {
    /// Duplicate ids and stopped rules, with the kind of the record each names.
    errors: Vec<(Problem, Option<KindId>)>,
    /// Its statistics, for `--metrics`.
    statistics: Vec<(usize, crate::plan::ExprId, crate::data::Value)>,
    /// The baseline entries its findings matched.
    baselined: Vec<super::BaselineEntry>,
    /// Its findings explained, when asked.
    explanations: Vec<crate::eval::explain::Explanation>,
    /// Its records, kept for a report ([`super::RunOptions::keep_records`]).
    records: Vec<Record>,
}

impl ItemExtra {
    fn is_empty(&self) -> bool {
        self.errors.is_empty()
            && self.statistics.is_empty()
            && self.baselined.is_empty()
            && self.explanations.is_empty()
            && self.records.is_empty()
    }
}

/// The state of a run between batches.
pub(super) struct Runner<'p, 's> {
    pub pack: &'p Pack,
    counts: Counts,
    current: Vec<Record>,
    /// Items completed while the input still looked grouped.
    finished: HashSet<Arc<str>>,
    /// Set once an item reappears: from then on records are put aside by item ([`Spill`])
    /// until the input ends.
    grouping: bool,
    /// Set once an item reappears, and never cleared: the streamed statistics' parts are then
    /// merged at the end, in slot order, since items may be evaluated again.
    unordered: bool,
    /// The records put aside while grouping, made when grouping starts.
    spill: Option<Spill>,
    /// For the spill: the input's size, when known, and the memory it may take.
    input_bytes: u64,
    memory_limit: u64,
    /// The most bytes of records the pass that reads items again may hold.
    max_grouping_bytes: u64,
    /// The most records an item may have, and the items that had more: their records are
    /// dropped as they come.
    max_item_records: usize,
    too_large: HashSet<Arc<str>>,
    /// Items evaluated early that reappeared: their records are read again at the end.
    pub reread: IndexSet<Arc<str>>,
    /// Completed items waiting to be evaluated.
    ready: Vec<Vec<Record>>,
    /// Every item with its slot and what its last evaluation left besides findings, in the
    /// order items were opened.
    items: IndexMap<Arc<str>, ItemState, rustc_hash::FxBuildHasher>,
    /// The parts of the streamed statistics of the first `merged_items` items, merged as
    /// soon as they and every item opened before them were evaluated: while the input is
    /// grouped, memory for statistics does not grow with the number of items.
    merged: Vec<crate::metrics::Part>,
    merged_items: usize,
    sink: &'s mut dyn FindingSink,
    dataset: Option<Vec<Record>>,
    /// Whether another part of the data set finishes the data-set rules.
    defer_dataset: bool,
    /// How many items' records to keep for a report, and how many are kept.
    keep_records: usize,
    kept_items: usize,
    keep_left: KeepLeft,
    /// Known findings still to be matched.
    baseline: Option<super::baseline::Matcher>,
    /// The merge of several sources in item order, while it lasts.
    merge: Option<Merge>,
    /// Input promised in item order, while it keeps to it.
    promise: Option<order::Promise>,
    pub outcome: Outcome,
}

impl<'p, 's> Runner<'p, 's> {
    pub fn new(pack: &'p Pack, options: &RunOptions, sink: &'s mut dyn FindingSink) -> Self {
        let keep_for_dataset = !options.parse_only
            && pack
                .plan
                .rules
                .iter()
                .any(|r| r.scope == Scope::Dataset && r.streamed_statistics().is_none());
        Runner {
            pack,
            counts: Counts {
                slots: vec![Default::default(); pack.plan.schema.len() + 1],
            },
            current: Vec::new(),
            finished: HashSet::new(),
            grouping: false,
            unordered: false,
            spill: None,
            input_bytes: 0,
            memory_limit: options.memory_limit,
            max_grouping_bytes: options.limits.max_grouping_bytes,
            max_item_records: options.limits.max_item_records,
            too_large: HashSet::new(),
            reread: IndexSet::new(),
            ready: Vec::new(),
            items: IndexMap::default(),
            merged: Evaluator::new(&pack.plan).partials(&[]),
            merged_items: 0,
            sink,
            dataset: keep_for_dataset.then(Vec::new),
            keep_records: options.keep_records,
            keep_left: Arc::new(options.keep_records.into()),
            defer_dataset: options.defer_dataset,
            kept_items: 0,
            baseline: options
                .baseline
                .as_deref()
                .map(super::baseline::Matcher::new),
            merge: None,
            promise: options.in_item_order.then(order::Promise::default),
            outcome: Outcome {
                per_rule: vec![0; pack.plan.rules.len()],
                ..Outcome::default()
            },
        }
    }

    /// Counts a parsed line and passes its record on to its item.
    pub fn accept(&mut self, parsed: Parsed) {
        let count = self.counts.slot(parsed.bucket);
        count.read += 1;
        match parsed.result {
            Ok(mut record) => {
                count.checked += 1;
                let defects = record.take_defects();
                if !defects.is_empty() {
                    count.with_data_errors += 1;
                    let problems = defects.into_iter().map(Problem::Data);
                    self.outcome.data_errors.extend(problems);
                }
                self.push(record);
            }
            Err(error) => {
                count.rejected += 1;
                self.outcome.data_errors.push(Problem::Data(*error));
            }
        }
    }

    /// Whether data-set rules need a copy of every record.
    pub fn keeps_dataset(&self) -> bool {
        self.dataset.is_some()
    }

    /// Whether the input has turned out not to be grouped by item.
    pub fn is_grouping(&self) -> bool {
        self.grouping
    }

    /// Takes in what a batch produced, in input order.
    pub fn absorb(&mut self, out: BatchOutput) {
        for (bucket, read, rejected, with_data_errors) in out.counts {
            let count = self.counts.slot(bucket);
            count.read += read;
            count.checked += read - rejected;
            count.rejected += rejected;
            count.with_data_errors += with_data_errors;
        }
        (self.outcome.data_errors).extend(out.errors.into_iter().map(Problem::Data));
        if let Some(dataset) = &mut self.dataset {
            dataset.extend(out.dataset);
        }
        if let Some(put_aside) = out.put_aside {
            self.take_put_aside(put_aside);
        }
        if out.scattered.is_some() && !self.is_merging() {
            self.break_promise_in(&out.runs, out.scattered.as_deref());
            self.start_grouping();
        }
        for run in out.runs {
            match run {
                Run::Pending(records) if self.is_merging() => self.merge_run(records),
                Run::Pending(records) => records.into_iter().for_each(|r| self.place(r)),
                Run::Evaluated(result) => self.evaluated(result),
            }
        }
    }

    /// An item evaluated by the thread that parsed it.
    fn evaluated(&mut self, result: ItemResult) {
        if !self.grouping {
            self.finish_current();
        }
        let item = result.item.clone();
        let put_aside = self.spill.as_ref().is_some_and(|s| s.holds(&item));
        if self.finished.contains(&item) || put_aside {
            // Part of the item was seen before: the input is not grouped, and this part's
            // records are gone with its evaluation, so the whole item is read again (and
            // what was put aside of it is left out).
            self.break_promise(&item, &self.last_item(), result.first);
            self.start_grouping();
            self.open(&item, result.first);
            self.finished.insert(item.clone());
            self.reread.insert(item);
            return;
        }
        self.finished.insert(item.clone());
        self.open(&item, result.first);
        self.apply(vec![result]);
    }

    /// Merges these sources, each in item order ([`super::merge`]).
    pub fn start_merge(&mut self, sources: impl IntoIterator<Item = crate::data::SourceId>) {
        self.merge = Some(Merge::new(sources));
    }

    /// Whether sources are being merged in item order.
    pub fn is_merging(&self) -> bool {
        self.merge.is_some() && !self.grouping
    }

    /// Orders merged sources by how far their reading has come, the one furthest behind first.
    pub fn compare_reached(&self, a: SourceId, b: SourceId) -> std::cmp::Ordering {
        (self.merge.as_ref()).map_or(std::cmp::Ordering::Equal, |m| m.compare_reached(a, b))
    }

    /// A source has no more records: items it has not reached may be complete now.
    pub fn source_drained(&mut self, source: SourceId) {
        if let Some(merge) = &mut self.merge {
            merge.drained(source);
        }
    }

    /// Adds a run of one item's records to the merge. A source that goes back in item order
    /// ends it: what it holds, and every record after, is grouped in memory.
    fn merge_run(&mut self, records: Vec<Record>) {
        let Some(first) = records.first() else {
            return;
        };
        if self.too_large.contains(&first.item) {
            return records.iter().for_each(|r| self.uncheck(r.kind));
        }
        let item = first.item.clone();
        let Some(merge) = &mut self.merge else {
            return records.into_iter().for_each(|r| self.place(r));
        };
        match merge.take(records) {
            Ok(held) if held > self.max_item_records => {
                let records = merge.drop_item(&item);
                self.give_up_large(records);
            }
            Ok(_) => {}
            Err(OutOfOrder { records, after }) => {
                self.break_promise(&item, &after, records[0].origin);
                let held = self.merge.take().map(Merge::into_pending);
                self.start_grouping();
                let held = held.into_iter().flatten().flatten();
                held.chain(records).for_each(|r| self.place(r));
            }
        }
    }

    /// The count of items whose records may still be kept, for [`Work::new`].
    pub fn keep_left(&self) -> KeepLeft {
        self.keep_left.clone()
    }

    /// Registers the next source, and tells the sink of it.
    pub fn add_source(&mut self, info: SourceInfo) {
        let id = crate::data::SourceId(self.outcome.sources.len() as u32);
        self.sink.source(id, &info);
        self.outcome.sources.push(info);
    }

    /// Records an error that concerns no single line (an unreadable file).
    pub fn error(&mut self, error: DataError) {
        self.outcome.data_errors.push(Problem::Data(error));
    }

    fn push(&mut self, record: Record) {
        if let Some(dataset) = &mut self.dataset {
            dataset.push(record.clone());
        }
        self.place(record);
    }

    /// Adds a record to its item.
    fn place(&mut self, record: Record) {
        if !self.too_large.is_empty() && self.too_large.contains(&record.item) {
            return self.uncheck(record.kind);
        }
        if self.grouping {
            return self.group(record);
        }
        if self.merge.is_some() {
            return self.merge_run(vec![record]);
        }
        if self
            .current
            .first()
            .is_some_and(|r| !Arc::ptr_eq(&r.item, &record.item) && r.item != record.item)
        {
            self.finish_current();
        }
        if self.current.is_empty() && self.finished.contains(&record.item) {
            self.break_promise(&record.item, &self.last_item(), record.origin);
            self.start_grouping();
            return self.group(record);
        }
        self.current.push(record);
        if self.current.len() > self.max_item_records {
            let records = std::mem::take(&mut self.current);
            self.give_up_large(records);
        }
    }

    /// Reports an item with more records than it may have, and drops them (`records`: those
    /// held, the one past the limit last); its later records are dropped as they come.
    fn give_up_large(&mut self, records: Vec<Record>) {
        let Some(last) = records.last() else {
            return;
        };
        self.outcome
            .data_errors
            .push(Problem::Data(DataError::ItemTooLarge {
                item: last.item.to_string(),
                limit: self.max_item_records,
                origin: last.origin,
            }));
        self.too_large.insert(last.item.clone());
        for record in &records {
            self.uncheck(record.kind);
        }
    }

    /// The grouping budget's limit, for the pass that reads items again.
    pub fn grouping_limit(&self) -> u64 {
        self.max_grouping_bytes
    }

    /// Gives up an item read again whose records no longer fit the grouping budget: its
    /// earlier findings are withdrawn (they came from part of its records), and each of its
    /// records counts as rejected.
    pub fn give_up_item(&mut self, item: Arc<str>, origin: Origin, kinds: &[KindId]) {
        self.outcome
            .data_errors
            .push(Problem::Data(DataError::GroupingLimit {
                item: item.to_string(),
                limit: self.max_grouping_bytes,
                origin,
            }));
        self.apply(vec![ItemResult {
            item,
            first: origin,
            ..ItemResult::nothing_for(&[])
        }]);
        for &kind in kinds {
            self.uncheck(kind);
        }
    }

    /// Moves a record counted as checked to rejected.
    fn uncheck(&mut self, kind: KindId) {
        let count = self.counts.slot(Some(kind));
        count.checked -= 1;
        count.rejected += 1;
    }

    /// Ends the item being read: it is complete once another item starts. At the end of the
    /// input, also every item a merge still holds.
    pub fn finish_current(&mut self) {
        let records = std::mem::take(&mut self.current);
        self.complete(records);
        if let Some(merge) = self.merge.take() {
            merge
                .into_pending()
                .for_each(|records| self.complete(records));
        }
    }

    /// Hands a complete item's records to evaluation.
    fn complete(&mut self, records: Vec<Record>) {
        if let Some(first) = records.first() {
            let item = first.item.clone();
            self.finished.insert(item.clone());
            self.open(&item, first.origin);
            self.ready.push(records);
        }
    }

    /// The number of items seen so far.
    pub fn items_seen(&self) -> usize {
        let merging = self.merge.as_ref().map_or(0, Merge::items);
        let put_aside = self.spill.as_ref().map_or(0, Spill::items);
        self.items.len() + put_aside + usize::from(!self.current.is_empty()) + merging
    }

    /// The completed items not yet evaluated.
    pub fn take_ready(&mut self) -> Vec<Vec<Record>> {
        let merged = self.merge.as_mut().map(Merge::complete);
        merged.into_iter().flatten().for_each(|r| self.complete(r));
        std::mem::take(&mut self.ready)
    }

    /// Gives an item its state (once: the first time it is complete or evaluated), checking
    /// item order when it was promised.
    fn open(&mut self, item: &Arc<str>, origin: Origin) {
        if !self.items.contains_key(item) {
            self.check_order(item, origin);
        }
        self.items.entry(item.clone()).or_default();
    }

    /// The name of the item opened last, for a report of input out of order.
    fn last_item(&self) -> String {
        self.items
            .last()
            .map_or_else(String::new, |(item, _)| item.to_string())
    }

    /// Delivers evaluated items' findings and keeps what else they produced; a later
    /// evaluation of the same item replaces an earlier one.
    pub fn apply(&mut self, results: Vec<ItemResult>) {
        for mut result in results {
            let Some(state) = self.items.get_mut(&result.item) else {
                continue;
            };
            let mut extra = state.extra.take().map_or_else(ItemExtra::default, |e| *e);
            if let Some(baseline) = &mut self.baseline {
                baseline.give_back(std::mem::take(&mut extra.baselined));
                extra.baselined = baseline.filter(&self.pack.plan, &mut result.findings);
            }
            state.waived = result.waived;
            extra.explanations = result.explanations;
            let kept_before = !extra.records.is_empty();
            extra.records = Vec::new();
            if !result.records.is_empty() && (kept_before || self.kept_items < self.keep_records) {
                self.kept_items += usize::from(!kept_before);
                extra.records = result.records;
            } else if kept_before {
                self.kept_items -= 1;
            }
            let left = self.keep_records.saturating_sub(self.kept_items);
            self.keep_left
                .store(left, std::sync::atomic::Ordering::Relaxed);
            for &(rule, n) in state.rules.iter() {
                self.outcome.per_rule[rule as usize] -= u64::from(n);
            }
            state.rules = count_by_rule(&result.findings);
            for &(rule, n) in state.rules.iter() {
                self.outcome.per_rule[rule as usize] += u64::from(n);
            }
            extra.errors = result.errors;
            extra.statistics = result.statistics;
            state.partials = result.partials;
            state.applied = true;
            state.extra = (!extra.is_empty()).then(|| Box::new(extra));
            self.sink.deliver(Slot::Item(result.item), result.findings);
        }
        self.merge_evaluated();
        self.settle();
    }

    /// Merges the parts of items evaluated so far, in the order items were opened (so sums
    /// do not depend on which thread finished first), up to the first item not yet
    /// evaluated. Not once the input is grouped in memory: an item evaluated then may be
    /// evaluated again, replacing its part.
    fn merge_evaluated(&mut self) {
        if self.unordered || self.merged.is_empty() {
            return;
        }
        while let Some((_, state)) = self.items.get_index_mut(self.merged_items) {
            if !state.applied {
                break;
            }
            for (into, part) in self.merged.iter_mut().zip(&state.partials) {
                into.merge(part);
            }
            state.partials = Vec::new();
            self.merged_items += 1;
        }
    }

    /// The input turned out not to be grouped: records are put aside by item from now on.
    /// Items whose parts were merged may be evaluated again, which would count them twice,
    /// so the merged parts are dropped and those items read again at the end like the items
    /// that reappeared.
    fn start_grouping(&mut self) {
        if self.grouping {
            return;
        }
        self.grouping = true;
        self.spill();
        // The item being read is not known to be complete: its records are put aside too.
        std::mem::take(&mut self.current)
            .into_iter()
            .for_each(|r| self.group(r));
        self.unordered = true;
        if self.merged_items == 0 {
            return;
        }
        for part in &mut self.merged {
            *part = part.neutral();
        }
        for (item, _) in self.items.iter().take(self.merged_items) {
            self.reread.insert(item.clone());
        }
        self.merged_items = 0;
    }

    /// The findings of data-set rules computed from partial statistics: every item's parts,
    /// merged in output order (so sums, and output, do not depend on threads).
    fn streamed_findings(&mut self, work: &Work) -> Vec<crate::eval::Finding> {
        if work.parse_only || self.defer_dataset {
            return Vec::new();
        }
        self.merge_all();
        let merged = std::mem::take(&mut self.merged);
        if merged.is_empty() {
            return Vec::new();
        }
        let (findings, metrics) = streamed_results(&work.evaluator, &merged);
        self.outcome.metrics = metrics;
        findings
    }

    /// Merges every item's parts into `merged`: those merged while streaming, then the rest
    /// in slot order.
    fn merge_all(&mut self) {
        self.merge_evaluated();
        let mut states: Vec<(&Arc<str>, &ItemState)> =
            self.items.iter().skip(self.merged_items).collect();
        states.sort_by(|(a, _), (b, _)| compare_items(a, b));
        for (_, state) in states {
            for (into, part) in self.merged.iter_mut().zip(&state.partials) {
                into.merge(part);
            }
        }
        self.merged_items = self.items.len();
    }

    /// Every item's statistics, in output order, for `--metrics`.
    fn item_metrics(&self, work: &Work) -> Vec<super::ItemMetric> {
        let plan = work.evaluator.plan();
        let mut states: Vec<(&Arc<str>, &ItemState)> = self.items.iter().collect();
        states.sort_by(|(a, _), (b, _)| compare_items(a, b));
        let mut out: Vec<super::ItemMetric> = Vec::new();
        for (item, state) in states {
            let first = out.len();
            for (rule, id, value) in state.extra.iter().flat_map(|e| &e.statistics) {
                let metric = super::ItemMetric {
                    item: item.to_string(),
                    rule: plan.rules[*rule].id.clone(),
                    statistic: crate::plan::describe_expr(plan, &plan.rules[*rule], *id),
                    value: value.as_num(),
                };
                // A statistic written twice in a rule (condition and message) is one metric.
                let seen = out[first..]
                    .iter()
                    .any(|m| m.rule == metric.rule && m.statistic == metric.statistic);
                if !seen {
                    out.push(metric);
                }
            }
        }
        out
    }

    /// Evaluates the data-set rules and assembles the outcome.
    pub fn finish(mut self, work: &Work) -> Outcome {
        if self.defer_dataset {
            // Another part of the data set finishes the data-set rules (`Pack::finish_dataset`).
            self.dataset = None;
            self.merge_all();
            let parts = std::mem::take(&mut self.merged);
            self.outcome.dataset_parts = Some(super::DatasetParts { parts });
        }
        let dataset_findings = match self.dataset.take() {
            Some(records) => {
                // Duplicates were reported by the per-item pass; here they are only left out.
                let mut seen: HashSet<(Arc<str>, smol_str::SmolStr)> = HashSet::new();
                let records: Vec<Record> = records
                    .into_iter()
                    .filter(|r| seen.insert((r.item.clone(), r.id.clone())))
                    .collect();
                let evaluation = work.evaluator.evaluate(&records, Scope::Dataset);
                for rule in evaluation.exceeded {
                    self.outcome.data_errors.push(Problem::Eval(
                        crate::eval::EvalError::WorkBudget {
                            rule: self.pack.plan.rules[rule].id.clone(),
                            item: None,
                            budget: work.evaluator.budget(),
                            origin: records.first().map_or_else(Origin::default, |r| r.origin),
                        },
                    ));
                }
                evaluation.findings
            }
            None => Vec::new(),
        };
        let mut dataset_findings = [dataset_findings, self.streamed_findings(work)].concat();
        self.outcome.item_metrics = self.item_metrics(work);
        dataset_findings.sort_by(|a, b| (a.rule, &a.key).cmp(&(b.rule, &b.key)));
        if let Some(mut baseline) = self.baseline.take() {
            baseline.filter(&self.pack.plan, &mut dataset_findings);
            self.outcome.baselined = baseline.matched;
            self.outcome.stale_baseline = baseline.stale();
        }
        self.outcome.waived = self.items.values().map(|s| s.waived).sum();
        let mut in_order: Vec<(&Arc<str>, &mut ItemState)> = self.items.iter_mut().collect();
        in_order.sort_by(|(a, _), (b, _)| compare_items(a, b));
        for (item, extra) in in_order
            .into_iter()
            .filter_map(|(item, state)| Some((item, state.extra.as_mut()?)))
        {
            self.outcome.explanations.append(&mut extra.explanations);
            if !extra.records.is_empty() {
                let records = std::mem::take(&mut extra.records);
                self.outcome.item_records.push((item.clone(), records));
            }
        }
        for f in &dataset_findings {
            self.outcome.per_rule[f.rule] += 1;
        }
        self.sink.deliver(Slot::Dataset, dataset_findings);
        let errors = (self.items.values_mut()).flat_map(|s| s.extra.iter_mut());
        for (error, kind) in errors.flat_map(|e| e.errors.drain(..)) {
            if matches!(error, Problem::Data(DataError::DuplicateId { .. })) {
                let count = self.counts.slot(kind);
                count.checked -= 1;
                count.rejected += 1;
            }
            self.outcome.data_errors.push(error);
        }
        let mut outcome = self.outcome;
        let schema = &self.pack.plan.schema;
        let read = (self.counts.slots.iter().enumerate()).filter(|(_, count)| count.read > 0);
        for (i, _) in read {
            let name = if i < schema.len() {
                schema.kind(KindId(i as u32)).name.clone()
            } else {
                UNREADABLE.to_string()
            };
            outcome
                .summary
                .per_kind
                .insert(name, self.counts.slots[i].clone());
        }
        outcome.summary.items = self.items.len() as u64;
        outcome.data_errors.sort_by_key(Problem::origin);
        outcome
    }
}
