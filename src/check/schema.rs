//! Schema declarations → [`Schema`].

use super::{CheckError, Checker};
use crate::schema::{EnumType, Field, FieldId, Kind, Shape, Type};
use crate::span::Spanned;
use crate::syntax::ast;
use indexmap::IndexMap;
use std::sync::Arc;

/// Fields every record has, which a kind cannot declare.
pub(crate) const BUILT_IN_FIELDS: [&str; 3] = ["item", "kind", "id"];

const TYPE_NAMES: [&str; 8] = [
    "str", "num", "bool", "time", "duration", "box", "point", "polygon",
];

impl Checker<'_> {
    /// Declares every kind first, then resolves field types, so a `ref` may name a kind
    /// declared later or in another file.
    pub(super) fn check_schema<'k>(&mut self, decls: impl Iterator<Item = &'k ast::KindDecl>) {
        let mut unique: Vec<&ast::KindDecl> = Vec::new();
        for decl in decls {
            if let Some(first) = unique.iter().find(|d| d.name.node == decl.name.node) {
                self.error(CheckError::DuplicateKind {
                    name: decl.name.node.clone(),
                    first: self.sources.location(&first.name.span),
                    span: decl.name.span.clone(),
                });
                continue;
            }
            unique.push(decl);
        }
        let names: Vec<String> = unique.iter().map(|d| d.name.node.clone()).collect();
        for decl in unique {
            let kind = self.check_kind(decl, &names);
            self.out.schema.add(kind);
        }
    }

    fn check_kind(&mut self, decl: &ast::KindDecl, kinds: &[String]) -> Kind {
        let mut fields: IndexMap<String, Field> = IndexMap::new();
        for field in &decl.fields {
            let name = &field.name.node;
            if BUILT_IN_FIELDS.contains(&name.as_str()) {
                self.error(CheckError::ReservedField {
                    name: name.clone(),
                    span: field.name.span.clone(),
                });
                continue;
            }
            if fields.contains_key(name) {
                self.error(CheckError::DuplicateField {
                    kind: decl.name.node.clone(),
                    name: name.clone(),
                    span: field.name.span.clone(),
                });
                continue;
            }
            let owner = format!("{}.{}", decl.name.node, name);
            let (ty, optional) = self.resolve_type(&field.ty, &owner, kinds);
            let doc = field.doc.clone();
            fields.insert(
                name.clone(),
                Field {
                    name: name.clone(),
                    ty,
                    optional,
                    doc,
                },
            );
        }
        let interval = self.interval_fields(decl, &fields);
        Kind {
            name: decl.name.node.clone(),
            doc: decl.doc.clone(),
            fields,
            interval,
        }
    }

    /// A kind is an interval when it declares `start: time` and `end: time`, both required.
    /// Half of that is almost always a mistake, so it is reported.
    fn interval_fields(
        &mut self,
        decl: &ast::KindDecl,
        fields: &IndexMap<String, Field>,
    ) -> Option<(FieldId, FieldId)> {
        let find = |name: &str| {
            fields
                .get_full(name)
                .map(|(i, _, f)| (FieldId(i as u32), f))
        };
        let span_of = |name: &str| {
            decl.fields
                .iter()
                .find(|f| f.name.node == name)
                .map_or(decl.name.span.clone(), |f| f.name.span.clone())
        };
        let problem = match (find("start"), find("end")) {
            (None, None) => return None,
            (Some((s, fs)), Some((e, fe))) => {
                let ok = |f: &Field| f.ty == Type::Time && !f.optional;
                if ok(fs) && ok(fe) {
                    return Some((s, e));
                }
                let bad = if ok(fs) { "end" } else { "start" };
                (
                    format!("`{bad}` that is not a required `time`"),
                    span_of(bad),
                )
            }
            (Some(_), None) => ("`start` but no `end`".to_string(), span_of("start")),
            (None, Some(_)) => ("`end` but no `start`".to_string(), span_of("end")),
        };
        self.error(CheckError::HalfInterval {
            kind: decl.name.node.clone(),
            problem: problem.0,
            span: problem.1,
        });
        None
    }

    fn resolve_type(
        &mut self,
        ty: &Spanned<ast::TypeExpr>,
        owner: &str,
        kinds: &[String],
    ) -> (Type, bool) {
        match &ty.node {
            ast::TypeExpr::Optional(inner) => (self.resolve_type(inner, owner, kinds).0, true),
            ast::TypeExpr::List(inner) => (
                Type::List(Box::new(self.resolve_type(inner, owner, kinds).0)),
                false,
            ),
            ast::TypeExpr::Enum(variants) => (self.resolve_enum(variants, owner), false),
            ast::TypeExpr::Ref(kind) => (self.resolve_ref(kind, kinds), false),
            ast::TypeExpr::Named(name) => (self.resolve_named_type(name), false),
        }
    }

    fn resolve_enum(&mut self, variants: &[ast::Name], owner: &str) -> Type {
        let mut names: Vec<Arc<str>> = Vec::new();
        for v in variants {
            if names.iter().any(|n| **n == *v.node) {
                self.error(CheckError::DuplicateEnumValue {
                    name: v.node.clone(),
                    span: v.span.clone(),
                });
            } else {
                names.push(Arc::from(v.node.as_str()));
            }
        }
        Type::Enum(Arc::new(EnumType::new(owner.to_string(), names)))
    }

    fn resolve_ref(&mut self, kind: &ast::Name, kinds: &[String]) -> Type {
        match kinds.iter().position(|k| *k == kind.node) {
            Some(i) => Type::Ref(crate::schema::KindId(i as u32)),
            None => {
                let help = crate::suggest::did_you_mean(
                    &kind.node,
                    "kinds",
                    kinds.iter().map(String::as_str),
                );
                self.error(CheckError::UnknownKind {
                    name: kind.node.clone(),
                    span: kind.span.clone(),
                    help,
                });
                Type::Error
            }
        }
    }

    pub(super) fn resolve_named_type(&mut self, name: &ast::Name) -> Type {
        match name.node.as_str() {
            "str" | "string" => Type::Str,
            "num" | "number" => Type::Num,
            "bool" => Type::Bool,
            "time" => Type::Time,
            "duration" => Type::Duration,
            "box" => Type::Shape(Shape::Box),
            "point" => Type::Shape(Shape::Point),
            "polygon" => Type::Shape(Shape::Polygon),
            other => {
                let help = crate::suggest::did_you_mean(other, "types", TYPE_NAMES);
                self.error(CheckError::UnknownType {
                    name: other.to_string(),
                    span: name.span.clone(),
                    help,
                });
                Type::Error
            }
        }
    }
}
