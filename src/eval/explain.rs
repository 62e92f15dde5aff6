//! Why a rule fired (`concordant explain`): for each finding of one rule on an item, the
//! bindings, the value every part of the condition took, and for `some`/`no`/`all` the
//! candidates the plan considered with what their filter and condition gave — enough for a
//! QA lead to tell a wrong rule from wrong data.

use super::{Bound, Evaluator, Finding, ItemView, RecordRef, RuleRun};
use crate::data::{Record, Value};
use crate::plan::{ExprId, Node};

/// One finding, explained.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The finding.
    pub finding: Finding,
    /// Each `for` binding: its name and what it was bound to.
    pub bindings: Vec<(String, Binding)>,
    /// The condition and its parts, outermost first.
    pub steps: Vec<Step>,
}

/// What a `for` binding was bound to.
#[derive(Debug, Clone)]
pub enum Binding {
    /// A record, with its fields as the schema names them.
    Record(RecordRef, Vec<(String, String)>),
    /// A group: the value its members share and how many there are.
    Group(String, usize),
    /// A list element.
    Value(String),
}

/// A part of the condition and the value it took.
#[derive(Debug, Clone)]
pub struct Step {
    /// How deep in the condition (0: the whole condition).
    pub depth: usize,
    /// The part, as `concordant plan` writes it.
    pub expr: String,
    /// Its value.
    pub value: String,
    /// Whether it is a quantifier (`some`, `no`, `all`, `count`).
    pub quantifier: bool,
    /// For a quantifier: every candidate considered.
    pub candidates: Vec<Candidate>,
}

/// A candidate of a quantifier, and what its filter and condition gave.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The candidate (a record, or a value).
    pub what: Binding,
    /// Whether it passed the `where` filter.
    pub passes_filter: bool,
    /// The `satisfy` condition, when it passed the filter and there is one.
    pub satisfies: Option<bool>,
}

/// How deep into the condition the explanation goes.
const DEPTH: usize = 4;

impl Evaluator<'_> {
    /// The findings of rule `rule` on an item's records, each explained.
    pub fn explain(&self, records: &[Record], rule: usize) -> Vec<Explanation> {
        super::with_arena(|arena| self.explain_in(&ItemView::new(self.plan, records, arena), rule))
    }

    fn explain_in<'r>(&self, view: &'r ItemView<'r>, rule: usize) -> Vec<Explanation> {
        let Some(plan) = self.plan.rules.get(rule) else {
            return Vec::new();
        };
        let records = view.records;
        let run = self.run(plan, view, None);
        let mut env = vec![Bound::Unset; plan.vars.len()];
        let mut found = Vec::new();
        run.loops(0, &mut env, &mut found);
        let item = records.first().map(|r| r.item.clone());
        let mut out: Vec<Explanation> = found
            .into_iter()
            .map(|mut env| {
                let finding = run.finding(rule, item.clone(), &mut env);
                let bindings = plan
                    .loops
                    .iter()
                    .map(|l| {
                        (
                            plan.vars[l.var.0 as usize].0.clone(),
                            run.binding(&env[l.var.0 as usize]),
                        )
                    })
                    .collect();
                let mut steps = Vec::new();
                run.steps(plan.condition, 0, &mut env, &mut steps);
                Explanation {
                    finding,
                    bindings,
                    steps,
                }
            })
            .collect();
        out.sort_by(|a, b| a.finding.key.cmp(&b.finding.key));
        out
    }
}

impl<'r> RuleRun<'_, 'r> {
    fn binding(&self, bound: &Bound<'r>) -> Binding {
        match bound {
            Bound::Record(r) => {
                let kind = self.plan.schema.kind(r.kind);
                let fields = kind
                    .fields
                    .keys()
                    .enumerate()
                    .map(|(i, name)| (name.clone(), shown(&r.fields[i])))
                    .collect();
                Binding::Record(RecordRef::of(r), fields)
            }
            group @ (Bound::Group(_) | Bound::Keyed { .. }) => {
                let key = self.group_key(group).unwrap_or(Value::Missing);
                Binding::Group(key.to_string(), group.members().map_or(0, <[u32]>::len))
            }
            Bound::Value(v) => Binding::Value(shown(v)),
            Bound::Unset => Binding::Value("(unbound)".into()),
        }
    }

    /// The value of `id` and of its parts, down to [`DEPTH`].
    fn steps(&self, id: ExprId, depth: usize, env: &mut [Bound<'r>], out: &mut Vec<Step>) {
        let expr = crate::plan::describe_expr(self.plan, self.rule, id);
        let value = shown(&self.value(id, env));
        let mut candidates = Vec::new();
        let node = self.rule.expr(id);
        if let Node::Quantified {
            var,
            source,
            access,
            filter,
            condition,
            ..
        } = node
        {
            let var = var.0 as usize;
            let found = self.candidates(source, access, env);
            for i in 0..found.len() {
                found.bind(i, self.view, &mut env[var]);
                let passes_filter = filter.iter().all(|f| self.truth(*f, env));
                let satisfies = condition
                    .filter(|_| passes_filter)
                    .map(|c| self.truth(c, env));
                candidates.push(Candidate {
                    what: self.binding(&env[var]),
                    passes_filter,
                    satisfies,
                });
            }
            env[var] = Bound::Unset;
        }
        out.push(Step {
            depth,
            expr,
            value,
            quantifier: matches!(node, Node::Quantified { .. }),
            candidates,
        });
        if depth + 1 >= DEPTH {
            return;
        }
        let parts: Vec<ExprId> = match node {
            Node::All(items) | Node::Any(items) => items.to_vec(),
            Node::Not(a) => vec![*a],
            Node::Compare(_, a, b) | Node::Default(a, b) | Node::In(a, b) => vec![*a, *b],
            // Values, quantifiers and statistics are explained as one step each.
            Node::Const(_)
            | Node::List(_)
            | Node::Var(_)
            | Node::Field(..)
            | Node::RecordId(_)
            | Node::RecordItem(_)
            | Node::GroupKey(_)
            | Node::GroupColumn(..)
            | Node::GroupSize(_)
            | Node::Arith(..)
            | Node::Neg(_)
            | Node::Has(_)
            | Node::Index(..)
            | Node::Let { .. }
            | Node::Relation { .. }
            | Node::Call(..)
            | Node::Agreement { .. }
            | Node::Temporal { .. }
            | Node::Matched { .. }
            | Node::Quantified { .. } => Vec::new(),
        };
        for part in parts {
            // Constants explain nothing.
            if !matches!(self.rule.expr(part), Node::Const(_)) {
                self.steps(part, depth + 1, env, out);
            }
        }
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        Value::Missing => "missing".into(),
        other => other.to_string(),
    }
}
