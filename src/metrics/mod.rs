//! Agreement and annotator-quality statistics, computed exactly as the reference
//! implementations the field uses (scikit-learn, statsmodels, the `krippendorff` package,
//! pyannote.metrics), so a threshold means the same in a rule as in a notebook.
//!
//! Each function takes plain data — labels per unit and rater, or segments — and returns a
//! number; `None` where the statistic is undefined (no pairable data, a zero denominator).
//! `tests/metrics/` holds the reference values these are checked against.

pub mod agreement;
pub mod matching;
mod parts;
pub mod temporal;

pub use parts::{Part, Partial, RaterRow, RaterStats};

use std::cmp::Ordering;

/// A rating: a category (text) or a number. Numbers order before texts; numbers by value,
/// texts by code point, as the reference implementations sort labels.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Label {
    /// A number (a score, a count, an ordinal level).
    Num(f64),
    /// A category (in line when short, else shared, so gathering ratings copies no text).
    Text(smol_str::SmolStr),
}

impl Label {
    fn rank(&self) -> u8 {
        match self {
            Label::Num(_) => 0,
            Label::Text(_) => 1,
        }
    }

    /// The number, for interval and ratio data.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Label::Num(n) => Some(*n),
            Label::Text(_) => None,
        }
    }
}

/// Equality is the order's: numbers are equal when their bits are (so `-0` and `0` differ,
/// as they sort), which keeps hashing consistent.
impl PartialEq for Label {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Label::Num(a), Label::Num(b)) => a.to_bits() == b.to_bits(),
            // Labels read from data share their text, so most equal labels are one allocation.
            (Label::Text(a), Label::Text(b)) => crate::value::same_text(a, b),
            _ => false,
        }
    }
}

impl Eq for Label {}

impl std::hash::Hash for Label {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Label::Num(n) => n.to_bits().hash(state),
            Label::Text(t) => t.hash(state),
        }
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Label::Num(a), Label::Num(b)) => a.total_cmp(b),
            // Byte order is code point order in UTF-8.
            (Label::Text(a), Label::Text(b)) => crate::value::text_order(a, b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The sorted distinct labels of some ratings. Ratings use a handful of values, so each is
/// looked for among those already seen before it is kept.
fn domain<'a>(labels: impl IntoIterator<Item = &'a Label>) -> Vec<Label> {
    let mut domain: Vec<Label> = Vec::new();
    for label in labels {
        if !domain.contains(label) {
            domain.push(label.clone());
        }
    }
    domain.sort();
    domain
}

/// The position of a label in a sorted domain.
fn index_of(domain: &[Label], label: &Label) -> usize {
    domain.binary_search(label).unwrap_or(0)
}

/// An agreement statistic a rule can compute (`alpha(…)`, `kappa(…)`, `fleiss(…)`,
/// `agreement(…)` in the language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Krippendorff's α at a level of measurement.
    Alpha(agreement::Level),
    /// Cohen's κ between the two raters of the ratings.
    Kappa(agreement::Weights),
    /// Fleiss' κ over the units with the most common number of ratings.
    Fleiss,
    /// Percent agreement.
    Agreement,
    /// One rater's share of ratings that differ from the unit's majority.
    Disagreement,
    /// Total variation distance between one rater's label distribution and the pool's.
    LabelDistance,
}

