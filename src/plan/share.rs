//! Work that rules share: indexes that serve several probes, and quantifiers that several
//! places of a pack write alike.

use super::{Access, ExprId, LoopSource, Memo, Node, Plan, RulePlan, VarKind};
use crate::check::ir::VarId;
use crate::ops::{Quantifier, Scope};

/// Loops and quantifiers that probe a hashed index by a key probe, instead, the index of the
/// same kind and key that is also sorted by start, when some rule needs that one: its buckets
/// hold the same records, so an item builds one index instead of two. They may: the order
/// of candidates shows neither in findings (sorted by key) nor in what a quantifier decides.
/// Agreement statistics keep their index, because a rater's first rating, in input order,
/// is the one that counts.
pub(super) fn share_sorted_indexes(plan: &mut Plan) {
    let specs = &plan.indexes;
    let sorted_twin: Vec<Option<usize>> = (specs.iter())
        .map(|spec| match spec.by_start || spec.key.is_none() {
            true => None,
            false => specs.iter().position(|other| {
                other.by_start && other.kind == spec.kind && other.key == spec.key
            }),
        })
        .collect();
    if sorted_twin.iter().all(Option::is_none) {
        return;
    }
    let to_twin = |access: &mut Access| {
        if let Access::Probe { index, .. } = access {
            *index = sorted_twin[*index].unwrap_or(*index);
        }
    };
    for rule in &mut plan.rules {
        rule.loops.iter_mut().for_each(|l| to_twin(&mut l.access));
        for node in &mut rule.exprs {
            if let Node::Quantified { access, .. } = node {
                to_twin(access);
            }
        }
    }
    drop_unused_indexes(plan);
}

/// Removes the indexes no access probes, numbering the others again in order.
fn drop_unused_indexes(plan: &mut Plan) {
    let mut used = vec![false; plan.indexes.len()];
    for_each_access(plan, |index| used[*index] = true);
    let mut renumbered = vec![0; used.len()];
    let mut next = 0;
    for (i, &u) in used.iter().enumerate() {
        renumbered[i] = next;
        next += usize::from(u);
    }
    for_each_access(plan, |index| *index = renumbered[*index]);
    let mut keep = used.into_iter();
    plan.indexes.retain(|_| keep.next().unwrap_or(false));
}

/// Calls `f` on the index of every probe of every rule.
fn for_each_access(plan: &mut Plan, mut f: impl FnMut(&mut usize)) {
    let mut probe = |access: &mut Access| {
        if let Access::Probe { index, .. } = access {
            f(index);
        }
    };
    for rule in &mut plan.rules {
        for l in &mut rule.loops {
            probe(&mut l.access);
            if let LoopSource::Unmatched(m) | LoopSource::Matched { matching: m, .. } =
                &mut l.source
            {
                m.sides.iter_mut().for_each(|s| probe(&mut s.access));
            }
        }
        for node in &mut rule.exprs {
            match node {
                Node::Quantified { access, .. } | Node::Agreement { access, .. } => probe(access),
                Node::Temporal { sides, .. } => sides.iter_mut().for_each(|s| probe(&mut s.access)),
                Node::Matched { matching, .. } => {
                    matching.sides.iter_mut().for_each(|s| probe(&mut s.access))
                }
                // No access of their own.
                Node::Const(_)
                | Node::List(_)
                | Node::Var(_)
                | Node::Field(..)
                | Node::RecordId(_)
                | Node::RecordItem(_)
                | Node::GroupKey(_)
                | Node::GroupColumn(..)
                | Node::GroupSize(_)
                | Node::Not(_)
                | Node::All(_)
                | Node::Any(_)
                | Node::Compare(..)
                | Node::Arith(..)
                | Node::Neg(_)
                | Node::In(..)
                | Node::Default(..)
                | Node::Has(_)
                | Node::Index(..)
                | Node::Let { .. }
                | Node::Relation { .. }
                | Node::Call(..) => {}
            }
        }
    }
}

