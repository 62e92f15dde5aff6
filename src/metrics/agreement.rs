//! Inter-annotator agreement over categorical and numeric ratings.
//!
//! Ratings are given as units (the things rated), each a list of `(rater, label)`; a rater
//! who did not rate a unit is simply absent from it.

use super::{domain, index_of, Label};

/// Ratings of units by raters. A unit lists each rating once.
pub type Units = [Vec<Label>];

/// Percent agreement: over units with at least two ratings, the share of agreeing pairs of
/// ratings, averaged over units. For two raters, the share of units they label alike.
pub fn percent_agreement(units: &Units) -> Option<f64> {
    let mut total = 0.0;
    let mut counted = 0usize;
    for unit in units.iter().filter(|u| u.len() >= 2) {
        let n = unit.len();
        let mut agreeing = 0usize;
        for i in 0..n {
            for j in i + 1..n {
                agreeing += usize::from(unit[i] == unit[j]);
            }
        }
        total += agreeing as f64 / (n * (n - 1) / 2) as f64;
        counted += 1;
    }
    (counted > 0).then(|| total / counted as f64)
}

/// How disagreements between ordered categories weigh in Cohen's κ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Weights {
    /// Every disagreement weighs 1.
    Unweighted,
    /// By the distance between the categories' positions.
    Linear,
    /// By the squared distance.
    Quadratic,
}

/// Cohen's κ between two raters who rated the same units (`a[i]` and `b[i]` rate unit i),
/// as scikit-learn's `cohen_kappa_score`: categories are the sorted union of both raters'
/// labels, and weighted variants weigh by their positions in that order.
pub fn cohen_kappa(a: &[Label], b: &[Label], weights: Weights) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let mut pairs = std::collections::BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *pairs.entry((x.clone(), y.clone())).or_insert(0.0) += 1.0;
    }
    kappa_of_pairs(&pairs, weights)
}

/// Cohen's κ from counts of (first rater's label, second rater's label) pairs.
pub(crate) fn kappa_of_pairs(
    pairs: &std::collections::BTreeMap<(Label, Label), f64>,
    weights: Weights,
) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let labels = domain(pairs.keys().flat_map(|(x, y)| [x, y]));
    let k = labels.len();
    let mut confusion = vec![0.0f64; k * k];
    for ((x, y), n) in pairs {
        confusion[index_of(&labels, x) * k + index_of(&labels, y)] += n;
    }
    let rows: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| confusion[i * k + j]).sum())
        .collect();
    let columns: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| confusion[i * k + j]).sum())
        .collect();
    let total: f64 = columns.iter().sum();
    let weight = |i: usize, j: usize| {
        let d = (i as f64 - j as f64).abs();
        match weights {
            Weights::Unweighted => f64::from(u8::from(i != j)),
            Weights::Linear => d,
            Weights::Quadratic => d * d,
        }
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for i in 0..k {
        for j in 0..k {
            let w = weight(i, j);
            observed += w * confusion[i * k + j];
            expected += w * columns[i] * rows[j] / total;
        }
    }
    (expected != 0.0).then(|| 1.0 - observed / expected)
}

/// Fleiss' κ, as statsmodels' `fleiss_kappa` (method `fleiss`) computes it from the table of
/// counts per unit and category. Every unit needs the same number of ratings (at least two);
/// `None` otherwise.
pub fn fleiss_kappa(units: &Units) -> Option<f64> {
    let labels = domain(units.iter().flatten());
    let k = labels.len();
    let first = units.first()?.len();
    if k == 0 || units.iter().any(|u| u.len() != first) {
        return None;
    }
    let mut table = vec![0.0f64; units.len() * k];
    for (u, unit) in units.iter().enumerate() {
        for label in unit {
            table[u * k + index_of(&labels, label)] += 1.0;
        }
    }
    let total: f64 = table.iter().sum();
    let raters = units.iter().map(Vec::len).max().unwrap_or(0) as f64;
    if raters < 2.0 {
        return None;
    }
    let categories: Vec<f64> = (0..k)
        .map(|c| (0..units.len()).map(|u| table[u * k + c]).sum::<f64>() / total)
        .collect();
    let per_unit: Vec<f64> = (0..units.len())
        .map(|u| {
            let squares: f64 = (0..k).map(|c| table[u * k + c] * table[u * k + c]).sum();
            (squares - raters) / (raters * (raters - 1.0))
        })
        .collect();
    let observed = per_unit.iter().sum::<f64>() / units.len() as f64;
    let expected: f64 = categories.iter().map(|p| p * p).sum();
    (expected != 1.0).then(|| (observed - expected) / (1.0 - expected))
}

