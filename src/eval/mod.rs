//! Eval: run a [`Plan`] over the records of one item (or of the whole data set).
//!
//! The entry point is [`Evaluator::evaluate`]. It sees only the plan, never the AST. Loops
//! run in the plan's order with each loop's filters applied as soon as its variable is bound;
//! a loop or quantifier with a join probes a per-item index instead of scanning; quantifiers
//! stop at the first element that decides them. Every candidate a rule considers counts
//! against its work budget.

mod candidates;
mod error;
pub mod explain;
mod expr;
mod grouped;
mod index;
mod matching;
mod temporal;
mod view;

use crate::data::{Origin, Record, Value};
use crate::ops::{Mode, Scope};
use crate::plan::{Access, LoopSource, Plan, RulePlan, Window};
use crate::schema::KindId;
pub(crate) use candidates::Candidates;
use index::HashKey;
use rustc_hash::FxHashMap;
use std::cell::Cell;
use std::sync::Arc;

pub use error::EvalError;
pub use expr::render_value;
use view::{with_arena, Remembered};
pub use view::{Group, Groups, ItemView};

/// A record named by a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    /// Its item.
    pub item: Arc<str>,
    /// Its id.
    pub id: smol_str::SmolStr,
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

/// What a variable is bound to while a rule runs.
#[derive(Debug, Clone)]
pub(crate) enum Bound<'r> {
    Unset,
    Record(&'r Record),
    Group(Group<'r>),
    /// A group by a key the rule computed: the key is number `key` of those computed for
    /// `var` (held by the rule's run, [`RuleRun::group_key`]), so that binding one copies
    /// no value and `Bound` needs no dropping beyond that of `Value`.
    Keyed {
        var: u32,
        key: u32,
        members: &'r [u32],
    },
    Value(Value),
}

impl<'r> Bound<'r> {
    /// A group's members, whichever way it was grouped.
    pub(crate) fn members(&self) -> Option<&'r [u32]> {
        match self {
            Bound::Group(g) => Some(g.members),
            Bound::Keyed { members, .. } => Some(members),
            _ => None,
        }
    }
}

/// The findings of one evaluation, and the rules the work budget stopped.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Findings, sorted by rule and key.
    pub findings: Vec<Finding>,
    /// Indexes of rules stopped by the work budget; their findings are left out.
    pub exceeded: Vec<usize>,
    /// For an item: what it contributes to streamed data-set statistics
    /// ([`Evaluator::partials`]).
    pub partials: Vec<crate::metrics::Part>,
}

/// For each streamed statistic, the first one whose description (`None`: none) is the same,
/// or itself.
fn first_equal(
    streamed: &[(usize, crate::plan::ExprId)],
    describe: impl Fn((usize, crate::plan::ExprId)) -> Option<String>,
) -> Vec<usize> {
    let texts: Vec<Option<String>> = streamed.iter().map(|&s| describe(s)).collect();
    (0..streamed.len())
        .map(|k| match &texts[k] {
            Some(text) => texts
                .iter()
                .position(|other| other.as_ref() == Some(text))
                .unwrap_or(k),
            None => k,
        })
        .collect()
}

/// Runs the rules of a plan.
pub struct Evaluator<'p> {
    plan: &'p Plan,
    budget: u64,
    /// The statistics of `per dataset` rules computed from merged partials: (rule, node).
    streamed: Vec<(usize, crate::plan::ExprId)>,
    /// For each streamed statistic, the first one that gathers the same ratings (itself when
    /// none does): α and κ of the same labels gather them once per item, and the raters'
    /// counts are kept with the first only.
    same_ratings: Vec<usize>,
    /// For each streamed statistic, the first one that is the same statistic of the same
    /// ratings (written in a condition and again in a message): computed once.
    same_statistic: Vec<usize>,
    /// Whether items' parts count each rater's ratings ([`crate::metrics::RaterStats`]).
    rater_metrics: bool,
    /// For each streamed statistic that gathers ratings first, whether every statistic of the
    /// same ratings is α or Fleiss' κ: then, without raters' counts, the ratings need not be
    /// kept, only how their units' values coincide.
    only_coincidences: Vec<bool>,
}

