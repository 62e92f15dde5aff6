//! Parts of statistics that merge: what one item contributes to a statistic over the data
//! set (`Partial`), and each rater's counts behind it (`RaterStats`), added up item by item
//! in any order without keeping the ratings.

use super::{agreement, sorted, temporal, Label, RaterValues, Ratings, Statistic};

/// What one part of the data contributes to a statistic: sums that add up across parts, so
/// a statistic over a whole data set can be computed item by item, in any order, without
/// keeping the ratings (`per dataset` rules stream this way). Units never span parts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Partial {
    /// Krippendorff's α: how the units' values coincide.
    Alpha(agreement::Level, agreement::Coincidences),
    /// Counts of (first rater's value, second rater's value) on co-rated units, and the
    /// raters seen.
    Kappa(
        agreement::Weights,
        std::collections::BTreeSet<Label>,
        std::collections::BTreeMap<(Label, Label), f64>,
    ),
    /// Fleiss' κ: how the units' values coincide.
    Fleiss(agreement::Coincidences),
    /// Sum of the units' shares of agreeing pairs, and how many units.
    Agreement(f64, f64),
    /// Items where a condition holds, and items (`share(…)`).
    Share(f64, f64),
    /// Segment matching and diarization error, summed over items.
    Temporal(
        temporal::TemporalFn,
        temporal::Matching,
        temporal::DiarizationError,
    ),
    /// A one-to-one matching's counts, summed over items.
    Matching(super::matching::MatchFn, super::matching::MatchParts),
}

impl Partial {
    /// The part of `statistic` that `ratings` contribute.
    pub fn of(statistic: Statistic, ratings: &Ratings) -> Partial {
        match statistic {
            Statistic::Alpha(level) => Partial::Alpha(level, ratings.coincidences()),
            Statistic::Kappa(weights) => {
                let raters: std::collections::BTreeSet<Label> =
                    ratings.raters.iter().cloned().collect();
                let mut pairs = std::collections::BTreeMap::new();
                if let Some((a, b)) = ratings.two_raters() {
                    let (x, y) = ratings.pair(a, b);
                    for (x, y) in x.into_iter().zip(y) {
                        *pairs.entry((x, y)).or_insert(0.0) += 1.0;
                    }
                }
                Partial::Kappa(weights, raters, pairs)
            }
            Statistic::Fleiss => Partial::Fleiss(ratings.coincidences()),
            Statistic::Agreement | Statistic::Disagreement | Statistic::LabelDistance => {
                let units: Vec<Vec<Label>> = ratings
                    .units()
                    .into_iter()
                    .filter(|u| u.len() >= 2)
                    .collect();
                let sum = agreement::percent_agreement(&units).unwrap_or(0.0) * units.len() as f64;
                Partial::Agreement(sum, units.len() as f64)
            }
        }
    }

    /// The part of the same statistic that adds nothing.
    pub fn neutral(&self) -> Partial {
        match self {
            Partial::Alpha(level, _) => Partial::Alpha(*level, Default::default()),
            Partial::Kappa(weights, ..) => {
                Partial::Kappa(*weights, Default::default(), Default::default())
            }
            Partial::Fleiss(_) => Partial::Fleiss(Default::default()),
            Partial::Agreement(..) => Partial::Agreement(0.0, 0.0),
            Partial::Share(..) => Partial::Share(0.0, 0.0),
            Partial::Temporal(function, ..) => {
                Partial::Temporal(*function, Default::default(), Default::default())
            }
            Partial::Matching(function, _) => Partial::Matching(*function, Default::default()),
        }
    }