/// The level of measurement of Krippendorff's α: which differences between values count,
/// and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Level {
    /// Any difference counts 1.
    Nominal,
    /// By how many ratings lie between the two values.
    Ordinal,
    /// By the squared difference.
    Interval,
    /// By the squared difference relative to the sum.
    Ratio,
}

/// Krippendorff's α, as the `krippendorff` package computes it: coincidences within each unit
/// with at least two ratings, expected coincidences from the pooled values, and the level's
/// distance between values. Missing ratings are simply absent.
pub fn krippendorff_alpha(units: &Units, level: Level) -> Option<f64> {
    coincidences(units).alpha(level)
}

/// How the values of `units` coincide.
pub(crate) fn coincidences(units: &Units) -> Coincidences {
    let values = domain(units.iter().flatten());
    let coded = (units.iter()).map(|u| u.iter().map(|l| index_of(&values, l) as u32));
    super::coincidences_of(&values, coded)
}

/// How the values of units coincide, summed over units by their number of ratings: what
/// Krippendorff's α and Fleiss' κ both sum over units, so one part of a data set serves both.
/// The sums are integers, so parts add up exactly and in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Coincidences {
    /// The values of units with two or more ratings, sorted and distinct.
    values: Vec<Label>,
    /// Per number of ratings on a unit (two or more), in increasing order.
    sizes: Vec<SizeSums>,
}

/// The sums over the units with one number of ratings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct SizeSums {
    /// Ratings per unit.
    ratings: u32,
    /// Units.
    units: u64,
    /// For each pair of values (c, k), row by row over the values: the sum over units of
    /// `n_c · n_k`, less `n_c` when c = k, where `n_c` is how many of a unit's ratings are c.
    /// Divided by one less than the ratings, these are α's coincidences; the diagonal is what
    /// Fleiss' κ counts as agreeing pairs, and a row sums to the value's ratings times that.
    pairs: Vec<u64>,
}

impl Coincidences {
    /// No units yet, over `values` (sorted and distinct) that [`Coincidences::add_unit`]
    /// counts by position.
    pub(crate) fn over(values: Vec<Label>) -> Coincidences {
        Coincidences {
            values,
            sizes: Vec::new(),
        }
    }