/// One item's ratings for the streamed statistics that rate alike (α and Fleiss' κ of the
/// same labels, say), gathered once, with what those statistics share.
struct Gathered {
    ratings: crate::metrics::Ratings,
    /// The raters' counts, when the run asks for them.
    raters: crate::metrics::RaterStats,
    /// How the units' values coincide, counted once for α and Fleiss' κ alike.
    coincidences: Option<crate::metrics::agreement::Coincidences>,
}

impl Gathered {
    /// Ratings counted straight into how their units' values coincide, for α and Fleiss' κ.
    fn counted(coincidences: crate::metrics::agreement::Coincidences) -> Gathered {
        Gathered {
            ratings: Default::default(),
            raters: Default::default(),
            coincidences: Some(coincidences),
        }
    }

    fn new(ratings: crate::metrics::Ratings, rater_metrics: bool) -> Gathered {
        let raters = match rater_metrics {
            true => crate::metrics::RaterStats::of(&ratings),
            false => Default::default(),
        };
        Gathered {
            ratings,
            raters,
            coincidences: None,
        }
    }

    /// The part of `statistic` that the ratings contribute.
    fn partial(&mut self, statistic: crate::metrics::Statistic) -> crate::metrics::Partial {
        use crate::metrics::{Partial, Statistic};
        let ratings = &self.ratings;
        let mut coincidences = || {
            (self
                .coincidences
                .get_or_insert_with(|| ratings.coincidences()))
            .clone()
        };
        match statistic {
            Statistic::Alpha(level) => Partial::Alpha(level, coincidences()),
            Statistic::Fleiss => Partial::Fleiss(coincidences()),
            other => Partial::of(other, ratings),
        }
    }
}

