//! Eval: run a [`Plan`] over the records of one item (or of the whole data set).
//!
//! The entry point is [`Evaluator::evaluate`]. It sees only the plan, never the AST. Loops
//! run in the plan's order with each loop's filters applied as soon as its variable is bound;
//! quantifiers stop at the first element that decides them.

mod expr;
pub mod time;

use crate::data::{Origin, Record, Value};
use crate::plan::{LoopSource, Plan, RulePlan};
use crate::schema::KindId;
use crate::syntax::ast::{Mode, Scope};
use std::sync::Arc;

pub use expr::render_value;

/// A record named by a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    /// Its item.
    pub item: Arc<str>,
    /// Its id.
    pub id: Arc<str>,
    /// Its kind.
    pub kind: KindId,
    /// Where it was read.
    pub origin: Origin,
}

impl RecordRef {
    fn of(r: &Record) -> RecordRef {
        RecordRef {
            item: r.item.clone(),
            id: r.id.clone(),
            kind: r.kind,
            origin: r.origin,
        }
    }
}

/// What a rule reports for one combination of its bindings.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the rule in [`Plan::rules`].
    pub rule: usize,
    /// The item, or `None` for a rule over the whole data set.
    pub item: Option<Arc<str>>,
    /// One entry per `for` binding: a record's id, a list element's value, a group's key.
    pub key: Vec<String>,
    /// The records involved: the first record binding's record first.
    pub records: Vec<RecordRef>,
    /// The rendered message.
    pub message: String,
}

/// Records of a kind sharing one field value.
#[derive(Debug, Clone)]
pub struct Group {
    /// The shared value.
    pub key: Value,
    /// Indexes of its records in the item.
    pub members: Vec<u32>,
}

/// The records of one item, indexed by kind and grouped as the plan needs.
pub struct ItemView<'r> {
    records: &'r [Record],
    by_kind: Vec<Vec<u32>>,
    groups: Vec<Vec<Group>>,
}

impl<'r> ItemView<'r> {
    /// Indexes `records` (all of one item, or all of the data set) for `plan`.
    pub fn new(plan: &Plan, records: &'r [Record]) -> Self {
        let mut by_kind = vec![Vec::new(); plan.schema.len()];
        for (i, r) in records.iter().enumerate() {
            if let Some(list) = by_kind.get_mut(r.kind.0 as usize) {
                list.push(i as u32);
            }
        }
        let groups = plan
            .groupings
            .iter()
            .map(|(kind, field)| {
                let mut keyed: Vec<(&Value, u32)> = by_kind[kind.0 as usize]
                    .iter()
                    .map(|&i| (records[i as usize].get(*field), i))
                    .filter(|(v, _)| !matches!(v, Value::Missing))
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(b.0).then(a.1.cmp(&b.1)));
                let mut groups: Vec<Group> = Vec::new();
                for (key, i) in keyed {
                    match groups.last_mut() {
                        Some(g) if g.key.total_cmp(key).is_eq() => g.members.push(i),
                        _ => groups.push(Group {
                            key: key.clone(),
                            members: vec![i],
                        }),
                    }
                }
                groups
            })
            .collect();
        ItemView {
            records,
            by_kind,
            groups,
        }
    }

    /// The records of a kind, in input order.
    pub fn of_kind(&self, kind: KindId) -> impl Iterator<Item = &'r Record> + '_ {
        let records = self.records;
        self.by_kind[kind.0 as usize]
            .iter()
            .map(move |&i| &records[i as usize])
    }
}

