//! `unmatched(r in K where …, s in K where … by score >= threshold and pair, method)`: the
//! records of either side left without a partner when the sides are matched one to one; and
//! `match_f1(…)` and the other statistics of such a matching.

use super::error::CheckError;
use super::expr::{Scope, Ty};
use super::{ir, Checker};
use crate::metrics::matching::{MatchFn, Method};
use crate::schema::Type;
use crate::syntax::ast;

impl Checker<'_> {
    /// Checks `unmatched(…)`: the loop binds a record of the sides' kind.
    pub(super) fn check_match_source(
        &mut self,
        scope: &mut Scope,
        m: &ast::Matching,
    ) -> Option<(ir::Source, Type)> {
        let (matching, kind) = self.check_matching(scope, m, None)?;
        Some((
            ir::Source::Unmatched(Box::new(matching)),
            Type::Record(kind),
        ))
    }

    /// Checks `for s in matched(a in K …, b in K … by score >= t)`: two bindings, one of the
    /// left records of the pairs and one of their partners, with both sides' variables
    /// visible in the rest of the rule and `s` naming the pair's score.
    pub(super) fn check_matched_binding(
        &mut self,
        scope: &mut Scope,
        binding: &ast::Binding,
        m: &ast::Matching,
        lets: &mut Vec<(ir::VarId, ir::Expr)>,
    ) -> Vec<ir::Binding> {
        let Some((matching, _)) = self.check_matching(scope, m, None) else {
            // Known names of the error type, so that their uses add no diagnostics.
            for name in m.sides.iter().map(|s| &s.var).chain([&binding.var]) {
                scope.bind(&name.node, Type::Error);
            }
            return Vec::new();
        };
        let [left, right] = [matching.sides[0].var, matching.sides[1].var];
        for var in [left, right] {
            let name = scope.vars[var.0 as usize].name.clone();
            scope.visible.push((name, super::expr::Named::Var(var)));
        }
        let score = ast::Let {
            name: binding.var.clone(),
            value: m.score.clone(),
            after_filter: false,
        };
        self.check_let(scope, &score, lets);
        vec![
            ir::Binding {
                var: left,
                source: ir::Source::Matched(Box::new(matching), right),
            },
            ir::Binding {
                var: right,
                source: ir::Source::Partner(left),
            },
        ]
    }

    /// Checks `match_f1(…)` and the other statistics of a matching: a number, missing when
    /// the statistic is undefined (no records, or one value only for α).
    pub(super) fn check_match_stat(
        &mut self,
        scope: &mut Scope,
        function: &ast::Name,
        m: &ast::Matching,
    ) -> (ir::Expr, Ty) {
        let statistic = MatchFn::from_name(&function.node).unwrap_or(MatchFn::F1);
        match self.check_matching(scope, m, Some(statistic)) {
            Some((matching, _)) => (
                ir::Expr::Matched {
                    function: statistic,
                    matching: Box::new(matching),
                },
                Ty::missing_at(Type::Num, &function.span),
            ),
            None => (ir::Expr::List(vec![]), Ty::of(Type::Error)),
        }
    }

    /// Checks a matching: each side's records, filter and value (which see that side's
    /// variable), then the score, threshold and pair condition (which see both). Gives the
    /// one kind both sides range over. `statistic` is the statistic computed from it, if
    /// any: only `match_alpha` reads sides' values, and it needs them.
    fn check_matching(
        &mut self,
        scope: &mut Scope,
        m: &ast::Matching,
        statistic: Option<MatchFn>,
    ) -> Option<(ir::Matching, crate::schema::KindId)> {
        let visible = scope.visible.len();
        let mut sides = Vec::new();
        let mut kinds = Vec::new();
        // What a side's filter proves present holds of every record the score sees.
        let mut facts = Vec::new();
        for side in &m.sides {
            let (source, elem) = self.check_source(scope, &side.source)?;
            let var = scope.bind(&side.var.node, elem.clone());
            scope.used[var.0 as usize] = true;
            let filter = (side.filter.as_ref())
                .map(|f| self.check_bool(scope, f, "a side's `where` needs a condition"));
            if let Some(filter) = &filter {
                super::expr::proven_present(filter, &mut facts);
            }
            let label = (side.label.as_ref()).map(|l| self.check_expr(scope, l, None).0);
            scope.visible.truncate(visible);
            kinds.push((elem, &side.source.span));
            sides.push(ir::Side {
                var,
                source,
                filter,
                label,
            });
        }
        let function = statistic.map_or("unmatched", MatchFn::name);
        self.check_side_values(m, statistic);
        let kind = self.one_record_kind(function, &kinds)?;
        for side in &sides {
            let name = scope.vars[side.var.0 as usize].name.clone();
            scope
                .visible
                .push((name, super::expr::Named::Var(side.var)));
        }
        let present = scope.present.len();
        scope.present.extend(facts);
        let context = "a matching's score";
        let (score, score_ty) = self.check_expr(scope, &m.score, Some(&Type::Num));
        self.require_present(&score_ty, &m.score.span);
        let (threshold, threshold_ty) = self.check_expr(scope, &m.threshold, Some(&Type::Num));
        self.require_present(&threshold_ty, &m.threshold.span);
        for (ty, span) in [
            (&score_ty.ty, &m.score.span),
            (&threshold_ty.ty, &m.threshold.span),
        ] {
            if !matches!(ty, Type::Num | Type::Error) {
                self.mismatch(context, "`num`", ty, span, None);
            }
        }
        let pair = (m.pair.as_ref())
            .map(|p| self.check_bool(scope, p, "what a matched pair must meet is a condition"));
        scope.visible.truncate(visible);
        scope.present.truncate(present);
        let method = self.match_method(m.method.as_ref())?;
        let [left, right] = <[ir::Side; 2]>::try_from(sides).ok()?;
        let matching = ir::Matching {
            sides: [left, right],
            score,
            threshold,
            pair,
            method,
        };
        Some((matching, kind))
    }

    /// Sides give values (`: a.label`) for `match_alpha`, which needs them from both, and
    /// for nothing else.
    fn check_side_values(&mut self, m: &ast::Matching, statistic: Option<MatchFn>) {
        let reads = statistic.is_some_and(MatchFn::reads_values);
        let function = statistic.map_or("unmatched", MatchFn::name);
        for side in &m.sides {
            let problem = match (&side.label, reads) {
                (Some(value), false) => Some((
                    "give a value (`: …`) that only `match_alpha` compares",
                    value.span.clone(),
                    "leave the value out, or compute `match_alpha` of the matching",
                )),
                (None, true) => Some((
                    "give no value to compare",
                    side.source.span.clone(),
                    "give each side's value after its filter: `a in region where …: a.label`",
                )),
                _ => None,
            };
            if let Some((problem, span, help)) = problem {
                self.error(CheckError::MatchSides {
                    function,
                    problem: problem.into(),
                    span,
                    help: Some(help.into()),
                });
            }
        }
    }

    /// The one kind of record both sides give; a diagnostic when they give anything else.
    fn one_record_kind(
        &mut self,
        function: &'static str,
        sides: &[(Type, &crate::span::Span)],
    ) -> Option<crate::schema::KindId> {
        let mut kind = None;
        for (ty, span) in sides {
            match (ty, kind) {
                (Type::Error, _) => return None,
                (Type::Record(k), None) => kind = Some(*k),
                (Type::Record(k), Some(first)) if *k == first => {}
                (Type::Record(k), Some(first)) => {
                    let (first, other) = (
                        self.out.schema.kind(first).name.clone(),
                        self.out.schema.kind(*k).name.clone(),
                    );
                    self.error(CheckError::MatchSides {
                        function,
                        problem: format!("give records of two kinds, `{first}` and `{other}`"),
                        span: (*span).clone(),
                        help: Some(format!(
                            "an unmatched record is bound to one variable, so both sides must be of one kind; to ask whether each `{other}` has a partner, write `some x in {first} where …`"
                        )),
                    });
                    return None;
                }
                (other, _) => {
                    let shown = self.show(other);
                    self.error(CheckError::MatchSides {
                        function,
                        problem: format!("must give records, not `{shown}`"),
                        span: (*span).clone(),
                        help: Some("match records of a kind: `r in region where …`".into()),
                    });
                    return None;
                }
            }
        }
        kind
    }

    fn match_method(&mut self, name: Option<&ast::Name>) -> Option<Method> {
        let Some(name) = name else {
            return Some(Method::default());
        };
        if let Some(method) = Method::from_name(&name.node) {
            return Some(method);
        }
        let names = [Method::Greedy.as_str(), Method::Optimal.as_str()];
        self.error(CheckError::UnknownStatisticOption {
            statistic: "unmatched".into(),
            option: name.node.clone(),
            span: name.span.clone(),
            help: crate::suggest::did_you_mean(&name.node, "methods", names).or(Some(
                "the methods are `greedy` (the default) and `optimal`".into(),
            )),
        });
        None
    }
}