impl Statistic {
    /// The statistic's name in the language.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Alpha(_) => "alpha",
            Statistic::Kappa(_) => "kappa",
            Statistic::Fleiss => "fleiss",
            Statistic::Agreement => "agreement",
            Statistic::Disagreement => "disagreement",
            Statistic::LabelDistance => "label_distance",
        }
    }

    /// The option that chose the statistic's variant, when not the default (`ordinal`,
    /// `linear`): as a rule writes it.
    pub fn option(self) -> Option<&'static str> {
        use agreement::{Level, Weights};
        match self {
            Statistic::Alpha(Level::Ordinal) => Some("ordinal"),
            Statistic::Alpha(Level::Interval) => Some("interval"),
            Statistic::Alpha(Level::Ratio) => Some("ratio"),
            Statistic::Kappa(Weights::Linear) => Some("linear"),
            Statistic::Kappa(Weights::Quadratic) => Some("quadratic"),
            _ => None,
        }
    }

    /// Whether the statistic is one rater's (`disagreement(… for r)`).
    pub fn of_one_rater(self) -> bool {
        matches!(self, Statistic::Disagreement | Statistic::LabelDistance)
    }

    /// The statistic of one rater (`target`) of some ratings.
    pub fn compute_for(self, ratings: &Ratings, target: &Label) -> Option<f64> {
        self.compute_for_stats(ratings, &RaterStats::of(ratings), target)
    }

    /// [`Statistic::compute_for`] with each rater's counts of the ratings (`stats`) already
    /// made, as when one rater after another is asked about the same ratings.
    pub fn compute_for_stats(
        self,
        ratings: &Ratings,
        stats: &RaterStats,
        target: &Label,
    ) -> Option<f64> {
        let row = stats.row(target)?;
        match self {
            Statistic::Disagreement => row.disagreement_rate(),
            Statistic::LabelDistance => row.distance_from(&stats.pool()),
            other => other.compute(ratings),
        }
    }

    /// `disagreement(… for target against gold)`: the share of `target`'s ratings that
    /// differ from `gold`'s on the units both rated; the other statistics as [`Statistic::compute_for`].
    pub fn compute_against(self, ratings: &Ratings, target: &Label, gold: &Label) -> Option<f64> {
        match self {
            Statistic::Disagreement => RaterStats::against(ratings, gold)
                .row(target)?
                .disagreement_rate(),
            other => other.compute_for(ratings, target),
        }
    }

    /// The statistic of some ratings; `None` when it is undefined for them (kappa needs
    /// exactly two raters; every statistic needs a unit with two ratings).
    pub fn compute(self, ratings: &Ratings) -> Option<f64> {
        match self {
            Statistic::Alpha(level) => ratings.coincidences().alpha(level),
            Statistic::Agreement => agreement::percent_agreement(&ratings.units()),
            Statistic::Disagreement | Statistic::LabelDistance => None,
            Statistic::Fleiss => ratings.coincidences().fleiss(),
            Statistic::Kappa(weights) => {
                let (a, b) = ratings.two_raters()?;
                let (x, y) = ratings.pair(a, b);
                agreement::cohen_kappa(&x, &y, weights)
            }
        }
    }
}

/// Ratings gathered record by record: units in the order they first appear and, per unit,
/// each rater's first value (a rater who rates a unit twice counts once). Raters and values
/// are kept once each and referred to by their number, so a rating costs two small integers
/// and no copy of its texts.
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    /// The units, numbered in order of first appearance.
    unit_codes: indexmap::IndexSet<Label, rustc_hash::FxBuildHasher>,
    /// Per unit, its ratings as (rater, value) numbers.
    units: Vec<RaterValues>,
    /// The raters, numbered in order of first appearance.
    raters: Vec<Label>,
    /// The values, numbered in order of first appearance.
    values: Vec<Label>,
    /// The same raters and values hashed, once there are more than a few to search.
    rater_index: LabelIndex,
    value_index: LabelIndex,
}

/// Labels in the order of a list, hashed, for lists too long to search in place (crowds of
/// thousands of raters made every rating a scan of them all).
type LabelIndex = indexmap::IndexSet<Label, rustc_hash::FxBuildHasher>;

/// Up to this many labels, a list is searched in place: faster than hashing a short text.
const SEARCHED_IN_PLACE: usize = 16;

/// One unit's ratings as (rater, value) numbers, in the order given: a unit has a handful of
/// raters, so a short list searched in place beats a map per unit.
type RaterValues = smallvec::SmallVec<[(u32, u32); 4]>;

/// A label borrowed from the data, to find or add a rating without copying its text.
#[derive(Debug, Clone, Copy)]
pub enum LabelRef<'a> {
    /// A number.
    Num(f64),
    /// A text.
    Text(&'a str),
    /// A record's text, which copies cheaply: held in line when short, else shared.
    Shared(&'a smol_str::SmolStr),
}

impl LabelRef<'_> {
    fn to_label(self) -> Label {
        match self {
            LabelRef::Num(n) => Label::Num(n),
            LabelRef::Text(t) => Label::Text(t.into()),
            LabelRef::Shared(t) => Label::Text(t.clone()),
        }
    }

    /// The text, if it is one.
    fn text(&self) -> Option<&str> {
        match self {
            LabelRef::Num(_) => None,
            LabelRef::Text(t) => Some(t),
            LabelRef::Shared(t) => Some(t),
        }
    }
}