    /// Adds a unit given as how many of its ratings are each value (by position in the
    /// values). A unit with fewer than two ratings has nothing to pair and adds nothing.
    pub(crate) fn add_unit(&mut self, counts: &[u32]) {
        let ratings: u32 = counts.iter().sum();
        if ratings < 2 {
            return;
        }
        let v = self.values.len();
        let size = self.size_mut(ratings);
        size.units += 1;
        for (c, &nc) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            for (k, &nk) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
                let same = if c == k { nc } else { 0 };
                size.pairs[c * v + k] += u64::from(nc * nk - same);
            }
        }
    }

    /// The same sums without the values that no unit with two or more ratings has.
    pub(crate) fn pruned(self) -> Coincidences {
        let v = self.values.len();
        let rated = |c: &usize| {
            (self.sizes.iter()).any(|s| s.pairs[c * v..(c + 1) * v].iter().any(|&n| n > 0))
        };
        // Every item's part comes through here: most have nothing to prune.
        if (0..v).all(|c| rated(&c)) {
            return self;
        }
        let kept = (0..v)
            .filter(rated)
            .map(|c| self.values[c].clone())
            .collect();
        let mut out = Coincidences::over(kept);
        out.merge(&self);
        out
    }

    /// Adds another part's sums.
    pub fn merge(&mut self, other: &Coincidences) {
        if self.values == other.values {
            // Most parts have the values seen before: the sums add cell by cell.
            for size in &other.sizes {
                let into = self.size_mut(size.ratings);
                into.units += size.units;
                for (sum, n) in into.pairs.iter_mut().zip(&size.pairs) {
                    *sum += n;
                }
            }
            return;
        }
        self.widen(&other.values);
        let at: Vec<usize> = (other.values.iter())
            .map(|label| index_of(&self.values, label))
            .collect();
        let (v, w) = (self.values.len(), other.values.len());
        for size in &other.sizes {
            let into = self.size_mut(size.ratings);
            into.units += size.units;
            for (c, k) in (0..w).flat_map(|c| (0..w).map(move |k| (c, k))) {
                into.pairs[at[c] * v + at[k]] += size.pairs[c * w + k];
            }
        }
    }

    /// The sums of units with `ratings` ratings, added (empty) if there are none yet.
    fn size_mut(&mut self, ratings: u32) -> &mut SizeSums {
        let v = self.values.len();
        let at = match self.sizes.binary_search_by_key(&ratings, |s| s.ratings) {
            Ok(at) => at,
            Err(at) => {
                let pairs = vec![0; v * v];
                self.sizes.insert(
                    at,
                    SizeSums {
                        ratings,
                        units: 0,
                        pairs,
                    },
                );
                at
            }
        };
        &mut self.sizes[at]
    }

    /// Makes room for `more` values (sorted), moving the sums to the values' new positions.
    fn widen(&mut self, more: &[Label]) {
        let mut values = self.values.clone();
        values.extend(
            more.iter()
                .filter(|l| self.values.binary_search(l).is_err())
                .cloned(),
        );
        values.sort();
        values.dedup();
        if values.len() == self.values.len() {
            return;
        }
        let at: Vec<usize> = (self.values.iter())
            .map(|label| index_of(&values, label))
            .collect();
        let (old, new) = (self.values.len(), values.len());
        for size in &mut self.sizes {
            let mut pairs = vec![0; new * new];
            for (c, k) in (0..old).flat_map(|c| (0..old).map(move |k| (c, k))) {
                pairs[at[c] * new + at[k]] = size.pairs[c * old + k];
            }
            size.pairs = pairs;
        }
        self.values = values;
    }

    /// Krippendorff's α at `level`.
    pub fn alpha(&self, level: Level) -> Option<f64> {
        let v = self.values.len();
        if v == 0 {
            return None;
        }
        let mut observed = vec![0.0f64; v * v];
        for size in &self.sizes {
            let pairable = f64::from(size.ratings - 1);
            for (o, &n) in observed.iter_mut().zip(&size.pairs) {
                *o += n as f64 / pairable;
            }
        }
        alpha_from_coincidences(&observed, &self.values, level)
    }

    /// Fleiss' κ over the units with the most common number of ratings (the larger number on
    /// a tie), as [`fleiss_kappa`] computes it for those units alone.
    pub fn fleiss(&self) -> Option<f64> {
        let size = (self.sizes.iter()).max_by_key(|s| (s.units, s.ratings))?;
        let v = self.values.len();
        let m = u64::from(size.ratings);
        let totals: Vec<u64> = (0..v)
            .map(|c| size.pairs[c * v..(c + 1) * v].iter().sum::<u64>() / (m - 1))
            .collect();
        let total: u64 = totals.iter().sum();
        if size.units == 0 || total == 0 {
            return None;
        }
        let agreeing: u64 = (0..v).map(|c| size.pairs[c * v + c]).sum();
        let observed = agreeing as f64 / (m * (m - 1)) as f64 / size.units as f64;
        let expected: f64 = (totals.iter())
            .map(|&n| (n as f64 / total as f64) * (n as f64 / total as f64))
            .sum();
        (expected != 1.0).then(|| (observed - expected) / (1.0 - expected))
    }
}

