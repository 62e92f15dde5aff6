//! Evaluating one node of a rule's expression table.

use super::{Bound, Candidates, RuleRun};
use crate::builtins::Eval;
use crate::data::{write_number, Record, Value};
use crate::ops;
use crate::ops::time::{self, Interval};
use crate::ops::Quantifier;
use crate::ops::{arith, compare};
use crate::plan::{ExprId, Format, Function, Node};

/// Shows a value in a message: times and durations with an `s` suffix.
pub fn render_value(v: &Value, format: Format) -> String {
    let mut text = String::new();
    write_value(&mut text, v, format);
    text
}

/// Appends a value as [`render_value`] shows it: messages are built in one `String`.
pub(crate) fn write_value(out: &mut String, v: &Value, format: Format) {
    use std::fmt::Write;
    match (v, format) {
        (
            Value::Num(n),
            Format {
                decimals: Some(d), ..
            },
        ) => {
            let _ = write!(out, "{:.*}", usize::from(d), n);
            if format.seconds {
                out.push('s');
            }
        }
        (Value::Num(n), Format { seconds: true, .. }) => {
            let _ = write_number(out, *n);
            out.push('s');
        }
        (Value::List(items), Format { seconds, decimals }) if seconds || decimals.is_some() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, format);
            }
            out.push(']');
        }
        (Value::Str(s), _) => out.push_str(s),
        _ => {
            let _ = write!(out, "{v}");
        }
    }
}

/// The interval, unless it ends before it starts.
#[inline]
fn well_formed(interval: Interval) -> Option<Interval> {
    let reversed = interval.start.partial_cmp(&interval.end) == Some(std::cmp::Ordering::Greater);
    (!reversed).then_some(interval)
}

/// [`compare`] for two texts.
fn compare_text(op: crate::ops::CompareOp, a: &str, b: &str) -> bool {
    use crate::ops::CompareOp::*;
    use crate::value::{same_text, text_order};
    use std::cmp::Ordering::*;
    match op {
        Eq => same_text(a, b),
        Ne => !same_text(a, b),
        Lt => text_order(a, b) == Less,
        Le => text_order(a, b) != Greater,
        Gt => text_order(a, b) == Greater,
        Ge => text_order(a, b) != Less,
    }
}