impl<'p> Evaluator<'p> {
    /// An evaluator for `plan`, with no work budget.
    pub fn new(plan: &'p Plan) -> Self {
        let streamed: Vec<(usize, crate::plan::ExprId)> = plan
            .rules
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.streamed_statistics()
                    .into_iter()
                    .flatten()
                    .map(move |e| (i, e))
            })
            .collect();
        let same_ratings = first_equal(&streamed, |(index, id)| {
            crate::plan::describe_ratings(plan, &plan.rules[index], id)
        });
        let same_statistic = first_equal(&streamed, |(index, id)| {
            Some(crate::plan::describe_expr(plan, &plan.rules[index], id))
        });
        let only_coincidences = (0..streamed.len())
            .map(|k| {
                (0..streamed.len())
                    .filter(|&j| same_ratings[j] == k)
                    .all(|j| {
                        let (index, id) = streamed[j];
                        matches!(
                            plan.rules[index].expr(id),
                            crate::plan::Node::Agreement {
                                statistic: crate::metrics::Statistic::Alpha(_)
                                    | crate::metrics::Statistic::Fleiss,
                                ..
                            }
                        )
                    })
            })
            .collect();
        Evaluator {
            plan,
            budget: u64::MAX,
            streamed,
            same_ratings,
            same_statistic,
            rater_metrics: true,
            only_coincidences,
        }
    }

    /// The streamed statistics, with their rule, in the order of [`Evaluator::partials`].
    pub fn streamed(&self) -> &[(usize, crate::plan::ExprId)] {
        &self.streamed
    }

    /// Whether `per dataset` rules need every record of the data set (some rule is not
    /// computed from partial statistics).
    pub fn needs_dataset_records(&self) -> bool {
        self.plan
            .rules
            .iter()
            .any(|r| r.scope == Scope::Dataset && r.streamed_statistics().is_none())
    }

    /// What one item contributes to the statistics of streamed `per dataset` rules, in a
    /// fixed order; merge the parts of every item and pass them to
    /// [`Evaluator::finish_streamed`].
    pub fn partials(&self, records: &[Record]) -> Vec<crate::metrics::Part> {
        if self.streamed.is_empty() {
            return Vec::new();
        }
        if records.is_empty() {
            // Nothing to add: the neutral part every merge starts from (no item, no rating).
            return self
                .streamed
                .iter()
                .map(|&(index, id)| self.neutral_part(&self.plan.rules[index], id))
                .collect();
        }
        with_arena(|arena| self.partials_in(&ItemView::new(self.plan, records, arena)))
    }

    /// [`Evaluator::partials`] over an item's indexed records.
    fn partials_in<'r>(&self, view: &'r ItemView<'r>) -> Vec<crate::metrics::Part> {
        let mut env = Vec::new();
        let mut gathered: Vec<Option<Gathered>> = Vec::new();
        gathered.resize_with(self.streamed.len(), || None);
        let mut parts = Vec::with_capacity(self.streamed.len());
        for (k, &(index, id)) in self.streamed.iter().enumerate() {
            if let Some(earlier) = parts
                .get(self.same_statistic[k])
                .filter(|_| self.same_statistic[k] != k)
            {
                let copy: &crate::metrics::Part = earlier;
                parts.push(copy.neutral());
                continue;
            }
            let rule = &self.plan.rules[index];
            let run = self.run(rule, view, None);
            env.clear();
            env.resize(rule.vars.len(), Bound::Unset);
            let part = match rule.expr(id) {
                crate::plan::Node::Agreement { statistic, .. } => {
                    let first = self.same_ratings[k] == k;
                    let gathered = gathered[self.same_ratings[k]].get_or_insert_with(|| {
                        let counted = match self.only_coincidences[self.same_ratings[k]] {
                            true if !self.rater_metrics => run.coincidences(id, &mut env),
                            _ => None,
                        };
                        match counted {
                            Some(coincidences) => Gathered::counted(coincidences),
                            None => Gathered::new(run.ratings(id, &mut env), self.rater_metrics),
                        }
                    });
                    crate::metrics::Part {
                        statistic: gathered.partial(*statistic),
                        raters: match first {
                            true => gathered.raters.clone(),
                            false => Default::default(),
                        },
                    }
                }
                _ => run.partial(id, &mut env),
            };
            parts.push(part);
        }
        parts
    }

    /// The value of the `k`th streamed statistic from the merged parts.
    pub fn streamed_value(&self, merged: &[crate::metrics::Part], k: usize) -> Option<f64> {
        merged
            .get(self.same_statistic[k])?
            .statistic
            .finish()
            .filter(|x| x.is_finite())
    }

    /// The raters' counts behind the `k`th streamed statistic, from the merged parts.
    pub fn streamed_raters<'m>(
        &self,
        merged: &'m [crate::metrics::Part],
        k: usize,
    ) -> Option<&'m crate::metrics::RaterStats> {
        Some(
            &merged
                .get(self.same_ratings[self.same_statistic[k]])?
                .raters,
        )
    }

    /// The findings of streamed `per dataset` rules, from the merged partials (in the order
    /// [`Evaluator::partials`] gives them).
    pub fn finish_streamed(&self, merged: &[crate::metrics::Part]) -> Vec<Finding> {
        with_arena(|arena| self.finish_streamed_in(&ItemView::new(self.plan, &[], arena), merged))
    }

    fn finish_streamed_in<'r>(
        &self,
        view: &'r ItemView<'r>,
        merged: &[crate::metrics::Part],
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut env = Vec::new();
        let mut found = Vec::new();
        for (index, rule) in self.plan.rules.iter().enumerate() {
            let overrides: FxHashMap<crate::plan::ExprId, Value> = self
                .streamed
                .iter()
                .enumerate()
                .filter(|(_, (i, _))| *i == index)
                .map(|(k, (_, id))| {
                    let value = self.streamed_value(merged, k);
                    (*id, value.map_or(Value::Missing, Value::Num))
                })
                .collect();
            if overrides.is_empty() {
                continue;
            }
            let run = self.run(rule, view, Some(&overrides));
            env.clear();
            env.resize(rule.vars.len(), Bound::Unset);
            found.clear();
            run.loops(0, &mut env, &mut found);
            findings.extend(
                found
                    .iter_mut()
                    .map(|env: &mut Vec<Bound>| run.finding(index, None, env)),
            );
        }
        findings
    }

    /// The values of the statistics of item-scope rules without `for` on one item:
    /// (rule, statistic, value), for `--metrics`.
    pub fn item_statistics(&self, records: &[Record]) -> Vec<(usize, crate::plan::ExprId, Value)> {
        with_arena(|arena| self.item_statistics_in(&ItemView::new(self.plan, records, arena)))
    }

    fn item_statistics_in<'r>(
        &self,
        view: &'r ItemView<'r>,
    ) -> Vec<(usize, crate::plan::ExprId, Value)> {
        let mut out = Vec::new();
        let mut env = Vec::new();
        for (index, rule) in self.plan.rules.iter().enumerate() {
            if rule.scope != Scope::Item {
                continue;
            }
            for id in rule.statistics() {
                let run = self.run(rule, view, None);
                env.clear();
                env.resize(rule.vars.len(), Bound::Unset);
                out.push((index, id, run.value(id, &mut env)));
            }
        }
        out
    }

    /// The part of a statistic that adds nothing.
    fn neutral_part(
        &self,
        rule: &crate::plan::RulePlan,
        id: crate::plan::ExprId,
    ) -> crate::metrics::Part {
        let statistic = match rule.expr(id) {
            crate::plan::Node::Agreement { statistic, .. } => {
                crate::metrics::Partial::of(*statistic, &crate::metrics::Ratings::default())
            }
            crate::plan::Node::Temporal { function, .. } => {
                crate::metrics::Partial::Temporal(*function, Default::default(), Default::default())
            }
            crate::plan::Node::Matched { function, .. } => {
                crate::metrics::Partial::Matching(*function, Default::default())
            }
            _ => crate::metrics::Partial::Share(0.0, 0.0),
        };
        crate::metrics::Part {
            statistic,
            raters: Default::default(),
        }
    }

    fn run<'a, 'r>(
        &'a self,
        rule: &'a crate::plan::RulePlan,
        view: &'r ItemView<'r>,
        overrides: Option<&'a FxHashMap<crate::plan::ExprId, Value>>,
    ) -> RuleRun<'a, 'r> {
        RuleRun {
            plan: self.plan,
            rule,
            view,
            work: Cell::new(0),
            budget: self.budget,
            overrides,
            gathered: Default::default(),
            computed_keys: Default::default(),
        }
    }

    /// The same evaluator, stopping a rule on an item once it has considered more than
    /// `budget` candidates.
    pub fn with_budget(self, budget: u64) -> Self {
        Evaluator { budget, ..self }
    }

    /// Whether items' parts count each rater's ratings, for [`crate::run::Metric::raters`]
    /// (on unless turned off): the statistics do not need them.
    pub fn with_rater_metrics(self, rater_metrics: bool) -> Self {
        Evaluator {
            rater_metrics,
            ..self
        }
    }

    /// The work budget per rule and item.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    /// The plan it runs.
    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// Evaluates every rule of `scope` over `records`, which must all belong to one item
    /// (or, for [`Scope::Dataset`], be the whole data set). Findings come sorted by rule and
    /// key, so the order does not depend on the order of the records or of the candidates.
    pub fn evaluate(&self, records: &[Record], scope: Scope) -> Evaluation {
        with_arena(|arena| self.evaluate_in(&ItemView::new(self.plan, records, arena), scope))
    }

    fn evaluate_in<'r>(&self, view: &'r ItemView<'r>, scope: Scope) -> Evaluation {
        let records = view.records;
        let item: Option<Arc<str>> = match scope {
            Scope::Item => records.first().map(|r| r.item.clone()),
            Scope::Dataset => None,
        };
        let mut out = Evaluation::default();
        let mut env = Vec::new();
        let mut found = Vec::new();
        for (index, rule) in self.plan.rules.iter().enumerate() {
            let streamed = self.streamed.iter().any(|(i, _)| *i == index);
            if rule.scope != scope || (scope == Scope::Dataset && streamed) {
                continue;
            }
            let run = self.run(rule, view, None);
            env.clear();
            env.resize(rule.vars.len(), Bound::Unset);
            found.clear();
            run.loops(0, &mut env, &mut found);
            if run.stopped() {
                out.exceeded.push(index);
                continue;
            }
            let mut findings: Vec<Finding> = found
                .iter_mut()
                .map(|env: &mut Vec<Bound>| run.finding(index, item.clone(), env))
                .collect();
            findings.sort_by(|a, b| a.key.cmp(&b.key));
            out.findings.extend(findings);
        }
        if scope == Scope::Item && !self.streamed.is_empty() {
            out.partials = self.partials_in(view);
        }
        out
    }
}

