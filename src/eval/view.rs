//! An item's view: its records by kind, and the join indexes, groups and shared answers
//! rules build over them on first use, all in an arena each thread reuses from item to item.

use super::index::Index;
use crate::data::{Record, Value};
use crate::plan::Plan;
use crate::schema::KindId;
use std::cell::OnceCell;

/// Records of a kind sharing one field value.
#[derive(Debug, Clone, Copy)]
pub struct Group<'g> {
    /// The shared value, read in place.
    pub key: &'g Value,
    /// Indexes of its records in the item.
    pub members: &'g [u32],
}

/// The groups of one grouping over an item: every group's members side by side in one
/// array, in the item's arena.
#[derive(Debug)]
pub struct Groups<'r> {
    /// Each group's key (read in place) and where its members end in `members`, in key order.
    pub(super) keys: ArenaVec<'r, (&'r Value, u32)>,
    /// The members of every group, group after group, each in input order.
    pub(super) members: ArenaVec<'r, u32>,
}

impl Groups<'_> {
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(super) fn get(&self, i: usize) -> Group<'_> {
        let from = match i {
            0 => 0,
            _ => self.keys[i - 1].1 as usize,
        };
        let (key, to) = &self.keys[i];
        Group {
            key,
            members: &self.members[from..*to as usize],
        }
    }
}

thread_local! {
    /// Each thread's arenas for item views, reset between items, so that an item's indexes
    /// and groups reuse the memory of the item before.
    static ARENAS: std::cell::RefCell<Vec<bumpalo::Bump>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An arena that has grown past this (a view of a whole data set, say) is freed after use
/// rather than kept for the next item.
const KEPT_ARENA_BYTES: usize = 4 << 20;

/// Runs `f` with an empty arena for an item's view, taken from this thread's and given back
/// reset.
pub(super) fn with_arena<T>(f: impl FnOnce(&bumpalo::Bump) -> T) -> T {
    let mut arena = ARENAS.with(|a| a.borrow_mut().pop()).unwrap_or_default();
    let out = f(&arena);
    arena.reset();
    if arena.allocated_bytes() <= KEPT_ARENA_BYTES {
        ARENAS.with(|a| a.borrow_mut().push(arena));
    }
    out
}

/// A vector in an item's arena.
pub(crate) type ArenaVec<'r, T> = bumpalo::collections::Vec<'r, T>;

/// The records of one item, indexed by kind and grouped as the plan needs. Join indexes are
/// built on first use. What the view builds lives in an arena (`with_arena`): an item
/// takes a hundred or so small allocations (indexes, groups, memos), which the arena makes a
/// pointer bump each and frees at once. Nothing in it owns memory outside the arena (keys are
/// read in place), so nothing in it needs dropping.
pub struct ItemView<'r> {
    pub(super) plan: &'r Plan,
    pub(super) records: &'r [Record],
    pub(super) arena: &'r bumpalo::Bump,
    /// The records' indexes by kind, kind after kind (a counting sort of the records).
    pub(super) by_kind: &'r [u32],
    /// Where each kind's run starts in `by_kind`, and one more entry for the end.
    pub(super) kind_starts: &'r [u32],
    pub(super) groups: &'r [OnceCell<Groups<'r>>],
    pub(super) indexes: &'r [OnceCell<Index<'r>>],
    /// The answers of shared quantifiers ([`crate::plan::Memo`]), by slot and then record,
    /// as [`Remembered::pack`] packs them (0: not computed yet); a slot is made when first
    /// used.
    pub(super) memos: &'r [OnceCell<&'r [std::cell::Cell<u64>]>],
    /// Whether every record is of the same item: then units of agreement statistics need no
    /// item to tell them apart.
    pub(super) one_item: bool,
}

impl<'r> ItemView<'r> {
    /// Indexes `records` (all of one item, or all of the data set) for `plan`, building in
    /// `arena`.
    pub fn new(plan: &'r Plan, records: &'r [Record], arena: &'r bumpalo::Bump) -> Self {
        let kinds = plan.schema.len();
        let kind_of = |r: &Record| Some(r.kind.0 as usize).filter(|&k| k < kinds);
        let kind_starts = arena.alloc_slice_fill_copy(kinds + 1, 0u32);
        let mut one_item = true;
        for r in records {
            if let Some(k) = kind_of(r) {
                kind_starts[k + 1] += 1;
            }
            one_item = one_item && r.item == records[0].item;
        }
        for k in 0..kinds {
            kind_starts[k + 1] += kind_starts[k];
        }
        let by_kind = arena.alloc_slice_fill_copy(kind_starts[kinds] as usize, 0u32);
        let next = arena.alloc_slice_copy(kind_starts);
        for (i, r) in records.iter().enumerate() {
            if let Some(k) = kind_of(r) {
                by_kind[next[k] as usize] = i as u32;
                next[k] += 1;
            }
        }
        ItemView {
            plan,
            records,
            arena,
            one_item,
            by_kind,
            kind_starts,
            groups: arena.alloc_slice_fill_with(plan.groupings.len(), |_| OnceCell::new()),
            indexes: arena.alloc_slice_fill_with(plan.indexes.len(), |_| OnceCell::new()),
            memos: arena.alloc_slice_fill_with(plan.memo_slots, |_| OnceCell::new()),
        }
    }

