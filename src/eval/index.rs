//! Per-item indexes for joins: records of a kind hashed by a key, sorted by start, or both.
//!
//! An index is built the first time a rule probes it on an item and shared by every rule
//! after that. Records whose key is missing or NaN are left out of a hashed index, and
//! records with a missing start or end out of a sorted one: such records can never satisfy
//! the equality or relation that chose the index, and the plan keeps that conjunct as a
//! filter, so leaving them out changes nothing.

use crate::data::{Record, Value};
use crate::eval::time::Interval;
use crate::plan::{IndexKey, IndexSpec, Window};
use crate::schema::Schema;
use crate::syntax::ast::Relation;
use rustc_hash::FxHashMap;

/// A key as an index hashes it: equal keys are exactly the values `==` calls equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HashKey<'v> {
    /// Text.
    Str(&'v str),
    /// A number's bits, with `-0` as `0`, or a boolean.
    Other(Scalar),
}

/// A non-text key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scalar {
    Num(u64),
    Bool(bool),
}

impl<'v> HashKey<'v> {
    /// The key of a value, or `None` for a value that equals nothing (missing, NaN) or that
    /// is not a scalar.
    pub(crate) fn of(value: &'v Value) -> Option<HashKey<'v>> {
        match value {
            Value::Str(s) => Some(HashKey::Str(s)),
            Value::Num(n) if n.is_nan() => None,
            Value::Num(n) => Some(HashKey::Other(Scalar::Num((n + 0.0).to_bits()))),
            Value::Bool(b) => Some(HashKey::Other(Scalar::Bool(*b))),
            Value::Missing | Value::List(_) => None,
        }
    }
}

/// Records under one key, sorted by start when the index is sorted.
#[derive(Debug, Default)]
pub struct Bucket {
    members: Vec<u32>,
    starts: Vec<f64>,
    longest: f64,
}

impl Bucket {
    fn sort_by_start(&mut self, records: &[Record], span: (crate::schema::FieldId, crate::schema::FieldId)) {
        let (s, e) = span;
        self.members.retain(|&i| {
            let r = &records[i as usize];
            !(r.num(s).is_nan() || r.num(e).is_nan())
        });
        self.members
            .sort_by(|&a, &b| records[a as usize].num(s).total_cmp(&records[b as usize].num(s)).then(a.cmp(&b)));
        self.starts = self.members.iter().map(|&i| records[i as usize].num(s)).collect();
        self.longest = self
            .members
            .iter()
            .map(|&i| records[i as usize].num(e) - records[i as usize].num(s))
            .fold(0.0, f64::max);
    }

    /// The members whose start lies in `[lo, hi]`.
    fn window(&self, lo: f64, hi: f64) -> &[u32] {
        let from = self.starts.partition_point(|s| *s < lo);
        let to = self.starts.partition_point(|s| *s <= hi);
        if from < to {
            &self.members[from..to]
        } else {
            &[]
        }
    }
}

/// One index over one item.
#[derive(Debug)]
pub struct Index<'r> {
    text: FxHashMap<&'r str, Bucket>,
    other: FxHashMap<Scalar, Bucket>,
    all: Bucket,
    hashed: bool,
    by_start: bool,
}

impl<'r> Index<'r> {
    /// Builds the index `spec` over an item's records of its kind (`members`, in input order).
    pub fn build(spec: &IndexSpec, schema: &Schema, records: &'r [Record], members: &[u32]) -> Self {
        let span = schema.kind(spec.kind).interval;
        let mut index = Index {
            text: FxHashMap::default(),
            other: FxHashMap::default(),
            all: Bucket::default(),
            hashed: spec.key.is_some(),
            by_start: spec.by_start && span.is_some(),
        };
        match spec.key {
            None => index.all.members = members.to_vec(),
            Some(key) => {
                for &i in members {
                    let r = &records[i as usize];
                    let value = match key {
                        IndexKey::Field(f) => r.get(f),
                        IndexKey::Id => {
                            index.text.entry(&r.id).or_default().members.push(i);
                            continue;
                        }
                    };
                    match HashKey::of(value) {
                        Some(HashKey::Str(s)) => index.text.entry(s).or_default().members.push(i),
                        Some(HashKey::Other(k)) => index.other.entry(k).or_default().members.push(i),
                        None => {}
                    }
                }
            }
        }
        if let (true, Some(span)) = (index.by_start, span) {
            index.all.sort_by_start(records, span);
            for bucket in index.text.values_mut().chain(index.other.values_mut()) {
                bucket.sort_by_start(records, span);
            }
        }
        index
    }

    /// The candidates for a key (when hashed) and a window around a bound interval (when
    /// sorted): a superset of the records that can satisfy both.
    /// A hashed index with no key (a missing or NaN value) finds nothing.
    pub(crate) fn probe<'s>(
        &'s self,
        key: Option<HashKey>,
        window: Option<(&Window, Interval)>,
    ) -> &'s [u32] {
        let bucket = if self.hashed {
            let found = match key {
                Some(HashKey::Str(s)) => self.text.get(s),
                Some(HashKey::Other(k)) => self.other.get(&k),
                None => None,
            };
            match found {
                Some(b) => b,
                None => return &[],
            }
        } else {
            &self.all
        };
        match window {
            Some((w, other)) if self.by_start => match start_range(w, other, bucket.longest) {
                Some((lo, hi)) => bucket.window(lo, hi),
                None => &[],
            },
            _ => &bucket.members,
        }
    }
}

/// The range of start times a candidate `x` can have for `x rel other` to hold, given the
/// longest candidate in the bucket. Every relation but `before` and `after` implies that the
/// two intervals touch or share time within the tolerance `d`, so `x.start` lies in
/// `[other.start - |d| - longest, other.end + |d|]`; the bounds are widened by a relative
/// 1e-9 so that rounding in the relation's own arithmetic can never exclude a match.
/// `None` when `other` has no time span (then no relation holds).
fn start_range(w: &Window, other: Interval, longest: f64) -> Option<(f64, f64)> {
    if other.start.is_nan() || other.end.is_nan() {
        return None;
    }
    let d = w.tolerance.map_or(0.0, f64::abs);
    let (lo, hi) = match w.rel {
        Relation::Before => (f64::NEG_INFINITY, other.start + d),
        Relation::After => (other.end - d, f64::INFINITY),
        _ => (other.start - d - longest, other.end + d),
    };
    let widen = |x: f64| (x.abs() + 1.0) * 1e-9;
    Some((lo - widen(lo), hi + widen(hi)))
}
