//! The plan in words, for `concordant plan`: scans, join strategies, indexes, and the order
//! they run in.

use super::{Access, ExprId, IndexKey, LoopSource, Node, Plan, RulePlan, VarKind};
use crate::check::ir::VarId;
use crate::ops::{Mode, Quantifier};
use crate::plan::Function;
use std::fmt::Write;

/// An expression of a rule, as `concordant plan` shows it.
pub fn describe_expr(plan: &Plan, rule: &RulePlan, id: ExprId) -> String {
    Printer { plan, rule }.expr(id)
}

/// The ratings an agreement statistic gathers (`l in label records: l.value per l.segment by
/// l.annotator`), without the statistic: statistics whose ratings read the same gather them
/// once per item.
pub fn describe_ratings(plan: &Plan, rule: &RulePlan, id: ExprId) -> Option<String> {
    Printer { plan, rule }.ratings(id)
}

/// Describes how a rule runs, step by step, with the indexes it probes.
pub fn describe_rule(plan: &Plan, rule: &RulePlan) -> String {
    let p = Printer { plan, rule };
    let mut out = String::new();
    let scope = rule.scope.as_str();
    let _ = writeln!(
        out,
        "rule {} ({}, per {scope}) at {}:{}",
        rule.id,
        rule.severity.as_str(),
        rule.location.file.display(),
        rule.location.line
    );
    if rule.streamed_statistics().is_some() {
        let _ = writeln!(
            out,
            "  streamed: each item adds its part of the statistics; the parts merge, no record is kept"
        );
    } else if rule.scope == crate::ops::Scope::Dataset {
        let _ = writeln!(
            out,
            "  runs once over every record of the data set, kept in memory"
        );
    }
    let mut used = Vec::new();
    for (depth, l) in rule.loops.iter().enumerate() {
        let indent = "  ".repeat(depth + 1);
        let how = p.access(&l.source, &l.access, l.var, &mut used);
        let _ = writeln!(
            out,
            "{indent}{}. for each {}: {how}",
            depth + 1,
            p.var(l.var)
        );
        for f in &l.filters {
            let _ = writeln!(out, "{indent}   keep if {}", p.expr(*f));
        }
    }
    let indent = "  ".repeat(rule.loops.len() + 1);
    let verb = match rule.mode {
        Mode::Require => "report unless",
        Mode::Forbid => "report if",
    };
    let _ = writeln!(out, "{indent}{verb} {}", p.expr(rule.condition));
    p.quantifiers(rule.condition, &indent, &mut out, &mut used);
    for l in &rule.loops {
        for f in &l.filters {
            p.quantifiers(*f, &indent, &mut out, &mut used);
        }
    }
    if !used.is_empty() {
        out.push_str("indexes (built once per item on first use, shared by every rule):\n");
        for i in used {
            let users = plan.rules.iter().filter(|r| uses_index(r, i)).count();
            let _ = writeln!(
                out,
                "  #{i} {} (used by {users} rule{})",
                p.index(i),
                if users == 1 { "" } else { "s" }
            );
        }
    }
    out
}

fn uses_index(rule: &RulePlan, index: usize) -> bool {
    let probes = |a: &Access| matches!(a, Access::Probe { index: i, .. } if *i == index);
    rule.loops.iter().any(|l| probes(&l.access))
        || rule
            .exprs
            .iter()
            .any(|n| matches!(n, Node::Quantified { access, .. } if probes(access)))
}

struct Printer<'a> {
    plan: &'a Plan,
    rule: &'a RulePlan,
}

