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

/// What Fleiss' κ sums over units with the same number of ratings: how many units, the sum
/// of their per-unit agreement, and the ratings per category. Parts merge by adding.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FleissPart {
    /// Units.
    pub units: f64,
    /// Sum over units of (Σ n_uc² − n) / (n (n − 1)).
    pub agreement: f64,
    /// Ratings per category, in category order.
    pub categories: Vec<(Label, f64)>,
}

impl FleissPart {
    /// Adds one unit with `n` ratings.
    pub fn add_unit(&mut self, unit: &[&Label]) {
        let n = unit.len() as f64;
        let mut squares = 0.0;
        for (i, v) in unit.iter().enumerate() {
            if unit[..i].contains(v) {
                continue;
            }
            let count = unit[i..].iter().filter(|l| *l == v).count() as f64;
            squares += count * count;
            *super::entry(&mut self.categories, v) += count;
        }
        self.units += 1.0;
        self.agreement += (squares - n) / (n * (n - 1.0));
    }

    /// Adds one unit of `n` ratings, given as the number of ratings of each category (indexed
    /// like `totals`, which gathers them for [`FleissPart::set_categories`]).
    pub(crate) fn add_counts(&mut self, n: usize, counts: &[f64], totals: &mut [f64]) {
        let n = n as f64;
        let squares: f64 = counts.iter().map(|c| c * c).sum();
        for (total, count) in totals.iter_mut().zip(counts) {
            *total += count;
        }
        self.units += 1.0;
        self.agreement += (squares - n) / (n * (n - 1.0));
    }

    /// The categories' totals, as [`FleissPart::add_counts`] gathered them: `totals[i]` is
    /// `labels[i]`'s, and `order` lists the labels' indexes in label order.
    pub(crate) fn set_categories(&mut self, labels: &[Label], order: &[usize], totals: &[f64]) {
        self.categories = order
            .iter()
            .filter(|&&i| totals[i] > 0.0)
            .map(|&i| (labels[i].clone(), totals[i]))
            .collect();
    }

    /// Adds another part of the same number of ratings.
    pub fn merge(&mut self, other: &FleissPart) {
        self.units += other.units;
        self.agreement += other.agreement;
        for (c, n) in &other.categories {
            *super::entry(&mut self.categories, c) += n;
        }
    }

    /// Fleiss' κ of the units added.
    pub fn kappa(&self) -> Option<f64> {
        let total: f64 = self.categories.iter().map(|(_, n)| n).sum();
        if self.units == 0.0 || total == 0.0 {
            return None;
        }
        let observed = self.agreement / self.units;
        let expected: f64 = self
            .categories
            .iter()
            .map(|(_, n)| (n / total) * (n / total))
            .sum();
        (expected != 1.0).then(|| (observed - expected) / (1.0 - expected))
    }
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
    let values = domain(units.iter().flatten());
    let coded: Vec<Vec<usize>> = units
        .iter()
        .map(|u| u.iter().map(|l| index_of(&values, l)).collect())
        .collect();
    alpha_of_codes(&coded, &values, level)
}

/// Krippendorff's α of units given as positions in `values` (sorted, distinct).
pub(crate) fn alpha_of_codes(units: &[Vec<usize>], values: &[Label], level: Level) -> Option<f64> {
    let v = values.len();
    if v == 0 {
        return None;
    }
    let numeric: Vec<f64> = values
        .iter()
        .map(|l| l.as_num().unwrap_or(f64::NAN))
        .collect();
    if matches!(level, Level::Interval | Level::Ratio) && numeric.iter().any(|n| n.is_nan()) {
        return None;
    }
    let mut observed = vec![0.0f64; v * v];
    for unit in units.iter().filter(|u| u.len() >= 2) {
        let mut counts = vec![0.0f64; v];
        for &code in unit {
            counts[code] += 1.0;
        }
        let pairable = unit.len() as f64 - 1.0;
        for c in 0..v {
            for k in 0..v {
                let same = if c == k { counts[c] } else { 0.0 };
                observed[c * v + k] += (counts[c] * counts[k] - same) / pairable;
            }
        }
    }
    alpha_from_coincidences(&observed, values, level)
}

/// The coincidences some units add, by pair of values that occur in a unit with two or more
/// ratings (both orders; pairs that never coincide add 0): what α sums over units, so that
/// the units of several items can be summed apart and merged. Units are given as positions
/// in `values`, as [`alpha_of_codes`] takes them; cells add up in unit order. Appends to
/// `out` in pair order, `values` being sorted.
pub(crate) fn coincidences_of_codes<U>(
    units: impl IntoIterator<Item = U>,
    values: &[Label],
    out: &mut Vec<((Label, Label), f64)>,
) where
    U: ExactSizeIterator<Item = usize>,
{
    let v = values.len();
    let mut observed = vec![0.0f64; v * v];
    let mut present = vec![false; v];
    let mut counts = vec![0.0f64; v];
    for unit in units.into_iter().filter(|u| u.len() >= 2) {
        counts.iter_mut().for_each(|n| *n = 0.0);
        let size = unit.len();
        for code in unit {
            counts[code] += 1.0;
            present[code] = true;
        }
        let pairable = size as f64 - 1.0;
        for c in (0..v).filter(|&c| counts[c] > 0.0) {
            for k in (0..v).filter(|&k| counts[k] > 0.0) {
                let same = if c == k { counts[c] } else { 0.0 };
                observed[c * v + k] += (counts[c] * counts[k] - same) / pairable;
            }
        }
    }
    for c in (0..v).filter(|&c| present[c]) {
        for k in (0..v).filter(|&k| present[k]) {
            out.push(((values[c].clone(), values[k].clone()), observed[c * v + k]));
        }
    }
}

/// Krippendorff's α from summed coincidences by pair of values (sorted by pair).
pub(crate) fn alpha_of_coincidences(pairs: &[((Label, Label), f64)], level: Level) -> Option<f64> {
    let values = domain(pairs.iter().flat_map(|((a, b), _)| [a, b]));
    let v = values.len();
    let mut observed = vec![0.0f64; v * v];
    for ((a, b), n) in pairs {
        observed[index_of(&values, a) * v + index_of(&values, b)] += n;
    }
    if v == 0 {
        return None;
    }
    alpha_from_coincidences(&observed, &values, level)
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