    /// Adds another part of the same statistic.
    pub fn merge(&mut self, other: &Partial) {
        let add = |into: &mut std::collections::BTreeMap<(Label, Label), f64>,
                   from: &std::collections::BTreeMap<(Label, Label), f64>| {
            for (k, n) in from {
                *into.entry(k.clone()).or_insert(0.0) += n;
            }
        };
        match (self, other) {
            (Partial::Alpha(_, a), Partial::Alpha(_, b))
            | (Partial::Fleiss(a), Partial::Fleiss(b)) => a.merge(b),
            (Partial::Kappa(_, ra, a), Partial::Kappa(_, rb, b)) => {
                ra.extend(rb.iter().cloned());
                add(a, b);
            }
            (Partial::Agreement(sa, na), Partial::Agreement(sb, nb))
            | (Partial::Share(sa, na), Partial::Share(sb, nb)) => {
                *sa += sb;
                *na += nb;
            }
            (Partial::Temporal(_, ma, da), Partial::Temporal(_, mb, db)) => {
                ma.merge(mb);
                da.merge(db);
            }
            (Partial::Matching(_, a), Partial::Matching(_, b)) => a.merge(b),
            _ => {}
        }
    }

    /// The statistic over every part merged in.
    pub fn finish(&self) -> Option<f64> {
        match self {
            Partial::Alpha(level, coincidences) => coincidences.alpha(*level),
            Partial::Kappa(weights, raters, pairs) => {
                if raters.len() != 2 {
                    return None;
                }
                agreement::kappa_of_pairs(pairs, *weights)
            }
            Partial::Fleiss(coincidences) => coincidences.fleiss(),
            Partial::Agreement(sum, units) | Partial::Share(sum, units) => {
                (*units > 0.0).then(|| sum / units)
            }
            Partial::Temporal(function, matching, error) => function.of_parts(matching, error),
            Partial::Matching(function, parts) => function.of_parts(parts),
        }
    }
}

/// How each rater rated, against the other raters of the same units: the ratings they gave,
/// how often they differ from a unit's majority (units whose majority is tied, or who have a
/// single rating, are not compared), and their labels. Parts merge by adding, like
/// [`Partial`].
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RaterStats {
    /// Per rater, in label order. A data set has a handful of raters and every item adds a
    /// part, so short sorted lists serve better than maps.
    pub raters: Vec<(Label, RaterRow)>,
}

/// One rater's counts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RaterRow {
    /// Ratings given.
    pub ratings: f64,
    /// Ratings on units with a clear majority among the other raters' and their own ratings.
    pub compared: f64,
    /// Of those, ratings that differ from the majority.
    pub disagreements: f64,
    /// Ratings per label, in label order.
    pub labels: Vec<(Label, f64)>,
}

/// The entry of `key` in a list sorted by key, added (with the default) if missing.
pub(crate) fn entry<'a, K: Ord + Clone, T: Default>(
    list: &'a mut Vec<(K, T)>,
    key: &K,
) -> &'a mut T {
    let at = match list.binary_search_by(|(k, _)| k.cmp(key)) {
        Ok(at) => at,
        Err(at) => {
            list.insert(at, (key.clone(), T::default()));
            at
        }
    };
    &mut list[at].1
}

impl RaterStats {
    /// The counts of some ratings.
    pub fn of(ratings: &Ratings) -> RaterStats {
        Self::compared_with(ratings, |unit| {
            if unit.len() < 2 {
                return None;
            }
            majority(unit.iter().map(|&(_, v)| v))
        })
    }

    /// The counts of some ratings, each compared with the gold rater's rating of its unit
    /// (units the gold rater did not rate are not compared).
    pub fn against(ratings: &Ratings, gold: &Label) -> RaterStats {
        let gold = ratings.raters.iter().position(|r| r == gold);
        Self::compared_with(ratings, |unit| {
            let gold = gold? as u32;
            unit.iter().find(|&&(r, _)| r == gold).map(|&(_, v)| v)
        })
    }

