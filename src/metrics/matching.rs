//! One-to-one matching of two sets of regions (two annotators' boxes, say) by a score such
//! as IoU: greedy by descending score, as COCO evaluation and most agreement tools match, or
//! optimal (the largest total score, by the assignment `diarization_error` uses).

use super::Label;
use rustc_hash::FxHashMap;

/// How pairs are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// The best-scoring pair first, then the best of what is left (ties: the earlier left
    /// record, then the earlier right one).
    #[default]
    Greedy,
    /// The pairs with the largest total score.
    Optimal,
}

impl Method {
    /// Its name in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Greedy => "greedy",
            Method::Optimal => "optimal",
        }
    }

    /// The method a rule file names.
    pub fn from_name(name: &str) -> Option<Method> {
        [Method::Greedy, Method::Optimal]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// The pairs a matching takes from `candidates` (score, left index, right index), each
/// index at most once, among `left` and `right` records, with their scores.
pub fn one_to_one(
    mut candidates: Vec<(f64, u32, u32)>,
    left: usize,
    right: usize,
    method: Method,
) -> Vec<(u32, u32, f64)> {
    match method {
        Method::Greedy => {
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let (mut used_left, mut used_right) = (vec![false; left], vec![false; right]);
            let mut pairs = Vec::new();
            for (score, l, r) in candidates {
                let (li, ri) = (l as usize, r as usize);
                if !used_left[li] && !used_right[ri] {
                    used_left[li] = true;
                    used_right[ri] = true;
                    pairs.push((l, r, score));
                }
            }
            pairs
        }
        Method::Optimal => {
            // Scores are shifted above 0 so that a pair at the threshold still counts.
            let scores: FxHashMap<(u32, u32), f64> = (candidates.iter())
                .map(|&(score, l, r)| ((l, r), score))
                .collect();
            let shifted = (scores.iter())
                .map(|(&pair, &score)| (pair, 1.0 + score.max(0.0)))
                .collect();
            let (mapping, _) = super::temporal::best_mapping(left, right, &shifted);
            (mapping.into_iter().enumerate())
                .filter_map(|(l, r)| {
                    let (l, r) = (l as u32, r? as u32);
                    Some((l, r, *scores.get(&(l, r))?))
                })
                .collect()
        }
    }
}

/// A statistic of a one-to-one matching (`match_f1(…)` in the language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MatchFn {
    /// Matched share of the second side's records.
    Precision,
    /// Matched share of the first side's (the reference's) records.
    Recall,
    /// Harmonic mean of the two: twice the pairs over both sides' records.
    F1,
    /// Mean score of the matched pairs (mean IoU when the score is `iou`).
    Score,
    /// Krippendorff's α (nominal) of the sides' values over the matched objects: a unit per
    /// matched pair and per record left unmatched, whose missing partner counts as the value
    /// "∅", so an object one side did not draw is a disagreement.
    Alpha,
}

impl MatchFn {
    const ALL: [MatchFn; 5] = [
        MatchFn::Precision,
        MatchFn::Recall,
        MatchFn::F1,
        MatchFn::Score,
        MatchFn::Alpha,
    ];

    /// The function named `name` in the language.
    pub fn from_name(name: &str) -> Option<MatchFn> {
        MatchFn::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its name in the language.
    pub fn name(self) -> &'static str {
        match self {
            MatchFn::Precision => "match_precision",
            MatchFn::Recall => "match_recall",
            MatchFn::F1 => "match_f1",
            MatchFn::Score => "match_score",
            MatchFn::Alpha => "match_alpha",
        }
    }

    /// Whether it compares the values the sides give (`: a.label`).
    pub fn reads_values(self) -> bool {
        self == MatchFn::Alpha
    }

    /// The function from (summed) parts; `None` when it is undefined (no records, no pairs,
    /// or one value only for α).
    pub fn of_parts(self, parts: &MatchParts) -> Option<f64> {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        let matched = parts.matched as f64;
        match self {
            MatchFn::Precision => ratio(matched, parts.right as f64),
            MatchFn::Recall => ratio(matched, parts.left as f64),
            MatchFn::F1 => ratio(2.0 * matched, (parts.left + parts.right) as f64),
            MatchFn::Score => ratio(parts.score, matched),
            MatchFn::Alpha => parts.units.alpha(super::agreement::Level::Nominal),
        }
    }
}

/// What one item's matching adds to a matching statistic over several items: counts and
/// sums that add up item by item, in any order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MatchParts {
    /// Records of the first side.
    pub left: u64,
    /// Records of the second side.
    pub right: u64,
    /// Pairs matched.
    pub matched: u64,
    /// Sum of the matched pairs' scores.
    pub score: f64,
    /// How the sides' values coincide over matched objects (for α).
    pub units: super::agreement::Coincidences,
}

