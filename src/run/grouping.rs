//! The memory budget of grouping: records of items that turn out scattered are held until
//! their items are complete, up to `Limits::max_grouping_bytes`.

use crate::data::Record;
use indexmap::IndexMap;
use std::sync::Arc;

/// Bytes of grouped records, against their limit.
pub(super) struct GroupingBudget {
    held: u64,
    pub(super) limit: u64,
}

impl GroupingBudget {
    /// An empty budget of `limit` bytes.
    pub(super) fn new(limit: u64) -> Self {
        GroupingBudget { held: 0, limit }
    }

    /// Counts a record in, unless that passes the limit.
    pub(super) fn take(&mut self, record: &Record) -> bool {
        let size = record_size(record);
        if self.held + size > self.limit {
            return false;
        }
        self.held += size;
        true
    }

    pub(super) fn give_back(&mut self, record: &Record) {
        self.held -= record_size(record);
    }

    /// Holds `record` with the others of its item in `held` when it fits the budget. When it
    /// does not, the item is given up whole: an item checked without some of its records
    /// would get findings that are not true of it. Its held records are released (their bytes
    /// given back) and returned, `record` last, for the caller to account for.
    pub(super) fn hold(
        &mut self,
        held: &mut IndexMap<Arc<str>, Vec<Record>>,
        record: Record,
    ) -> Result<(), Vec<Record>> {
        if self.take(&record) {
            held.entry(record.item.clone()).or_default().push(record);
            return Ok(());
        }
        let mut released = held.shift_remove(&record.item).unwrap_or_default();
        released.iter().for_each(|r| self.give_back(r));
        released.push(record);
        Err(released)
    }
}

/// What a record holds in memory, estimated for the grouping budget: its fields and id
/// (texts shared between records are counted once per record, an overestimate).
fn record_size(record: &Record) -> u64 {
    let fields = record.fields.len() * std::mem::size_of::<crate::data::Value>();
    let id = match record.id.is_heap_allocated() {
        true => record.id.len(),
        false => 0,
    };
    (std::mem::size_of::<Record>() + fields + id) as u64
}
