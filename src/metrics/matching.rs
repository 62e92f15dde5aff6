//! One-to-one matching of two sets of regions (two annotators' boxes, say) by a score such
//! as IoU: greedy by descending score, as COCO evaluation and most agreement tools match, or
//! optimal (the largest total score, by the assignment `diarization_error` uses).

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
/// index at most once, among `left` and `right` records.
pub fn one_to_one(
    mut candidates: Vec<(f64, u32, u32)>,
    left: usize,
    right: usize,
    method: Method,
) -> Vec<(u32, u32)> {
    match method {
        Method::Greedy => {
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let (mut used_left, mut used_right) = (vec![false; left], vec![false; right]);
            let mut pairs = Vec::new();
            for (_, l, r) in candidates {
                let (li, ri) = (l as usize, r as usize);
                if !used_left[li] && !used_right[ri] {
                    used_left[li] = true;
                    used_right[ri] = true;
                    pairs.push((l, r));
                }
            }
            pairs
        }
        Method::Optimal => {
            // Scores are shifted above 0 so that a pair at the threshold still counts.
            let shared: FxHashMap<(u32, u32), f64> = (candidates.iter())
                .map(|&(score, l, r)| ((l, r), 1.0 + score.max(0.0)))
                .collect();
            let (mapping, _) = super::temporal::best_mapping(left, right, &shared);
            (mapping.into_iter().enumerate())
                .filter_map(|(l, r)| r.map(|r| (l as u32, r as u32)))
                .collect()
        }
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
            vec![(0, 0)]
        );
        let mut optimal = one_to_one(candidates, 2, 2, Method::Optimal);
        optimal.sort_unstable();
        assert_eq!(optimal, vec![(0, 1), (1, 0)]);
    }
}
