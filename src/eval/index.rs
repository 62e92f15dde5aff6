//! Per-item indexes for joins: records of a kind hashed by a key, sorted by start, or both.
//!
//! An index is built the first time a rule probes it on an item and shared by every rule
//! after that. Records whose key is missing or NaN are left out of a hashed index, and
//! records with a missing start or end out of a sorted one: such records can never satisfy
//! the equality or relation that chose the index, and the plan keeps that conjunct as a
//! filter, so leaving them out changes nothing.

use super::view::ArenaVec;
use crate::data::{Record, Value};
use crate::ops::time::Interval;
use crate::ops::Relation;
use crate::plan::{IndexKey, IndexSpec, Window};
use crate::schema::Schema;

/// A hash map in an item's arena.
type ArenaMap<'r, K> = hashbrown::HashMap<K, u32, rustc_hash::FxBuildHasher, &'r bumpalo::Bump>;

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

/// A text key, compared in line (`data::same_text`): keys are mostly short names and ids,
/// for which calling `memcmp` costs more than the comparison.
#[derive(Debug, Clone, Copy)]
struct Text<'v>(&'v str);

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        crate::value::same_text(self.0, other.0)
    }
}

impl Eq for Text<'_> {}

impl std::hash::Hash for Text<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

/// The records under one key: a range of [`Index::members`].
#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    from: u32,
    to: u32,
    /// The longest interval in the bucket (for sorted indexes).
    longest: f64,
}

/// One index over one item: the members of every bucket side by side in one array (each
/// bucket sorted by start when the index is sorted), in the item's arena.
#[derive(Debug)]
pub struct Index<'r> {
    text: ArenaMap<'r, Text<'r>>,
    other: ArenaMap<'r, Scalar>,
    buckets: ArenaVec<'r, Bucket>,
    members: ArenaVec<'r, u32>,
    starts: ArenaVec<'r, f64>,
    hashed: bool,
    /// Whether buckets are sorted: by start time, or by a shape's left edge.
    sorted: bool,
}

impl<'r> Index<'r> {
    /// Builds the index `spec` over an item's records of its kind (`members`, in input
    /// order), in `arena`.
    pub fn build(
        spec: &IndexSpec,
        schema: &Schema,
        records: &'r [Record],
        members: &[u32],
        arena: &'r bumpalo::Bump,
    ) -> Self {
        let span = schema.kind(spec.kind).interval.filter(|_| spec.by_start);
        let extents = sort_extents(spec, span, records, members, arena);
        let keys = if spec.key.is_some() { members.len() } else { 0 };
        let mut index = Index {
            text: ArenaMap::with_capacity_and_hasher_in(keys, Default::default(), arena),
            other: ArenaMap::with_hasher_in(Default::default(), arena),
            buckets: ArenaVec::new_in(arena),
            members: ArenaVec::with_capacity_in(members.len(), arena),
            starts: ArenaVec::new_in(arena),
            hashed: spec.key.is_some(),
            sorted: extents.is_some(),
        };
        let extent_of = |i: u32| extents.as_ref().map(|x| x[i as usize]);
        let has_span = |i: u32| extent_of(i).is_none_or(|(s, _)| !s.is_nan());
        // Each member's bucket, then a counting sort into one array.
        let mut placed = ArenaVec::with_capacity_in(members.len(), arena);
        for &i in members.iter().filter(|&&i| has_span(i)) {
            let bucket = match spec.key {
                None => Some(0),
                Some(key) => index.bucket_of(key, &records[i as usize]),
            };
            if let Some(b) = bucket {
                placed.push((b, i));
            }
        }
        let count = match spec.key {
            None => 1,
            Some(_) => index.text.len() + index.other.len(),
        };
        index.buckets = bumpalo::vec![in arena; Bucket::default(); count];
        for &(b, _) in &placed {
            index.buckets[b as usize].to += 1;
        }
        let mut offset = 0;
        for bucket in &mut index.buckets {
            let size = bucket.to;
            bucket.from = offset;
            bucket.to = offset;
            offset += size;
        }
        index.members.resize(placed.len(), 0);
        for &(b, i) in &placed {
            let bucket = &mut index.buckets[b as usize];
            index.members[bucket.to as usize] = i;
            bucket.to += 1;
        }
        if let Some(extents) = &extents {
            let start = |i: u32| extents[i as usize].0;
            for bucket in &mut index.buckets {
                let slice = &mut index.members[bucket.from as usize..bucket.to as usize];
                slice.sort_by(|&a, &b| start(a).total_cmp(&start(b)).then(a.cmp(&b)));
                bucket.longest = slice
                    .iter()
                    .map(|&i| extents[i as usize].1 - start(i))
                    .fold(0.0, f64::max);
            }
            index.starts = ArenaVec::with_capacity_in(index.members.len(), arena);
            index.starts.extend(index.members.iter().map(|&i| start(i)));
        }
        index
    }

