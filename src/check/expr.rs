//! Expressions: name resolution, constant folding and type checking of operators, fields and
//! literals (calls, relations, quantifiers and statistics have files of their own).

use super::ir::{self, Expr, VarId};
use super::{CheckError, Checker};
use crate::data::Value;
use crate::ops::{self, arith, compare, ArithOp, CompareOp};
use crate::schema::{KindId, Type, TypeDisplay};
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, ExprKind, UnaryOp};
use std::sync::Arc;

/// The type of a checked expression, and where its value may be missing from: optional
/// fields that no `has(…)` has tested, calls that may give nothing. Arithmetic carries them
/// to where the value is used, so one expression gives one diagnostic that lists them all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ty {
    pub ty: Type,
    pub missing: Vec<Span>,
}

impl Ty {
    pub(super) fn of(ty: Type) -> Ty {
        Ty {
            ty,
            missing: Vec::new(),
        }
    }

    /// A value of this type that may be missing, because of what is written at `span`.
    pub(super) fn missing_at(ty: Type, span: &Span) -> Ty {
        Ty {
            ty,
            missing: vec![span.clone()],
        }
    }
}

/// What a name in scope stands for.
#[derive(Debug, Clone)]
pub(crate) enum Named {
    /// A variable: a binding, a quantifier's variable, or a `let` computed once per binding.
    Var(VarId),
    /// An expression written in its place: a `let`'s value, or a function's parameter,
    /// which the call's argument replaces.
    Alias {
        /// What the name stands for.
        expr: Expr,
        /// Its type.
        ty: Ty,
        /// The variable that records whether a `let` is read.
        marker: Option<VarId>,
    },
}

/// Variables in scope while checking one rule (or a constant, with none).
#[derive(Default)]
pub(super) struct Scope {
    pub vars: Vec<ir::Var>,
    pub used: Vec<bool>,
    /// Names visible now, innermost last.
    pub visible: Vec<(String, Named)>,
    /// Names before this position are hidden: a function's body sees its parameters only.
    pub barrier: usize,
    /// The time relations written so far, between which record variables, and where.
    pub relations: Vec<(VarId, VarId, Span)>,
    /// Pairs of record variables some comparison `a.item == b.item` holds to one item.
    pub same_items: Vec<(VarId, VarId)>,
    /// Optional values known to be present here, from `has(…)` tests: fields
    /// (`Expr::Field`) and `let` values.
    pub present: Vec<Expr>,
}