/// Hashes as the [`Label`] it stands for, so it finds one in a set.
impl std::hash::Hash for LabelRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            LabelRef::Num(n) => n.to_bits().hash(state),
            LabelRef::Text(t) => t.hash(state),
            LabelRef::Shared(t) => (**t).hash(state),
        }
    }
}

impl indexmap::Equivalent<Label> for LabelRef<'_> {
    fn equivalent(&self, key: &Label) -> bool {
        match (self, key) {
            (LabelRef::Num(a), Label::Num(b)) => a.to_bits() == b.to_bits(),
            (LabelRef::Num(_), _) => false,
            (text, Label::Text(b)) => text.text().is_some_and(|a| crate::value::same_text(a, b)),
            _ => false,
        }
    }
}

/// The number of `label` in `known`, added at the end if new. A short list is searched in
/// place; a longer one through `index`, which follows `known` (brought up to date here).
fn code_of(known: &mut Vec<Label>, index: &mut LabelIndex, label: LabelRef) -> u32 {
    let found = if known.len() <= SEARCHED_IN_PLACE {
        // The label's text is taken once, and compared with each known text in line.
        match label.text() {
            Some(text) => (known.iter())
                .position(|k| matches!(k, Label::Text(b) if crate::value::same_text(b, text))),
            None => (known.iter()).position(|k| indexmap::Equivalent::equivalent(&label, k)),
        }
    } else {
        index.extend(known[index.len()..].iter().cloned());
        index.get_index_of(&label)
    };
    let at = found.unwrap_or_else(|| {
        known.push(label.to_label());
        known.len() - 1
    });
    at as u32
}

impl Ratings {
    /// No ratings yet, with room for `n` of as many units.
    pub fn with_capacity(n: usize) -> Ratings {
        Ratings {
            unit_codes: indexmap::IndexSet::with_capacity_and_hasher(n, Default::default()),
            units: Vec::with_capacity(n),
            ..Ratings::default()
        }
    }

    /// Adds a rating.
    pub fn add(&mut self, unit: Label, rater: Label, value: Label) {
        self.add_ref(
            unit.as_label_ref(),
            rater.as_label_ref(),
            value.as_label_ref(),
        );
    }

    /// Adds a rating given by borrowed labels, copying a label's text only the first time it
    /// is seen.
    pub fn add_ref(&mut self, unit: LabelRef, rater: LabelRef, value: LabelRef) {
        let at = match self.unit_codes.get_index_of(&unit) {
            Some(at) => at,
            None => {
                self.unit_codes.insert(unit.to_label());
                self.units.push(RaterValues::new());
                self.units.len() - 1
            }
        };
        let rater = code_of(&mut self.raters, &mut self.rater_index, rater);
        if self.units[at].iter().any(|&(r, _)| r == rater) {
            return;
        }
        let value = code_of(&mut self.values, &mut self.value_index, value);
        self.units[at].push((rater, value));
    }

    /// How the units' values coincide: what α and Fleiss' κ sum over units.
    pub fn coincidences(&self) -> agreement::Coincidences {
        let units = (self.units.iter()).map(|unit| unit.iter().map(|&(_, v)| v));
        coincidences_of(&self.values, units)
    }

    /// The values of each unit.
    pub fn units(&self) -> Vec<Vec<Label>> {
        self.units
            .iter()
            .map(|u| u.iter().map(|&(_, v)| self.value(v).clone()).collect())
            .collect()
    }

    fn value(&self, code: u32) -> &Label {
        &self.values[code as usize]
    }

    /// The two raters in label order, when there are exactly two.
    fn two_raters(&self) -> Option<(u32, u32)> {
        match self.raters.as_slice() {
            [a, b] if a <= b => Some((0, 1)),
            [_, _] => Some((1, 0)),
            _ => None,
        }
    }

    /// Both raters' values on the units both rated, in unit order.
    fn pair(&self, a: u32, b: u32) -> (Vec<Label>, Vec<Label>) {
        self.units
            .iter()
            .filter_map(|u| {
                let of = |rater: u32| u.iter().find(|&&(r, _)| r == rater).map(|&(_, v)| v);
                Some((self.value(of(a)?).clone(), self.value(of(b)?).clone()))
            })
            .unzip()
    }
}