    /// The bucket a record's key falls in, making one for a new key; `None` for a key that
    /// equals nothing.
    fn bucket_of(&mut self, key: IndexKey, r: &'r Record) -> Option<u32> {
        let next = (self.text.len() + self.other.len()) as u32;
        let value = match key {
            IndexKey::Id => return Some(*self.text.entry(Text(&r.id)).or_insert(next)),
            IndexKey::Field(f) => r.get(f),
        };
        match HashKey::of(value)? {
            HashKey::Str(s) => Some(*self.text.entry(Text(s)).or_insert(next)),
            HashKey::Other(k) => Some(*self.other.entry(k).or_insert(next)),
        }
    }

    /// The candidates for a key (when hashed) and a window around a bound interval (when
    /// sorted): a superset of the records that can satisfy both. A hashed index with no key
    /// (a missing or NaN value) finds nothing.
    pub(crate) fn probe<'s>(
        &'s self,
        key: Option<HashKey>,
        window: Option<(&Window, Interval)>,
    ) -> &'s [u32] {
        let bucket = if self.hashed {
            let found = match key {
                Some(HashKey::Str(s)) => self.text.get(&Text(s)),
                Some(HashKey::Other(k)) => self.other.get(&k),
                None => None,
            };
            match found {
                Some(b) => self.buckets[*b as usize],
                None => return &[],
            }
        } else {
            match self.buckets.first() {
                Some(b) => *b,
                None => return &[],
            }
        };
        let (from, to) = (bucket.from as usize, bucket.to as usize);
        match window {
            Some((w, other)) if self.sorted => match start_range(w, other, bucket.longest) {
                Some((lo, hi)) => {
                    let starts = &self.starts[from..to];
                    let first = starts.partition_point(|s| *s < lo);
                    let last = starts.partition_point(|s| *s <= hi);
                    if first < last {
                        &self.members[from + first..from + last]
                    } else {
                        &[]
                    }
                }
                None => &[],
            },
            _ => &self.members[from..to],
        }
    }
}

/// What each member of a sorted index spans along the axis it is sorted by: its time span
/// (by start), or its shape's horizontal extent (by a shape field's left edge). Members
/// without one (a missing time or shape) are left out: no relation or overlap holds for
/// them (a NaN start marks them). Indexed by record position, in the item's arena; `None` for
/// an index that is not sorted.
fn sort_extents<'r>(
    spec: &IndexSpec,
    span: Option<(crate::schema::FieldId, crate::schema::FieldId)>,
    records: &[Record],
    members: &[u32],
    arena: &'r bumpalo::Bump,
) -> Option<&'r [(f64, f64)]> {
    let extent = |r: &Record| match (span, spec.by_x) {
        (Some((s, e)), _) => {
            Some((r.num(s), r.num(e))).filter(|(s, e)| !(s.is_nan() || e.is_nan()))
        }
        (None, Some(f)) => crate::ops::space::horizontal_extent(r.get(f)),
        (None, None) => None,
    };
    if span.is_none() && spec.by_x.is_none() {
        return None;
    }
    let extents = arena.alloc_slice_fill_copy(records.len(), (f64::NAN, f64::NAN));
    for &i in members {
        if let Some(x) = extent(&records[i as usize]) {
            extents[i as usize] = x;
        }
    }
    Some(extents)
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