impl Scope {
    /// What a visible name stands for.
    pub(super) fn named(&self, name: &str) -> Option<&Named> {
        self.visible[self.barrier..]
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The variable a visible name stands for, if it is one.
    pub(super) fn lookup(&self, name: &str) -> Option<VarId> {
        match self.named(name)? {
            Named::Var(v) => Some(*v),
            Named::Alias { .. } => None,
        }
    }

    /// The names visible now, for did-you-mean help.
    pub(super) fn visible_names(&self) -> impl Iterator<Item = &str> {
        self.visible[self.barrier..].iter().map(|(n, _)| n.as_str())
    }

    pub(super) fn bind(&mut self, name: &str, ty: Type) -> VarId {
        let id = self.new_var(name, ty);
        self.visible.push((name.to_string(), Named::Var(id)));
        id
    }

    /// A new variable that no name shows yet.
    pub(super) fn new_var(&mut self, name: &str, ty: Type) -> VarId {
        let id = VarId(self.vars.len() as u32);
        self.vars.push(ir::Var {
            name: name.to_string(),
            ty,
        });
        self.used.push(false);
        id
    }

    /// The kind of the group a column expression reads.
    pub(super) fn var_ty_of_column(&self, expr: &Expr) -> Option<KindId> {
        match expr {
            Expr::GroupColumn(v, _) => match self.var_ty(*v) {
                Type::Group(k, _) => Some(*k),
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn var_ty(&self, var: VarId) -> &Type {
        &self.vars[var.0 as usize].ty
    }
}

/// Marks the variables an alias's expression reads as used.
fn mark_used(scope: &mut Scope, expr: &Expr) {
    let mut read = Vec::new();
    ir::vars_read(expr, &mut read);
    for v in read {
        scope.used[v.0 as usize] = true;
    }
}

/// Optional fields that a condition proves present when it is true: the `has(x.f)` terms
/// of a conjunction.
pub(super) fn proven_present(expr: &Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::And(a, b) => {
            proven_present(a, out);
            proven_present(b, out);
        }
        Expr::Has(inner) => out.push((**inner).clone()),
        _ => {}
    }
}

/// Optional fields that a condition proves present when it is false: `not has(x.f)` terms
/// of a disjunction.
fn proven_present_if_false(expr: &Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Or(a, b) => {
            proven_present_if_false(a, out);
            proven_present_if_false(b, out);
        }
        Expr::Not(inner) => proven_present(inner, out),
        _ => {}
    }
}

/// Folds an expression made only of constants to its value.
pub(super) fn fold(expr: &Expr) -> Option<Value> {
    Some(match expr {
        Expr::Const(v) => v.clone(),
        Expr::List(items) => {
            Value::List(items.iter().map(fold).collect::<Option<Vec<_>>>()?.into())
        }
        Expr::Neg(e) => Value::Num(-fold(e)?.as_num()?),
        Expr::Not(e) => Value::Bool(!fold(e)?.as_bool()?),
        Expr::And(a, b) => match (fold(a), fold(b)) {
            (Some(Value::Bool(false)), _) | (_, Some(Value::Bool(false))) => Value::Bool(false),
            (Some(x), Some(y)) => Value::Bool(x.as_bool()? && y.as_bool()?),
            _ => return None,
        },
        Expr::Or(a, b) => Value::Bool(fold(a)?.as_bool()? || fold(b)?.as_bool()?),
        Expr::Arith(op, a, b) => Value::Num(arith(*op, fold(a)?.as_num()?, fold(b)?.as_num()?)),
        Expr::Compare(op, a, b) => Value::Bool(compare(*op, &fold(a)?, &fold(b)?)),
        Expr::In(a, b) => Value::Bool(ops::contains(&fold(b)?, &fold(a)?)),
        // A built-in of constants (`box(0, 0, 1920, 1080)`) is known before the data is read.
        Expr::Call(f, args) => {
            let values = args.iter().map(fold).collect::<Option<Vec<_>>>()?;
            match f.builtin.eval {
                crate::builtins::Eval::Values(compute) => compute(&values),
                crate::builtins::Eval::Value(compute) => compute(values.first()?),
                crate::builtins::Eval::Pair(compute) => compute(values.first()?, values.get(1)?),
                _ => return None,
            }
        }
        _ => return None,
    })
}

impl Checker<'_> {
    pub(super) fn show(&self, ty: &Type) -> String {
        TypeDisplay(ty, &self.out.schema).to_string()
    }

    /// Checks an expression against what its context expects. `hint` lets bare names and
    /// strings resolve as enum values.
    pub(super) fn check_expr(
        &mut self,
        scope: &mut Scope,
        e: &ast::Expr,
        hint: Option<&Type>,
    ) -> (Expr, Ty) {
        match &e.node {
            ExprKind::Number(n) => (Expr::Const(Value::Num(*n)), Ty::of(Type::Num)),
            ExprKind::Duration(n) => (Expr::Const(Value::Num(*n)), Ty::of(Type::Duration)),
            ExprKind::Bool(b) => (Expr::Const(Value::Bool(*b)), Ty::of(Type::Bool)),
            ExprKind::Str(s) => self.check_string(s, &e.span, hint),
            ExprKind::Name(name) => self.check_name(scope, name, &e.span, hint),
            ExprKind::Set(items) | ExprKind::List(items) => self.check_list(scope, items, hint),
            ExprKind::Field(base, field) => self.check_field(scope, base, field, &e.span),
            ExprKind::Index(list, index) => self.check_index(scope, list, index),
            ExprKind::Call(name, args) => self.check_call(scope, name, args, &e.span),
            ExprKind::Unary(op, operand) => self.check_unary(scope, *op, operand),
            ExprKind::Binary(op, l, r) => self.check_binary(scope, *op, l, r),
            ExprKind::Relation {
                rel,
                left,
                right,
                tolerance,
            } => self.check_relation(scope, rel.node, left, right, tolerance.as_deref()),
            ExprKind::Agreement {
                statistic,
                var,
                source,
                filter,
                value,
                unit,
                rater,
                target,
                gold,
                option,
            } => self.check_agreement(
                scope,
                (
                    statistic,
                    option.as_ref(),
                    target.as_deref(),
                    gold.as_deref(),
                ),
                var,
                source,
                filter.as_deref(),
                [value, unit, rater],
            ),
            ExprKind::Temporal {
                function,
                sides,
                threshold,
            } => self.check_temporal(scope, function, sides, threshold.as_deref()),
            ExprKind::Matched { function, matching } => {
                self.check_match_stat(scope, function, matching)
            }
            ExprKind::Quantified {
                quantifier,
                var,
                source,
                filter,
                condition,
            } => self.check_quantified(
                scope,
                *quantifier,
                var,
                source,
                filter.as_deref(),
                condition.as_deref(),
            ),
        }
    }

    /// Checks an expression that must be a present value of the expected kind of type.
    pub(super) fn check_bool(&mut self, scope: &mut Scope, e: &ast::Expr, context: &str) -> Expr {
        let (expr, ty) = self.check_expr(scope, e, Some(&Type::Bool));
        self.require_present(&ty, &e.span);
        if !matches!(ty.ty, Type::Bool | Type::Error) {
            self.mismatch(context, "`bool`", &ty.ty, &e.span, None);
        }
        expr
    }

    pub(super) fn require_present(&mut self, ty: &Ty, span: &Span) {
        self.require_all_present(&[ty], span);
    }

    /// One diagnostic for every value of one expression that may be missing, naming each:
    /// pointing at the value when there is one, at the expression when there are several.
    pub(super) fn require_all_present(&mut self, tys: &[&Ty], span: &Span) {
        let mut sources: Vec<(String, &Span)> = Vec::new();
        for source in tys.iter().flat_map(|t| &t.missing) {
            let text = self.text(source);
            if !sources.iter().any(|(t, _)| *t == text) {
                sources.push((text, source));
            }
        }
        let error = match sources.as_slice() {
            [] => return,
            [(expr, at)] => CheckError::OptionalUnchecked {
                help: Some(format!(
                    "test it first (`has({expr}) and …`) or give a default (`{expr} ?? …`)"
                )),
                expr: expr.clone(),
                span: (*at).clone(),
            },
            [(first, _), ..] => {
                let tests: Vec<String> = sources.iter().map(|(s, _)| format!("has({s})")).collect();
                let listed: Vec<String> = sources.iter().map(|(s, _)| format!("`{s}`")).collect();
                CheckError::OptionalUnchecked {
                    help: Some(format!(
                        "it reads {} that may be missing: test them first (`{} and …`) or give defaults (`{first} ?? …`)",
                        listed.join(", "),
                        tests.join(" and ")
                    )),
                    expr: self.text(span),
                    span: span.clone(),
                }
            }
        };
        self.error(error);
    }

    pub(super) fn mismatch(
        &mut self,
        context: &str,
        expected: &str,
        found: &Type,
        span: &Span,
        help: Option<String>,
    ) {
        if *found == Type::Error {
            return;
        }
        let found = self.show(found);
        self.error(CheckError::TypeMismatch {
            context: context.to_string(),
            expected: expected.to_string(),
            found,
            span: span.clone(),
            help,
        });
    }

    pub(super) fn check_string(&mut self, s: &str, span: &Span, hint: Option<&Type>) -> (Expr, Ty) {
        if let Some(Type::Enum(e)) = hint {
            return self.enum_value(s, e, span);
        }
        (Expr::Const(Value::str(s)), Ty::of(Type::Str))
    }

    pub(super) fn enum_value(
        &mut self,
        value: &str,
        e: &Arc<crate::schema::EnumType>,
        span: &Span,
    ) -> (Expr, Ty) {
        if !e.has(value) {
            let help =
                crate::suggest::did_you_mean(value, "values", e.variants().iter().map(|v| &**v));
            self.error(CheckError::UnknownEnumValue {
                value: value.to_string(),
                owner: format!("`{}`", e.owner),
                span: span.clone(),
                help,
            });
        }
        (
            Expr::Const(Value::str(value)),
            Ty::of(Type::Enum(e.clone())),
        )
    }

    pub(super) fn check_name(
        &mut self,
        scope: &mut Scope,
        name: &str,
        span: &Span,
        hint: Option<&Type>,
    ) -> (Expr, Ty) {
        if let Some(Named::Alias { expr, ty, marker }) = scope.named(name) {
            let (expr, mut ty, marker) = (expr.clone(), ty.clone(), *marker);
            if scope.present.contains(&expr) {
                ty.missing.clear();
            }
            mark_used(scope, &expr);
            if let Some(m) = marker {
                scope.used[m.0 as usize] = true;
            }
            return (expr, ty);
        }
        if let Some(var) = scope.lookup(name) {
            scope.used[var.0 as usize] = true;
            let ty = scope.var_ty(var).clone();
            let expr = match ty {
                Type::Record(_) => Expr::RecordId(var),
                Type::Group(..) => Expr::GroupKey(var),
                _ => Expr::Var(var),
            };
            return (expr, Ty::of(ty));
        }
        if let Some(c) = self.out.consts.get(name) {
            return (Expr::Const(c.value.clone()), Ty::of(c.ty.clone()));
        }
        if let Some(Type::Enum(e)) = hint {
            return self.enum_value(name, &e.clone(), span);
        }
        if let Some(Type::List(inner)) = hint {
            if let Type::Enum(e) = inner.as_ref() {
                return self.enum_value(name, &e.clone(), span);
            }
        }
        let names: Vec<String> = scope
            .visible_names()
            .map(str::to_string)
            .chain(self.out.consts.keys().cloned())
            .collect();
        let mut help =
            crate::suggest::did_you_mean(name, "names in scope", names.iter().map(String::as_str));
        if self.out.schema.kind_id(name).is_some() {
            help = Some(format!("`{name}` is a kind: bind it first (`for x in {name}` or `some x in {name} where …`)"));
        }
        self.error(CheckError::UnknownName {
            name: name.to_string(),
            span: span.clone(),
            help,
        });
        (Expr::Const(Value::Missing), Ty::of(Type::Error))
    }

    pub(super) fn check_list(
        &mut self,
        scope: &mut Scope,
        items: &[ast::Expr],
        hint: Option<&Type>,
    ) -> (Expr, Ty) {
        let mut elem_hint = match hint {
            Some(Type::List(inner)) => Some(inner.as_ref().clone()),
            Some(t @ Type::Enum(_)) => Some(t.clone()),
            _ => None,
        };
        let mut out = Vec::new();
        for item in items {
            let (expr, ty) = self.check_expr(scope, item, elem_hint.as_ref());
            self.require_present(&ty, &item.span);
            if let Some(expected) = &elem_hint {
                if !self.compatible(expected, &ty.ty, true) {
                    let shown = format!("`{}`", self.show(expected));
                    self.mismatch(
                        "list elements must have one type",
                        &shown,
                        &ty.ty,
                        &item.span,
                        None,
                    );
                }
            } else {
                elem_hint = Some(ty.ty);
            }
            out.push(expr);
        }
        let elem = elem_hint.unwrap_or(Type::Error);
        (Expr::List(out), Ty::of(Type::List(Box::new(elem))))
    }

    pub(super) fn check_unary(
        &mut self,
        scope: &mut Scope,
        op: UnaryOp,
        operand: &ast::Expr,
    ) -> (Expr, Ty) {
        match op {
            UnaryOp::Not => {
                let inner = self.check_bool(scope, operand, "`not` needs a condition");
                (Expr::Not(Box::new(inner)), Ty::of(Type::Bool))
            }
            UnaryOp::Neg => {
                let (inner, ty) = self.check_expr(scope, operand, None);
                if !ty.ty.is_numeric() {
                    self.mismatch(
                        "`-` needs a number",
                        "a number, time or duration",
                        &ty.ty,
                        &operand.span,
                        None,
                    );
                }
                (Expr::Neg(Box::new(inner)), ty)
            }
        }
    }

    pub(super) fn check_binary(
        &mut self,
        scope: &mut Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        match op {
            BinaryOp::And | BinaryOp::Or => self.check_logical(scope, op, l, r),
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.check_comparison(scope, op, l, r),
            BinaryOp::In | BinaryOp::NotIn => self.check_membership(scope, op, l, r),
            BinaryOp::Default => self.check_default(scope, l, r),
            _ => self.check_arith(scope, op, l, r),
        }
    }

    pub(super) fn check_logical(
        &mut self,
        scope: &mut Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        let context = format!("`{}` needs conditions on both sides", op.symbol());
        let left = self.check_bool(scope, l, &context);
        let mut facts = Vec::new();
        if op == BinaryOp::And {
            proven_present(&left, &mut facts);
        } else {
            proven_present_if_false(&left, &mut facts);
        }
        let before = scope.present.len();
        scope.present.extend(facts);
        let right = self.check_bool(scope, r, &context);
        scope.present.truncate(before);
        let expr = if op == BinaryOp::And {
            Expr::And(Box::new(left), Box::new(right))
        } else {
            Expr::Or(Box::new(left), Box::new(right))
        };
        (expr, Ty::of(Type::Bool))
    }

    /// Whether a bare name or string would only make sense as an enum value, so the other
    /// side should be checked first to supply the enum type.
    pub(super) fn needs_context(&self, scope: &Scope, e: &ast::Expr) -> bool {
        match &e.node {
            ExprKind::Name(n) => scope.named(n).is_none() && !self.out.consts.contains_key(n),
            ExprKind::Str(_) | ExprKind::Set(_) | ExprKind::List(_) => true,
            _ => false,
        }
    }

    /// Checks two operands, the one that can supply an enum type first.
    pub(super) fn check_pair(
        &mut self,
        scope: &mut Scope,
        l: &ast::Expr,
        r: &ast::Expr,
        list_right: bool,
    ) -> ((Expr, Ty), (Expr, Ty)) {
        if self.needs_context(scope, l) && !self.needs_context(scope, r) {
            let right = self.check_expr(scope, r, None);
            let hint = match &right.1.ty {
                Type::List(inner) if list_right => inner.as_ref().clone(),
                t => t.clone(),
            };
            let left = self.check_expr(scope, l, Some(&hint));
            return (left, right);
        }
        let left = self.check_expr(scope, l, None);
        let hint = if list_right {
            Type::List(Box::new(left.1.ty.clone()))
        } else {
            left.1.ty.clone()
        };
        let right = self.check_expr(scope, r, Some(&hint));
        (left, right)
    }

    /// Whether values of two types can be compared. A constant duration may stand for a
    /// point in time (`t.start > 5s`).
    pub(super) fn compatible(&self, a: &Type, b: &Type, constant_side: bool) -> bool {
        match (a, b) {
            (Type::Error, _) | (_, Type::Error) => true,
            (Type::Time, Type::Duration) | (Type::Duration, Type::Time) => constant_side,
            (Type::Num, t) | (t, Type::Num) => t.is_numeric(),
            (Type::Time, Type::Time) | (Type::Duration, Type::Duration) => true,
            (x, y) if x.is_textual() && y.is_textual() => true,
            (Type::Bool, Type::Bool) => true,
            (Type::Record(x), Type::Record(y)) => x == y,
            (Type::List(x), Type::List(y)) => self.compatible(x, y, constant_side),
            (Type::Shape(x), Type::Shape(y)) => x == y,
            // A box compared with the list of numbers a rule writes out.
            (Type::Shape(_), Type::List(_)) | (Type::List(_), Type::Shape(_)) => constant_side,
            _ => false,
        }
    }

    pub(super) fn check_comparison(
        &mut self,
        scope: &mut Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        let ((left, lt), (right, rt)) = self.check_pair(scope, l, r, false);
        self.require_all_present(&[&lt, &rt], &l.span.to(&r.span));
        if let (BinaryOp::Eq, Expr::RecordItem(a), Expr::RecordItem(b)) = (op, &left, &right) {
            scope.same_items.push((*a, *b));
        }
        let constant_side = matches!(left, Expr::Const(_)) || matches!(right, Expr::Const(_));
        let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
        let orderable = |t: &Type| t.is_numeric() || t.is_textual();
        if !self.compatible(&lt.ty, &rt.ty, constant_side) {
            let span = l.span.to(&r.span);
            let (a, b) = (self.show(&lt.ty), self.show(&rt.ty));
            let help = match (&lt.ty, &rt.ty) {
                (Type::Time, Type::Duration) | (Type::Duration, Type::Time) => {
                    Some("a time is a point and a duration a length: compare `duration(x)` with a duration, or a time with a time".to_string())
                }
                _ => None,
            };
            self.error(CheckError::TypeMismatch {
                context: format!("cannot compare `{a}` with `{b}` using `{}`", op.symbol()),
                expected: format!("a `{a}` on the right"),
                found: b,
                span,
                help,
            });
        } else if ordered && !(orderable(&lt.ty) && orderable(&rt.ty)) {
            let bad = if orderable(&lt.ty) {
                (&rt.ty, &r.span)
            } else {
                (&lt.ty, &l.span)
            };
            let context = format!("`{}` orders values", op.symbol());
            self.mismatch(
                &context,
                "a number, time, duration or text",
                bad.0,
                bad.1,
                None,
            );
        }
        let cmp = match op {
            BinaryOp::Eq => CompareOp::Eq,
            BinaryOp::Ne => CompareOp::Ne,
            BinaryOp::Lt => CompareOp::Lt,
            BinaryOp::Le => CompareOp::Le,
            BinaryOp::Gt => CompareOp::Gt,
            _ => CompareOp::Ge,
        };
        (
            Expr::Compare(cmp, Box::new(left), Box::new(right)),
            Ty::of(Type::Bool),
        )
    }

    pub(super) fn check_membership(
        &mut self,
        scope: &mut Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        let ((left, lt), (right, rt)) = self.check_pair(scope, l, r, true);
        self.require_all_present(&[&lt, &rt], &l.span.to(&r.span));
        match &rt.ty {
            Type::List(elem) => {
                if !self.compatible(elem, &lt.ty, true) {
                    let expected = format!("a `{}`", self.show(elem));
                    self.mismatch(
                        "the value tested with `in`",
                        &expected,
                        &lt.ty,
                        &l.span,
                        None,
                    );
                }
            }
            Type::Error => {}
            other => {
                let help = other.is_textual().then(|| {
                    "to look for text inside text, use `contains(text, part)`".to_string()
                });
                self.mismatch(
                    "`in` looks in a list or set",
                    "a list or a set (`{a, b}`)",
                    other,
                    &r.span,
                    help,
                );
            }
        }
        let test = Expr::In(Box::new(left), Box::new(right));
        let expr = if op == BinaryOp::NotIn {
            Expr::Not(Box::new(test))
        } else {
            test
        };
        (expr, Ty::of(Type::Bool))
    }

    pub(super) fn check_default(
        &mut self,
        scope: &mut Scope,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        let (left, lt) = self.check_expr(scope, l, None);
        let (right, rt) = self.check_expr(scope, r, Some(&lt.ty));
        if !self.compatible(&lt.ty, &rt.ty, true) {
            let expected = format!("a `{}` like the left side", self.show(&lt.ty));
            self.mismatch("the default after `??`", &expected, &rt.ty, &r.span, None);
        }
        let ty = Ty {
            ty: lt.ty,
            missing: rt.missing,
        };
        (Expr::Default(Box::new(left), Box::new(right)), ty)
    }

    pub(super) fn check_arith(
        &mut self,
        scope: &mut Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> (Expr, Ty) {
        let (left, lt) = self.check_expr(scope, l, None);
        let (right, rt) = self.check_expr(scope, r, None);
        let arith = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            BinaryOp::Div => ArithOp::Div,
            _ => ArithOp::Rem,
        };
        let ty = match self.arith_type(arith, &lt.ty, &rt.ty) {
            Some(ty) => ty,
            None => {
                let (a, b) = (self.show(&lt.ty), self.show(&rt.ty));
                self.error(CheckError::TypeMismatch {
                    context: format!("`{a} {} {b}` has no meaning", op.symbol()),
                    expected: "numbers, times or durations that combine".into(),
                    found: b,
                    span: l.span.to(&r.span),
                    help: Some("time - time = duration; time ± duration = time; duration ± duration = duration; number × duration = duration".into()),
                });
                Type::Error
            }
        };
        // Missing operands give a missing result: where it is used, one diagnostic names
        // them all.
        let missing = [lt.missing, rt.missing].concat();
        let expr = Expr::Arith(arith, Box::new(left), Box::new(right));
        (expr, Ty { ty, missing })
    }

    /// The result type of arithmetic on times, durations and plain numbers.
    pub(super) fn arith_type(&self, op: ArithOp, a: &Type, b: &Type) -> Option<Type> {
        use Type::*;
        Some(match (op, a, b) {
            (_, Error, _) | (_, _, Error) => Error,
            (_, Num, Num) => Num,
            (ArithOp::Sub, Time, Time) => Duration,
            (ArithOp::Add | ArithOp::Sub, Time, Duration | Num) => Time,
            (ArithOp::Add, Duration | Num, Time) => Time,
            (ArithOp::Add | ArithOp::Sub | ArithOp::Rem, Duration, Duration | Num) => Duration,
            (ArithOp::Add | ArithOp::Sub, Num, Duration) => Duration,
            (ArithOp::Mul, Duration, Num) | (ArithOp::Mul, Num, Duration) => Duration,
            (ArithOp::Div, Duration, Num) => Duration,
            (ArithOp::Div, Duration, Duration) => Num,
            _ => return None,
        })
    }
}