/// Counts how the units' values coincide straight from ratings read in place, for a run that
/// wants only α or Fleiss' κ of them: equal to [`Ratings::coincidences`] of the same ratings
/// (a rater's first rating of a unit counts), without copying a label or keeping the ratings.
#[derive(Debug, Default)]
pub struct Tally<'v> {
    /// The units in order of first appearance, each with its ratings as (rater, value number),
    /// one per rater.
    units: Vec<(LabelRef<'v>, TalliedRatings<'v>)>,
    /// Where each unit is in `units`, by its hash.
    places: hashbrown::HashTable<u32>,
    /// The values, numbered in order of first appearance.
    values: smallvec::SmallVec<[LabelRef<'v>; 8]>,
}

/// One unit's ratings in a [`Tally`]: a unit has a handful of raters.
type TalliedRatings<'v> = smallvec::SmallVec<[(LabelRef<'v>, u32); 4]>;

impl<'v> Tally<'v> {
    /// No ratings yet, with room for `n` of as many units.
    pub fn with_capacity(n: usize) -> Tally<'v> {
        Tally {
            units: Vec::with_capacity(n),
            places: hashbrown::HashTable::with_capacity(n),
            values: Default::default(),
        }
    }

    /// Adds a rating, unless its rater already rated its unit.
    pub fn add(&mut self, unit: LabelRef<'v>, rater: LabelRef<'v>, value: LabelRef<'v>) {
        let hash = label_hash(&unit);
        let units = &self.units;
        let found = (self.places).find(hash, |&at| same_label(&units[at as usize].0, &unit));
        let at = match found {
            Some(&at) => at as usize,
            None => {
                self.units.push((unit, TalliedRatings::new()));
                let units = &self.units;
                let rehash = |&at: &u32| label_hash(&units[at as usize].0);
                (self.places).insert_unique(hash, (units.len() - 1) as u32, rehash);
                self.units.len() - 1
            }
        };
        if (self.units[at].1.iter()).any(|(r, _)| same_label(r, &rater)) {
            return;
        }
        let code = match self.values.iter().position(|v| same_label(v, &value)) {
            Some(code) => code,
            None => {
                self.values.push(value);
                self.values.len() - 1
            }
        };
        self.units[at].1.push((rater, code as u32));
    }

    /// How the units' values coincide.
    pub fn finish(&self) -> agreement::Coincidences {
        let labels: Vec<Label> = self.values.iter().map(|v| v.to_label()).collect();
        let units = (self.units.iter()).map(|(_, ratings)| ratings.iter().map(|&(_, v)| v));
        coincidences_of(&labels, units)
    }
}

/// Whether two borrowed labels stand for the same [`Label`].
fn same_label(a: &LabelRef, b: &LabelRef) -> bool {
    match (a, b) {
        (LabelRef::Num(x), LabelRef::Num(y)) => x.to_bits() == y.to_bits(),
        (LabelRef::Num(_), _) | (_, LabelRef::Num(_)) => false,
        _ => a
            .text()
            .zip(b.text())
            .is_some_and(|(x, y)| crate::value::same_text(x, y)),
    }
}

/// A borrowed label's hash, as its [`Label`]'s.
fn label_hash(label: &LabelRef) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(label)
}

/// How units coincide, given each unit's values as numbers into `labels` (in any order).
fn coincidences_of<U>(labels: &[Label], units: impl Iterator<Item = U>) -> agreement::Coincidences
where
    U: Iterator<Item = u32>,
{
    let order = label_order(labels);
    let mut rank = vec![0usize; order.len()];
    for (position, &code) in order.iter().enumerate() {
        rank[code] = position;
    }
    let mut coincidences =
        agreement::Coincidences::over(order.iter().map(|&code| labels[code].clone()).collect());
    let mut counts = vec![0u32; order.len()];
    for unit in units {
        counts.iter_mut().for_each(|n| *n = 0);
        for value in unit {
            counts[rank[value as usize]] += 1;
        }
        coincidences.add_unit(&counts);
    }
    coincidences.pruned()
}

impl Label {
    /// A value as a rating label; missing values and lists give none.
    pub fn of_value(value: &crate::value::Value) -> Option<Label> {
        use crate::value::Value;
        match value {
            Value::Num(n) => Some(Label::Num(*n)),
            Value::Str(s) => Some(Label::Text(s.clone())),
            Value::Bool(b) => Some(Label::Text(b.to_string().into())),
            Value::Missing | Value::List(_) => None,
        }
    }

