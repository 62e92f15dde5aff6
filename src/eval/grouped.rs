//! Groups by a key the rule computes (`group x in K by expr`): made per binding of the
//! loops around them, their keys held by the rule's run so that binding a group copies no
//! value.

use super::{view, Bound, Candidates, RuleRun};
use crate::value::Value;

impl<'r> RuleRun<'_, 'r> {
    /// The groups of a kind's records by a key computed from each (bound to `var` while
    /// its key is evaluated), in key order; records whose key is missing are in none.
    pub(super) fn groups_by(
        &self,
        kind: crate::schema::KindId,
        var: crate::plan::VarId,
        key: crate::plan::ExprId,
        env: &mut [Bound<'r>],
    ) -> Candidates<'r> {
        let view = self.view;
        let mut keyed: Vec<(Value, u32)> = Vec::new();
        for &i in view.kind_members(kind) {
            env[var.0 as usize] = Bound::Record(&view.records[i as usize]);
            let value = self.value(key, env);
            if !matches!(value, Value::Missing) {
                keyed.push((value, i));
            }
        }
        env[var.0 as usize] = Bound::Unset;
        let mut keys = Vec::new();
        let mut ends = bumpalo::collections::Vec::new_in(view.arena);
        view::for_each_group(&mut keyed, |run, end| {
            keys.push(std::mem::replace(&mut run[0].0, Value::Missing));
            ends.push(end);
        });
        let members: &'r [u32] = view
            .arena
            .alloc_slice_fill_iter(keyed.iter().map(|(_, i)| *i));
        let mut computed = self.computed_keys.borrow_mut();
        if computed.len() <= var.0 as usize {
            computed.resize_with(var.0 as usize + 1, Vec::new);
        }
        computed[var.0 as usize] = keys;
        Candidates::Computed {
            var: var.0,
            ends: ends.into_bump_slice(),
            members,
        }
    }

    /// A group's key, whichever way it was grouped.
    pub(crate) fn group_key(&self, bound: &Bound<'r>) -> Option<Value> {
        match bound {
            Bound::Group(g) => Some(g.key.clone()),
            Bound::Keyed { var, key, .. } => {
                let computed = self.computed_keys.borrow();
                Some(computed[*var as usize][*key as usize].clone())
            }
            _ => None,
        }
    }
}