/// One rule running over one item.
pub(crate) struct RuleRun<'a, 'r> {
    pub(crate) plan: &'a Plan,
    pub(crate) rule: &'a RulePlan,
    pub(crate) view: &'r ItemView<'r>,
    work: Cell<u64>,
    budget: u64,
    /// Values of agreement statistics computed beforehand (streamed `per dataset` rules).
    pub(crate) overrides: Option<&'a FxHashMap<crate::plan::ExprId, Value>>,
    /// The ratings of closed agreement statistics (`Node::Agreement::closed`), gathered once
    /// in this run of the rule, with each rater's counts once asked for.
    pub(crate) gathered:
        std::cell::RefCell<FxHashMap<crate::plan::ExprId, std::rc::Rc<GatheredRatings>>>,
    /// The keys of the groups last computed for each variable (`group x in K by expr`), by
    /// variable. A variable's loop runs to its end before it is entered again, so its keys
    /// are replaced only once no binding reads them.
    computed_keys: std::cell::RefCell<Vec<Vec<Value>>>,
}

/// A closed statistic's ratings, and each rater's counts of them.
pub(crate) struct GatheredRatings {
    pub(crate) ratings: crate::metrics::Ratings,
    stats: std::cell::OnceCell<crate::metrics::RaterStats>,
}

