//! `test` blocks → records validated against the schema, and expectations with known rules.

use super::ir::{self, Expectation};
use super::{CheckError, Checker};
use crate::data::{Origin, Record, SourceId, Value};
use crate::schema::{KindId, Type};
use crate::syntax::ast;
use std::collections::HashSet;
use std::sync::Arc;

/// The item of `given` blocks that do not name one.
pub const DEFAULT_TEST_ITEM: &str = "test";

impl Checker<'_> {
    pub(super) fn check_test(&mut self, test: &ast::Test) -> ir::Test {
        let mut records = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for given in &test.givens {
            let item = given
                .item
                .as_ref()
                .map_or(DEFAULT_TEST_ITEM, |i| i.node.as_str());
            for lit in &given.records {
                if !seen.insert((item.to_string(), lit.id.node.clone())) {
                    self.error(CheckError::DuplicateRecordId {
                        id: lit.id.node.clone(),
                        item: item.to_string(),
                        span: lit.id.span.clone(),
                    });
                    continue;
                }
                if let Some(record) = self.check_record_lit(item, lit) {
                    records.push(record);
                }
            }
        }
        let expectations = test
            .expectations
            .iter()
            .filter_map(|e| self.check_expectation(e))
            .collect();
        ir::Test {
            name: test.name.node.clone(),
            records,
            expectations,
            span: test.span.clone(),
        }
    }

    fn check_record_lit(&mut self, item: &str, lit: &ast::RecordLit) -> Option<Record> {
        let Some(kind_id) = self.out.schema.kind_id(&lit.kind.node) else {
            self.unknown_kind(&lit.kind.node, &lit.kind.span);
            return None;
        };
        let fields = self.record_fields(kind_id, lit)?;
        let (line, _) = self
            .sources
            .get(lit.span.file)
            .line_col(lit.span.range.start);
        let record = Record {
            item: Arc::from(item),
            kind: kind_id,
            id: lit.id.node.as_str().into(),
            fields: fields.into_boxed_slice(),
            origin: Origin::line(SourceId(lit.span.file.0), line as u32),
            extras: None,
        };
        // A reversed interval is kept, as data keeps it: a test can show what rules make
        // of one.
        Some(record)
    }

    fn record_fields(&mut self, kind_id: KindId, lit: &ast::RecordLit) -> Option<Vec<Value>> {
        let kind = self.out.schema.kind(kind_id).clone();
        let mut values = vec![Value::Missing; kind.fields.len()];
        let mut ok = true;
        for (name, expr) in &lit.fields {
            let Some(id) = kind.field_id(&name.node) else {
                let help = crate::suggest::did_you_mean(
                    &name.node,
                    "fields",
                    kind.fields.keys().map(String::as_str),
                );
                self.error(CheckError::UnknownField {
                    kind: kind.name.clone(),
                    name: name.node.clone(),
                    span: name.span.clone(),
                    help,
                });
                ok = false;
                continue;
            };
            let field = kind.field(id);
            let what = format!("field `{}`", name.node);
            let (value, ty) = self.constant_value(expr, Some(&field.ty), &what);
            if !self.assignable(&field.ty, &ty) && ty != Type::Error {
                let expected = format!(
                    "`{}`",
                    crate::schema::TypeDisplay(&field.ty, &self.out.schema)
                );
                let found = crate::schema::TypeDisplay(&ty, &self.out.schema).to_string();
                self.error(CheckError::TypeMismatch {
                    context: format!("the value of `{}.{}`", kind.name, name.node),
                    expected,
                    found,
                    span: expr.span.clone(),
                    help: None,
                });
                ok = false;
            }
            values[id.0 as usize] = match &field.ty {
                Type::Shape(shape) if ok => {
                    match crate::ops::space::shape_of_value(*shape, &value) {
                        Some(shaped) => shaped,
                        None => {
                            self.error(CheckError::TypeMismatch {
                                context: format!("the value of `{}.{}`", kind.name, name.node),
                                expected: format!("a `{}`", shape.name()),
                                found: "numbers that make no such shape".into(),
                                span: expr.span.clone(),
                                help: Some("a box is `[x, y, width, height]` (and a rotation), a point `[x, y]`, a polygon `[[x, y], …]`".into()),
                            });
                            ok = false;
                            value
                        }
                    }
                }
                _ => value,
            };
        }
        for (i, field) in kind.fields.values().enumerate() {
            if values[i] == Value::Missing && !field.optional && ok {
                self.error(CheckError::MissingTestField {
                    kind: kind.name.clone(),
                    id: lit.id.node.clone(),
                    field: field.name.clone(),
                    span: lit.span.clone(),
                });
                ok = false;
            }
        }
        ok.then_some(values)
    }

    fn rule_known(&mut self, id: &ast::Name) -> bool {
        if self.out.rules.iter().any(|r| r.id == id.node) {
            return true;
        }
        let ids: Vec<String> = self.out.rules.iter().map(|r| r.id.clone()).collect();
        let help = crate::suggest::did_you_mean(&id.node, "rules", ids.iter().map(String::as_str));
        self.error(CheckError::UnknownRule {
            id: id.node.clone(),
            span: id.span.clone(),
            help,
        });
        false
    }

    fn check_expectation(&mut self, e: &ast::Expectation) -> Option<Expectation> {
        match e {
            ast::Expectation::Nothing(_) => Some(Expectation::Nothing),
            ast::Expectation::None(rule) => self
                .rule_known(rule)
                .then(|| Expectation::None(rule.node.clone())),
            ast::Expectation::Finding {
                rule, key, item, ..
            } => self.rule_known(rule).then(|| Expectation::Finding {
                rule: rule.node.clone(),
                key: key.iter().map(|k| k.node.clone()).collect(),
                item: item
                    .as_ref()
                    .map_or(DEFAULT_TEST_ITEM.to_string(), |i| i.node.clone()),
            }),
        }
    }
}
