//! A naive evaluator: plain nested loops over every record, every filter checked only once
//! all variables are bound, every quantifier over all of its candidates with no early exit,
//! no indexes. It reads the same plan as the real evaluator but shares none of its code
//! beyond the value primitives (`compare`, `arith`, `ops`, `time`), so a join, window or
//! shortcut in the real evaluator that drops or adds a candidate shows up as a difference.

use crate::assignment::best_assignment;
use concordant::data::{Record, Value};
use concordant::eval::render_value;
use concordant::ops::{self, arith, compare};
use concordant::ops::{space, time};
use concordant::plan::{ExprId, Function, LoopSource, MessagePart, Node, Plan, RulePlan};
use concordant::syntax::ast::{Mode, Quantifier, Scope};
use std::cmp::Ordering;

/// One finding as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub item: String,
    pub rule: String,
    pub key: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone)]
enum Binding<'r> {
    Unset,
    Record(&'r Record),
    Group(Value, Vec<&'r Record>),
    Value(Value),
}

/// Every item-scope finding for `records` (grouped by item, ids unique within an item), in
/// item order, then rule order, then key order.
pub fn evaluate(plan: &Plan, records: &[Record]) -> Vec<Seen> {
    let mut items: Vec<(&str, Vec<&Record>)> = Vec::new();
    for r in records {
        match items.iter_mut().find(|(item, _)| *item == &*r.item) {
            Some((_, list)) => list.push(r),
            None => items.push((&r.item, vec![r])),
        }
    }
    let mut out = Vec::new();
    for (item, records) in &items {
        for rule in plan.rules.iter().filter(|r| r.scope == Scope::Item) {
            let naive = Naive {
                plan,
                rule,
                records,
            };
            let mut found = Vec::new();
            let mut env = vec![Binding::Unset; rule.vars.len()];
            naive.bind(0, &mut env, &mut found);
            found.sort_by(|a: &Seen, b: &Seen| a.key.cmp(&b.key));
            out.extend(found.into_iter().map(|f| Seen {
                item: item.to_string(),
                ..f
            }));
        }
    }
    // Data-set rules: every record at once (the planned side streams them item by item).
    let all: Vec<&Record> = items.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    for rule in plan.rules.iter().filter(|r| r.scope == Scope::Dataset) {
        let naive = Naive {
            plan,
            rule,
            records: &all,
        };
        let mut found = Vec::new();
        let mut env = vec![Binding::Unset; rule.vars.len()];
        naive.bind(0, &mut env, &mut found);
        found.sort_by(|a: &Seen, b: &Seen| a.key.cmp(&b.key));
        out.extend(found);
    }
    out
}

struct Naive<'a, 'r> {
    plan: &'a Plan,
    rule: &'a RulePlan,
    records: &'a [&'r Record],
}