    /// The label borrowed.
    pub fn as_label_ref(&self) -> LabelRef<'_> {
        match self {
            Label::Num(n) => LabelRef::Num(*n),
            Label::Text(t) => LabelRef::Shared(t),
        }
    }
}

/// The labels' indexes in label order.
fn label_order(labels: &[Label]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
    order
}

/// Each label's position among the labels sorted, and the sorted labels.
fn sorted(labels: &[Label]) -> (Vec<usize>, Vec<Label>) {
    let order = label_order(labels);
    let mut rank = vec![0usize; order.len()];
    for (position, &code) in order.iter().enumerate() {
        rank[code] = position;
    }
    (rank, order.iter().map(|&c| labels[c].clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Ratings of a few units by a few raters, as (unit, rater, value), with values that sort
    /// differently from the order they first appear in.
    fn rating_list() -> impl Strategy<Value = Vec<(u8, u8, &'static str)>> {
        let rating = (
            0u8..6,
            0u8..5,
            prop::sample::select(vec!["c", "a", "b", "d"]),
        );
        prop::collection::vec(rating, 0..40)
    }

    fn gathered<'a>(list: impl IntoIterator<Item = &'a (u8, u8, &'static str)>) -> Ratings {
        let mut ratings = Ratings::default();
        for (unit, rater, value) in list {
            ratings.add(
                Label::Text(format!("u{unit}").into()),
                Label::Text(format!("r{rater}").into()),
                Label::Text((*value).into()),
            );
        }
        ratings
    }

    proptest! {
        #![proptest_config(crate::proptest_config(2000))]

        /// The coincidences of units split between two parts, merged in either order, are
        /// those of all the units: sums are exact, whichever values each part has.
        #[test]
        fn parts_add_up_to_the_whole(list in rating_list(), cut in 0u8..7) {
            let whole = gathered(&list).coincidences();
            let first = gathered(list.iter().filter(|r| r.0 < cut)).coincidences();
            let second = gathered(list.iter().filter(|r| r.0 >= cut)).coincidences();
            let mut forward = agreement::Coincidences::default();
            forward.merge(&first);
            forward.merge(&second);
            prop_assert_eq!(&forward, &whole);
            let mut backward = second.clone();
            backward.merge(&first);
            prop_assert_eq!(&backward, &whole);
        }

        /// Counting ratings straight into coincidences gives what gathering them first gives,
        /// whatever repeats: a rater rating a unit twice, numbers and texts mixed.
        #[test]
        fn a_tally_equals_the_gathered_ratings(list in rating_list(), numbers in prop::collection::vec(0u8..3, 0..40)) {
            let label = |i: usize, text: &'static str| match numbers.get(i) {
                Some(0) => Label::Num(f64::from(text.as_bytes()[0] % 3)),
                _ => Label::Text(text.into()),
            };
            let labelled: Vec<[Label; 3]> = list
                .iter()
                .enumerate()
                .map(|(i, (unit, rater, value))| {
                    [
                        Label::Text(format!("u{unit}").into()),
                        Label::Text(format!("r{rater}").into()),
                        label(i, value),
                    ]
                })
                .collect();
            let mut ratings = Ratings::default();
            let mut tally = Tally::default();
            for [unit, rater, value] in &labelled {
                ratings.add(unit.clone(), rater.clone(), value.clone());
                tally.add(unit.as_label_ref(), rater.as_label_ref(), value.as_label_ref());
            }
            prop_assert_eq!(tally.finish(), ratings.coincidences());
        }

        /// Fleiss' κ from the coincidences is statsmodels' formula over the units with the
        /// most common number of ratings.
        #[test]
        fn fleiss_from_coincidences_is_the_table_formula(list in rating_list()) {
            let ratings = gathered(&list);
            let units: Vec<Vec<Label>> = ratings.units().into_iter().filter(|u| u.len() >= 2).collect();
            let common = units
                .iter()
                .map(Vec::len)
                .max_by_key(|&n| (units.iter().filter(|u| u.len() == n).count(), n));
            let even: Vec<Vec<Label>> = units.iter().filter(|u| Some(u.len()) == common).cloned().collect();
            let want = agreement::fleiss_kappa(&even);
            let got = ratings.coincidences().fleiss();
            prop_assert_eq!(got.is_some(), want.is_some(), "{:?} against {:?}", got, want);
            if let (Some(got), Some(want)) = (got, want) {
                prop_assert!((got - want).abs() < 1e-12, "{} against {}", got, want);
            }
        }
    }
}
