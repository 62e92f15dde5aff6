//! One checked rule → one [`RulePlan`].

use super::joins::{self, JoinChoice};
use super::{
    Access, ExprId, IndexSpec, Loop, LoopSource, MessagePart, Node, OverlapScore, RuleLocation,
    RulePlan, VarKind, Window,
};
use crate::check::ir::{self, vars_read, Expr, VarId};
use crate::ops::space::Overlap;
use crate::ops::{Mode, Quantifier};
use crate::schema::{FieldId, KindId, Schema, Type};
use crate::span::SourceMap;

/// What the rules of a pack share: groupings and indexes, each built once per item.
#[derive(Debug, Default)]
pub(super) struct Shared {
    pub groupings: Vec<(KindId, FieldId)>,
    pub indexes: Vec<IndexSpec>,
}

/// Builds one rule's expression table.
struct Builder<'g> {
    exprs: Vec<Node>,
    shared: &'g mut Shared,
    schema: &'g Schema,
    vars: &'g [ir::Var],
}

pub(super) fn lower_rule(
    rule: &ir::Rule,
    schema: &Schema,
    sources: &SourceMap,
    shared: &mut Shared,
) -> RulePlan {
    let mut b = Builder {
        exprs: Vec::new(),
        shared,
        schema,
        vars: &rule.vars,
    };
    let level_vars: Vec<VarId> = rule.bindings.iter().map(|binding| binding.var).collect();
    let mut filters: Vec<Vec<&Expr>> = vec![Vec::new(); level_vars.len()];
    let mut hints: Vec<Vec<&Expr>> = vec![Vec::new(); level_vars.len()];
    // A rule without `for` runs once (per item or for the data set): its `where` guards the
    // condition instead of filtering a loop.
    let mut guard: Vec<&Expr> = Vec::new();
    for conjunct in rule.filter.iter().flat_map(|f| conjuncts(f)) {
        match filters.get_mut(binding_level(conjunct, &level_vars)) {
            Some(level) => level.push(conjunct),
            None => guard.push(conjunct),
        }
    }
    // A `forbid` rule reports only bindings for which its condition holds, so the condition's
    // conjuncts may narrow candidates too (a `require` rule reports the others).
    if rule.mode == Mode::Forbid && !level_vars.is_empty() {
        for conjunct in conjuncts(&rule.condition) {
            hints[binding_level(conjunct, &level_vars)].push(conjunct);
        }
    }
    let loops: Vec<Loop> = rule
        .bindings
        .iter()
        .enumerate()
        .map(|(level, binding)| {
            let outer = &level_vars[..level];
            let mut narrowing = filters[level].clone();
            narrowing.extend(hints[level].iter().copied());
            let (mut access, implied) = b.access(binding.var, &binding.source, &narrowing, &|v| {
                outer.contains(&v)
            });
            let mut loop_filters = Vec::new();
            for conjunct in &filters[level] {
                let id = b.expr(conjunct);
                if implied.is_some_and(|i| std::ptr::eq(*conjunct, i)) {
                    set_implied(&mut access, id);
                }
                loop_filters.push(id);
            }
            Loop {
                var: binding.var,
                source: b.source(&binding.source),
                access,
                filters: loop_filters,
                resets: (rule.lets.iter())
                    .filter(|(_, value)| binding_level(value, &level_vars) >= level)
                    .map(|(var, _)| *var)
                    .collect(),
            }
        })
        .collect();
    let condition = b.expr(&rule.condition);
    let condition = guarded(&mut b, rule.mode, &guard, condition);
    let message = rule
        .message
        .iter()
        .map(|part| match part {
            ir::MessagePart::Text(t) => MessagePart::Text(t.clone()),
            ir::MessagePart::Value(e, f) => MessagePart::Value(b.expr(e), *f),
        })
        .collect();
    let file = sources.get(rule.span.file);
    RulePlan {
        id: rule.id.clone(),
        doc: rule.doc.clone(),
        severity: rule.severity,
        scope: rule.scope,
        mode: rule.mode,
        vars: rule
            .vars
            .iter()
            .map(|v| (v.name.clone(), var_kind(&v.ty)))
            .collect(),
        loops,
        condition,
        message,
        exprs: b.exprs,
        memos: Vec::new(),
        location: RuleLocation {
            file: file.shown.clone(),
            line: file.line_col(rule.span.range.start).0,
            range: rule.span.range.clone(),
        },
    }
}