/// Gives a memo slot to each `some`, `no` or `all` that item rules write alike in more than
/// one place (in one rule or in several) and that reads exactly one record variable: `some s
/// in speech where s intersects t within 0.2` under `transcript-needs-speech` and again in the
/// `where` of `transcript-speaker-matches-speech` is then computed once per transcript. Two
/// quantifiers are alike when they read as the same text (`describe_expr`), with the same
/// constants, over a variable of the same kind: the text names every source, field, function
/// and variable they use.
pub(super) fn share_quantifiers(plan: &mut Plan) {
    let mut places: indexmap::IndexMap<String, Vec<(usize, ExprId, VarId)>> = Default::default();
    for (r, rule) in plan.rules.iter().enumerate() {
        if rule.scope != Scope::Item {
            continue;
        }
        for (i, node) in rule.exprs.iter().enumerate() {
            let id = ExprId(i as u32);
            if !worth_remembering(node) {
                continue;
            }
            let Some(([over], constants)) = reads(rule, id) else {
                continue;
            };
            let VarKind::Record(kind) = rule.vars[over.0 as usize].1 else {
                continue;
            };
            let text = super::describe_expr(plan, rule, id);
            let key = format!("{}\u{1f}{kind:?}\u{1f}{constants}", text);
            places.entry(key).or_default().push((r, id, over));
        }
    }
    let shared = places.into_values().filter(|p| p.len() > 1);
    for (slot, places) in shared.enumerate() {
        for (r, id, over) in places {
            plan.rules[r].memos.push((id, Memo { slot, over }));
        }
        plan.memo_slots = slot + 1;
    }
}

/// Whether a quantifier is worth remembering: `some`, `no` and `all` (a count is a number,
/// and the counts rules write are mostly the size of an index bucket), unless its access
/// answers it alone (`some` and `no` with no filter left to check are decided by the number
/// of candidates).
fn worth_remembering(node: &Node) -> bool {
    let Node::Quantified {
        quantifier,
        access,
        filter,
        ..
    } = node
    else {
        return false;
    };
    let decided_by_size = *quantifier != Quantifier::All && access.leaves_no_filter(filter);
    *quantifier != Quantifier::Count && !decided_by_size
}

/// The variables an expression reads without binding them, and its constants written out;
/// `None` when its value is not a function of them alone (statistics, `share`).
fn reads<const N: usize>(rule: &RulePlan, id: ExprId) -> Option<([VarId; N], String)> {
    let (mut used, mut bound, mut constants) = (Vec::new(), Vec::new(), String::new());
    collect(rule, id, &mut used, &mut bound, &mut constants)?;
    used.retain(|v| !bound.contains(v));
    used.sort();
    used.dedup();
    Some((used.try_into().ok()?, constants))
}

/// Walks an expression for [`reads`].
fn collect(
    rule: &RulePlan,
    id: ExprId,
    used: &mut Vec<VarId>,
    bound: &mut Vec<VarId>,
    constants: &mut String,
) -> Option<()> {
    let node = rule.expr(id);
    let mut children = super::show::children(node);
    match node {
        Node::Agreement { .. } | Node::Temporal { .. } | Node::Matched { .. } => return None,
        Node::Call(f, _) if f.is_share() => return None,
        Node::Const(value) => constants.push_str(&format!("{value:?};")),
        Node::Var(v)
        | Node::Field(v, _)
        | Node::RecordId(v)
        | Node::RecordItem(v)
        | Node::GroupKey(v)
        | Node::GroupColumn(v, _)
        | Node::GroupSize(v) => used.push(*v),
        Node::Relation {
            left,
            right,
            tolerance,
            ..
        } => {
            used.extend([*left, *right]);
            children.extend(*tolerance);
        }
        Node::Quantified {
            var,
            source,
            access,
            ..
        } => {
            bound.push(*var);
            match source {
                LoopSource::Members(v) => used.push(*v),
                LoopSource::List(e) => children.push(*e),
                LoopSource::GroupsBy { key, .. } => children.push(*key),
                LoopSource::Kind(_) | LoopSource::Groups(_) => {}
                // A matching is computed whole by the rule that ranges over it.
                LoopSource::Unmatched(_) | LoopSource::Matched { .. } | LoopSource::Partner => {
                    return None
                }
            }
            if let Access::Probe {
                key,
                window,
                region,
                ..
            } = access
            {
                children.extend(*key);
                used.extend(window.as_ref().map(|w| w.other));
                used.extend(region.map(|(other, _)| other));
            }
        }
        // Their operands are their children.
        Node::List(_)
        | Node::Not(_)
        | Node::All(_)
        | Node::Any(_)
        | Node::Compare(..)
        | Node::Arith(..)
        | Node::Neg(_)
        | Node::In(..)
        | Node::Default(..)
        | Node::Has(_)
        | Node::Index(..)
        | Node::Let { .. }
        | Node::Call(..) => {}
    }
    for child in children {
        collect(rule, child, used, bound, constants)?;
    }
    Some(())
}
