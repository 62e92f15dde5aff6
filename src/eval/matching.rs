//! `unmatched(…)`: the records of either side of a one-to-one matching that found no
//! partner, computed for each binding of the loops around it.

use super::{Bound, Candidates, RuleRun};
use crate::metrics::matching::one_to_one;
use crate::plan::{Matching, Side};

impl<'r> RuleRun<'_, 'r> {
    /// Scores every pair of the two sides' records that meets the pair condition, matches
    /// them one to one at the threshold, and gives the left side's unmatched records, then
    /// the right side's, each in input order.
    pub(super) fn unmatched(&self, m: &Matching, env: &mut [Bound<'r>]) -> Candidates<'r> {
        let [left_side, right_side] = &m.sides;
        let left = self.side_records(left_side, env);
        let right = self.side_records(right_side, env);
        let (lv, rv) = (left_side.var.0 as usize, right_side.var.0 as usize);
        if !self.spend(left.len().saturating_mul(right.len())) {
            return Candidates::None;
        }
        let records = self.view.records;
        let mut scored = Vec::new();
        for (i, &l) in left.iter().enumerate() {
            env[lv] = Bound::Record(&records[l as usize]);
            for (j, &r) in right.iter().enumerate() {
                env[rv] = Bound::Record(&records[r as usize]);
                if m.pair.is_some_and(|p| !self.truth(p, env)) {
                    continue;
                }
                let score = self.value(m.score, env).as_num();
                let threshold = self.value(m.threshold, env).as_num();
                if let (Some(score), Some(threshold)) = (score, threshold) {
                    if score >= threshold {
                        scored.push((score, i as u32, j as u32));
                    }
                }
            }
        }
        env[lv] = Bound::Unset;
        env[rv] = Bound::Unset;
        let pairs = one_to_one(scored, left.len(), right.len(), m.method);
        let (mut left_used, mut right_used) = (vec![false; left.len()], vec![false; right.len()]);
        for (l, r) in pairs {
            left_used[l as usize] = true;
            right_used[r as usize] = true;
        }
        let unmatched = (left.iter().zip(&left_used))
            .chain(right.iter().zip(&right_used))
            .filter(|(_, used)| !**used)
            .map(|(record, _)| *record)
            .collect::<Vec<u32>>();
        Candidates::Records(self.view.arena.alloc_slice_copy(&unmatched))
    }

    /// The records of one side that pass its filter, as indexes into the item.
    fn side_records(&self, side: &Side, env: &mut [Bound<'r>]) -> Vec<u32> {
        let var = side.var.0 as usize;
        let candidates = self.candidates(&side.source, &side.access, env);
        let implied = side.access.implied();
        let mut out = Vec::new();
        if let Candidates::Records(records) = candidates {
            if self.spend(records.len()) {
                for (i, &record) in records.iter().enumerate() {
                    if self.bind_passing(&candidates, i, var, (&side.filter, implied), env) {
                        out.push(record);
                    }
                }
            }
        }
        env[var] = Bound::Unset;
        out
    }
}