impl<'a, 'r> RuleRun<'a, 'r> {
    /// Whether a boolean node is true.
    /// Boolean nodes are decided here directly, without building a [`Value`].
    pub(crate) fn truth(&self, id: ExprId, env: &mut [Bound<'r>]) -> bool {
        match self.rule.expr(id) {
            Node::Not(a) => !self.truth(*a, env),
            Node::All(parts) => parts.iter().all(|p| self.truth(*p, env)),
            Node::Any(parts) => parts.iter().any(|p| self.truth(*p, env)),
            Node::Compare(op, a, b) => self.compare(*op, *a, *b, env),
            Node::In(a, b) => {
                let needle = self.value(*a, env);
                match self.borrowed(*b, env) {
                    Some(list) => ops::contains(list, &needle),
                    None => ops::contains(&self.value(*b, env), &needle),
                }
            }
            Node::Has(a) => match self.borrowed(*a, env) {
                Some(v) => !matches!(v, Value::Missing),
                None => !matches!(self.value(*a, env), Value::Missing),
            },
            Node::Relation {
                rel,
                left,
                right,
                tolerance,
            } => {
                let tol = tolerance.and_then(|t| match self.borrowed(t, env) {
                    Some(v) => v.as_num(),
                    None => self.value(t, env).as_num(),
                });
                match self.related(env, *left, *right) {
                    Some((a, b)) => time::holds(*rel, a, b, tol),
                    None => false,
                }
            }
            Node::Quantified { quantifier, .. } if *quantifier != Quantifier::Count => {
                matches!(self.quantified(id, env), Value::Bool(true))
            }
            _ => matches!(self.value(id, env), Value::Bool(true)),
        }
    }

    fn record(&self, env: &[Bound<'r>], var: crate::plan::VarId) -> Option<&'r Record> {
        match env.get(var.0 as usize) {
            Some(Bound::Record(r)) => Some(r),
            _ => None,
        }
    }

    /// A record's interval as read: what `duration`, `gap` and `tiou` compute with, so a
    /// reversed interval gives a negative duration.
    #[inline(always)]
    fn interval_as_read(&self, env: &[Bound<'r>], var: crate::plan::VarId) -> Option<Interval> {
        self.span_of(self.record(env, var)?)
    }

    #[inline(always)]
    fn span_of(&self, r: &Record) -> Option<Interval> {
        let (s, e) = (self.plan.spans.get(r.kind.0 as usize).copied()).flatten()?;
        Some(Interval {
            start: r.num(s),
            end: r.num(e),
        })
    }

    /// A record's interval where it can take part in time relations and temporal agreement:
    /// not when it ends before it starts (its data diagnostic says so).
    #[inline]
    pub(crate) fn interval(&self, env: &[Bound<'r>], var: crate::plan::VarId) -> Option<Interval> {
        well_formed(self.interval_as_read(env, var)?)
    }

    /// The intervals of two records that a time relation may relate: both well formed, and
    /// of one item (records of different items share no timeline, which matters in a
    /// `per dataset` rule).
    #[inline]
    fn related(
        &self,
        env: &[Bound<'r>],
        left: crate::plan::VarId,
        right: crate::plan::VarId,
    ) -> Option<(Interval, Interval)> {
        let (a, b) = (self.record(env, left)?, self.record(env, right)?);
        let one_item = self.view.one_item || std::sync::Arc::ptr_eq(&a.item, &b.item);
        if !one_item && a.item != b.item {
            return None;
        }
        Some((
            well_formed(self.span_of(a)?)?,
            well_formed(self.span_of(b)?)?,
        ))
    }

    /// The value of a node.
    pub(crate) fn value(&self, id: ExprId, env: &mut [Bound<'r>]) -> Value {
        match self.rule.expr(id) {
            Node::Const(v) => v.clone(),
            Node::List(items) => Value::List(items.iter().map(|i| self.value(*i, env)).collect()),
            Node::Var(v) => match &env[v.0 as usize] {
                Bound::Value(value) => value.clone(),
                Bound::Record(r) => Value::Str(r.id.clone()),
                group @ (Bound::Group(_) | Bound::Keyed { .. }) => {
                    self.group_key(group).unwrap_or(Value::Missing)
                }
                Bound::Unset => Value::Missing,
            },
            Node::Field(v, f) => self
                .record(env, *v)
                .map_or(Value::Missing, |r| r.get(*f).clone()),
            Node::RecordId(v) => self
                .record(env, *v)
                .map_or(Value::Missing, |r| Value::Str(r.id.clone())),
            Node::RecordItem(v) => self
                .record(env, *v)
                .map_or(Value::Missing, |r| Value::str(&r.item)),
            Node::GroupKey(v) => self.group_key(&env[v.0 as usize]).unwrap_or(Value::Missing),
            Node::GroupColumn(v, f) => match env[v.0 as usize].members() {
                Some(members) => Value::List(
                    (members.iter())
                        .map(|&i| self.view.records[i as usize].get(*f).clone())
                        .collect(),
                ),
                None => Value::Missing,
            },
            Node::GroupSize(v) => env[v.0 as usize]
                .members()
                .map_or(Value::Missing, |members| Value::Num(members.len() as f64)),
            Node::Not(_)
            | Node::All(_)
            | Node::Any(_)
            | Node::Compare(..)
            | Node::In(..)
            | Node::Has(_)
            | Node::Relation { .. } => Value::Bool(self.truth(id, env)),
            Node::Arith(op, a, b) => match (self.value(*a, env), self.value(*b, env)) {
                (Value::Num(x), Value::Num(y)) => Value::Num(arith(*op, x, y)),
                _ => Value::Missing,
            },
            Node::Neg(a) => self
                .value(*a, env)
                .as_num()
                .map_or(Value::Missing, |n| Value::Num(-n)),
            Node::Default(a, b) => ops::default(self.value(*a, env), || self.value(*b, env)),
            Node::Index(list, at) => {
                let at = self.value(*at, env);
                match self.borrowed(*list, env) {
                    Some(list) => ops::element(list, &at),
                    None => ops::element(&self.value(*list, env), &at),
                }
            }
            Node::Let { var, value } => {
                let slot = var.0 as usize;
                if let Bound::Value(known) = &env[slot] {
                    return known.clone();
                }
                let computed = self.value(*value, env);
                env[slot] = Bound::Value(computed.clone());
                computed
            }
            Node::Call(f, args) if f.is_share() => match self.overrides.and_then(|o| o.get(&id)) {
                Some(value) => value.clone(),
                None => self.share(args[0]),
            },
            Node::Call(f, args) => self.call(f, args, env),
            Node::Temporal { .. } => match self.overrides.and_then(|o| o.get(&id)) {
                Some(value) => value.clone(),
                None => self.temporal(id, env),
            },
            Node::Matched { .. } => match self.overrides.and_then(|o| o.get(&id)) {
                Some(value) => value.clone(),
                None => self.match_statistic(id, env),
            },
            Node::Agreement {
                statistic,
                target,
                gold,
                closed,
                ..
            } => match self.overrides.and_then(|o| o.get(&id)) {
                Some(value) => value.clone(),
                None => {
                    let gathered = self.gathered(id, *closed, env);
                    let ratings = &gathered.ratings;
                    let gold = gold.map(|g| label(&self.value(g, env)));
                    let value = match (target, gold) {
                        (Some(t), Some(gold)) => label(&self.value(*t, env)).and_then(|rater| {
                            statistic.compute_against(ratings, &rater, gold.as_ref()?)
                        }),
                        (Some(t), None) => label(&self.value(*t, env)).and_then(|rater| {
                            statistic.compute_for_stats(ratings, gathered.stats(), &rater)
                        }),
                        (None, _) => statistic.compute(ratings),
                    };
                    value
                        .filter(|x| x.is_finite())
                        .map_or(Value::Missing, Value::Num)
                }
            },
            Node::Quantified { .. } => self.quantified(id, env),
        }
    }

    /// A value that can be read without computing it: a constant or a record's field.
    fn borrowed(&self, id: ExprId, env: &[Bound<'r>]) -> Option<&'a Value>
    where
        'r: 'a,
    {
        match self.rule.expr(id) {
            Node::Const(v) => Some(v),
            Node::Field(v, f) => self.record(env, *v).map(|r| r.get(*f)),
            _ => None,
        }
    }

    /// Text that can be read in place: a text constant or field, or a record's id.
    pub(crate) fn text(&self, id: ExprId, env: &[Bound<'r>]) -> Option<&'a str>
    where
        'r: 'a,
    {
        match self.rule.expr(id) {
            Node::RecordId(v) => self.record(env, *v).map(|r| &*r.id),
            _ => match self.borrowed(id, env)? {
                Value::Str(s) => Some(s),
                _ => None,
            },
        }
    }

    /// Compares two operands, reading constants, fields and ids in place instead of copying
    /// them.
    fn compare(
        &self,
        op: crate::ops::CompareOp,
        a: ExprId,
        b: ExprId,
        env: &mut [Bound<'r>],
    ) -> bool {
        if let (Some(x), Some(y)) = (self.text(a, env), self.text(b, env)) {
            return compare_text(op, x, y);
        }
        match (self.borrowed(a, env), self.borrowed(b, env)) {
            (Some(x), Some(y)) => compare(op, x, y),
            (Some(x), None) => compare(op, x, &self.value(b, env)),
            (None, Some(y)) => compare(op, &self.value(a, env), y),
            (None, None) => compare(op, &self.value(a, env), &self.value(b, env)),
        }
    }

    /// A call of a built-in, computed as its entry says, with its arguments read in place
    /// where they allow: a group's column is not copied into a list, a field's text or list
    /// not cloned.
    #[inline]
    fn call(&self, f: &Function, args: &[ExprId], env: &mut [Bound<'r>]) -> Value {
        match f.builtin.eval {
            Eval::Intervals(compute) => self.of_intervals(compute, args, env),
            Eval::Text(compute) => match self.text(args[0], env) {
                Some(text) => compute(text),
                None => match self.value(args[0], env) {
                    Value::Str(s) => compute(&s),
                    _ => Value::Missing,
                },
            },
            Eval::TextTest(test) => match (self.text(args[0], env), self.text(args[1], env)) {
                (Some(s), Some(p)) => Value::Bool(test(s, p)),
                _ => {
                    let (s, p) = (self.value(args[0], env), self.value(args[1], env));
                    Value::Bool(matches!((s, p), (Value::Str(s), Value::Str(p)) if test(&s, &p)))
                }
            },
            Eval::TextPair(compute) => match (self.text(args[0], env), self.text(args[1], env)) {
                (Some(s), Some(p)) => compute(s, p),
                _ => match (self.value(args[0], env), self.value(args[1], env)) {
                    (Value::Str(s), Value::Str(p)) => compute(&s, &p),
                    _ => Value::Missing,
                },
            },
            Eval::Pattern => {
                let Some(pattern) = &f.pattern else {
                    return Value::Missing;
                };
                match self.text(args[0], env) {
                    Some(text) => Value::Bool(pattern.0.is_match(text)),
                    None => Value::Bool(matches!(
                        self.value(args[0], env),
                        Value::Str(s) if pattern.0.is_match(&s)
                    )),
                }
            }
            Eval::Value(compute) => self.owned(args[0], env, compute),
            Eval::Values(compute) => {
                let values: Vec<Value> = args.iter().map(|a| self.value(*a, env)).collect();
                compute(&values)
            }
            Eval::Pair(compute) => match (self.borrowed(args[0], env), self.borrowed(args[1], env))
            {
                (Some(a), Some(b)) => compute(a, b),
                _ => compute(&self.value(args[0], env), &self.value(args[1], env)),
            },
            Eval::Aggregate(compute) => self.aggregate(compute, args[0], env),
            // `has` is a node of its own; `share` is read whole by `value`; statistics
            // are nodes of their own.
            Eval::Has | Eval::Share | Eval::Statistic => Value::Missing,
        }
    }

    /// A function of the intervals of record variables; missing when one has none.
    fn of_intervals(
        &self,
        compute: fn(&[Interval]) -> f64,
        args: &[ExprId],
        env: &[Bound<'r>],
    ) -> Value {
        let mut intervals = [Interval {
            start: 0.0,
            end: 0.0,
        }; 2];
        for (slot, arg) in intervals.iter_mut().zip(args) {
            let Node::RecordId(v) = self.rule.expr(*arg) else {
                return Value::Missing;
            };
            match self.interval_as_read(env, *v) {
                Some(interval) => *slot = interval,
                None => return Value::Missing,
            }
        }
        Value::Num(compute(&intervals[..args.len().min(2)]))
    }

    /// `compute` of a value, read in place when it is a field or a constant.
    fn owned(&self, id: ExprId, env: &mut [Bound<'r>], compute: fn(&Value) -> Value) -> Value {
        match self.borrowed(id, env) {
            Some(value) => compute(value),
            None => compute(&self.value(id, env)),
        }
    }

    /// An aggregate of a group's column (read in place) or of a list's elements.
    fn aggregate(
        &self,
        compute: fn(&mut dyn Iterator<Item = &Value>) -> Value,
        arg: ExprId,
        env: &mut [Bound<'r>],
    ) -> Value {
        if let Node::GroupColumn(v, field) = self.rule.expr(arg) {
            if let Some(members) = env[v.0 as usize].members() {
                let records = self.view.records;
                return compute(&mut members.iter().map(|&i| records[i as usize].get(*field)));
            }
        }
        let elements = |list: &Value| -> Value {
            let items: &[Value] = match list {
                Value::List(items) => items,
                _ => &[],
            };
            compute(&mut items.iter())
        };
        match self.borrowed(arg, env) {
            Some(list) => elements(list),
            None => elements(&self.value(arg, env)),
        }
    }

    /// What this item contributes to the statistic `id` of a streamed data-set rule.
    pub(crate) fn partial(&self, id: ExprId, env: &mut [Bound<'r>]) -> crate::metrics::Part {
        let statistic = match self.rule.expr(id) {
            Node::Agreement { statistic, .. } => *statistic,
            Node::Temporal {
                function,
                sides,
                threshold,
            } => {
                let threshold = threshold
                    .and_then(|t| self.value(t, env).as_num())
                    .unwrap_or(0.5);
                let [a, b] = sides.as_ref();
                let (reference, other) = (self.segments(a, env), self.segments(b, env));
                let (matching, error, work) = function.parts_counted(
                    &super::temporal::untagged(reference),
                    &super::temporal::untagged(other),
                    threshold,
                );
                self.spend(work as usize);
                return crate::metrics::Part {
                    statistic: crate::metrics::Partial::Temporal(*function, matching, error),
                    raters: Default::default(),
                };
            }
            Node::Matched { function, matching } => {
                let parts = self.match_parts(matching, env).unwrap_or_default();
                return crate::metrics::Part {
                    statistic: crate::metrics::Partial::Matching(*function, parts),
                    raters: Default::default(),
                };
            }
            Node::Call(f, args) if f.is_share() => {
                let held = self.truth(args[0], env);
                return crate::metrics::Part {
                    statistic: crate::metrics::Partial::Share(f64::from(u8::from(held)), 1.0),
                    raters: Default::default(),
                };
            }
            _ => crate::metrics::Statistic::Agreement,
        };
        crate::metrics::Part::of(statistic, &self.ratings(id, env))
    }

    /// `share(cond)` over the records in view: the share of their items for which the
    /// condition holds, each item evaluated on its own records.
    #[inline(never)]
    fn share(&self, cond: ExprId) -> Value {
        let mut items: indexmap::IndexMap<&str, Vec<crate::data::Record>> = Default::default();
        for r in self.view.records {
            items.entry(&*r.item).or_default().push(r.clone());
        }
        let mut held = 0usize;
        for records in items.values() {
            held += usize::from(super::with_arena(|arena| {
                let view = super::ItemView::new(self.plan, records, arena);
                let run = RuleRun {
                    plan: self.plan,
                    rule: self.rule,
                    view: &view,
                    work: std::cell::Cell::new(0),
                    budget: self.budget,
                    overrides: None,
                    gathered: Default::default(),
                    computed_keys: Default::default(),
                };
                let mut env = vec![Bound::Unset; self.rule.vars.len()];
                run.truth(cond, &mut env)
            }));
        }
        match items.len() {
            0 => Value::Missing,
            n => Value::Num(held as f64 / n as f64),
        }
    }

    /// The ratings of the candidates of agreement statistic `id` that pass its filter; a
    /// rating, unit or rater that is missing leaves its record out. In a data-set rule a unit
    /// belongs to its record's item (a segment id means something only within its clip).
    /// Kept out of line: it is rare next to the joins `value` serves.
    #[inline(never)]
    /// The ratings of statistic `id`: gathered once per run of the rule when it is closed
    /// (it reads nothing that changes from one evaluation to the next), else every time.
    fn gathered(
        &self,
        id: ExprId,
        closed: bool,
        env: &mut [Bound<'r>],
    ) -> std::rc::Rc<super::GatheredRatings> {
        if !closed {
            return std::rc::Rc::new(super::GatheredRatings::new(self.ratings(id, env)));
        }
        if let Some(gathered) = self.gathered.borrow().get(&id) {
            return gathered.clone();
        }
        let gathered = std::rc::Rc::new(super::GatheredRatings::new(self.ratings(id, env)));
        self.gathered.borrow_mut().insert(id, gathered.clone());
        gathered
    }

    pub(crate) fn ratings(&self, id: ExprId, env: &mut [Bound<'r>]) -> crate::metrics::Ratings {
        let Some(rated) = self.rated(id) else {
            return crate::metrics::Ratings::default();
        };
        let candidates = self.candidates(rated.source, rated.access, env);
        let mut ratings = crate::metrics::Ratings::with_capacity(candidates.len());
        self.each_rated(&rated, &candidates, env, |env| {
            let computed: [Value; 3];
            let [value, unit, rater] = match rated.in_place {
                true => rated
                    .rating
                    .map(|e| self.borrowed(e, env).and_then(label_ref)),
                false => {
                    computed = rated.rating.map(|e| self.value(e, env));
                    [0, 1, 2].map(|i| label_ref(&computed[i]))
                }
            };
            let (Some(value), Some(unit), Some(rater)) = (value, unit, rater) else {
                return;
            };
            match &env[rated.var] {
                Bound::Record(r) if rated.per_item => {
                    let unit = item_unit(&r.item, unit);
                    ratings.add_ref(unit.as_label_ref(), rater, value);
                }
                _ => ratings.add_ref(unit, rater, value),
            }
        });
        ratings
    }

    /// How the ratings of agreement statistic `id` coincide, counted straight from records
    /// read in place (see [`crate::metrics::Tally`]): what α and Fleiss' κ need, without
    /// gathering the ratings. `None` where they must be gathered ([`RuleRun::ratings`]): a
    /// rating that is computed, or units that need their item to tell them apart.
    #[inline(never)]
    pub(crate) fn coincidences(
        &self,
        id: ExprId,
        env: &mut [Bound<'r>],
    ) -> Option<crate::metrics::agreement::Coincidences> {
        let rated = self.rated(id).filter(|r| r.in_place && !r.per_item)?;
        let candidates = self.candidates(rated.source, rated.access, env);
        let mut tally = crate::metrics::Tally::with_capacity(candidates.len());
        self.each_rated(&rated, &candidates, env, |env| {
            let [value, unit, rater] = rated
                .rating
                .map(|e| self.borrowed(e, env).and_then(label_ref));
            if let (Some(value), Some(unit), Some(rater)) = (value, unit, rater) {
                tally.add(unit, rater, value);
            }
        });
        Some(tally.finish())
    }

    /// How agreement statistic `id` reads its ratings.
    fn rated(&self, id: ExprId) -> Option<Rated<'a>> {
        let Node::Agreement {
            var,
            source,
            access,
            filter,
            rating,
            ..
        } = self.rule.expr(id)
        else {
            return None;
        };
        Some(Rated {
            var: var.0 as usize,
            source,
            access,
            filter,
            rating: *rating,
            per_item: self.rule.scope == crate::ops::Scope::Dataset && !self.view.one_item,
            // Ratings are mostly fields, read in place; anything else is computed first.
            in_place: (rating.iter())
                .all(|&e| matches!(self.rule.expr(e), Node::Const(_) | Node::Field(..))),
        })
    }

    /// Calls `each` with every one of a statistic's candidates that passes its filter bound.
    fn each_rated(
        &self,
        rated: &Rated<'a>,
        candidates: &super::Candidates<'r>,
        env: &mut [Bound<'r>],
        mut each: impl FnMut(&mut [Bound<'r>]),
    ) {
        if !self.spend(candidates.len()) {
            return;
        }
        let filter = (rated.filter, rated.access.implied());
        for i in 0..candidates.len() {
            if self.bind_passing(candidates, i, rated.var, filter, env) {
                each(env);
            }
        }
        env[rated.var] = Bound::Unset;
    }

    /// A quantifier's value: remembered when places that write it alike share it
    /// ([`crate::plan::Memo`]), else computed.
    fn quantified(&self, id: ExprId, env: &mut [Bound<'r>]) -> Value {
        let shared = self.rule.memo(id).and_then(|memo| {
            let record = self.record(env, memo.over)?;
            Some((memo.slot, self.view.position(record)?))
        });
        let Some((slot, at)) = shared else {
            return self.quantify(id, env);
        };
        if let Some(remembered) = self.view.recall(slot, at) {
            self.spend(remembered.work as usize);
            return Value::Bool(remembered.answer);
        }
        let before = self.work.get();
        let value = self.quantify(id, env);
        if let (false, Value::Bool(answer)) = (self.stopped(), &value) {
            let work = self.work.get() - before;
            let remembered = super::Remembered {
                answer: *answer,
                work,
            };
            self.view.remember(slot, at, remembered);
        }
        value
    }

    /// Runs a quantifier over its candidates.
    fn quantify(&self, id: ExprId, env: &mut [Bound<'r>]) -> Value {
        let Node::Quantified {
            quantifier,
            var,
            source,
            access,
            filter,
            condition,
        } = self.rule.expr(id)
        else {
            return Value::Missing;
        };
        let (quantifier, var, condition) = (*quantifier, var.0 as usize, *condition);
        let candidates = self.candidates(source, access, env);
        let decided = if self.spend(candidates.len()) {
            self.decide(
                quantifier,
                var,
                &candidates,
                (filter, access),
                condition,
                env,
            )
        } else {
            None
        };
        env[var] = Bound::Unset;
        Value::Bool(match (quantifier, decided) {
            (Quantifier::Count, _) => return Value::Num(decided.map_or(0, |(_, n)| n) as f64),
            (_, Some((answer, _))) => answer,
            (Quantifier::Some, None) => false,
            (Quantifier::No | Quantifier::All, None) => true,
        })
    }

    /// Runs a quantifier's candidates: `Some((answer, _))` when one decided it early, or the
    /// number that passed the filter when all were seen.
    fn decide(
        &self,
        quantifier: Quantifier,
        var: usize,
        candidates: &Candidates<'r>,
        (filter, access): (&[ExprId], &crate::plan::Access),
        condition: Option<ExprId>,
        env: &mut [Bound<'r>],
    ) -> Option<(bool, usize)> {
        let implied = access.implied();
        if access.leaves_no_filter(filter) {
            if let Some(decided) = decided_by_size(quantifier, candidates.len()) {
                return decided;
            }
        }
        let mut count = 0usize;
        for i in 0..candidates.len() {
            if !self.bind_passing(candidates, i, var, (filter, implied), env) {
                continue;
            }
            match quantifier {
                Quantifier::Some => return Some((true, 0)),
                Quantifier::No => return Some((false, 0)),
                Quantifier::All => {
                    if !condition.is_none_or(|c| self.truth(c, env)) {
                        return Some((false, 0));
                    }
                }
                Quantifier::Count => count += 1,
            }
        }
        (quantifier == Quantifier::Count).then_some((false, count))
    }
}

/// What [`RuleRun::decide`] answers when every candidate passes the filter (the index
/// lookup already applied it): for `some`, `no` and `count` that follows from their number
/// alone, without binding any of them; `all` still has its condition to check.
fn decided_by_size(quantifier: Quantifier, size: usize) -> Option<Option<(bool, usize)>> {
    match quantifier {
        Quantifier::Some => Some((size > 0).then_some((true, 0))),
        Quantifier::No => Some((size > 0).then_some((false, 0))),
        Quantifier::Count => Some(Some((false, size))),
        Quantifier::All => None,
    }
}

/// A value as a rating label; missing values and lists give none.
pub(super) fn label(value: &Value) -> Option<crate::metrics::Label> {
    crate::metrics::Label::of_value(value)
}

/// How an agreement statistic reads its ratings: its variable, what it ranges over and
/// keeps, its (value, unit, rater) expressions, and how they are read.
struct Rated<'p> {
    var: usize,
    source: &'p crate::plan::LoopSource,
    access: &'p crate::plan::Access,
    filter: &'p [ExprId],
    rating: [ExprId; 3],
    /// Units belong to their record's item (a data-set rule over several items).
    per_item: bool,
    /// Every expression is a constant or a field, read in place.
    in_place: bool,
}

/// A value as a borrowed rating label; missing values and lists give none.
fn label_ref(value: &Value) -> Option<crate::metrics::LabelRef<'_>> {
    use crate::metrics::LabelRef;
    match value {
        Value::Num(n) => Some(LabelRef::Num(*n)),
        Value::Str(s) => Some(LabelRef::Shared(s)),
        Value::Bool(true) => Some(LabelRef::Text("true")),
        Value::Bool(false) => Some(LabelRef::Text("false")),
        Value::Missing | Value::List(_) => None,
    }
}

/// A unit within its item, for statistics over the data set.
fn item_unit(item: &str, unit: crate::metrics::LabelRef) -> crate::metrics::Label {
    use crate::metrics::{Label, LabelRef};
    let unit = match unit {
        LabelRef::Num(n) => crate::data::format_number(n),
        LabelRef::Text(t) => t.to_string(),
        LabelRef::Shared(t) => t.to_string(),
    };
    Label::Text(format!("{item}\u{1f}{unit}").into())
}
