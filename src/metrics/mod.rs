//! Agreement and annotator-quality statistics, computed exactly as the reference
//! implementations the field uses (scikit-learn, statsmodels, the `krippendorff` package,
//! pyannote.metrics), so a threshold means the same in a rule as in a notebook.
//!
//! Each function takes plain data — labels per unit and rater, or segments — and returns a
//! number; `None` where the statistic is undefined (no pairable data, a zero denominator).
//! `tests/metrics/` holds the reference values these are checked against.

pub mod agreement;
pub mod temporal;

use std::cmp::Ordering;

/// A rating: a category (text) or a number. Numbers order before texts; numbers by value,
/// texts by code point, as the reference implementations sort labels.
#[derive(Debug, Clone)]
pub enum Label {
    /// A number (a score, a count, an ordinal level).
    Num(f64),
    /// A category.
    Text(String),
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
        self.cmp(other) == Ordering::Equal
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
            (Label::Text(a), Label::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The sorted distinct labels of some ratings.
fn domain<'a>(labels: impl IntoIterator<Item = &'a Label>) -> Vec<Label> {
    let mut domain: Vec<Label> = labels.into_iter().cloned().collect();
    domain.sort();
    domain.dedup();
    domain
}

/// The position of a label in a sorted domain.
fn index_of(domain: &[Label], label: &Label) -> usize {
    domain.binary_search(label).unwrap_or(0)
}
