//! Rules: their bindings, condition and message, checked into `ir::Rule`s.

use super::expr::{fold, proven_present, Scope};
use super::ir::{self, Expr, Format, MessagePart};
use super::{CheckError, Checker};
use crate::data::Value;
use crate::schema::Type;
use crate::syntax::ast::{self, ExprKind};

impl Checker<'_> {
    /// Checks a message template; times and durations are shown in seconds.
    pub(super) fn check_message(
        &mut self,
        scope: &mut Scope,
        template: &ast::Template,
    ) -> Vec<MessagePart> {
        template
            .parts
            .iter()
            .map(|part| match part {
                ast::TemplatePart::Text(t) => MessagePart::Text(t.clone()),
                ast::TemplatePart::Hole(e, decimals) => {
                    let (expr, ty) = self.check_expr(scope, e, None);
                    let format = Format {
                        seconds: matches!(ty.ty, Type::Time | Type::Duration),
                        decimals: *decimals,
                    };
                    MessagePart::Value(expr, format)
                }
            })
            .collect()
    }

    /// Checks and folds an expression that must be constant (a `const` value or a test
    /// record's field).
    pub(super) fn constant_value(
        &mut self,
        e: &ast::Expr,
        hint: Option<&Type>,
        what: &str,
    ) -> (Value, Type) {
        let mut scope = Scope::default();
        let (expr, ty) = self.check_expr(&mut scope, e, hint);
        match fold(&expr) {
            Some(v) => (v, ty.ty),
            None => {
                if ty.ty != Type::Error {
                    self.error(CheckError::NotConstant {
                        what: what.to_string(),
                        span: e.span.clone(),
                    });
                }
                (Value::Missing, Type::Error)
            }
        }
    }

    /// Whether a constant of type `found` may be stored in a field of type `field`.
    pub(super) fn assignable(&self, field: &Type, found: &Type) -> bool {
        match (field, found) {
            (Type::Time, Type::Duration) => true,
            (Type::Duration | Type::Time | Type::Num, Type::Num) => true,
            (Type::List(a), Type::List(b)) => self.assignable(a, b) || **b == Type::Error,
            // Read into the shape when stored (`box: [0, 0, 10, 10]`).
            (Type::Shape(_), Type::List(_)) => true,
            (a, b) => self.compatible(a, b, false) && (a.is_numeric() == b.is_numeric()),
        }
    }
}