/// The value a record left without a partner is compared with in [`MatchFn::Alpha`].
pub const UNMATCHED: &str = "∅";

impl MatchParts {
    /// The parts of one matching: `pairs` (left index, right index, score) among the sides'
    /// records, whose values (`None` where a record gives none) are `left` and `right`.
    pub fn of(
        left: &[Option<Label>],
        right: &[Option<Label>],
        pairs: &[(u32, u32, f64)],
    ) -> MatchParts {
        let (mut left_used, mut right_used) = (vec![false; left.len()], vec![false; right.len()]);
        let mut units: Vec<Vec<Label>> = Vec::with_capacity(left.len() + right.len());
        let absent = || Label::Text(UNMATCHED.into());
        for &(l, r, _) in pairs {
            left_used[l as usize] = true;
            right_used[r as usize] = true;
            let unit = [&left[l as usize], &right[r as usize]];
            units.push(unit.into_iter().flatten().cloned().collect());
        }
        for (values, used) in [(left, &left_used), (right, &right_used)] {
            for (value, _) in values.iter().zip(used).filter(|(_, used)| !**used) {
                units.extend(value.iter().map(|v| vec![v.clone(), absent()]));
            }
        }
        MatchParts {
            left: left.len() as u64,
            right: right.len() as u64,
            matched: pairs.len() as u64,
            score: pairs.iter().map(|p| p.2).sum(),
            units: super::agreement::coincidences(&units).pruned(),
        }
    }

    /// Adds another item's parts.
    pub fn merge(&mut self, other: &MatchParts) {
        self.left += other.left;
        self.right += other.right;
        self.matched += other.matched;
        self.score += other.score;
        self.units.merge(&other.units);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_best_pair_first_and_optimal_the_best_total() {
        // Left 0 fits right 0 best (0.9) but is the only partner right 1 can have (0.6);
        // left 1 fits right 0 (0.8) only.
        let candidates = vec![(0.9, 0, 0), (0.6, 0, 1), (0.8, 1, 0)];
        assert_eq!(
            one_to_one(candidates.clone(), 2, 2, Method::Greedy),
            vec![(0, 0, 0.9)]
        );
        let mut optimal = one_to_one(candidates, 2, 2, Method::Optimal);
        optimal.sort_by_key(|p| (p.0, p.1));
        assert_eq!(optimal, vec![(0, 1, 0.6), (1, 0, 0.8)]);
    }
}

#[cfg(test)]
mod statistics {
    use super::*;

    fn labels(values: &[&str]) -> Vec<Option<Label>> {
        values
            .iter()
            .map(|v| Some(Label::Text((*v).into())))
            .collect()
    }

    #[test]
    fn precision_recall_f1_and_mean_score_count_pairs_and_both_sides() {
        // Three reference boxes, two others; two pairs, IoU 0.9 and 0.6.
        let parts = MatchParts::of(
            &labels(&["car", "car", "bus"]),
            &labels(&["car", "bus"]),
            &[(0, 0, 0.9), (2, 1, 0.6)],
        );
        let of = |f: MatchFn| f.of_parts(&parts).unwrap();
        assert_eq!(of(MatchFn::Precision), 1.0);
        assert!((of(MatchFn::Recall) - 2.0 / 3.0).abs() < 1e-12);
        assert!((of(MatchFn::F1) - 0.8).abs() < 1e-12);
        assert!((of(MatchFn::Score) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn alpha_counts_an_unmatched_object_as_a_disagreement_with_nothing() {
        let matched = [(0, 0, 1.0), (1, 1, 1.0)];
        let all = MatchParts::of(&labels(&["car", "bus"]), &labels(&["car", "bus"]), &matched);
        assert_eq!(MatchFn::Alpha.of_parts(&all), Some(1.0));
        // The same units as plain α over [car car] [bus bus] [car ∅].
        let missed = MatchParts::of(
            &labels(&["car", "bus", "car"]),
            &labels(&["car", "bus"]),
            &matched,
        );
        let units = [
            vec![Label::Text("car".into()), Label::Text("car".into())],
            vec![Label::Text("bus".into()), Label::Text("bus".into())],
            vec![Label::Text("car".into()), Label::Text(UNMATCHED.into())],
        ];
        let expected = super::super::agreement::krippendorff_alpha(
            &units,
            super::super::agreement::Level::Nominal,
        );
        assert_eq!(MatchFn::Alpha.of_parts(&missed), expected);
        assert!(expected.unwrap() < 1.0);
        // Parts of two items add up to the parts of both.
        let mut merged = all.clone();
        merged.merge(&missed);
        assert_eq!(merged.left, 5);
        assert_eq!(merged.matched, 4);
    }
}
