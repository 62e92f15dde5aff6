//! `unmatched(…)`: the records of either side of a one-to-one matching that found no
//! partner, computed for each binding of the loops around it.

use super::{Bound, Candidates, RuleRun};
use crate::metrics::matching::one_to_one;
use crate::ops::space::{self, Rect};
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
        let pairs: Vec<(u32, u32)> = match m.regions {
            Some((left_region, right_region)) => {
                let left_bounds = self.bounds_of(&left, lv, left_region, env);
                let right_bounds = self.bounds_of(&right, rv, right_region, env);
                meeting(&left_bounds, &right_bounds)
            }
            None => (0..left.len() as u32)
                .flat_map(|i| (0..right.len() as u32).map(move |j| (i, j)))
                .collect(),
        };
        if !self.spend(pairs.len()) {
            return Candidates::None;
        }
        let records = self.view.records;
        let mut scored = Vec::new();
        for (i, j) in pairs {
            env[lv] = Bound::Record(&records[left[i as usize] as usize]);
            env[rv] = Bound::Record(&records[right[j as usize] as usize]);
            if m.pair.is_some_and(|p| !self.truth(p, env)) {
                continue;
            }
            let score = self.value(m.score, env).as_num();
            let threshold = self.value(m.threshold, env).as_num();
            if let (Some(score), Some(threshold)) = (score, threshold) {
                if score >= threshold {
                    scored.push((score, i, j));
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

    /// The bounds of each record's region (`None` when it has none, so it can match nothing).
    fn bounds_of(
        &self,
        records: &[u32],
        var: usize,
        region: crate::plan::ExprId,
        env: &mut [Bound<'r>],
    ) -> Vec<Option<Rect>> {
        let all = self.view.records;
        let bounds = (records.iter())
            .map(|&r| {
                env[var] = Bound::Record(&all[r as usize]);
                space::region(&self.value(region, env)).and_then(|r| r.bounds())
            })
            .collect();
        env[var] = Bound::Unset;
        bounds
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

/// The pairs of a left and a right region whose bounds meet (edges touching included), by a
/// sweep from left to right that keeps only the regions still open: the work grows with the
/// pairs that are close, not with every pair of a crowded frame.
fn meeting(left: &[Option<Rect>], right: &[Option<Rect>]) -> Vec<(u32, u32)> {
    let mut starts: Vec<(f64, bool, u32)> = Vec::with_capacity(left.len() + right.len());
    for (side, bounds) in [(true, left), (false, right)] {
        for (i, b) in bounds.iter().enumerate() {
            if let Some(b) = b {
                starts.push((b.x0, side, i as u32));
            }
        }
    }
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let bound = |side: bool, i: u32| match side {
        true => left[i as usize],
        false => right[i as usize],
    };
    let (mut open_left, mut open_right): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut pairs = Vec::new();
    for (x, is_left, i) in starts {
        open_left.retain(|&k| bound(true, k).is_some_and(|b| b.x1 >= x));
        open_right.retain(|&k| bound(false, k).is_some_and(|b| b.x1 >= x));
        let Some(me) = bound(is_left, i) else {
            continue;
        };
        let others = if is_left { &open_right } else { &open_left };
        for &k in others {
            let Some(other) = bound(!is_left, k) else {
                continue;
            };
            if me.y0 <= other.y1 && other.y0 <= me.y1 {
                pairs.push(if is_left { (i, k) } else { (k, i) });
            }
        }
        if is_left {
            open_left.push(i);
        } else {
            open_right.push(i);
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Rect> {
        Some(Rect { x0, y0, x1, y1 })
    }

    #[test]
    fn the_sweep_finds_every_pair_whose_bounds_meet_and_no_other() {
        let left = [
            rect(0.0, 0.0, 10.0, 10.0),
            rect(20.0, 0.0, 30.0, 10.0),
            None,
        ];
        let right = [
            rect(10.0, 5.0, 15.0, 8.0),
            rect(5.0, 20.0, 25.0, 30.0),
            rect(25.0, 9.0, 40.0, 40.0),
        ];
        let mut pairs = meeting(&left, &right);
        pairs.sort_unstable();
        // Left 0 touches right 0 at x = 10; right 1 is below both; right 2 overlaps left 1.
        assert_eq!(pairs, vec![(0, 0), (1, 2)]);
    }
}