impl GatheredRatings {
    pub(crate) fn new(ratings: crate::metrics::Ratings) -> Self {
        GatheredRatings {
            ratings,
            stats: std::cell::OnceCell::new(),
        }
    }

    /// Each rater's counts, computed the first time they are asked for.
    pub(crate) fn stats(&self) -> &crate::metrics::RaterStats {
        self.stats
            .get_or_init(|| crate::metrics::RaterStats::of(&self.ratings))
    }
}

impl<'a, 'r> RuleRun<'a, 'r> {
    /// Whether the work budget stopped the rule.
    pub(crate) fn stopped(&self) -> bool {
        self.work.get() > self.budget
    }

    /// Counts `n` more candidates against the budget; false once it is exceeded.
    pub(crate) fn spend(&self, n: usize) -> bool {
        let work = self.work.get().saturating_add(n as u64);
        self.work.set(work);
        work <= self.budget
    }

    /// Binds candidate `i` to `var`, and says whether it passes the conjuncts of `filter`
    /// that its access did not already make true (`implied`).
    #[inline]
    pub(crate) fn bind_passing(
        &self,
        candidates: &Candidates<'r>,
        i: usize,
        var: usize,
        (filter, implied): (&[crate::plan::ExprId], Option<crate::plan::ExprId>),
        env: &mut [Bound<'r>],
    ) -> bool {
        candidates.bind(i, self.view, &mut env[var]);
        filter
            .iter()
            .all(|f| Some(*f) == implied || self.truth(*f, env))
    }

    fn loops(&self, level: usize, env: &mut Vec<Bound<'r>>, found: &mut Vec<Vec<Bound<'r>>>) {
        let Some(l) = self.rule.loops.get(level) else {
            if self.violated(env) {
                found.push(env.clone());
            }
            return;
        };
        let var = l.var.0 as usize;
        let candidates = self.candidates(&l.source, &l.access, env);
        if !self.spend(candidates.len()) {
            return;
        }
        let implied = l.access.implied();
        let resets = l.resets.as_slice();
        for i in 0..candidates.len() {
            // A `let` that reads this loop's variable is computed again for the new binding.
            for reset in resets {
                env[reset.0 as usize] = Bound::Unset;
            }
            if let Candidates::Pairs { right, partner, .. } = candidates {
                env[partner as usize] = Bound::Record(&self.view.records[right[i] as usize]);
            }
            if self.bind_passing(&candidates, i, var, (&l.filters, implied), env) {
                self.loops(level + 1, env, found);
            }
            if self.stopped() {
                break;
            }
        }
        env[var] = Bound::Unset;
    }

    /// What a source ranges over, given the variables bound so far: all of it for a scan,
    /// the index's answer for a probe.
    pub(crate) fn candidates(
        &self,
        source: &LoopSource,
        access: &Access,
        env: &mut [Bound<'r>],
    ) -> Candidates<'r> {
        let view = self.view;
        if let Access::Probe {
            index,
            key,
            window,
            region,
            ..
        } = access
        {
            let spatial;
            let window = match region {
                Some((other, field)) => {
                    spatial = Window::meeting(*other);
                    self.extent(env, *other, *field).map(|x| (&spatial, x))
                }
                None => window
                    .as_ref()
                    .and_then(|w| Some((w, self.interval(env, w.other)?))),
            };
            if region.is_some() && window.is_none() {
                return Candidates::Records(&[]);
            }
            let index = view.index(*index);
            let found = match key {
                None => index.probe(None, window),
                Some(k) => match self.text(*k, env) {
                    Some(text) => index.probe(Some(HashKey::Str(text)), window),
                    None => {
                        let value = self.value(*k, env);
                        match HashKey::of(&value) {
                            Some(key) => index.probe(Some(key), window),
                            None => &[],
                        }
                    }
                },
            };
            return Candidates::Records(found);
        }
        match source {
            LoopSource::Kind(k) => Candidates::Records(view.kind_members(*k)),
            LoopSource::Groups(g) => Candidates::Groups(view.groups(*g)),
            LoopSource::GroupsBy { kind, var, key } => self.groups_by(*kind, *var, *key, env),
            LoopSource::Unmatched(m) => self.unmatched(m, env),
            LoopSource::Matched { matching, partner } => self.pairs(matching, *partner, env),
            LoopSource::Partner => Candidates::Current,
            LoopSource::Members(v) => match env[v.0 as usize].members() {
                Some(members) => Candidates::Records(members),
                None => Candidates::None,
            },
            LoopSource::List(e) => match self.value(*e, env) {
                Value::List(items) => Candidates::Values(items),
                _ => Candidates::None,
            },
        }
    }

    fn violated(&self, env: &mut [Bound<'r>]) -> bool {
        let holds = self.truth(self.rule.condition, env);
        match self.rule.mode {
            Mode::Require => !holds,
            Mode::Forbid => holds,
        }
    }

    /// The finding of one violating binding; `env` is that binding, which the message may
    /// use as scratch (a `let` it reads is computed into its slot).
    fn finding(&self, rule: usize, item: Option<Arc<str>>, env: &mut [Bound<'r>]) -> Finding {
        let mut key = Vec::with_capacity(self.rule.loops.len());
        let mut records = Vec::with_capacity(self.rule.loops.len());
        for l in &self.rule.loops {
            match &env[l.var.0 as usize] {
                Bound::Record(r) => {
                    // `as_str` first: `to_string` on a `SmolStr` goes through `Display`.
                    key.push(r.id.as_str().to_owned());
                    records.push(RecordRef::of(r));
                }
                bound @ (Bound::Group(_) | Bound::Keyed { .. }) => {
                    let group_key = self.group_key(bound).unwrap_or(Value::Missing);
                    let members = bound.members().unwrap_or_default();
                    key.push(group_key.to_string());
                    records.extend(
                        (members.iter()).map(|&i| RecordRef::of(&self.view.records[i as usize])),
                    );
                }
                Bound::Value(Value::Str(s)) => key.push(s.as_str().to_owned()),
                Bound::Value(v) => key.push(v.to_string()),
                Bound::Unset => {}
            }
        }
        Finding {
            rule,
            item,
            key,
            records,
            message: self.message(env),
        }
    }

    fn message(&self, env: &mut [Bound<'r>]) -> String {
        // Room for a typical message, which would otherwise grow three or four times.
        let mut out = String::with_capacity(128);
        for part in &self.rule.message {
            match part {
                crate::plan::MessagePart::Text(t) => out.push_str(t),
                crate::plan::MessagePart::Value(e, format) => match self.text(*e, env) {
                    Some(text) => out.push_str(text),
                    None => expr::write_value(&mut out, &self.value(*e, env), *format),
                },
            }
        }
        out
    }
}