impl<'r> Naive<'_, 'r> {
    fn bind(&self, level: usize, env: &mut Vec<Binding<'r>>, found: &mut Vec<Seen>) {
        let Some(l) = self.rule.loops.get(level) else {
            let all_filters = self.rule.loops.iter().flat_map(|l| l.filters.iter());
            if all_filters.clone().all(|f| self.truth(*f, env)) {
                let holds = self.truth(self.rule.condition, env);
                if holds == (self.rule.mode == Mode::Forbid) {
                    found.push(self.seen(env));
                }
            }
            return;
        };
        match &l.source {
            // Each pair binds both variables; the partner's loop keeps what is bound.
            LoopSource::Matched { matching, partner } => {
                let (left, right, mut pairs) = self.matching(matching, env);
                pairs.sort_by_key(|p| p.0);
                for (i, j, _) in pairs {
                    env[l.var.0 as usize] = left[i].clone();
                    env[partner.0 as usize] = right[j].clone();
                    self.bind(level + 1, env, found);
                }
                env[partner.0 as usize] = Binding::Unset;
            }
            LoopSource::Partner => self.bind(level + 1, env, found),
            source => {
                for candidate in self.candidates(source, env) {
                    env[l.var.0 as usize] = candidate;
                    self.bind(level + 1, env, found);
                }
            }
        }
        env[l.var.0 as usize] = Binding::Unset;
    }

    fn seen(&self, env: &[Binding<'r>]) -> Seen {
        let key = self
            .rule
            .loops
            .iter()
            .map(|l| match &env[l.var.0 as usize] {
                Binding::Record(r) => r.id.to_string(),
                Binding::Group(k, _) => k.to_string(),
                Binding::Value(v) => v.to_string(),
                Binding::Unset => String::new(),
            })
            .collect();
        let message = self
            .rule
            .message
            .iter()
            .map(|part| match part {
                MessagePart::Text(t) => t.clone(),
                MessagePart::Value(e, format) => render_value(&self.value(*e, env), *format),
            })
            .collect();
        Seen {
            item: String::new(),
            rule: self.rule.id.clone(),
            key,
            message,
        }
    }

    fn candidates(&self, source: &LoopSource, env: &[Binding<'r>]) -> Vec<Binding<'r>> {
        match source {
            LoopSource::Kind(k) => self
                .records
                .iter()
                .filter(|r| r.kind == *k)
                .map(|r| Binding::Record(r))
                .collect(),
            LoopSource::List(e) => match self.value(*e, env) {
                Value::List(items) => items.iter().cloned().map(Binding::Value).collect(),
                _ => Vec::new(),
            },
            LoopSource::Groups(_) | LoopSource::GroupsBy { .. } => {
                let kind = match source {
                    LoopSource::Groups(g) => self.plan.groupings[*g].0,
                    LoopSource::GroupsBy { kind, .. } => *kind,
                    _ => unreachable!("a grouping"),
                };
                let mut groups: Vec<(Value, Vec<&'r Record>)> = Vec::new();
                for r in self.records.iter().filter(|r| r.kind == kind) {
                    let key = match source {
                        LoopSource::GroupsBy { var, key, .. } => {
                            let mut env = env.to_vec();
                            env[var.0 as usize] = Binding::Record(r);
                            self.eval(*key, &mut env)
                        }
                        LoopSource::Groups(g) => r.get(self.plan.groupings[*g].1).clone(),
                        _ => unreachable!("a grouping"),
                    };
                    if matches!(key, Value::Missing) {
                        continue;
                    }
                    match groups
                        .iter_mut()
                        .find(|(k, _)| k.total_cmp(&key) == Ordering::Equal)
                    {
                        Some((_, members)) => members.push(r),
                        None => groups.push((key, vec![r])),
                    }
                }
                groups.sort_by(|a, b| a.0.total_cmp(&b.0));
                groups
                    .into_iter()
                    .map(|(k, members)| Binding::Group(k, members))
                    .collect()
            }
            LoopSource::Members(v) => match &env[v.0 as usize] {
                Binding::Group(_, members) => members.iter().map(|r| Binding::Record(r)).collect(),
                _ => Vec::new(),
            },
            LoopSource::Unmatched(m) => self.unmatched(m, env),
            LoopSource::Matched { .. } | LoopSource::Partner => {
                unreachable!("pairs are bound by `bind`")
            }
        }
    }

    /// Each side's unmatched records, the left side's first, in input order.
    fn unmatched(&self, m: &concordant::plan::Matching, env: &[Binding<'r>]) -> Vec<Binding<'r>> {
        let (left, right, pairs) = self.matching(m, env);
        let left_left = (0..left.len()).filter(|i| pairs.iter().all(|p| p.0 != *i));
        let right_left = (0..right.len()).filter(|j| pairs.iter().all(|p| p.1 != *j));
        left_left
            .map(|i| left[i].clone())
            .chain(right_left.map(|j| right[j].clone()))
            .collect()
    }

    /// A matching statistic from the pairs: counts for precision, recall and F1, the mean
    /// score, and α over units built one by one (a pair's two values; an unmatched record's
    /// value against "∅").
    fn match_statistic(
        &self,
        function: concordant::metrics::matching::MatchFn,
        m: &concordant::plan::Matching,
        env: &mut Vec<Binding<'r>>,
    ) -> Value {
        use concordant::metrics::matching::MatchFn;
        let (left, right, pairs) = self.matching(m, env);
        // Only items where both sides have records are compared.
        let item = |b: &Binding<'r>| match b {
            Binding::Record(r) => r.item.to_string(),
            _ => String::new(),
        };
        let both = |b: &Binding<'r>| {
            left.iter().any(|l| item(l) == item(b)) && right.iter().any(|r| item(r) == item(b))
        };
        let kept = |side: &[Binding<'r>]| -> Vec<usize> {
            (0..side.len()).filter(|&i| both(&side[i])).collect()
        };
        let (left_kept, right_kept) = (kept(&left), kept(&right));
        let renumber = |kept: &[usize], i: usize| {
            kept.iter()
                .position(|&k| k == i)
                .expect("paired records are kept")
        };
        let pairs: Vec<(usize, usize, f64)> = (pairs.iter())
            .map(|&(i, j, s)| (renumber(&left_kept, i), renumber(&right_kept, j), s))
            .collect();
        let left: Vec<Binding<'r>> = left_kept.iter().map(|&i| left[i].clone()).collect();
        let right: Vec<Binding<'r>> = right_kept.iter().map(|&j| right[j].clone()).collect();
        let (l, r, n) = (left.len() as f64, right.len() as f64, pairs.len() as f64);
        let ratio = |a: f64, b: f64| {
            if b > 0.0 {
                Value::Num(a / b)
            } else {
                Value::Missing
            }
        };
        match function {
            MatchFn::Precision => ratio(n, r),
            MatchFn::Recall => ratio(n, l),
            MatchFn::F1 => ratio(2.0 * n, l + r),
            MatchFn::Score => ratio(pairs.iter().map(|p| p.2).sum(), n),
            MatchFn::Alpha => {
                let mut value = |side: usize, b: &Binding<'r>| {
                    let s = &m.sides[side];
                    env[s.var.0 as usize] = b.clone();
                    let v = self.eval(s.label.expect("α reads values"), env);
                    concordant::metrics::Label::of_value(&v)
                };
                let none = || concordant::metrics::Label::Text("∅".into());
                let mut units: Vec<Vec<concordant::metrics::Label>> = Vec::new();
                for &(i, j, _) in &pairs {
                    units.push(
                        [value(0, &left[i]), value(1, &right[j])]
                            .into_iter()
                            .flatten()
                            .collect(),
                    );
                }
                for (side, records) in [(0, &left), (1, &right)] {
                    for (k, b) in records.iter().enumerate() {
                        let taken = pairs
                            .iter()
                            .any(|p| if side == 0 { p.0 == k } else { p.1 == k });
                        if let (false, Some(v)) = (taken, value(side, b)) {
                            units.push(vec![v, none()]);
                        }
                    }
                }
                let level = concordant::metrics::agreement::Level::Nominal;
                concordant::metrics::agreement::krippendorff_alpha(&units, level)
                    .filter(|x| x.is_finite())
                    .map_or(Value::Missing, Value::Num)
            }
        }
    }

    /// The two sides' records and the pairs matched among them (left and right positions,
    /// score), each item matched on its own: every pair scored, then matched greedily (the
    /// best score first; ties by the earlier left, then right record) or, for `optimal`, by
    /// trying every assignment.
    #[allow(clippy::type_complexity)]
    fn matching(
        &self,
        m: &concordant::plan::Matching,
        env: &[Binding<'r>],
    ) -> (Vec<Binding<'r>>, Vec<Binding<'r>>, Vec<(usize, usize, f64)>) {
        let mut env = env.to_vec();
        let mut side = |s: &concordant::plan::Side| -> Vec<Binding<'r>> {
            let all = self.candidates(&s.source, &env);
            all.into_iter()
                .filter(|b| {
                    env[s.var.0 as usize] = b.clone();
                    s.filter.iter().all(|f| self.truth(*f, &mut env))
                })
                .collect()
        };
        let (left, right) = (side(&m.sides[0]), side(&m.sides[1]));
        let item = |b: &Binding<'r>| match b {
            Binding::Record(r) => r.item.to_string(),
            _ => String::new(),
        };
        let mut scored = Vec::new();
        for (i, l) in left.iter().enumerate() {
            for (j, r) in right.iter().enumerate() {
                if item(l) != item(r) {
                    continue;
                }
                env[m.sides[0].var.0 as usize] = l.clone();
                env[m.sides[1].var.0 as usize] = r.clone();
                if m.pair.is_some_and(|p| !self.truth(p, &mut env)) {
                    continue;
                }
                let score = self.eval(m.score, &mut env).as_num();
                let threshold = self.eval(m.threshold, &mut env).as_num();
                if let (Some(s), Some(t)) = (score, threshold) {
                    if s >= t {
                        scored.push((s, i, j));
                    }
                }
            }
        }
        let pairs = match m.method {
            concordant::metrics::matching::Method::Greedy => {
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
                let mut taken: Vec<(usize, usize, f64)> = Vec::new();
                for (s, i, j) in scored {
                    if taken.iter().all(|&(a, b, _)| a != i && b != j) {
                        taken.push((i, j, s));
                    }
                }
                taken
            }
            concordant::metrics::matching::Method::Optimal => best_assignment(&scored),
        };
        (left, right, pairs)
    }

    fn record(&self, env: &[Binding<'r>], v: concordant::check::ir::VarId) -> Option<&'r Record> {
        match env[v.0 as usize] {
            Binding::Record(r) => Some(r),
            _ => None,
        }
    }

    fn interval(
        &self,
        env: &[Binding<'r>],
        v: concordant::check::ir::VarId,
    ) -> Option<time::Interval> {
        let r = self.record(env, v)?;
        let (s, e) = self.plan.schema.kind(r.kind).interval?;
        Some(time::Interval {
            start: r.num(s),
            end: r.num(e),
        })
    }

    fn truth(&self, id: ExprId, env: &mut Vec<Binding<'r>>) -> bool {
        matches!(self.value(id, env), Value::Bool(true))
    }

    fn value(&self, id: ExprId, env: &[Binding<'r>]) -> Value {
        let mut env = env.to_vec();
        self.eval(id, &mut env)
    }

    fn eval(&self, id: ExprId, env: &mut Vec<Binding<'r>>) -> Value {
        let field = |env: &[Binding<'r>], v: concordant::check::ir::VarId, f| {
            self.record(env, v)
                .map_or(Value::Missing, |r| r.get(f).clone())
        };
        match self.rule.expr(id) {
            Node::Const(v) => v.clone(),
            Node::List(items) => Value::List(items.iter().map(|i| self.eval(*i, env)).collect()),
            Node::Var(v) => match &env[v.0 as usize] {
                Binding::Value(value) => value.clone(),
                Binding::Record(r) => Value::Str(r.id.clone()),
                Binding::Group(k, _) => k.clone(),
                Binding::Unset => Value::Missing,
            },
            Node::Field(v, f) => field(env, *v, *f),
            Node::RecordId(v) => self
                .record(env, *v)
                .map_or(Value::Missing, |r| Value::Str(r.id.clone())),
            Node::RecordItem(v) => self
                .record(env, *v)
                .map_or(Value::Missing, |r| Value::str(&r.item)),
            Node::GroupKey(v) => match &env[v.0 as usize] {
                Binding::Group(k, _) => k.clone(),
                _ => Value::Missing,
            },
            Node::GroupColumn(v, f) => match &env[v.0 as usize] {
                Binding::Group(_, members) => {
                    Value::List(members.iter().map(|r| r.get(*f).clone()).collect())
                }
                _ => Value::Missing,
            },
            Node::GroupSize(v) => match &env[v.0 as usize] {
                Binding::Group(_, members) => Value::Num(members.len() as f64),
                _ => Value::Missing,
            },
            Node::Not(a) => Value::Bool(!self.truth(*a, env)),
            Node::All(parts) => {
                let results: Vec<bool> = parts.iter().map(|p| self.truth(*p, env)).collect();
                Value::Bool(results.iter().all(|b| *b))
            }
            Node::Any(parts) => {
                let results: Vec<bool> = parts.iter().map(|p| self.truth(*p, env)).collect();
                Value::Bool(results.iter().any(|b| *b))
            }
            Node::Compare(op, a, b) => {
                Value::Bool(compare(*op, &self.eval(*a, env), &self.eval(*b, env)))
            }
            Node::Arith(op, a, b) => match (self.eval(*a, env), self.eval(*b, env)) {
                (Value::Num(x), Value::Num(y)) => Value::Num(arith(*op, x, y)),
                _ => Value::Missing,
            },
            Node::Neg(a) => self
                .eval(*a, env)
                .as_num()
                .map_or(Value::Missing, |n| Value::Num(-n)),
            Node::In(a, b) => Value::Bool(ops::contains(&self.eval(*b, env), &self.eval(*a, env))),
            Node::Default(a, b) => match self.eval(*a, env) {
                Value::Missing => self.eval(*b, env),
                v => v,
            },
            Node::Has(a) => Value::Bool(!matches!(self.eval(*a, env), Value::Missing)),
            // A `let` is recomputed wherever it is read: the engine remembers it.
            Node::Let { value, .. } => self.eval(*value, env),
            Node::Index(list, at) => match (self.eval(*list, env), self.eval(*at, env)) {
                (Value::List(items), Value::Num(at)) if at.fract() == 0.0 => {
                    let at = if at < 0.0 {
                        items.len() as f64 + at
                    } else {
                        at
                    };
                    match at >= 0.0 {
                        true => items.get(at as usize).cloned().unwrap_or(Value::Missing),
                        false => Value::Missing,
                    }
                }
                _ => Value::Missing,
            },
            Node::Relation {
                rel,
                left,
                right,
                tolerance,
            } => {
                let tol = tolerance.and_then(|t| self.eval(t, env).as_num());
                // Only well-formed intervals of one item are related in time.
                let same_item = match (self.record(env, *left), self.record(env, *right)) {
                    (Some(a), Some(b)) => a.item == b.item,
                    _ => false,
                };
                let well_formed = |i: &time::Interval| i.start <= i.end;
                Value::Bool(
                    match (self.interval(env, *left), self.interval(env, *right)) {
                        (Some(a), Some(b)) if same_item && well_formed(&a) && well_formed(&b) => {
                            time::holds(*rel, a, b, tol)
                        }
                        _ => false,
                    },
                )
            }
            Node::Call(f, args) if f.is_share() => {
                // Each item of the records on its own, with nothing bound.
                let mut items: Vec<(&str, Vec<&'r Record>)> = Vec::new();
                for r in self.records {
                    match items.iter_mut().find(|(i, _)| *i == &*r.item) {
                        Some((_, list)) => list.push(r),
                        None => items.push((&r.item, vec![*r])),
                    }
                }
                let held = items
                    .iter()
                    .filter(|(_, records)| {
                        let naive = Naive {
                            plan: self.plan,
                            rule: self.rule,
                            records,
                        };
                        let mut env = vec![Binding::Unset; self.rule.vars.len()];
                        naive.truth(args[0], &mut env)
                    })
                    .count();
                match items.len() {
                    0 => Value::Missing,
                    n => Value::Num(held as f64 / n as f64),
                }
            }
            Node::Call(f, args) => self.call(f, args, env),
            Node::Matched { function, matching } => self.match_statistic(*function, matching, env),
            Node::Temporal {
                function,
                sides,
                threshold,
            } => {
                let threshold = threshold
                    .and_then(|t| self.eval(t, env).as_num())
                    .unwrap_or(0.5);
                // Segments of each side keyed by item; outside data-set rules all share one key.
                let mut by_item: std::collections::BTreeMap<String, [Vec<_>; 2]> =
                    Default::default();
                for (index, side) in sides.iter().enumerate() {
                    for candidate in self.candidates(&side.source, env) {
                        env[side.var.0 as usize] = candidate;
                        if !side.filter.iter().all(|f| self.truth(*f, env)) {
                            continue;
                        }
                        let item = match (&env[side.var.0 as usize], self.rule.scope) {
                            (Binding::Record(r), Scope::Dataset) => r.item.to_string(),
                            _ => String::new(),
                        };
                        if let Some(span) = self.interval(env, side.var) {
                            let label = side
                                .label
                                .map(|l| self.eval(l, env).to_string())
                                .unwrap_or_default();
                            by_item.entry(item).or_default()[index].push(
                                concordant::metrics::temporal::Segment {
                                    start: span.start,
                                    end: span.end,
                                    label,
                                },
                            );
                        }
                    }
                    env[side.var.0 as usize] = Binding::Unset;
                }
                let mut matching = concordant::metrics::temporal::Matching::default();
                let mut error = concordant::metrics::temporal::DiarizationError::default();
                for [reference, other] in by_item.values() {
                    let (m, e) = function.parts(reference, other, threshold);
                    matching.merge(&m);
                    error.merge(&e);
                }
                function
                    .of_parts(&matching, &error)
                    .filter(|x| x.is_finite())
                    .map_or(Value::Missing, Value::Num)
            }
            Node::Agreement {
                statistic,
                var,
                source,
                filter,
                rating,
                target,
                gold,
                ..
            } => {
                // Every candidate, every filter, then the library's statistic.
                let mut ratings = concordant::metrics::Ratings::default();
                for candidate in self.candidates(source, env) {
                    env[var.0 as usize] = candidate;
                    if !filter.iter().all(|f| self.truth(*f, env)) {
                        continue;
                    }
                    let [value, unit, rater] = rating.map(|e| label(&self.eval(e, env)));
                    // In a data-set statistic a unit belongs to its record's item.
                    let unit = match (&env[var.0 as usize], unit) {
                        (Binding::Record(rec), Some(u)) if self.rule.scope == Scope::Dataset => {
                            let text = match u {
                                concordant::metrics::Label::Num(n) => {
                                    concordant::data::format_number(n)
                                }
                                concordant::metrics::Label::Text(t) => t.to_string(),
                            };
                            Some(concordant::metrics::Label::Text(
                                format!("{}\u{1f}{text}", rec.item).into(),
                            ))
                        }
                        (_, u) => u,
                    };
                    if let (Some(v), Some(u), Some(r)) = (value, unit, rater) {
                        ratings.add(u, r, v);
                    }
                }
                env[var.0 as usize] = Binding::Unset;
                let target = target.map(|t| label(&self.eval(t, env)));
                let gold = gold.map(|g| label(&self.eval(g, env)));
                let value = match (target, gold) {
                    (None, _) => statistic.compute(&ratings),
                    (Some(None), _) | (Some(_), Some(None)) => None,
                    (Some(Some(rater)), None) => statistic.compute_for(&ratings, &rater),
                    (Some(Some(rater)), Some(Some(gold))) => {
                        statistic.compute_against(&ratings, &rater, &gold)
                    }
                };
                value
                    .filter(|x| x.is_finite())
                    .map_or(Value::Missing, Value::Num)
            }
            Node::Quantified {
                quantifier,
                var,
                source,
                filter,
                condition,
                ..
            } => {
                let candidates = self.candidates(source, env);
                let mut passed = 0usize;
                let mut satisfied = 0usize;
                for candidate in candidates {
                    env[var.0 as usize] = candidate;
                    let results: Vec<bool> = filter.iter().map(|f| self.truth(*f, env)).collect();
                    if results.iter().all(|b| *b) {
                        passed += 1;
                        if condition.is_none_or(|c| self.truth(c, env)) {
                            satisfied += 1;
                        }
                    }
                }
                env[var.0 as usize] = Binding::Unset;
                match quantifier {
                    Quantifier::Some => Value::Bool(passed > 0),
                    Quantifier::No => Value::Bool(passed == 0),
                    Quantifier::All => Value::Bool(satisfied == passed),
                    Quantifier::Count => Value::Num(passed as f64),
                }
            }
        }
    }

    /// Each built-in computed the plain way, by name, independently of its table entry: a
    /// function added to the table needs its reference meaning here too.
    fn call(&self, f: &Function, args: &[ExprId], env: &mut Vec<Binding<'r>>) -> Value {
        let values: Vec<Value> = args.iter().map(|a| self.eval(*a, env)).collect();
        let text = |i: usize| values.get(i).and_then(|v| v.as_str().map(str::to_string));
        let num = |o: Option<f64>| o.map_or(Value::Missing, Value::Num);
        let record = |i: usize| match self.rule.expr(args[i]) {
            Node::RecordId(v) => self.interval(env, *v),
            _ => None,
        };
        let first = values.first().unwrap_or(&Value::Missing);
        match f.name() {
            "share" => Value::Missing,
            "duration" => num(record(0).map(time::duration)),
            "gap" => num(record(0).zip(record(1)).map(|(x, y)| time::gap(x, y))),
            "tiou" => num(record(0).zip(record(1)).map(|(x, y)| time::tiou(x, y))),
            "lower" => text(0).map_or(Value::Missing, |s| Value::str(&s.to_lowercase())),
            "upper" => text(0).map_or(Value::Missing, |s| Value::str(&s.to_uppercase())),
            "contains" => {
                Value::Bool(matches!((text(0), text(1)), (Some(s), Some(p)) if s.contains(&p)))
            }
            "starts_with" => {
                Value::Bool(matches!((text(0), text(1)), (Some(s), Some(p)) if s.starts_with(&p)))
            }
            "ends_with" => {
                Value::Bool(matches!((text(0), text(1)), (Some(s), Some(p)) if s.ends_with(&p)))
            }
            "matches" => {
                let pattern = f.pattern.as_ref().expect("matches has a pattern");
                Value::Bool(text(0).is_some_and(|s| pattern.0.is_match(&s)))
            }
            "len" => match first {
                Value::Str(s) => Value::Num(s.chars().count() as f64),
                Value::List(items) => Value::Num(items.len() as f64),
                _ => Value::Missing,
            },
            "abs" => num(first.as_num().map(f64::abs)),
            "round" if values.len() == 2 => match (first.as_num(), values[1].as_num()) {
                (Some(x), Some(d)) => {
                    let scale = 10f64.powi(d.round().clamp(-308.0, 308.0) as i32);
                    let r = (x * scale).round() / scale;
                    Value::Num(if r.is_finite() { r } else { x })
                }
                _ => Value::Missing,
            },
            "round" => num(first.as_num().map(f64::round)),
            "floor" => num(first.as_num().map(f64::floor)),
            "ceil" => num(first.as_num().map(f64::ceil)),
            "trim" => text(0).map_or(Value::Missing, |s| Value::str(s.trim())),
            "number" => text(0)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .map_or(Value::Missing, Value::Num),
            "replace" => match (text(0), text(1), text(2)) {
                (Some(s), Some(from), Some(_)) if from.is_empty() => Value::str(&s),
                (Some(s), Some(from), Some(to)) => Value::str(&s.replace(&from, &to)),
                _ => Value::Missing,
            },
            "substring" => match (text(0), values[1].as_num(), values[2].as_num()) {
                (Some(s), Some(from), Some(to)) => {
                    let chars: Vec<char> = s.chars().collect();
                    let at = |x: f64| (x.max(0.0) as usize).min(chars.len());
                    let (from, to) = (at(from), at(to));
                    Value::str(&chars[from..to.max(from)].iter().collect::<String>())
                }
                _ => Value::Missing,
            },
            "str" => match first {
                Value::Missing => Value::Missing,
                other => Value::str(&other.to_string()),
            },
            "split" => match (text(0), text(1)) {
                (Some(s), Some(sep)) if sep.is_empty() => Value::List(vec![Value::str(&s)].into()),
                (Some(s), Some(sep)) => {
                    Value::List(s.split(sep.as_str()).map(Value::str).collect())
                }
                _ => Value::Missing,
            },
            "box" => match (
                first.as_num(),
                values[1].as_num(),
                values[2].as_num(),
                values[3].as_num(),
            ) {
                (Some(x), Some(y), Some(w), Some(h)) => space::make_box(x, y, w, h),
                _ => Value::Missing,
            },
            "area" => space::area(first),
            "iou" => space::iou(first, &values[1]),
            "ioa" => space::ioa(first, &values[1]),
            "ios" => space::ios(first, &values[1]),
            "intersection" => space::intersection(first, &values[1]),
            "inside" => space::inside(first, &values[1]),
            "center" => space::center(first).map_or(Value::Missing, space::point_value),
            "distance" => space::distance(first, &values[1]),
            "aspect" => space::aspect(first),
            "valid" => Value::Bool(space::invalidity(first).is_none()),
            "validity" => space::invalidity(first).map_or(Value::Missing, |w| Value::str(&w)),
            "count" => ops::count_of(list(first)),
            "count_distinct" => ops::count_distinct_of(list(first)),
            "min" | "max" if values.len() == 2 => match (first.as_num(), values[1].as_num()) {
                (Some(a), Some(b)) if f.name() == "min" => Value::Num(if b < a { b } else { a }),
                (Some(a), Some(b)) => Value::Num(if b > a { b } else { a }),
                _ => Value::Missing,
            },
            "min" => ops::extreme_of(list(first), Ordering::Less),
            "max" => ops::extreme_of(list(first), Ordering::Greater),
            "sum" => ops::sum_of(list(first)),
            "mean" => ops::mean_of(list(first)),
            other => panic!("no reference meaning for the built-in `{other}`"),
        }
    }
}

fn label(value: &Value) -> Option<concordant::metrics::Label> {
    use concordant::metrics::Label;
    match value {
        Value::Num(n) => Some(Label::Num(*n)),
        Value::Str(s) => Some(Label::Text(s.clone())),
        Value::Bool(b) => Some(Label::Text(b.to_string().into())),
        Value::Missing | Value::List(_) => None,
    }
}

/// The elements of a list value; none for anything else.
fn list(value: &Value) -> std::slice::Iter<'_, Value> {
    match value {
        Value::List(items) => items.iter(),
        _ => [].iter(),
    }
}
