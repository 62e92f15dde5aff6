//! The runner's side of input that is not grouped by item: records put aside by item
//! ([`Spill`]) as they come, and given back partition by partition as whole items once the
//! input ends.

use super::Runner;
use crate::data::{DataError, Origin, Record};
use crate::run::spill::{PutAside, Spill, SpillError};
use crate::run::Problem;

impl Runner<'_, '_> {
    /// Tells the run how large its input is (0 when unknown), to size the spill's partitions.
    pub fn expect_input_bytes(&mut self, bytes: u64) {
        self.input_bytes = bytes;
    }

    /// Puts a record aside, or, for an item evaluated before the input turned out not to be
    /// grouped, marks the item to be read again whole.
    pub(super) fn group(&mut self, record: Record) {
        if self.finished.contains(&record.item) {
            self.reread.insert(record.item);
            return;
        }
        self.spill().hold(record);
    }

    /// The spill, made the first time grouping needs it.
    pub(super) fn spill(&mut self) -> &mut Spill {
        let (bytes, limit) = (self.input_bytes, self.memory_limit);
        (self.spill).get_or_insert_with(|| Spill::new(bytes, limit))
    }

    /// The spill's partitions while the runner groups (it has a spill exactly then), for
    /// batches that encode their records.
    pub fn spill_partitions(&self) -> Option<usize> {
        self.spill.as_ref().map(Spill::partition_count)
    }

    /// Takes the records a batch encoded for the spill. Items evaluated before the input
    /// turned out not to be grouped are read again whole; what was put aside of them is left
    /// out when read back.
    pub(super) fn take_put_aside(&mut self, put_aside: PutAside) {
        for item in put_aside.items() {
            if self.finished.contains(item) {
                self.reread.insert(item.clone());
            }
        }
        self.spill().take(put_aside);
    }

    /// The records put aside, to be read back once the input ends.
    pub fn take_spill(&mut self) -> Option<Spill> {
        self.spill.take()
    }

    /// Items read back from the spill, to be evaluated: those read again whole are left to
    /// that pass, and an item with more records than it may have is reported, its records
    /// counted as rejected.
    pub fn held_items(&mut self, items: impl Iterator<Item = Vec<Record>>) -> Vec<Vec<Record>> {
        let mut whole = Vec::new();
        for mut records in items {
            let item = records[0].item.clone();
            if self.reread.contains(&item) {
                continue;
            }
            if self.too_large.contains(&item) {
                records.iter().for_each(|r| self.uncheck(r.kind));
                continue;
            }
            if records.len() > self.max_item_records {
                let past = records.split_off(self.max_item_records + 1);
                past.iter().for_each(|r| self.uncheck(r.kind));
                self.give_up_large(records);
                continue;
            }
            self.open(&item, records[0].origin);
            whole.push(records);
        }
        whole
    }

    /// Records could not be put aside or read back: the run says so and stops short.
    pub fn spill_failed(&mut self, error: SpillError) {
        self.outcome
            .data_errors
            .push(Problem::Data(DataError::SpillFailed {
                dir: error.dir,
                reason: error.source.to_string(),
                origin: Origin::default(),
            }));
    }
}