fn var_kind(ty: &Type) -> VarKind {
    match ty {
        Type::Record(k) => VarKind::Record(*k),
        Type::Group(k, _) => VarKind::Group(*k),
        _ => VarKind::Value,
    }
}

/// The terms of a conjunction.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::And(a, b) => {
            let mut out = conjuncts(a);
            out.extend(conjuncts(b));
            out
        }
        other => vec![other],
    }
}

/// The index of the innermost loop whose variable a conjunct reads: the earliest point at
/// which it can be evaluated.
fn binding_level(e: &Expr, level_vars: &[VarId]) -> usize {
    let mut read = Vec::new();
    vars_read(e, &mut read);
    level_vars
        .iter()
        .rposition(|v| read.contains(v))
        .unwrap_or(0)
}

/// When a matching's score is an overlap of a left region and a right one (`iou`, `ioa`,
/// `ios`) and its threshold a constant above 0, only pairs whose regions meet can match:
/// those two region expressions, the measure and the threshold, so that the evaluator pairs
/// regions by a sweep over their bounds instead of scoring every pair.
fn overlap_score(m: &ir::Matching) -> Option<(&Expr, &Expr, Overlap, f64)> {
    let Expr::Call(f, args) = &m.score else {
        return None;
    };
    let threshold = crate::check::fold_constant(&m.threshold)?.as_num()?;
    let measure = Overlap::named(f.name())?;
    if threshold <= 0.0 || args.len() != 2 {
        return None;
    }
    let reads_only = |e: &Expr, var: VarId| {
        let mut read = Vec::new();
        vars_read(e, &mut read);
        read.iter().all(|v| *v == var)
    };
    let (left, right) = (m.sides[0].var, m.sides[1].var);
    (reads_only(&args[0], left) && reads_only(&args[1], right))
        .then(|| (&args[0], &args[1], measure, threshold))
}

/// The conjuncts of a filter, if any.
fn narrowing_all(filter: Option<&Expr>) -> Vec<&Expr> {
    filter.map(conjuncts).unwrap_or_default()
}

