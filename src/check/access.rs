//! Access into values: a record's or a group's fields, and a list's elements.

use super::expr::{Scope, Ty};
use super::ir::{Expr, VarId};
use super::{CheckError, Checker};
use crate::data::Value;
use crate::schema::{KindId, Shape, Type};
use crate::span::Span;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn check_field(
        &mut self,
        scope: &mut Scope,
        base: &ast::Expr,
        field: &ast::Name,
        span: &Span,
    ) -> (Expr, Ty) {
        let (base_expr, base_ty) = self.check_expr(scope, base, None);
        let var = match &base_expr {
            Expr::RecordId(v) | Expr::GroupKey(v) | Expr::Var(v) => Some(*v),
            _ => None,
        };
        match (&base_ty.ty, var) {
            (Type::Record(k), Some(v)) => self.record_field(scope, v, *k, field, span),
            (Type::Group(k, key), Some(v)) => self.group_field(v, *k, key, field),
            (Type::Error, _) => (Expr::Const(Value::Missing), Ty::of(Type::Error)),
            (other, _) => {
                let ty = self.show(other);
                self.error(CheckError::NoFields {
                    expr: self.text(&base.span),
                    ty,
                    span: span.clone(),
                });
                (Expr::Const(Value::Missing), Ty::of(Type::Error))
            }
        }
    }

    pub(super) fn record_field(
        &mut self,
        scope: &Scope,
        var: VarId,
        kind: KindId,
        field: &ast::Name,
        span: &Span,
    ) -> (Expr, Ty) {
        match field.node.as_str() {
            "id" => return (Expr::RecordId(var), Ty::of(Type::Ref(kind))),
            "item" => return (Expr::RecordItem(var), Ty::of(Type::Str)),
            _ => {}
        }
        let k = self.out.schema.kind(kind);
        let Some(id) = k.field_id(&field.node) else {
            let names = k.fields.keys().map(String::as_str).chain(["id", "item"]);
            let help = crate::suggest::did_you_mean(&field.node, "fields", names);
            self.error(CheckError::UnknownField {
                kind: k.name.clone(),
                name: field.node.clone(),
                span: field.span.clone(),
                help,
            });
            return (Expr::Const(Value::Missing), Ty::of(Type::Error));
        };
        let f = k.field(id);
        let ty = match f.optional && !scope.present.contains(&Expr::Field(var, id)) {
            true => Ty::missing_at(f.ty.clone(), span),
            false => Ty::of(f.ty.clone()),
        };
        (Expr::Field(var, id), ty)
    }

    pub(super) fn group_field(
        &mut self,
        var: VarId,
        kind: KindId,
        key: &Type,
        field: &ast::Name,
    ) -> (Expr, Ty) {
        let k = self.out.schema.kind(kind);
        if field.node == "key" {
            return (Expr::GroupKey(var), Ty::of(key.clone()));
        }
        let Some(id) = k.field_id(&field.node) else {
            let names = k.fields.keys().map(String::as_str).chain(["key"]);
            let help = crate::suggest::did_you_mean(&field.node, "fields (or `key`)", names);
            self.error(CheckError::UnknownField {
                kind: format!("group of {}", k.name),
                name: field.node.clone(),
                span: field.span.clone(),
                help,
            });
            return (Expr::Const(Value::Missing), Ty::of(Type::Error));
        };
        let ty = Type::List(Box::new(k.field(id).ty.clone()));
        (Expr::GroupColumn(var, id), Ty::of(ty))
    }

    /// `x[i]`: an element of a list, counted from the end when `i` is negative. Outside the
    /// list the value is missing, as a field that is not there.
    pub(super) fn check_index(
        &mut self,
        scope: &mut Scope,
        list: &ast::Expr,
        index: &ast::Expr,
    ) -> (Expr, Ty) {
        let (list_expr, list_ty) = self.check_expr(scope, list, None);
        let (index_expr, index_ty) = self.check_expr(scope, index, None);
        self.require_present(&index_ty, &index.span);
        if !matches!(index_ty.ty, Type::Num | Type::Error) {
            let help = Some("positions count from 0; `-1` is the last element".to_string());
            self.mismatch("a list index", "`num`", &index_ty.ty, &index.span, help);
        }
        let element = match &list_ty.ty {
            Type::List(inner) => (**inner).clone(),
            Type::Error => Type::Error,
            // `b.box[2]` is its width, `p[0]` a point's x; a polygon's element is a ring.
            Type::Shape(Shape::Box | Shape::Point) => Type::Num,
            Type::Shape(Shape::Polygon) => Type::List(Box::new(Type::Shape(Shape::Point))),
            other => {
                let help = match other {
                    Type::Str => Some("to take part of a text, use `substring(text, start, length)` or `split(text, sep)[i]`".to_string()),
                    _ => None,
                };
                self.mismatch("indexing", "a list", other, &list.span, help);
                Type::Error
            }
        };
        let expr = Expr::Index(Box::new(list_expr), Box::new(index_expr));
        let ty = Ty {
            ty: element,
            missing: list_ty.missing,
        };
        (expr, ty)
    }
}