/// α from the observed coincidence matrix (`values` sorted and distinct).
fn alpha_from_coincidences(observed: &[f64], values: &[Label], level: Level) -> Option<f64> {
    let v = values.len();
    let numeric: Vec<f64> = values
        .iter()
        .map(|l| l.as_num().unwrap_or(f64::NAN))
        .collect();
    if matches!(level, Level::Interval | Level::Ratio) && numeric.iter().any(|n| n.is_nan()) {
        return None;
    }
    let marginals: Vec<f64> = (0..v)
        .map(|c| (0..v).map(|k| observed[k * v + c]).sum())
        .collect();
    let n: f64 = marginals.iter().sum();
    if n <= 1.0 {
        return None;
    }
    let distance = |c: usize, k: usize| -> f64 {
        match level {
            Level::Nominal => f64::from(u8::from(c != k)),
            Level::Ordinal => {
                let (lo, hi) = if c <= k { (c, k) } else { (k, c) };
                let between: f64 = marginals[lo..=hi].iter().sum();
                let d = between - (marginals[lo] + marginals[hi]) / 2.0;
                d * d
            }
            Level::Interval => {
                let d = numeric[c] - numeric[k];
                d * d
            }
            Level::Ratio => {
                let sum = numeric[c] + numeric[k];
                let d = if sum == 0.0 {
                    0.0
                } else {
                    (numeric[c] - numeric[k]) / sum
                };
                d * d
            }
        }
    };
    let mut disagreement = 0.0;
    let mut expected = 0.0;
    for c in 0..v {
        for k in 0..v {
            let d = distance(c, k);
            disagreement += observed[c * v + k] * d;
            let random = marginals[c] * marginals[k] - if c == k { marginals[c] } else { 0.0 };
            expected += random / (n - 1.0) * d;
        }
    }
    (expected != 0.0).then(|| 1.0 - disagreement / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(labels: &[&str]) -> Vec<Label> {
        labels.iter().map(|l| Label::Text((*l).into())).collect()
    }

    #[test]
    fn kappa_of_perfect_and_chance_agreement() {
        let a = texts(&["x", "y", "x", "y"]);
        assert_eq!(cohen_kappa(&a, &a, Weights::Unweighted), Some(1.0));
        let b = texts(&["x", "x", "y", "y"]);
        assert_eq!(cohen_kappa(&a, &b, Weights::Unweighted), Some(0.0));
    }

    #[test]
    fn alpha_of_krippendorffs_own_example_is_known() {
        // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": four raters,
        // twelve units, some ratings missing.
        let n = |x: f64| Label::Num(x);
        let units: Vec<Vec<Label>> = vec![
            vec![n(1.0), n(1.0), n(1.0)],
            vec![n(2.0), n(2.0), n(3.0), n(2.0)],
            vec![n(3.0), n(3.0), n(3.0), n(3.0)],
            vec![n(3.0), n(3.0), n(3.0), n(3.0)],
            vec![n(2.0), n(2.0), n(2.0), n(2.0)],
            vec![n(1.0), n(2.0), n(3.0), n(4.0)],
            vec![n(4.0), n(4.0), n(4.0), n(4.0)],
            vec![n(1.0), n(1.0), n(2.0), n(1.0)],
            vec![n(2.0), n(2.0), n(2.0), n(2.0)],
            vec![n(5.0), n(5.0), n(5.0)],
            vec![n(1.0), n(1.0)],
            vec![n(3.0)],
        ];
        // The `krippendorff` package gives these for the same data.
        let expected = [
            (Level::Nominal, 0.743421052631579),
            (Level::Ordinal, 0.8153875037548814),
            (Level::Interval, 0.8491071428571428),
            (Level::Ratio, 0.7974027747116121),
        ];
        for (level, want) in expected {
            let alpha = krippendorff_alpha(&units, level).unwrap_or(f64::NAN);
            assert!((alpha - want).abs() < 1e-12, "{level:?}: {alpha}");
        }
    }
}
