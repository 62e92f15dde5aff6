//! The merge of sources that are each in item order (one file per modality, say): records
//! wait, grouped by item, until every source has moved past their item, and then go to the
//! evaluator whole. Memory is bounded by the items in flight, not by the data.
//!
//! Item order is the output's ([`Slot`]): the natural order of names. A source's order is
//! checked as it is read; the first record that goes back ends the merge (the runner then
//! groups in memory, as for any input that is not grouped).

use super::Slot;
use crate::data::{Record, SourceId};
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How far the reading of one merged source has come.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reached {
    /// Nothing read yet: every item may still come.
    Start,
    /// Its last record was of this item: earlier items will not come again.
    Item(Slot),
    /// Read through: it holds no more records.
    End,
}

/// The state of a merge: where each source stands and the records waiting for their items to
/// be complete.
#[derive(Debug, Default)]
pub(super) struct Merge {
    reached: FxHashMap<SourceId, Reached>,
    pending: BTreeMap<Slot, Vec<Record>>,
}

/// A source went back in item order: it is not sorted, and the merge cannot go on.
#[derive(Debug)]
pub(super) struct OutOfOrder {
    /// The run that went back.
    pub records: Vec<Record>,
    /// The item the source had reached.
    pub after: String,
}

impl Merge {
    /// A merge of these sources; records of any other source (a document read whole) wait
    /// for the merged ones alone.
    pub fn new(sources: impl IntoIterator<Item = SourceId>) -> Self {
        Merge {
            reached: sources.into_iter().map(|s| (s, Reached::Start)).collect(),
            pending: BTreeMap::new(),
        }
    }

    /// Takes a run of records of one item, read in order from their source; gives back the
    /// number of records the item now holds.
    pub fn take(&mut self, records: Vec<Record>) -> Result<usize, OutOfOrder> {
        let Some(first) = records.first() else {
            return Ok(0);
        };
        let slot = Slot::Item(first.item.clone());
        if let Some(reached) = self.reached.get_mut(&first.origin.source) {
            match reached {
                Reached::Item(at) if slot < *at => {
                    let after = match at {
                        Slot::Item(item) => item.to_string(),
                        Slot::Dataset => String::new(),
                    };
                    return Err(OutOfOrder { records, after });
                }
                _ => *reached = Reached::Item(slot.clone()),
            }
        }
        let held = self.pending.entry(slot).or_default();
        held.extend(records);
        Ok(held.len())
    }

    /// Drops the records of an item (one given up for its size), giving them back.
    pub fn drop_item(&mut self, item: &Arc<str>) -> Vec<Record> {
        (self.pending.remove(&Slot::Item(item.clone()))).unwrap_or_default()
    }

    /// A source has no more records.
    pub fn drained(&mut self, source: SourceId) {
        if let Some(reached) = self.reached.get_mut(&source) {
            *reached = Reached::End;
        }
    }

    /// Orders sources by how far their reading has come, the one furthest behind first.
    pub fn compare_reached(&self, a: SourceId, b: SourceId) -> Ordering {
        let rank = |s: SourceId| match self.reached.get(&s) {
            None | Some(Reached::Start) => (0, None),
            Some(Reached::Item(slot)) => (1, Some(slot)),
            Some(Reached::End) => (2, None),
        };
        rank(a).cmp(&rank(b))
    }

    /// The items every source has moved past, in item order, each with its records in input
    /// order (source, then line): complete, whatever order the sources were read in.
    pub fn complete(&mut self) -> Vec<Vec<Record>> {
        let mut bound: Option<&Slot> = None;
        for reached in self.reached.values() {
            match reached {
                Reached::Start => return Vec::new(),
                Reached::Item(slot) => bound = Some(bound.map_or(slot, |b| b.min(slot))),
                Reached::End => {}
            }
        }
        let later = match bound {
            Some(bound) => self.pending.split_off(&bound.clone()),
            None => BTreeMap::new(),
        };
        let complete = std::mem::replace(&mut self.pending, later);
        complete.into_values().map(in_input_order).collect()
    }

    /// Every record still waiting, by item: when the merge ends early.
    pub fn into_pending(self) -> impl Iterator<Item = Vec<Record>> {
        self.pending.into_values().map(in_input_order)
    }

    /// The number of items waiting.
    pub fn items(&self) -> usize {
        self.pending.len()
    }
}

/// An item's records sorted by where they were read, so that its evaluation does not depend on
/// which source was read first.
fn in_input_order(mut records: Vec<Record>) -> Vec<Record> {
    records.sort_by_key(|r| r.origin);
    records
}
