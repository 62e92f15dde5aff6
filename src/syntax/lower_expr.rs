//! pest pairs → AST for expressions, one `lower_*` function per grammar rule (declarations
//! are lowered in `lower.rs`).

use super::ast::{self, BinaryOp, Expr, ExprKind, Name, Quantifier, Relation, UnaryOp};
use super::lower::{significant, unreachable_pair, Lowerer, P};
use super::{Rule, SyntaxError};
use crate::span::{Span, Spanned};

impl Lowerer<'_> {
    pub(super) fn lower_expr(&mut self, pair: P) -> Expr {
        match pair.as_rule() {
            Rule::expr | Rule::paren => {
                let inner = pair.into_inner().next().unwrap_or_else(unreachable_pair);
                self.lower_expr(inner)
            }
            Rule::quantified => self.lower_quantified(pair),
            Rule::or_expr | Rule::and_expr => self.lower_logical(pair),
            Rule::not_expr => self.lower_not_expr(pair),
            Rule::comparison => self.lower_comparison(pair),
            Rule::default_expr | Rule::additive | Rule::multiplicative => {
                self.lower_left_assoc(pair)
            }
            Rule::unary => self.lower_unary(pair),
            Rule::postfix => self.lower_postfix(pair),
            _ => self.lower_primary(pair),
        }
    }

    fn lower_quantified(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let mut parts: Vec<P> = pair.into_inner().collect();
        let quantifier = match parts[0].as_str() {
            "all" => Quantifier::All,
            "no" => Quantifier::No,
            _ => Quantifier::Some,
        };
        let (var, source, filter, condition) = self.lower_quantifier_parts(parts.split_off(1));
        let kind = ExprKind::Quantified {
            quantifier,
            var,
            source,
            filter,
            condition,
        };
        Spanned::new(kind, span)
    }

    /// The parts after the quantifier word: `x in source [where f] [satisfy c]`.
    #[allow(clippy::type_complexity)]
    fn lower_quantifier_parts(
        &mut self,
        parts: Vec<P>,
    ) -> (Name, Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>) {
        let mut var = None;
        let mut source = None;
        let mut filter = None;
        let mut condition = None;
        let mut after = Rule::kw_in;
        for part in parts {
            match part.as_rule() {
                Rule::ident if var.is_none() => var = Some(self.name(part)),
                Rule::kw_in | Rule::kw_where | Rule::kw_satisfy => after = part.as_rule(),
                _ if after == Rule::kw_in => source = Some(Box::new(self.lower_expr(part))),
                _ if after == Rule::kw_where => filter = Some(Box::new(self.lower_expr(part))),
                _ => condition = Some(Box::new(self.lower_expr(part))),
            }
        }
        let var = var.unwrap_or_else(unreachable_pair_name);
        let source = source
            .unwrap_or_else(|| Box::new(Spanned::new(ExprKind::Bool(true), var.span.clone())));
        (var, source, filter, condition)
    }

    fn lower_logical(&mut self, pair: P) -> Expr {
        let op = if pair.as_rule() == Rule::or_expr {
            BinaryOp::Or
        } else {
            BinaryOp::And
        };
        let operands = significant(pair.into_inner()).map(|p| self.lower_expr(p));
        operands
            .reduce(|left, right| binary(op, left, right))
            .unwrap_or_else(unreachable_expr)
    }

    fn lower_not_expr(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let first = inner.next().unwrap_or_else(unreachable_pair);
        if first.as_rule() != Rule::not_op {
            return self.lower_expr(first);
        }
        let operand = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        Spanned::new(ExprKind::Unary(UnaryOp::Not, Box::new(operand)), span)
    }

    fn lower_comparison(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let left = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        let Some(tail) = inner.next() else {
            return left;
        };
        let kind = match tail.as_rule() {
            Rule::relation_tail => self.lower_relation_tail(left, tail),
            _ => self.lower_operator_tail(left, tail),
        };
        Spanned::new(kind, span)
    }

    fn lower_operator_tail(&mut self, left: Expr, tail: P) -> ExprKind {
        let mut inner = tail.into_inner();
        let op_pair = inner.next().unwrap_or_else(unreachable_pair);
        let op = match op_pair
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["=="] => BinaryOp::Eq,
            ["!="] => BinaryOp::Ne,
            ["<"] => BinaryOp::Lt,
            ["<="] => BinaryOp::Le,
            [">"] => BinaryOp::Gt,
            [">="] => BinaryOp::Ge,
            ["in"] => BinaryOp::In,
            _ => BinaryOp::NotIn,
        };
        let right = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        ExprKind::Binary(op, Box::new(left), Box::new(right))
    }

    fn lower_relation_tail(&mut self, left: Expr, tail: P) -> ExprKind {
        let mut inner = tail.into_inner();
        let rel_pair = inner.next().unwrap_or_else(unreachable_pair);
        let rel = Relation::from_keyword(rel_pair.as_str()).unwrap_or(Relation::Intersects);
        let rel = Spanned::new(rel, self.span(&rel_pair));
        let right = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        let tolerance = inner.next().and_then(|t| {
            let value = significant(t.into_inner()).next()?;
            Some(Box::new(self.lower_expr(value)))
        });
        ExprKind::Relation {
            rel,
            left: Box::new(left),
            right: Box::new(right),
            tolerance,
        }
    }

    /// `a op b op c` for `??`, `+ -` and `* / %`, folded to the left.
    fn lower_left_assoc(&mut self, pair: P) -> Expr {
        let mut inner = pair.into_inner();
        let mut acc = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        let rest: Vec<P> = inner.collect();
        let mut i = 0;
        while i < rest.len() {
            // `??` is a literal in the grammar, so default_expr has no operator pairs.
            let (op, operand) = if matches!(rest[i].as_rule(), Rule::add_op | Rule::mul_op) {
                i += 1;
                (arith_op(rest[i - 1].as_str()), &rest[i])
            } else {
                (BinaryOp::Default, &rest[i])
            };
            let right = self.lower_expr(operand.clone());
            acc = binary(op, acc, right);
            i += 1;
        }
        acc
    }

    fn lower_unary(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let parts: Vec<P> = pair.into_inner().collect();
        let negations = parts.len() - 1;
        let mut expr = self.lower_expr(parts[negations].clone());
        for _ in 0..negations {
            expr = Spanned::new(ExprKind::Unary(UnaryOp::Neg, Box::new(expr)), span.clone());
        }
        expr
    }

    pub(super) fn lower_postfix(&mut self, pair: P) -> Expr {
        let start = self.span(&pair);
        let mut inner = pair.into_inner();
        let mut expr = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        for access in inner {
            let end = access.as_span().end();
            let span = Span::new(start.file, start.range.start..end);
            let is_index = access.as_rule() == Rule::index;
            let operand = access.into_inner().next().unwrap_or_else(unreachable_pair);
            let node = if is_index {
                ExprKind::Index(Box::new(expr), Box::new(self.lower_expr(operand)))
            } else {
                ExprKind::Field(Box::new(expr), self.name(operand))
            };
            expr = Spanned::new(node, span);
        }
        expr
    }

    fn lower_primary(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => self.lower_number(&pair, pair.as_str(), 1.0),
            Rule::duration => self.lower_duration(&pair),
            Rule::string => ExprKind::Str(self.lower_string(pair).node),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::set_lit => ExprKind::Set(pair.into_inner().map(|e| self.lower_expr(e)).collect()),
            Rule::list_lit => {
                ExprKind::List(pair.into_inner().map(|e| self.lower_expr(e)).collect())
            }
            Rule::call => self.lower_call(pair),
            Rule::count_of => self.lower_count_of(pair),
            Rule::agreement => self.lower_agreement(pair),
            Rule::temporal => self.lower_temporal(pair),
            Rule::match_stat => self.lower_match_stat(pair),
            _ => ExprKind::Name(pair.as_str().to_string()),
        };
        Spanned::new(kind, span)
    }

    fn lower_number(&mut self, pair: &P, digits: &str, scale: f64) -> ExprKind {
        match digits.parse::<f64>() {
            Ok(v) if v.is_finite() => ExprKind::Number(v / scale),
            _ => {
                self.errors.push(SyntaxError::Number {
                    text: pair.as_str().to_string(),
                    span: self.span(pair),
                });
                ExprKind::Number(0.0)
            }
        }
    }

    /// Durations are held in seconds. `200ms` is computed as `200 / 1000`, a correctly
    /// rounded division, so it equals the literal `0.2` exactly.
    fn lower_duration(&mut self, pair: &P) -> ExprKind {
        let text = pair.as_str();
        let unit_start = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(unit_start);
        let value = self.lower_number(pair, digits, 1.0);
        let ExprKind::Number(v) = value else {
            return value;
        };
        ExprKind::Duration(match unit {
            "ms" => v / 1000.0,
            "min" => v * 60.0,
            "h" => v * 3600.0,
            _ => v,
        })
    }

    fn lower_call(&mut self, pair: P) -> ExprKind {
        let mut inner = pair.into_inner();
        let name = self.name(inner.next().unwrap_or_else(unreachable_pair));
        ExprKind::Call(name, inner.map(|e| self.lower_expr(e)).collect())
    }

    fn lower_agreement(&mut self, pair: P) -> ExprKind {
        let mut inner = pair.into_inner();
        let statistic = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let var = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let mut source = None;
        let mut filter = None;
        let mut rest = Vec::new();
        let mut option = None;
        let mut target = None;
        let mut gold = None;
        let mut after = Rule::kw_in;
        for part in inner {
            match part.as_rule() {
                Rule::kw_in | Rule::kw_where | Rule::kw_per | Rule::kw_by => after = part.as_rule(),
                Rule::name => option = Some(self.name(part)),
                Rule::rater_target => {
                    let mut exprs = significant(part.into_inner());
                    let e = exprs.next().unwrap_or_else(unreachable_pair);
                    target = Some(Box::new(self.lower_expr(e)));
                    gold = exprs.next().map(|e| Box::new(self.lower_expr(e)));
                }
                _ if after == Rule::kw_in && source.is_none() => {
                    source = Some(Box::new(self.lower_expr(part)));
                }
                _ if after == Rule::kw_where && filter.is_none() => {
                    filter = Some(Box::new(self.lower_expr(part)));
                }
                _ => rest.push(Box::new(self.lower_expr(part))),
            }
        }
        let mut rest = rest.into_iter();
        let mut next = || rest.next().unwrap_or_else(|| Box::new(unreachable_expr()));
        let (value, unit, rater) = (next(), next(), next());
        ExprKind::Agreement {
            statistic,
            var,
            source: source.unwrap_or_else(|| Box::new(unreachable_expr())),
            filter,
            value,
            unit,
            rater,
            target,
            gold,
            option,
        }
    }

    fn lower_match_stat(&mut self, pair: P) -> ExprKind {
        let function = pair.clone().into_inner().next();
        let function = self.name(function.unwrap_or_else(unreachable_pair));
        let matching = Box::new(self.lower_matching(pair));
        ExprKind::Matched { function, matching }
    }

    fn lower_temporal(&mut self, pair: P) -> ExprKind {
        let mut inner = pair.into_inner();
        let function = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let mut sides = Vec::new();
        let mut threshold = None;
        for part in inner {
            match part.as_rule() {
                Rule::segments => sides.push(self.lower_segments(part)),
                _ => threshold = Some(Box::new(self.lower_expr(part))),
            }
        }
        let mut sides = sides.into_iter();
        let mut next = || {
            sides
                .next()
                .unwrap_or_else(|| unreachable!("the grammar gives two sides"))
        };
        let sides = Box::new([next(), next()]);
        ExprKind::Temporal {
            function,
            sides,
            threshold,
        }
    }

    fn lower_segments(&mut self, pair: P) -> ast::Segments {
        let mut inner = pair.into_inner();
        let var = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let (mut source, mut filter, mut label) = (None, None, None);
        let mut after = Rule::kw_in;
        for part in inner {
            match part.as_rule() {
                Rule::kw_in | Rule::kw_where | Rule::kw_by => after = part.as_rule(),
                _ if after == Rule::kw_in => source = Some(self.lower_expr(part)),
                _ if after == Rule::kw_where => filter = Some(self.lower_expr(part)),
                _ => label = Some(self.lower_expr(part)),
            }
        }
        ast::Segments {
            var,
            source: source.unwrap_or_else(unreachable_expr),
            filter,
            label,
        }
    }

    fn lower_count_of(&mut self, pair: P) -> ExprKind {
        let parts: Vec<P> = pair.into_inner().skip(1).collect();
        let (var, source, filter, _) = self.lower_quantifier_parts(parts);
        ExprKind::Quantified {
            quantifier: Quantifier::Count,
            var,
            source,
            filter,
            condition: None,
        }
    }
}

fn arith_op(text: &str) -> BinaryOp {
    match text {
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        _ => BinaryOp::Rem,
    }
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(&right.span);
    Spanned::new(ExprKind::Binary(op, Box::new(left), Box::new(right)), span)
}

pub(super) fn unreachable_pair_name() -> Name {
    unreachable!("the grammar guarantees a bound name")
}

pub(super) fn unreachable_expr() -> Expr {
    unreachable!("the grammar guarantees an operand")
}