/// Checks one rule.
impl Checker<'_> {
    pub(super) fn check_rule(&mut self, rule: &ast::Rule) -> ir::Rule {
        let mut scope = Scope::default();
        let mut bindings = Vec::new();
        let mut binding_vars = Vec::new();
        let mut lets = Vec::new();
        for b in &rule.bindings {
            if scope.lookup(&b.var.node).is_some() {
                self.error(CheckError::DuplicateBinding {
                    name: b.var.node.clone(),
                    span: b.var.span.clone(),
                });
            }
            if let ast::Source::Matched(m) = &b.source {
                bindings.extend(self.check_matched_binding(&mut scope, b, m, &mut lets));
                continue;
            }
            let resolved = self.check_binding_source(&mut scope, &b.source);
            let (source, ty) =
                resolved.unwrap_or((ir::Source::List(Expr::List(vec![])), Type::Error));
            let var = scope.bind(&b.var.node, ty);
            binding_vars.push((var, b.var.clone()));
            bindings.push(ir::Binding { var, source });
        }
        let mut let_markers = Vec::new();
        for l in rule.lets.iter().filter(|l| !l.after_filter) {
            let_markers.push((self.check_let(&mut scope, l, &mut lets), &l.name));
        }
        let errors_before = self.errors.len();
        let filter = rule
            .filter
            .as_ref()
            .map(|f| self.check_bool(&mut scope, f, "`where` needs a condition"));
        // A filter with a mistake in it folds to nothing worth a warning.
        let clean = self.errors.len() == errors_before
            && binding_vars
                .iter()
                .all(|(v, _)| *scope.var_ty(*v) != Type::Error);
        if let (Some(f), Some(ast_f), true) = (&filter, &rule.filter, clean) {
            if fold(f) == Some(Value::Bool(false)) {
                self.error(CheckError::ConstantFalseFilter {
                    span: ast_f.span.clone(),
                    help: Some(
                        "the filter does not depend on any binding and evaluates to `false`".into(),
                    ),
                });
            }
        }
        let mut facts = Vec::new();
        if let Some(f) = &filter {
            proven_present(f, &mut facts);
        }
        scope.present.extend(facts);
        for l in rule.lets.iter().filter(|l| l.after_filter) {
            let_markers.push((self.check_let(&mut scope, l, &mut lets), &l.name));
        }
        let condition = self.check_bool(&mut scope, &rule.condition, "the rule's condition");
        let message = self.check_message(&mut scope, &rule.message);
        for (var, name) in binding_vars {
            if !scope.used[var.0 as usize] {
                self.error(CheckError::UnusedBinding {
                    name: name.node.clone(),
                    span: name.span.clone(),
                });
            }
        }
        if rule.scope == crate::ops::Scope::Dataset {
            self.relations_across_items(&scope);
        }
        for (marker, name) in let_markers {
            if !scope.used[marker.0 as usize] {
                self.error(CheckError::UnusedName {
                    what: "value",
                    name: name.node.clone(),
                    span: name.span.clone(),
                });
            }
        }
        ir::Rule {
            id: rule.id.node.clone(),
            doc: rule.doc.clone(),
            severity: rule.severity.node,
            scope: rule.scope,
            vars: scope.vars,
            bindings,
            lets,
            filter,
            mode: rule.mode.node,
            condition,
            message,
            span: rule.span.clone(),
        }
    }

    pub(super) fn check_binding_source(
        &mut self,
        scope: &mut Scope,
        source: &ast::Source,
    ) -> Option<(ir::Source, Type)> {
        match source {
            ast::Source::Expr(e) => self.check_source(scope, e),
            ast::Source::Group { var, kind, by } => {
                self.check_group_source(scope, var.as_ref(), kind, by)
            }
            ast::Source::Unmatched(m) => self.check_match_source(scope, m),
            // A `for` binding, checked with both the variables it binds.
            ast::Source::Matched(m) => self.check_match_source(scope, m),
        }
    }

    /// In a `per dataset` rule, a time relation between records of different items is
    /// false: one that no `a.item == b.item` holds to one item is likely a mistake.
    fn relations_across_items(&mut self, scope: &Scope) {
        for (a, b, span) in &scope.relations {
            let tied = (scope.same_items.iter()).any(|p| *p == (*a, *b) || *p == (*b, *a));
            if !tied && a != b {
                let (a, b) = (
                    &scope.vars[a.0 as usize].name,
                    &scope.vars[b.0 as usize].name,
                );
                self.error(CheckError::RelationAcrossItems {
                    help: Some(format!(
                        "records of different items share no timeline, so it is false for them; add `{a}.item == {b}.item` to say which pairs are meant"
                    )),
                    span: span.clone(),
                });
            }
        }
    }

    /// `group speech by speaker` (a field, `item` or `id`) or `group l in label by
    /// lower(l.value)` (any expression of the record). A field's groups are shared by the
    /// rules of the pack; other keys are computed by the rule that groups by them.
    fn check_group_source(
        &mut self,
        scope: &mut Scope,
        var: Option<&ast::Name>,
        kind: &ast::Name,
        by: &ast::Expr,
    ) -> Option<(ir::Source, Type)> {
        let Some(k) = self.out.schema.kind_id(&kind.node) else {
            self.unknown_kind(&kind.node, &kind.span);
            return None;
        };
        let visible = scope.visible.len();
        // The record a key is computed from: the variable written, or one no name shows.
        let record = match var {
            Some(name) => scope.bind(&name.node, Type::Record(k)),
            None => scope.new_var(&kind.node, Type::Record(k)),
        };
        scope.used[record.0 as usize] = true;
        let key = match (var, &by.node) {
            (Some(_), _) => self.check_expr(scope, by, None),
            (None, ExprKind::Name(field)) => {
                let field = crate::span::Spanned::new(field.clone(), by.span.clone());
                self.record_field(scope, record, k, &field, &by.span)
            }
            (None, _) => {
                self.error(CheckError::GroupKeyNeedsVariable {
                    kind: kind.node.clone(),
                    span: by.span.clone(),
                });
                (
                    Expr::Const(Value::Missing),
                    super::expr::Ty::of(Type::Error),
                )
            }
        };
        scope.visible.truncate(visible);
        let (key, key_ty) = key;
        if key_ty.ty == Type::Error {
            return None;
        }
        let source = match key {
            Expr::Field(v, f) if v == record => ir::Source::Group(k, f),
            key => ir::Source::GroupBy {
                kind: k,
                var: record,
                key: Box::new(key),
            },
        };
        Some((source, Type::Group(k, Box::new(key_ty.ty))))
    }
}
