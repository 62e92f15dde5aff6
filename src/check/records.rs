//! Expressions over records: relations between intervals, what a binding or a quantifier
//! ranges over, quantifiers, agreement statistics and temporal agreement.

use super::expr::{proven_present, Scope, Ty};
use super::ir::{self, Expr, VarId};
use super::{CheckError, Checker};
use crate::data::Value;
use crate::ops::Quantifier;
use crate::schema::Type;
use crate::syntax::ast::{self, ExprKind};

impl Checker<'_> {
    /// Resolves an operand of a time relation or interval function to a record variable of
    /// an interval kind.
    pub(super) fn interval_var(&mut self, scope: &mut Scope, e: &ast::Expr) -> Option<VarId> {
        let (expr, ty) = self.check_expr(scope, e, None);
        match (&expr, &ty.ty) {
            (Expr::RecordId(v), Type::Record(k)) => {
                let kind = self.out.schema.kind(*k);
                if kind.interval.is_some() {
                    return Some(*v);
                }
                let help = Some(format!(
                    "kind `{}` does not declare `start: time` and `end: time`",
                    kind.name
                ));
                self.error(CheckError::NotAnInterval {
                    expr: self.text(&e.span),
                    span: e.span.clone(),
                    help,
                });
                None
            }
            (_, Type::Error) => None,
            (_, other) => {
                let help = Some(format!(
                    "it is a `{}`; relations compare records bound by `for` or a quantifier",
                    self.show(other)
                ));
                self.error(CheckError::NotAnInterval {
                    expr: self.text(&e.span),
                    span: e.span.clone(),
                    help,
                });
                None
            }
        }
    }

    pub(super) fn check_duration_value(
        &mut self,
        scope: &mut Scope,
        e: &ast::Expr,
        context: &str,
    ) -> Expr {
        let (expr, ty) = self.check_expr(scope, e, None);
        self.require_present(&ty, &e.span);
        if !matches!(ty.ty, Type::Duration | Type::Num | Type::Error) {
            self.mismatch(context, "a duration (`200ms`)", &ty.ty, &e.span, None);
        }
        expr
    }

    pub(super) fn check_relation(
        &mut self,
        scope: &mut Scope,
        rel: ast::Relation,
        left: &ast::Expr,
        right: &ast::Expr,
        tolerance: Option<&ast::Expr>,
    ) -> (Expr, Ty) {
        let a = self.interval_var(scope, left);
        let b = self.interval_var(scope, right);
        let tolerance = tolerance
            .map(|t| Box::new(self.check_duration_value(scope, t, "`within` takes a tolerance")));
        let span = left.span.to(&right.span);
        let expr = match (a, b) {
            (Some(left), Some(right)) => {
                scope.relations.push((left, right, span));
                Expr::Relation {
                    rel,
                    left,
                    right,
                    tolerance,
                }
            }
            // An operand with a mistake, reported already: no value to fold.
            _ => return (Expr::Const(Value::Missing), Ty::of(Type::Error)),
        };
        (expr, Ty::of(Type::Bool))
    }

    /// Resolves what a binding or quantifier ranges over: a kind by name, the records of a
    /// group, or a list.
    pub(super) fn check_source(
        &mut self,
        scope: &mut Scope,
        e: &ast::Expr,
    ) -> Option<(ir::Source, Type)> {
        if let ExprKind::Name(name) = &e.node {
            if scope.named(name).is_none() && !self.out.consts.contains_key(name) {
                return match self.out.schema.kind_id(name) {
                    Some(k) => Some((ir::Source::Kind(k), Type::Record(k))),
                    None => {
                        self.unknown_kind(name, &e.span);
                        None
                    }
                };
            }
        }
        let (expr, ty) = self.check_expr(scope, e, None);
        self.require_present(&ty, &e.span);
        match (expr, ty.ty) {
            (Expr::GroupKey(v), Type::Group(k, _)) => {
                Some((ir::Source::Members(v), Type::Record(k)))
            }
            (expr, Type::List(elem)) => Some((ir::Source::List(expr), *elem)),
            (_, Type::Error) => None,
            (_, other) => {
                let ty = self.show(&other);
                self.error(CheckError::NotIterable {
                    expr: self.text(&e.span),
                    ty,
                    span: e.span.clone(),
                });
                None
            }
        }
    }

    /// `alpha(l in kind where f: value per unit by rater, option)`: the ratings' values, units
    /// and raters may be of any scalar type (a missing one leaves the record out); ordinal,
    /// interval and ratio α need numbers. The result may be missing: a statistic is undefined
    /// for too few ratings.
    pub(super) fn check_agreement(
        &mut self,
        scope: &mut Scope,
        (statistic, option, target, gold): (
            &ast::Name,
            Option<&ast::Name>,
            Option<&ast::Expr>,
            Option<&ast::Expr>,
        ),
        var: &ast::Name,
        source: &ast::Expr,
        filter: Option<&ast::Expr>,
        [value, unit, rater]: [&ast::Expr; 3],
    ) -> (Expr, Ty) {
        let resolved = self.check_source(scope, source);
        let visible = scope.visible.len();
        let (src, elem) = resolved.unwrap_or((ir::Source::List(Expr::List(vec![])), Type::Error));
        let id = scope.bind(&var.node, elem);
        scope.used[id.0 as usize] = true;
        let filter = filter.map(|f| {
            self.check_bool(
                scope,
                f,
                "an agreement statistic's `where` needs a condition",
            )
        });
        let stat = self.statistic(statistic, option);
        let target = self.check_target(scope, statistic, stat, target);
        let gold = self.check_gold(scope, statistic, stat, gold);
        let mut parts = Vec::new();
        for (e, what) in [(value, "a rating"), (unit, "a unit"), (rater, "a rater")] {
            let (expr, ty) = self.check_expr(scope, e, None);
            let numeric_needed = what == "a rating"
                && matches!(
                    stat,
                    Some(crate::metrics::Statistic::Alpha(
                        crate::metrics::agreement::Level::Ordinal
                            | crate::metrics::agreement::Level::Interval
                            | crate::metrics::agreement::Level::Ratio
                    ))
                );
            if numeric_needed && !ty.ty.is_numeric() {
                self.mismatch(
                    "ordinal, interval and ratio α compare ratings as numbers",
                    "a number",
                    &ty.ty,
                    &e.span,
                    Some("rate with a number field, or use `nominal`".into()),
                );
            } else if matches!(ty.ty, Type::List(_) | Type::Record(_) | Type::Group(..)) {
                self.mismatch(
                    what,
                    "a text, enum, number or boolean",
                    &ty.ty,
                    &e.span,
                    None,
                );
            }
            parts.push(expr);
        }
        scope.visible.truncate(visible);
        let mut parts = parts.into_iter();
        let mut next = || Box::new(parts.next().unwrap_or(Expr::List(vec![])));
        let (value, unit, rater) = (next(), next(), next());
        let expr = match stat {
            Some(statistic) => Expr::Agreement {
                statistic,
                var: id,
                source: Box::new(src),
                filter: filter.map(Box::new),
                value,
                unit,
                rater,
                target: target.map(Box::new),
                gold: gold.map(Box::new),
            },
            None => Expr::List(vec![]),
        };
        let ty = if stat.is_some() {
            Type::Num
        } else {
            Type::Error
        };
        (expr, Ty::missing_at(ty, &statistic.span))
    }

    /// `segment_f1(a in s where f by l, b in t where g by m, threshold)`: both sides range
    /// over records of interval kinds; the result may be missing (no segments to compare).
    pub(super) fn check_temporal(
        &mut self,
        scope: &mut Scope,
        function: &ast::Name,
        sides: &[ast::Segments; 2],
        threshold: Option<&ast::Expr>,
    ) -> (Expr, Ty) {
        let mut checked = Vec::new();
        for side in sides {
            let resolved = self.check_source(scope, &side.source);
            let visible = scope.visible.len();
            let (src, elem) =
                resolved.unwrap_or((ir::Source::List(Expr::List(vec![])), Type::Error));
            if let Type::Record(k) = elem {
                if self.out.schema.kind(k).interval.is_none() {
                    let name = self.out.schema.kind(k).name.clone();
                    self.error(CheckError::NotAnInterval {
                        expr: self.text(&side.source.span),
                        span: side.source.span.clone(),
                        help: Some(format!(
                            "kind `{name}` does not declare `start: time` and `end: time`"
                        )),
                    });
                }
            }
            let id = scope.bind(&side.var.node, elem);
            scope.used[id.0 as usize] = true;
            let filter = side
                .filter
                .as_ref()
                .map(|f| self.check_bool(scope, f, "a segmentation's `where` needs a condition"));
            let label = side
                .label
                .as_ref()
                .map(|l| self.check_expr(scope, l, None).0);
            scope.visible.truncate(visible);
            checked.push(ir::Side {
                var: id,
                source: src,
                filter,
                label,
            });
        }
        let threshold = threshold.map(|t| {
            let (expr, ty) = self.check_expr(scope, t, Some(&Type::Num));
            if !matches!(ty.ty, Type::Num | Type::Error) {
                self.mismatch(
                    "a temporal-IoU threshold",
                    "a number",
                    &ty.ty,
                    &t.span,
                    None,
                );
            }
            Box::new(expr)
        });
        let name_span = function.span.clone();
        let function = crate::metrics::temporal::TemporalFn::from_name(&function.node)
            .unwrap_or(crate::metrics::temporal::TemporalFn::F1);
        let mut sides = checked.into_iter();
        let (Some(a), Some(b)) = (sides.next(), sides.next()) else {
            return (Expr::List(vec![]), Ty::of(Type::Error));
        };
        let expr = Expr::Temporal {
            function,
            sides: Box::new([a, b]),
            threshold,
        };
        (expr, Ty::missing_at(Type::Num, &name_span))
    }

    /// The gold rater of `disagreement(… for r against GOLD)`; a diagnostic on any other
    /// statistic, whose meaning a gold rater would not change.
    pub(super) fn check_gold(
        &mut self,
        scope: &mut Scope,
        name: &ast::Name,
        stat: Option<crate::metrics::Statistic>,
        gold: Option<&ast::Expr>,
    ) -> Option<Expr> {
        let gold = gold?;
        if stat == Some(crate::metrics::Statistic::Disagreement) {
            return Some(self.check_expr(scope, gold, None).0);
        }
        if stat.is_some() {
            self.error(CheckError::RaterTarget {
                statistic: name.node.clone(),
                problem: "has no gold rater; `against` names one".into(),
                span: gold.span.clone(),
                help: Some(
                    "`against` goes with `disagreement`: a rater's share of ratings that differ from the gold rater's".into(),
                ),
            });
        }
        None
    }

    /// The rater a one-rater statistic is about (`for r`), checked where the rule's bindings
    /// are visible; a diagnostic where one is missing or not taken.
    pub(super) fn check_target(
        &mut self,
        scope: &mut Scope,
        name: &ast::Name,
        stat: Option<crate::metrics::Statistic>,
        target: Option<&ast::Expr>,
    ) -> Option<Expr> {
        let one_rater = stat.is_some_and(|s| s.of_one_rater());
        match (one_rater, target) {
            (true, Some(t)) => Some(self.check_expr(scope, t, None).0),
            (true, None) => {
                self.error(CheckError::RaterTarget {
                    statistic: name.node.clone(),
                    problem: "is about one rater: say which".into(),
                    span: name.span.clone(),
                    help: Some(format!(
                        "add `for` and the rater after `by …`, e.g. `{}(l in label: l.value per l.segment by l.annotator for g.key)` in `for g in group label by annotator`",
                        name.node
                    )),
                });
                None
            }
            (false, Some(t)) if stat.is_some() => {
                self.error(CheckError::RaterTarget {
                    statistic: name.node.clone(),
                    problem: "is about every rater; `for` names one".into(),
                    span: t.span.clone(),
                    help: Some("`for` goes with `disagreement` and `label_distance`".into()),
                });
                None
            }
            _ => None,
        }
    }

    /// The statistic a name and option give, or a diagnostic.
    pub(super) fn statistic(
        &mut self,
        name: &ast::Name,
        option: Option<&ast::Name>,
    ) -> Option<crate::metrics::Statistic> {
        use crate::metrics::agreement::{Level, Weights};
        use crate::metrics::Statistic;
        let options: &[(&str, Statistic)] = match name.node.as_str() {
            "alpha" => &[
                ("nominal", Statistic::Alpha(Level::Nominal)),
                ("ordinal", Statistic::Alpha(Level::Ordinal)),
                ("interval", Statistic::Alpha(Level::Interval)),
                ("ratio", Statistic::Alpha(Level::Ratio)),
            ],
            "kappa" => &[
                ("unweighted", Statistic::Kappa(Weights::Unweighted)),
                ("linear", Statistic::Kappa(Weights::Linear)),
                ("quadratic", Statistic::Kappa(Weights::Quadratic)),
            ],
            "fleiss" => &[("", Statistic::Fleiss)],
            "disagreement" => &[("", Statistic::Disagreement)],
            "label_distance" => &[("", Statistic::LabelDistance)],
            _ => &[("", Statistic::Agreement)],
        };
        let Some(option) = option else {
            return Some(options[0].1);
        };
        if let Some((_, s)) = options
            .iter()
            .find(|(o, _)| !o.is_empty() && *o == option.node)
        {
            return Some(*s);
        }
        let names: Vec<&str> = options
            .iter()
            .map(|(o, _)| *o)
            .filter(|o| !o.is_empty())
            .collect();
        let help = if names.is_empty() {
            Some(format!("`{}` takes no option", name.node))
        } else {
            crate::suggest::did_you_mean(&option.node, "its options", names.iter().copied())
        };
        self.error(CheckError::UnknownStatisticOption {
            statistic: name.node.clone(),
            option: option.node.clone(),
            span: option.span.clone(),
            help,
        });
        None
    }

    pub(super) fn check_quantified(
        &mut self,
        scope: &mut Scope,
        quantifier: Quantifier,
        var: &ast::Name,
        source: &ast::Expr,
        filter: Option<&ast::Expr>,
        condition: Option<&ast::Expr>,
    ) -> (Expr, Ty) {
        let (filter_ast, condition_ast) = (filter, condition);
        let resolved = self.check_source(scope, source);
        let visible = scope.visible.len();
        let (src, elem) = resolved.unwrap_or((ir::Source::List(Expr::List(vec![])), Type::Error));
        let id = scope.bind(&var.node, elem);
        scope.used[id.0 as usize] = true;
        let filter =
            filter.map(|f| self.check_bool(scope, f, "a quantifier's `where` needs a condition"));
        let mut facts = Vec::new();
        if let Some(f) = &filter {
            proven_present(f, &mut facts);
        }
        let before = scope.present.len();
        scope.present.extend(facts);
        let condition = condition.map(|c| self.check_bool(scope, c, "`satisfy` needs a condition"));
        scope.present.truncate(before);
        scope.visible.truncate(visible);
        if quantifier != Quantifier::Count {
            let last = condition
                .as_ref()
                .zip(condition_ast)
                .or(filter.as_ref().zip(filter_ast));
            self.trailing_or(id, last);
        }
        // `all x in s where c` without `satisfy` reads as "every x satisfies c".
        let (filter, condition) = match (quantifier, filter, condition) {
            (Quantifier::All, Some(f), None) => (None, Some(f)),
            other => (other.1, other.2),
        };
        let ty = if quantifier == Quantifier::Count {
            Type::Num
        } else {
            Type::Bool
        };
        let expr = Expr::Quantified {
            quantifier,
            var: id,
            source: Box::new(src),
            filter: filter.map(Box::new),
            condition: condition.map(Box::new),
        };
        (expr, Ty::of(ty))
    }

    /// A quantifier's last clause reaches to the end of the expression, so `some s in speech
    /// where s intersects t or t.silent` asks about `t.silent` for every `s`: when the last
    /// `or` of the clause does not read the quantifier's variable, it was most likely meant
    /// outside.
    fn trailing_or(&mut self, var: VarId, last: Option<(&Expr, &ast::Expr)>) {
        let Some((Expr::Or(_, right), ast)) = last else {
            return;
        };
        let ExprKind::Binary(ast::BinaryOp::Or, _, right_ast) = &ast.node else {
            return;
        };
        let mut read = Vec::new();
        ir::vars_read(right, &mut read);
        if !read.contains(&var) {
            let text = self.text(&right_ast.span);
            self.error(CheckError::TrailingOr {
                help: Some(format!(
                    "`{text}` does not depend on the quantifier's variable; if it is meant as an alternative to the whole quantifier, write `(some … where …) or {text}`"
                )),
                span: right_ast.span.clone(),
            });
        }
    }
}
