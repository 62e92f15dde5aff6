//! `unmatched(…)`: the records of either side of a one-to-one matching that found no
//! partner, computed for each binding of the loops around it; and the statistics of such a
//! matching (`match_f1(…)`, `match_alpha(…)`, …).

use super::{Bound, Candidates, RuleRun};
use crate::data::Value;
use crate::metrics::matching::{one_to_one, MatchParts};
use crate::ops::space::{self, Rect, Region};
use crate::plan::{ExprId, Matching, Node, Side};

/// One item's records of the two sides and the pairs matched among them (left index, right
/// index, score).
type ItemMatching = ([Vec<u32>; 2], Vec<(u32, u32, f64)>);

impl<'r> RuleRun<'_, 'r> {
    /// The left side's records left without a partner, then the right side's, each in
    /// input order.
    pub(super) fn unmatched(&self, m: &Matching, env: &mut [Bound<'r>]) -> Candidates<'r> {
        let Some(items) = self.matchings(m, env) else {
            return Candidates::None;
        };
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for ([l, r], pairs) in items {
            let (mut left_used, mut right_used) = (vec![false; l.len()], vec![false; r.len()]);
            for (i, j, _) in pairs {
                left_used[i as usize] = true;
                right_used[j as usize] = true;
            }
            left.extend(l.iter().zip(left_used).filter(|p| !p.1).map(|p| *p.0));
            right.extend(r.iter().zip(right_used).filter(|p| !p.1).map(|p| *p.0));
        }
        // Records of an item are in input order, and items too, as a side gives them.
        left.sort_unstable();
        right.sort_unstable();
        left.extend(right);
        Candidates::Records(self.view.arena.alloc_slice_copy(&left))
    }

    /// The matched pairs, the left side's records in input order, each with its partner.
    pub(super) fn pairs(
        &self,
        m: &Matching,
        partner: crate::plan::VarId,
        env: &mut [Bound<'r>],
    ) -> Candidates<'r> {
        let Some(items) = self.matchings(m, env) else {
            return Candidates::None;
        };
        let mut pairs: Vec<(u32, u32)> = (items.iter())
            .flat_map(|([l, r], pairs)| pairs.iter().map(|p| (l[p.0 as usize], r[p.1 as usize])))
            .collect();
        pairs.sort_unstable();
        let arena = &self.view.arena;
        Candidates::Pairs {
            left: arena.alloc_slice_fill_iter(pairs.iter().map(|p| p.0)),
            right: arena.alloc_slice_fill_iter(pairs.iter().map(|p| p.1)),
            partner: partner.0,
        }
    }

    /// A statistic of a matching (`match_f1(…)`); missing when it is undefined or the
    /// rule's work budget runs out.
    pub(super) fn match_statistic(&self, id: ExprId, env: &mut [Bound<'r>]) -> Value {
        let Node::Matched { function, matching } = self.rule.expr(id) else {
            return Value::Missing;
        };
        self.match_parts(matching, env)
            .and_then(|parts| function.of_parts(&parts))
            .filter(|x| x.is_finite())
            .map_or(Value::Missing, Value::Num)
    }

    /// What a matching adds to its statistics, summed over the items it spans. An item where
    /// one side has no records is left out, as α leaves out a unit with one rating: two
    /// annotators are compared on the items both annotated.
    pub(super) fn match_parts(&self, m: &Matching, env: &mut [Bound<'r>]) -> Option<MatchParts> {
        let mut parts = MatchParts::default();
        for ([left, right], pairs) in self.matchings(m, env)? {
            if left.is_empty() || right.is_empty() {
                continue;
            }
            let left_values = self.side_values(&m.sides[0], &left, env);
            let right_values = self.side_values(&m.sides[1], &right, env);
            parts.merge(&MatchParts::of(&left_values, &right_values, &pairs));
        }
        Some(parts)
    }

    /// Each item's records of the two sides and the pairs a one-to-one matching takes among
    /// them (left index, right index, score): in a data-set rule each item is matched on
    /// its own, so boxes of two images never match. `None` when the work budget runs out.
    fn matchings(&self, m: &Matching, env: &mut [Bound<'r>]) -> Option<Vec<ItemMatching>> {
        let left = self.side_records(&m.sides[0], env);
        let right = self.side_records(&m.sides[1], env);
        if self.rule.scope == crate::ops::Scope::Item {
            // One item in view: no grouping to do.
            let pairs = self.pairs_of(m, &left, &right, env)?;
            return Some(vec![([left, right], pairs)]);
        }
        let records = self.view.records;
        let mut items: std::collections::BTreeMap<&str, [Vec<u32>; 2]> = Default::default();
        for (side, indexes) in [left, right].into_iter().enumerate() {
            for i in indexes {
                items.entry(&records[i as usize].item).or_default()[side].push(i);
            }
        }
        let mut out = Vec::with_capacity(items.len());
        for sides in items.into_values() {
            let pairs = self.pairs_of(m, &sides[0], &sides[1], env)?;
            out.push((sides, pairs));
        }
        Some(out)
    }

    /// Scores every pair of `left` and `right` records that meets the pair condition (only
    /// those whose regions meet, when the score is an overlap) and matches them one to one
    /// at the threshold. `None` when the work budget runs out.
    fn pairs_of(
        &self,
        m: &Matching,
        left: &[u32],
        right: &[u32],
        env: &mut [Bound<'r>],
    ) -> Option<Vec<(u32, u32, f64)>> {
        let scored = match &m.overlap {
            Some(overlap) => {
                let (lv, rv) = (m.sides[0].var.0 as usize, m.sides[1].var.0 as usize);
                let left_regions = self.regions_of(left, lv, overlap.left, env);
                let right_regions = self.regions_of(right, rv, overlap.right, env);
                let pairs = meeting(&bounds(&left_regions), &bounds(&right_regions));
                self.scored(m, (left, right), pairs.len(), pairs, env, |_, _, i, j| {
                    let (Some(a), Some(b)) = (&left_regions[i], &right_regions[j]) else {
                        return None;
                    };
                    let score = overlap.measure.of(a, b)?;
                    (score >= overlap.threshold).then_some(score)
                })?
            }
            None => {
                let every = (0..left.len() as u32)
                    .flat_map(|i| (0..right.len() as u32).map(move |j| (i, j)));
                let count = left.len() * right.len();
                self.scored(m, (left, right), count, every, env, |run, env, _, _| {
                    let score = run.value(m.score, env).as_num()?;
                    let threshold = run.value(m.threshold, env).as_num()?;
                    (score >= threshold).then_some(score)
                })?
            }
        };
        Some(one_to_one(scored, left.len(), right.len(), m.method))
    }

    /// The `pairs` (indexes into `sides`) that meet the pair condition and get a score from
    /// `score` (called with both records bound), as (score, left index, right index).
    /// `None` when the work budget cannot pay for `count` pairs.
    fn scored(
        &self,
        m: &Matching,
        (left, right): (&[u32], &[u32]),
        count: usize,
        pairs: impl IntoIterator<Item = (u32, u32)>,
        env: &mut [Bound<'r>],
        score: impl Fn(&Self, &mut [Bound<'r>], usize, usize) -> Option<f64>,
    ) -> Option<Vec<(f64, u32, u32)>> {
        if !self.spend(count) {
            return None;
        }
        let (lv, rv) = (m.sides[0].var.0 as usize, m.sides[1].var.0 as usize);
        let records = self.view.records;
        let mut scored = Vec::new();
        for (i, j) in pairs {
            env[lv] = Bound::Record(&records[left[i as usize] as usize]);
            env[rv] = Bound::Record(&records[right[j as usize] as usize]);
            if m.pair.is_some_and(|p| !self.truth(p, env)) {
                continue;
            }
            if let Some(s) = score(self, env, i as usize, j as usize) {
                scored.push((s, i, j));
            }
        }
        env[lv] = Bound::Unset;
        env[rv] = Bound::Unset;
        Some(scored)
    }

    /// The value each record of a side gives (`: a.label`), for `match_alpha`.
    fn side_values(
        &self,
        side: &Side,
        records: &[u32],
        env: &mut [Bound<'r>],
    ) -> Vec<Option<crate::metrics::Label>> {
        let Some(value) = side.label else {
            return vec![None; records.len()];
        };
        let var = side.var.0 as usize;
        let all = self.view.records;
        let values = (records.iter())
            .map(|&r| {
                env[var] = Bound::Record(&all[r as usize]);
                super::expr::label(&self.value(value, env))
            })
            .collect();
        env[var] = Bound::Unset;
        values
    }

    /// The horizontal extent of a bound record's shape field, as the interval a spatial
    /// join's index is probed with; `None` when it has no shape there.
    pub(super) fn extent(
        &self,
        env: &[Bound<'r>],
        var: crate::plan::VarId,
        field: crate::schema::FieldId,
    ) -> Option<crate::ops::time::Interval> {
        let Bound::Record(r) = &env[var.0 as usize] else {
            return None;
        };
        let (start, end) = space::horizontal_extent(r.get(field))?;
        Some(crate::ops::time::Interval { start, end })
    }

    /// Each record's region (`None` when it has none, so it can match nothing). A region that
    /// is a field of the record (`a.box`, the usual case) is read in place.
    fn regions_of(
        &self,
        records: &[u32],
        var: usize,
        region: crate::plan::ExprId,
        env: &mut [Bound<'r>],
    ) -> Vec<Option<Region>> {
        let all = self.view.records;
        if let Node::Field(v, field) = self.rule.expr(region) {
            if v.0 as usize == var {
                let read = |&r: &u32| space::region(all[r as usize].get(*field));
                return records.iter().map(read).collect();
            }
        }
        let regions = (records.iter())
            .map(|&r| {
                env[var] = Bound::Record(&all[r as usize]);
                space::region(&self.value(region, env))
            })
            .collect();
        env[var] = Bound::Unset;
        regions
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

/// The axis-aligned bounds of each region.
fn bounds(regions: &[Option<Region>]) -> Vec<Option<Rect>> {
    (regions.iter())
        .map(|r| r.as_ref().and_then(Region::bounds))
        .collect()
}

/// The pairs of a left and a right region whose bounds meet (edges touching included), by a
/// sweep from left to right that keeps only the regions still open: the work grows with the
/// pairs that are close, not with every pair of a crowded frame.
fn meeting(left: &[Option<Rect>], right: &[Option<Rect>]) -> Vec<(u32, u32)> {
    if left.len() * right.len() <= SWEEP_FROM_PAIRS {
        return meeting_pair_by_pair(left, right);
    }
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

/// Below this many pairs, testing every pair costs less than sorting for a sweep (the usual
/// frame: a few boxes per annotator).
const SWEEP_FROM_PAIRS: usize = 64;

/// [`meeting`] by testing every pair, for few regions.
fn meeting_pair_by_pair(left: &[Option<Rect>], right: &[Option<Rect>]) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for (i, a) in left.iter().enumerate() {
        let Some(a) = a else { continue };
        for (j, b) in right.iter().enumerate() {
            let Some(b) = b else { continue };
            if a.meets(*b) {
                pairs.push((i as u32, j as u32));
            }
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
        // Left 0 touches right 0 at x = 10; right 1 is below both; right 2 overlaps left 1.
        assert_eq!(meeting(&left, &right), vec![(0, 0), (1, 2)]);
        let mut swept = meeting(&left.repeat(8), &right.repeat(8));
        swept.sort_unstable();
        assert_eq!(
            swept,
            meeting_pair_by_pair(&left.repeat(8), &right.repeat(8))
        );
    }

    #[test]
    fn the_sweep_and_the_pair_by_pair_test_agree_on_crowded_frames() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64 * 100.0
        };
        let mut regions = |n: usize| -> Vec<Option<Rect>> {
            (0..n)
                .map(|_| {
                    let (x, y) = (next(), next());
                    rect(x, y, x + next() / 5.0, y + next() / 5.0)
                })
                .collect()
        };
        let (left, right) = (regions(40), regions(50));
        let mut swept = meeting(&left, &right);
        swept.sort_unstable();
        let every = meeting_pair_by_pair(&left, &right);
        assert!(every.len() > 20, "{} pairs", every.len());
        assert_eq!(swept, every);
    }
}