impl Builder<'_> {
    fn push(&mut self, node: Node) -> ExprId {
        self.exprs.push(node);
        ExprId((self.exprs.len() - 1) as u32)
    }

    fn source(&mut self, source: &ir::Source) -> LoopSource {
        match source {
            ir::Source::Kind(k) => LoopSource::Kind(*k),
            ir::Source::List(e) => LoopSource::List(self.expr(e)),
            ir::Source::Members(v) => LoopSource::Members(*v),
            ir::Source::GroupBy { kind, var, key } => LoopSource::GroupsBy {
                kind: *kind,
                var: *var,
                key: self.expr(key),
            },
            ir::Source::Group(k, f) => {
                LoopSource::Groups(intern(&mut self.shared.groupings, (*k, *f)))
            }
            ir::Source::Unmatched(m) => LoopSource::Unmatched(Box::new(self.matching(m))),
            ir::Source::Matched(m, partner) => LoopSource::Matched {
                matching: Box::new(self.matching(m)),
                partner: *partner,
            },
            ir::Source::Partner(_) => LoopSource::Partner,
        }
    }

    fn matching(&mut self, m: &ir::Matching) -> crate::plan::Matching {
        let [left, right] = &m.sides;
        let overlap = overlap_score(m);
        crate::plan::Matching {
            sides: [self.side(left), self.side(right)],
            score: self.expr(&m.score),
            threshold: self.expr(&m.threshold),
            pair: m.pair.as_ref().map(|p| self.expr(p)),
            method: m.method,
            overlap: overlap.map(|(left, right, measure, threshold)| OverlapScore {
                left: self.expr(left),
                right: self.expr(right),
                measure,
                threshold,
            }),
        }
    }

    /// The access path for variable `x` over `source`, narrowed by `conjuncts` that must
    /// hold for a candidate to count; with the equality a hash join makes true of every
    /// candidate.
    fn access<'e>(
        &mut self,
        x: VarId,
        source: &ir::Source,
        conjuncts: &[&'e Expr],
        bound: &dyn Fn(VarId) -> bool,
    ) -> (Access, Option<&'e Expr>) {
        let ir::Source::Kind(kind_id) = source else {
            return (Access::Scan, None);
        };
        let kind = self.schema.kind(*kind_id);
        let vars = self.vars;
        let schema = self.schema;
        let is_interval = |v: VarId| match &vars[v.0 as usize].ty {
            Type::Record(k) => schema.kind(*k).interval.is_some(),
            _ => false,
        };
        let choice: JoinChoice = joins::choose(x, kind, conjuncts, bound, &is_interval);
        if choice.is_scan() {
            return (Access::Scan, None);
        }
        // A time window, when there is one, orders the index; else a spatial join may.
        let region = choice.region.filter(|_| choice.window.is_none());
        let spec = IndexSpec {
            kind: *kind_id,
            key: choice.key.as_ref().map(|(k, _, _)| *k),
            by_start: choice.window.is_some(),
            by_x: region.map(|(field, _, _)| field),
        };
        let implied = choice.key.map(|(_, _, conjunct)| conjunct);
        let access = Access::Probe {
            index: intern(&mut self.shared.indexes, spec),
            key: choice.key.map(|(_, probe, _)| self.expr(probe)),
            window: choice.window.map(|(rel, other, tolerance)| Window {
                rel,
                other,
                tolerance,
            }),
            region: region.map(|(_, other, field)| (other, field)),
            implies: None,
        };
        (access, implied)
    }

    fn all(&mut self, e: &Expr) -> Vec<ExprId> {
        conjuncts(e).into_iter().map(|c| self.expr(c)).collect()
    }

    fn expr(&mut self, e: &Expr) -> ExprId {
        let node = match e {
            Expr::Const(v) => Node::Const(v.clone()),
            Expr::List(items) => Node::List(items.iter().map(|i| self.expr(i)).collect()),
            Expr::Var(v) => Node::Var(*v),
            Expr::Field(v, f) => Node::Field(*v, *f),
            Expr::RecordId(v) => Node::RecordId(*v),
            Expr::RecordItem(v) => Node::RecordItem(*v),
            Expr::GroupKey(v) => Node::GroupKey(*v),
            Expr::GroupColumn(v, f) => Node::GroupColumn(*v, *f),
            Expr::GroupSize(v) => Node::GroupSize(*v),
            Expr::Not(a) => Node::Not(self.expr(a)),
            Expr::Neg(a) => Node::Neg(self.expr(a)),
            Expr::Has(a) => Node::Has(self.expr(a)),
            Expr::Index(a, b) => Node::Index(self.expr(a), self.expr(b)),
            Expr::Let(var, value) => Node::Let {
                var: *var,
                value: self.expr(value),
            },
            Expr::And(..) => Node::All(self.all(e)),
            Expr::Or(..) => Node::Any(self.disjuncts(e)),
            Expr::Compare(op, a, b) => Node::Compare(*op, self.expr(a), self.expr(b)),
            Expr::Arith(op, a, b) => Node::Arith(*op, self.expr(a), self.expr(b)),
            Expr::In(a, b) => Node::In(self.expr(a), self.expr(b)),
            Expr::Default(a, b) => Node::Default(self.expr(a), self.expr(b)),
            Expr::Relation {
                rel,
                left,
                right,
                tolerance,
            } => Node::Relation {
                rel: *rel,
                left: *left,
                right: *right,
                tolerance: tolerance.as_ref().map(|t| self.expr(t)),
            },
            Expr::Call(f, args) => {
                Node::Call(f.clone(), args.iter().map(|a| self.expr(a)).collect())
            }
            Expr::Matched { function, matching } => Node::Matched {
                function: *function,
                matching: Box::new(self.matching(matching)),
            },
            Expr::Temporal {
                function,
                sides,
                threshold,
            } => {
                let [a, b] = sides.as_ref();
                let sides = Box::new([self.side(a), self.side(b)]);
                Node::Temporal {
                    function: *function,
                    sides,
                    threshold: threshold.as_ref().map(|t| self.expr(t)),
                }
            }
            Expr::Agreement {
                statistic,
                var,
                source,
                filter,
                value,
                unit,
                rater,
                target,
                gold,
            } => {
                let target = target.as_ref().map(|t| self.expr(t));
                let gold = gold.as_ref().map(|g| self.expr(g));
                let mut node = self.agreement(
                    *statistic,
                    *var,
                    source,
                    filter.as_deref(),
                    [value, unit, rater],
                );
                if let Node::Agreement {
                    target: target_slot,
                    gold: gold_slot,
                    ..
                } = &mut node
                {
                    *target_slot = target;
                    *gold_slot = gold;
                }
                node
            }
            Expr::Quantified {
                quantifier,
                var,
                source,
                filter,
                condition,
            } => self.quantified(
                *quantifier,
                *var,
                source,
                filter.as_deref(),
                condition.as_deref(),
            ),
        };
        self.push(node)
    }

    fn disjuncts(&mut self, e: &Expr) -> Vec<ExprId> {
        match e {
            Expr::Or(a, b) => {
                let mut out = self.disjuncts(a);
                out.extend(self.disjuncts(b));
                out
            }
            other => vec![self.expr(other)],
        }
    }

    /// One segmentation: its filter narrows candidates as a quantifier's does.
    fn side(&mut self, side: &ir::Side) -> crate::plan::Side {
        let narrowing: Vec<&Expr> = side.filter.as_ref().map(conjuncts).unwrap_or_default();
        let var = side.var;
        let (mut access, implied) = self.access(var, &side.source, &narrowing, &|v| v != var);
        let source = self.source(&side.source);
        let mut filter = Vec::new();
        for conjunct in narrowing {
            let id = self.expr(conjunct);
            if implied.is_some_and(|i| std::ptr::eq(conjunct, i)) {
                set_implied(&mut access, id);
            }
            filter.push(id);
        }
        crate::plan::Side {
            var,
            source,
            access,
            filter,
            label: side.label.as_ref().map(|l| self.expr(l)),
        }
    }

    /// An agreement statistic: its filter narrows candidates as a quantifier's does.
    fn agreement(
        &mut self,
        statistic: crate::metrics::Statistic,
        var: VarId,
        source: &ir::Source,
        filter: Option<&Expr>,
        rating: [&Expr; 3],
    ) -> Node {
        let narrowing: Vec<&Expr> = filter.map(conjuncts).unwrap_or_default();
        let (mut access, implied) = self.access(var, source, &narrowing, &|v| v != var);
        let source = self.source(source);
        let mut parts = Vec::new();
        for conjunct in narrowing {
            let id = self.expr(conjunct);
            if implied.is_some_and(|i| std::ptr::eq(conjunct, i)) {
                set_implied(&mut access, id);
            }
            parts.push(id);
        }
        let mut read = Vec::new();
        (narrowing_all(filter).into_iter().chain(rating)).for_each(|e| vars_read(e, &mut read));
        let closed = matches!(source, LoopSource::Kind(_)) && read.iter().all(|&v| v == var);
        let rating = rating.map(|e| self.expr(e));
        Node::Agreement {
            statistic,
            var,
            source,
            access,
            filter: parts,
            rating,
            target: None,
            gold: None,
            closed,
        }
    }

    fn quantified(
        &mut self,
        quantifier: Quantifier,
        var: VarId,
        source: &ir::Source,
        filter: Option<&Expr>,
        condition: Option<&Expr>,
    ) -> Node {
        let mut narrowing: Vec<&Expr> = filter.map(conjuncts).unwrap_or_default();
        if quantifier != Quantifier::All {
            narrowing.extend(condition.map(conjuncts).unwrap_or_default());
        }
        let (mut access, implied) = self.access(var, source, &narrowing, &|v| v != var);
        let source = self.source(source);
        let mut selecting: Vec<&Expr> = filter.map(conjuncts).unwrap_or_default();
        let condition = match (quantifier, condition) {
            (Quantifier::All, Some(c)) => Some(self.expr(c)),
            (_, Some(c)) => {
                selecting.extend(conjuncts(c));
                None
            }
            (_, None) => None,
        };
        let mut parts = Vec::new();
        for conjunct in selecting {
            let id = self.expr(conjunct);
            if implied.is_some_and(|i| std::ptr::eq(conjunct, i)) {
                set_implied(&mut access, id);
            }
            parts.push(id);
        }
        Node::Quantified {
            quantifier,
            var,
            source,
            access,
            filter: parts,
            condition,
        }
    }
}

/// A condition under a guard: `require C` reports when the guard holds and `C` does not,
/// so it becomes `not guard or C`; `forbid C` reports when both hold: `guard and C`.
fn guarded(b: &mut Builder, mode: Mode, guard: &[&Expr], condition: ExprId) -> ExprId {
    if guard.is_empty() {
        return condition;
    }
    let parts: Vec<ExprId> = guard.iter().map(|g| b.expr(g)).collect();
    let all = b.push(Node::All(parts));
    match mode {
        Mode::Require => {
            let unless = b.push(Node::Not(all));
            b.push(Node::Any(vec![unless, condition]))
        }
        Mode::Forbid => b.push(Node::All(vec![all, condition])),
    }
}

/// The position of `item` in `list`, adding it if it is new.
fn intern<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

/// Records which filter conjunct a probe's key makes true.
fn set_implied(access: &mut Access, id: ExprId) {
    if let Access::Probe { implies, .. } = access {
        *implies = Some(id);
    }
}