    /// The position of a record of this view.
    pub(super) fn position(&self, record: &Record) -> Option<usize> {
        let offset =
            (record as *const Record as usize).checked_sub(self.records.as_ptr() as usize)?;
        let at = offset / std::mem::size_of::<Record>();
        let found = self.records.get(at)?;
        std::ptr::eq(found, record).then_some(at)
    }

    /// What a shared quantifier answered for the record at `at`, if it was computed.
    pub(super) fn recall(&self, slot: usize, at: usize) -> Option<Remembered> {
        let packed = self.memos.get(slot)?.get()?.get(at)?.get();
        Remembered::unpack(packed)
    }

    /// Remembers what a shared quantifier answered for the record at `at`.
    pub(super) fn remember(&self, slot: usize, at: usize, remembered: Remembered) {
        let Some(answers) = self.memos.get(slot) else {
            return;
        };
        let answers = answers.get_or_init(|| {
            let fresh = || std::cell::Cell::new(0);
            self.arena
                .alloc_slice_fill_with(self.records.len(), |_| fresh())
        });
        if let Some(place) = answers.get(at) {
            place.set(remembered.pack());
        }
    }

    /// The records of a kind, in input order.
    pub fn of_kind(&self, kind: KindId) -> impl Iterator<Item = &'r Record> + '_ {
        let records = self.records;
        self.kind_members(kind)
            .iter()
            .map(move |&i| &records[i as usize])
    }

    /// The indexes of a kind's records, in input order.
    pub(super) fn kind_members(&self, kind: KindId) -> &[u32] {
        let k = kind.0 as usize;
        &self.by_kind[self.kind_starts[k] as usize..self.kind_starts[k + 1] as usize]
    }

    pub(super) fn index(&self, i: usize) -> &Index<'r> {
        self.indexes[i].get_or_init(|| {
            let spec = &self.plan.indexes[i];
            Index::build(
                spec,
                &self.plan.schema,
                self.records,
                self.kind_members(spec.kind),
                self.arena,
            )
        })
    }

    pub(super) fn groups(&self, g: usize) -> &Groups<'r> {
        self.groups[g].get_or_init(|| {
            let (kind, field) = self.plan.groupings[g];
            let (records, arena) = (self.records, self.arena);
            let members = self.kind_members(kind);
            let mut keyed = ArenaVec::with_capacity_in(members.len(), arena);
            keyed.extend(
                (members.iter())
                    .map(|&i| (records[i as usize].get(field), i))
                    .filter(|(v, _)| !matches!(v, Value::Missing)),
            );
            let mut groups = Groups {
                keys: ArenaVec::with_capacity_in(keyed.len(), arena),
                members: ArenaVec::with_capacity_in(keyed.len(), arena),
            };
            for_each_group(&mut keyed, |run, end| groups.keys.push((run[0].0, end)));
            groups.members.extend(keyed.iter().map(|&(_, i)| i));
            groups
        })
    }
}

/// Sorts records by key (equal keys in input order) and calls `f` with each run of one key
/// and where the run ends: the groups of a field and of a key a rule computes alike.
pub(super) fn for_each_group<K: std::borrow::Borrow<Value>>(
    keyed: &mut [(K, u32)],
    mut f: impl FnMut(&mut [(K, u32)], u32),
) {
    keyed.sort_by(|a, b| (a.0.borrow().total_cmp(b.0.borrow())).then(a.1.cmp(&b.1)));
    let mut start = 0;
    while start < keyed.len() {
        let key = keyed[start].0.borrow();
        // Groups are small: a linear scan to the run's end compares fewer keys than a
        // binary search over the rest of the item.
        let len = (keyed[start + 1..].iter())
            .position(|(k, _)| k.borrow().total_cmp(key).is_ne())
            .map_or(keyed.len() - start, |n| n + 1);
        let end = start + len;
        f(&mut keyed[start..end], end as u32);
        start = end;
    }
}

/// A shared quantifier's answer for one record, and the candidates computing it took: each
/// place that reads it counts them against its rule's work budget, as if it had computed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Remembered {
    pub(super) answer: bool,
    pub(super) work: u64,
}

impl Remembered {
    /// One word: bit 0 set (computed), bit 1 the answer, the rest the work (saturating).
    pub(super) fn pack(self) -> u64 {
        1 | (u64::from(self.answer) << 1) | (self.work.min(u64::MAX >> 2) << 2)
    }

    pub(super) fn unpack(packed: u64) -> Option<Remembered> {
        (packed & 1 == 1).then_some(Remembered {
            answer: packed & 2 != 0,
            work: packed >> 2,
        })
    }
}