    /// The counts, each rating compared with the reference value of its unit, if any.
    fn compared_with(
        ratings: &Ratings,
        reference: impl Fn(&RaterValues) -> Option<u32>,
    ) -> RaterStats {
        let values = ratings.values.len();
        let mut rows = vec![RaterRow::default(); ratings.raters.len()];
        let mut labels = vec![0.0f64; ratings.raters.len() * values];
        for unit in &ratings.units {
            let reference = reference(unit);
            for &(rater, value) in unit {
                let row = &mut rows[rater as usize];
                row.ratings += 1.0;
                labels[rater as usize * values + value as usize] += 1.0;
                if let Some(m) = reference {
                    row.compared += 1.0;
                    row.disagreements += f64::from(u8::from(value != m));
                }
            }
        }
        let (rank, sorted_values) = sorted(&ratings.values);
        let mut by_rank = vec![0usize; values];
        for (code, &r) in rank.iter().enumerate() {
            by_rank[r] = code;
        }
        let mut raters: Vec<(Label, RaterRow)> = rows
            .into_iter()
            .enumerate()
            .map(|(rater, mut row)| {
                row.labels = by_rank
                    .iter()
                    .zip(&sorted_values)
                    .filter_map(|(&code, label)| {
                        let n = labels[rater * values + code];
                        (n > 0.0).then(|| (label.clone(), n))
                    })
                    .collect();
                (ratings.raters[rater].clone(), row)
            })
            .collect();
        raters.sort_by(|a, b| a.0.cmp(&b.0));
        RaterStats { raters }
    }

    /// One rater's counts.
    pub fn row(&self, rater: &Label) -> Option<&RaterRow> {
        let at = self.raters.binary_search_by(|(r, _)| r.cmp(rater)).ok()?;
        Some(&self.raters[at].1)
    }

    /// Adds another part.
    pub fn merge(&mut self, other: &RaterStats) {
        for (rater, row) in &other.raters {
            let into = entry(&mut self.raters, rater);
            into.ratings += row.ratings;
            into.compared += row.compared;
            into.disagreements += row.disagreements;
            for (label, n) in &row.labels {
                *entry(&mut into.labels, label) += n;
            }
        }
    }

    /// Every rater's labels pooled.
    pub fn pool(&self) -> std::collections::BTreeMap<Label, f64> {
        let mut pool = std::collections::BTreeMap::new();
        for (_, row) in &self.raters {
            for (label, n) in &row.labels {
                *pool.entry(label.clone()).or_insert(0.0) += n;
            }
        }
        pool
    }
}

impl RaterRow {
    /// The share of compared ratings that differ from the majority.
    pub fn disagreement_rate(&self) -> Option<f64> {
        (self.compared > 0.0).then(|| self.disagreements / self.compared)
    }

    /// Total variation distance between this rater's label distribution and the pool's:
    /// 0 when they label in the same proportions, 1 when they share no label.
    pub fn distance_from(&self, pool: &std::collections::BTreeMap<Label, f64>) -> Option<f64> {
        let mine: f64 = self.labels.iter().map(|(_, n)| n).sum();
        let all: f64 = pool.values().sum();
        if mine == 0.0 || all == 0.0 {
            return None;
        }
        let half: f64 = pool
            .iter()
            .map(|(label, n)| {
                let own = self
                    .labels
                    .binary_search_by(|(l, _)| l.cmp(label))
                    .map_or(0.0, |at| self.labels[at].1);
                (own / mine - n / all).abs()
            })
            .sum();
        Some(half / 2.0)
    }
}

/// The value most ratings of a unit give, or `None` on a tie.
fn majority(values: impl Iterator<Item = u32>) -> Option<u32> {
    let mut counts: smallvec::SmallVec<[(u32, usize); 8]> = smallvec::SmallVec::new();
    for v in values {
        match counts.iter_mut().find(|(l, _)| *l == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    let mut top = counts.iter().filter(|(_, n)| *n == best);
    let first = top.next()?;
    top.next().is_none().then_some(first.0)
}

/// One item's (or the merged data set's) part of a streamed statistic, with the raters'
/// counts behind it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// The statistic's sums.
    pub statistic: Partial,
    /// The raters' counts.
    pub raters: RaterStats,
}

impl Part {
    /// The part of `statistic` that `ratings` contribute.
    pub fn of(statistic: Statistic, ratings: &Ratings) -> Part {
        Part {
            statistic: Partial::of(statistic, ratings),
            raters: RaterStats::of(ratings),
        }
    }

    /// The part of the same statistic that adds nothing.
    pub fn neutral(&self) -> Part {
        Part {
            statistic: self.statistic.neutral(),
            raters: RaterStats::default(),
        }
    }

    /// Adds another part of the same statistic.
    pub fn merge(&mut self, other: &Part) {
        self.statistic.merge(&other.statistic);
        self.raters.merge(&other.raters);
    }
}