impl Printer<'_> {
    /// The ratings of an agreement statistic, as in the rule.
    fn ratings(&self, id: ExprId) -> Option<String> {
        let Node::Agreement {
            var,
            source,
            filter,
            rating,
            ..
        } = self.rule.expr(id)
        else {
            return None;
        };
        let mut text = format!("{} in {}", self.var(*var), self.source(source));
        if !filter.is_empty() {
            text.push_str(&format!(" where {}", self.list(filter, " and ")));
        }
        let [value, unit, rater] = rating.map(|e| self.expr(e));
        text.push_str(&format!(": {value} per {unit} by {rater}"));
        Some(text)
    }

    fn var(&self, v: VarId) -> &str {
        &self.rule.vars[v.0 as usize].0
    }

    fn field(&self, v: VarId, f: crate::schema::FieldId) -> String {
        match self.rule.vars[v.0 as usize].1 {
            VarKind::Record(k) | VarKind::Group(k) => {
                self.plan.schema.kind(k).field(f).name.clone()
            }
            VarKind::Value => "?".into(),
        }
    }

    fn index(&self, i: usize) -> String {
        let spec = &self.plan.indexes[i];
        let kind = &self.plan.schema.kind(spec.kind);
        let mut parts = Vec::new();
        match spec.key {
            Some(IndexKey::Field(f)) => parts.push(format!("hashed by {}", kind.field(f).name)),
            Some(IndexKey::Id) => parts.push("hashed by id".into()),
            None => {}
        }
        if spec.by_start {
            parts.push("sorted by start".into());
        }
        if let Some(f) = spec.by_x {
            parts.push(format!("sorted by the left edge of {}", kind.field(f).name));
        }
        format!("{} records {}", kind.name, parts.join(", "))
    }

    /// One side of a temporal agreement function or a matching.
    fn side(&self, s: &crate::plan::Side) -> String {
        let mut text = format!("{} in {}", self.var(s.var), self.source(&s.source));
        if !s.filter.is_empty() {
            text.push_str(&format!(" where {}", self.list(&s.filter, " and ")));
        }
        if let Some(l) = s.label {
            text.push_str(&format!(" by {}", self.expr(l)));
        }
        text
    }

    fn source(&self, source: &LoopSource) -> String {
        match source {
            LoopSource::Kind(k) => format!("{} records", self.plan.schema.kind(*k).name),
            LoopSource::List(e) => format!("elements of {}", self.expr(*e)),
            LoopSource::Groups(g) => {
                let (k, f) = self.plan.groupings[*g];
                let kind = self.plan.schema.kind(k);
                format!("groups of {} by {}", kind.name, kind.field(f).name)
            }
            LoopSource::Members(v) => format!("records of group {}", self.var(*v)),
            LoopSource::GroupsBy { kind, var, key } => format!(
                "groups of {} records {} by {}",
                self.plan.schema.kind(*kind).name,
                self.var(*var),
                self.expr(*key)
            ),
            LoopSource::Unmatched(m) => format!("records left unmatched by {}", self.matching(m)),
            LoopSource::Matched { matching, partner } => format!(
                "pairs of {} (binding {} to the partner)",
                self.matching(matching),
                self.var(*partner)
            ),
            LoopSource::Partner => "the partner the pair binds".into(),
        }
    }

    /// `greedy one-to-one matching of (a in …) with (b in …) by score >= t and pair`.
    fn matching(&self, m: &crate::plan::Matching) -> String {
        let [a, b] = &m.sides;
        let mut text = format!(
            "{} one-to-one matching of ({}) with ({}) by {} >= {}",
            m.method.as_str(),
            self.side(a),
            self.side(b),
            self.expr(m.score),
            self.expr(m.threshold)
        );
        if let Some(p) = m.pair {
            text.push_str(&format!(" and {}", self.expr(p)));
        }
        if m.overlap.is_some() {
            text.push_str(", pairing only regions whose bounds meet (a sweep)");
        }
        text
    }

    fn access(
        &self,
        source: &LoopSource,
        access: &Access,
        x: VarId,
        used: &mut Vec<usize>,
    ) -> String {
        match access {
            Access::Scan => format!("scan {}", self.source(source)),
            Access::Probe {
                index,
                key,
                window,
                region,
                ..
            } => {
                if !used.contains(index) {
                    used.push(*index);
                }
                let mut how = Vec::new();
                if let Some(k) = key {
                    how.push(format!("hash join on key {}", self.expr(*k)));
                }
                if let Some(w) = window {
                    let tol = w
                        .tolerance
                        .map(|d| format!(" within {}s", crate::data::format_number(d)))
                        .unwrap_or_default();
                    how.push(format!(
                        "interval join: start times in the window of {} {} {}{tol}",
                        self.var(x),
                        w.rel.keyword(),
                        self.var(w.other)
                    ));
                }
                if let Some((other, field)) = region {
                    let kind = match &self.rule.vars[other.0 as usize].1 {
                        crate::plan::VarKind::Record(k) => {
                            self.plan.schema.kind(*k).field(*field).name.clone()
                        }
                        _ => String::new(),
                    };
                    how.push(format!(
                        "spatial join: shapes of {} whose left-right extent meets {}.{kind}",
                        self.var(x),
                        self.var(*other)
                    ));
                }
                format!(
                    "probe index #{index} ({}) by {}",
                    self.index(*index),
                    how.join(" and ")
                )
            }
        }
    }

    /// Lists the quantifiers inside an expression with how each finds its candidates.
    fn quantifiers(&self, id: ExprId, indent: &str, out: &mut String, used: &mut Vec<usize>) {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let node = self.rule.expr(id);
            if let Node::Agreement {
                statistic,
                var,
                source,
                access,
                ..
            } = node
            {
                let how = self.access(source, access, *var, used);
                let _ = writeln!(
                    out,
                    "{indent}  `{} {}`: agreement statistic over every candidate; {how}",
                    statistic.name(),
                    self.var(*var)
                );
            }
            if let Node::Quantified {
                quantifier,
                var,
                source,
                access,
                ..
            } = node
            {
                let join = match quantifier {
                    Quantifier::Some => "semi-join, stops at the first match",
                    Quantifier::No => "anti-join, stops at the first match",
                    Quantifier::All => "universal check, stops at the first failure",
                    Quantifier::Count => "count",
                };
                let how = self.access(source, access, *var, used);
                let shared = match self.rule.memo(id) {
                    Some(memo) => format!(
                        "; computed once per {} and item, shared with every place written alike (memo #{})",
                        self.var(memo.over),
                        memo.slot
                    ),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "{indent}  `{} {}`: {join}; {how}{shared}",
                    quantifier.as_str(),
                    self.var(*var)
                );
            }
            stack.extend(children(node).into_iter().rev());
        }
    }

    fn expr(&self, id: ExprId) -> String {
        match self.rule.expr(id) {
            Node::Const(v) => match v {
                crate::data::Value::Str(s) => format!("{s:?}"),
                other => other.to_string(),
            },
            Node::List(items) => format!("[{}]", self.list(items, ", ")),
            Node::Var(v) => self.var(*v).into(),
            Node::Field(v, f) | Node::GroupColumn(v, f) => {
                format!("{}.{}", self.var(*v), self.field(*v, *f))
            }
            Node::RecordId(v) => format!("{}.id", self.var(*v)),
            Node::RecordItem(v) => format!("{}.item", self.var(*v)),
            Node::GroupKey(v) => format!("{}.key", self.var(*v)),
            Node::GroupSize(v) => format!("count({})", self.var(*v)),
            Node::Not(a) => format!("not {}", self.expr(*a)),
            Node::All(parts) => self.list(parts, " and "),
            Node::Any(parts) => format!("({})", self.list(parts, " or ")),
            Node::Compare(op, a, b) => {
                format!("{} {} {}", self.expr(*a), op.as_str(), self.expr(*b))
            }
            Node::Arith(op, a, b) => {
                format!("({} {} {})", self.expr(*a), op.as_str(), self.expr(*b))
            }
            Node::Neg(a) => format!("-{}", self.expr(*a)),
            Node::In(a, b) => format!("{} in {}", self.expr(*a), self.expr(*b)),
            Node::Default(a, b) => format!("{} ?? {}", self.expr(*a), self.expr(*b)),
            Node::Has(a) => format!("has {}", self.expr(*a)),
            Node::Index(a, b) => format!("{}[{}]", self.expr(*a), self.expr(*b)),
            Node::Let { var, value } => {
                format!("(let {} = {})", self.var(*var), self.expr(*value))
            }
            Node::Relation {
                rel,
                left,
                right,
                tolerance,
            } => {
                let tol = tolerance
                    .map(|t| format!(" within {}", self.expr(t)))
                    .unwrap_or_default();
                format!(
                    "{} {} {}{tol}",
                    self.var(*left),
                    rel.keyword(),
                    self.var(*right)
                )
            }
            Node::Call(f, args) => format!("{}({})", f.name(), self.arguments(f, args)),
            Node::Matched { function, matching } => {
                format!("{} of the {}", function.name(), self.matching(matching))
            }
            Node::Temporal {
                function,
                sides,
                threshold,
            } => {
                let [a, b] = sides.as_ref();
                let (a, b) = (self.side(a), self.side(b));
                let mut text = format!("{}({a}, {b}", function.name());
                if let Some(t) = threshold {
                    text.push_str(&format!(", {}", self.expr(*t)));
                }
                text.push(')');
                text
            }
            Node::Agreement {
                statistic,
                target,
                gold,
                ..
            } => {
                let mut text = format!(
                    "{}({}",
                    statistic.name(),
                    self.ratings(id).unwrap_or_default()
                );
                if let Some(t) = target {
                    text.push_str(&format!(" for {}", self.expr(*t)));
                }
                if let Some(g) = gold {
                    text.push_str(&format!(" against {}", self.expr(*g)));
                }
                if let Some(option) = statistic.option() {
                    text.push_str(&format!(", {option}"));
                }
                text.push(')');
                text
            }
            Node::Quantified {
                quantifier,
                var,
                source,
                filter,
                condition,
                ..
            } => {
                let mut text = format!(
                    "({} {} in {}",
                    quantifier.as_str(),
                    self.var(*var),
                    self.source(source)
                );
                if !filter.is_empty() {
                    text.push_str(&format!(" where {}", self.list(filter, " and ")));
                }
                if let Some(c) = condition {
                    text.push_str(&format!(" satisfy {}", self.expr(*c)));
                }
                text.push(')');
                text
            }
        }
    }

    /// A call's arguments; a record given for its interval shows as its variable.
    fn arguments(&self, f: &Function, args: &[ExprId]) -> String {
        let shown: Vec<String> = (f.builtin.params.iter().zip(args))
            .map(|(param, arg)| match (param, self.rule.expr(*arg)) {
                (crate::builtins::Param::Interval, Node::RecordId(v)) => self.var(*v).to_string(),
                _ => self.expr(*arg),
            })
            .collect();
        shown.join(", ")
    }

    fn list(&self, items: &[ExprId], sep: &str) -> String {
        items
            .iter()
            .map(|i| self.expr(*i))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

pub(super) fn children(node: &Node) -> Vec<ExprId> {
    match node {
        Node::List(items) | Node::All(items) | Node::Any(items) | Node::Call(_, items) => {
            items.clone()
        }
        Node::Not(a) | Node::Neg(a) | Node::Has(a) | Node::Let { value: a, .. } => vec![*a],
        Node::Compare(_, a, b)
        | Node::Arith(_, a, b)
        | Node::In(a, b)
        | Node::Default(a, b)
        | Node::Index(a, b) => {
            vec![*a, *b]
        }
        Node::Quantified {
            filter, condition, ..
        } => filter.iter().copied().chain(*condition).collect(),
        Node::Agreement {
            filter,
            rating,
            target,
            gold,
            ..
        } => filter
            .iter()
            .copied()
            .chain(rating.iter().copied())
            .chain(*target)
            .chain(*gold)
            .collect(),
        Node::Temporal {
            sides, threshold, ..
        } => sides
            .iter()
            .flat_map(|s| s.filter.iter().copied().chain(s.label))
            .chain(*threshold)
            .collect(),
        Node::Matched { matching: m, .. } => (m.sides.iter())
            .flat_map(|s| s.filter.iter().copied().chain(s.label))
            .chain([m.score, m.threshold])
            .chain(m.pair)
            .collect(),
        // A relation's tolerance, like a quantifier's source and probe key, is read by the
        // callers that need it from the node.
        Node::Const(_)
        | Node::Var(_)
        | Node::Field(..)
        | Node::RecordId(_)
        | Node::RecordItem(_)
        | Node::GroupKey(_)
        | Node::GroupColumn(..)
        | Node::GroupSize(_)
        | Node::Relation { .. } => Vec::new(),
    }
}
