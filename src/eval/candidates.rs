//! What a loop or quantifier ranges over once its source is looked up, and how one of them
//! is bound to a variable.

use super::view::ItemView;
use super::{Bound, Groups};
use crate::data::Value;
use std::sync::Arc;

/// The candidates of a loop or quantifier.
pub(crate) enum Candidates<'r> {
    Records(&'r [u32]),
    Groups(&'r Groups<'r>),
    /// Groups of `var` by a key the rule computed: where each group's members end in
    /// `members` (both in the arena); the keys are held by the rule's run.
    Computed {
        var: u32,
        ends: &'r [u32],
        members: &'r [u32],
    },
    Values(Arc<[Value]>),
    /// The pairs of a matching: binding one binds its left record, and its right one to
    /// the `partner` slot.
    Pairs {
        left: &'r [u32],
        right: &'r [u32],
        partner: u32,
    },
    /// The one value the slot holds already (a pair's partner).
    Current,
    None,
}

impl<'r> Candidates<'r> {
    pub(super) fn len(&self) -> usize {
        match self {
            Candidates::Records(r) => r.len(),
            Candidates::Groups(g) => g.len(),
            Candidates::Computed { ends, .. } => ends.len(),
            Candidates::Values(v) => v.len(),
            Candidates::Pairs { left, .. } => left.len(),
            Candidates::Current => 1,
            Candidates::None => 0,
        }
    }

    /// Binds candidate `i` to `slot`. (Written in place: a `Bound` returned would be
    /// written to memory a field at a time and read back whole, which stalls the processor,
    /// and this runs once per candidate.)
    pub(super) fn bind(&self, i: usize, view: &'r ItemView<'r>, slot: &mut Bound<'r>) {
        match self {
            Candidates::Records(r) => *slot = Bound::Record(&view.records[r[i] as usize]),
            Candidates::Groups(g) => *slot = Bound::Group(g.get(i)),
            Candidates::Computed { var, ends, members } => {
                let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                *slot = Bound::Keyed {
                    var: *var,
                    key: i as u32,
                    members: &members[start..ends[i] as usize],
                }
            }
            Candidates::Values(v) => *slot = Bound::Value(v[i].clone()),
            Candidates::Pairs { left, .. } => {
                *slot = Bound::Record(&view.records[left[i] as usize])
            }
            Candidates::Current => {}
            Candidates::None => *slot = Bound::Unset,
        }
    }
}
