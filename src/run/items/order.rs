//! The promise that input is in item order ([`RunOptions::in_item_order`]): while it holds,
//! the runner tells its sink which items are final as the run goes, so findings can be
//! written before the input ends; the first record that breaks it is reported where it was
//! read, and the run goes on as for any input.
//!
//! [`RunOptions::in_item_order`]: crate::run::RunOptions::in_item_order

use super::{Run, Runner, Scattered};
use crate::data::{compare_items, DataError, Origin};
use crate::run::{Problem, Slot};
use std::cmp::Ordering;
use std::sync::Arc;

/// How many items are final while input keeps to item order.
#[derive(Debug, Default)]
pub(super) struct Promise {
    /// The number of items, in the order they were opened (which is item order while the
    /// promise holds), that were evaluated along with every item before them.
    settled: usize,
}

impl Runner<'_, '_> {
    /// Checks that an item about to be opened comes after every item opened before it.
    pub(super) fn check_order(&mut self, item: &Arc<str>, origin: Origin) {
        if self.promise.is_none() {
            return;
        }
        let Some((last, _)) = self.items.last() else {
            return;
        };
        if compare_items(item, last) != Ordering::Greater {
            let after = last.to_string();
            self.break_promise(item, &after, origin);
        }
    }

    /// Reports where a batch whose items are scattered first goes back in item order.
    pub(super) fn break_promise_in(&mut self, runs: &[Run], scattered: Option<&Scattered>) {
        if self.promise.is_none() {
            return;
        }
        let firsts = runs.iter().filter_map(|run| match run {
            Run::Pending(records) => records.first().map(|r| (&r.item, r.origin)),
            Run::Evaluated(result) => Some((&result.item, result.first)),
        });
        let mut last = self.items.last().map(|(item, _)| item.clone());
        for (item, origin) in firsts {
            match &last {
                Some(before) if compare_items(item, before) != Ordering::Greater => {
                    let before = before.to_string();
                    return self.break_promise(item, &before, origin);
                }
                _ => last = Some(item.clone()),
            }
        }
        if let Some(scattered) = scattered {
            let Scattered {
                item,
                after,
                origin,
            } = scattered;
            self.break_promise(item, after, *origin);
        }
    }

    /// Reports the first record out of item order (one of `item`, read after `after`); from
    /// then on no item is final before the end.
    pub(super) fn break_promise(&mut self, item: &str, after: &str, origin: Origin) {
        if self.promise.take().is_some() {
            let error = DataError::OutOfOrder {
                item: item.to_string(),
                after: after.to_string(),
                origin,
            };
            self.outcome.data_errors.push(Problem::Data(error));
        }
    }

    /// Tells the sink of the items final now: those evaluated, in item order, up to the first
    /// that is not.
    pub(super) fn settle(&mut self) {
        let Some(promise) = &mut self.promise else {
            return;
        };
        let before = promise.settled;
        while (self.items.get_index(promise.settled)).is_some_and(|(_, state)| state.applied) {
            promise.settled += 1;
        }
        if promise.settled > before {
            if let Some((item, _)) = self.items.get_index(promise.settled - 1) {
                self.sink.settled(&Slot::Item(item.clone()));
            }
        }
    }
}