/// What a variable is bound to while a rule runs.
#[derive(Debug, Clone)]
pub(crate) enum Bound<'r> {
    Unset,
    Record(&'r Record),
    Group(&'r Group),
    Value(Value),
}

/// Runs the rules of a plan.
pub struct Evaluator<'p> {
    plan: &'p Plan,
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `plan`.
    pub fn new(plan: &'p Plan) -> Self {
        Evaluator { plan }
    }

    /// Evaluates every rule of `scope` over `records`, which must all belong to one item
    /// (or, for [`Scope::Dataset`], be the whole data set). Findings come sorted by rule and
    /// key, so the order does not depend on the order of the records.
    pub fn evaluate(&self, records: &[Record], scope: Scope) -> Vec<Finding> {
        let view = ItemView::new(self.plan, records);
        let item: Option<Arc<str>> = match scope {
            Scope::Item => records.first().map(|r| r.item.clone()),
            Scope::Dataset => None,
        };
        let mut out = Vec::new();
        for (index, rule) in self.plan.rules.iter().enumerate() {
            if rule.scope == scope {
                let mut run = RuleRun {
                    plan: self.plan,
                    rule,
                    index,
                    view: &view,
                    item: item.clone(),
                    out: Vec::new(),
                };
                let mut env = vec![Bound::Unset; rule.vars.len()];
                run.loops(0, &mut env);
                run.out.sort_by(|a, b| a.key.cmp(&b.key));
                out.extend(run.out);
            }
        }
        out
    }
}

/// One rule running over one item.
pub(crate) struct RuleRun<'a, 'r> {
    pub(crate) plan: &'a Plan,
    pub(crate) rule: &'a RulePlan,
    index: usize,
    pub(crate) view: &'r ItemView<'r>,
    item: Option<Arc<str>>,
    out: Vec<Finding>,
}

impl<'a, 'r> RuleRun<'a, 'r> {
    fn loops(&mut self, level: usize, env: &mut Vec<Bound<'r>>) {
        let Some(l) = self.rule.loops.get(level) else {
            self.decide(env);
            return;
        };
        let var = l.var.0 as usize;
        for candidate in self.candidates(&l.source, env) {
            env[var] = candidate;
            if l.filters.iter().all(|f| self.truth(*f, env)) {
                self.loops(level + 1, env);
            }
        }
        env[var] = Bound::Unset;
    }

    /// Everything a source ranges over, given the variables bound so far.
    pub(crate) fn candidates(&self, source: &LoopSource, env: &[Bound<'r>]) -> Vec<Bound<'r>> {
        let view = self.view;
        match source {
            LoopSource::Kind(k) => view.of_kind(*k).map(Bound::Record).collect(),
            LoopSource::Groups(g) => view.groups[*g].iter().map(Bound::Group).collect(),
            LoopSource::Members(v) => match &env[v.0 as usize] {
                Bound::Group(g) => g
                    .members
                    .iter()
                    .map(|&i| Bound::Record(&view.records[i as usize]))
                    .collect(),
                _ => Vec::new(),
            },
            LoopSource::List(e) => match self.value(*e, env) {
                Value::List(items) => items.iter().cloned().map(Bound::Value).collect(),
                _ => Vec::new(),
            },
        }
    }

    fn decide(&mut self, env: &[Bound<'r>]) {
        let holds = self.truth(self.rule.condition, env);
        let violated = match self.rule.mode {
            Mode::Require => !holds,
            Mode::Forbid => holds,
        };
        if violated {
            let finding = self.finding(env);
            self.out.push(finding);
        }
    }

    fn finding(&self, env: &[Bound<'r>]) -> Finding {
        let mut key = Vec::new();
        let mut records = Vec::new();
        for l in &self.rule.loops {
            match &env[l.var.0 as usize] {
                Bound::Record(r) => {
                    key.push(r.id.to_string());
                    records.push(RecordRef::of(r));
                }
                Bound::Group(g) => {
                    key.push(g.key.to_string());
                    records.extend(
                        g.members
                            .iter()
                            .map(|&i| RecordRef::of(&self.view.records[i as usize])),
                    );
                }
                Bound::Value(v) => key.push(v.to_string()),
                Bound::Unset => {}
            }
        }
        Finding {
            rule: self.index,
            item: self.item.clone(),
            key,
            records,
            message: self.message(env),
        }
    }

    fn message(&self, env: &[Bound<'r>]) -> String {
        let mut out = String::new();
        for part in &self.rule.message {
            match part {
                crate::plan::MessagePart::Text(t) => out.push_str(t),
                crate::plan::MessagePart::Value(e, format) => {
                    out.push_str(&render_value(&self.value(*e, env), *format))
                }
            }
        }
        out
    }
}
