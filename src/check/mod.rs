//! Check: parsed files → schema, constants, typed rules and tests.
//!
//! The entry point is [`check`]. It never stops at the first mistake: every declaration is
//! checked, and an expression with an error gets [`Type::Error`], which is compatible with
//! everything, so one mistake gives one diagnostic.

mod access;
mod calls;
mod error;
mod expr;
pub mod functions;
pub mod ir;
mod matching;
mod records;
mod rules;
mod schema;
mod test_blocks;

pub use error::CheckError;
pub use test_blocks::DEFAULT_TEST_ITEM;

use crate::data::Value;
use crate::schema::{Schema, Type};
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::ast;
use indexmap::IndexMap;

/// A declared constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// Its value.
    pub value: Value,
    /// Its type.
    pub ty: Type,
    /// Doc comment.
    pub doc: Vec<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A checked rule pack.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// All kinds.
    pub schema: Schema,
    /// All constants.
    pub consts: IndexMap<String, Constant>,
    /// All functions.
    pub functions: IndexMap<String, functions::Function>,
    /// All rules, in file order.
    pub rules: Vec<ir::Rule>,
    /// All tests, in file order.
    pub tests: Vec<ir::Test>,
}

/// Shared state of the checker.
pub(crate) struct Checker<'a> {
    sources: &'a SourceMap,
    out: Checked,
    errors: Vec<CheckError>,
    inlining: functions::Inlining,
}

/// The value of an expression known before the data is read (a literal, a constant, a
/// built-in of constants), if it is one.
pub fn fold_constant(e: &ir::Expr) -> Option<Value> {
    expr::fold(e)
}

/// Checks a pack's parsed files (imports already resolved) and returns what it could check
/// together with every mistake found.
pub fn check(sources: &SourceMap, files: &[(FileId, ast::File)]) -> (Checked, Vec<CheckError>) {
    let mut checker = Checker {
        sources,
        out: Checked::default(),
        errors: Vec::new(),
        inlining: functions::Inlining::default(),
    };
    let all_kinds = files.iter().flat_map(|(_, f)| &f.kinds);
    checker.check_schema(all_kinds);
    for (_, file) in files {
        for decl in &file.consts {
            checker.check_const(decl);
        }
    }
    let fns: Vec<&ast::FnDecl> = files.iter().flat_map(|(_, f)| &f.fns).collect();
    checker.check_functions(&fns);
    let mut rule_spans: IndexMap<String, Span> = IndexMap::new();
    for (_, file) in files {
        for rule in &file.rules {
            if let Some(first) = rule_spans.get(&rule.id.node) {
                checker.errors.push(CheckError::DuplicateRule {
                    id: rule.id.node.clone(),
                    first: sources.location(first),
                    span: rule.id.span.clone(),
                });
                continue;
            }
            rule_spans.insert(rule.id.node.clone(), rule.id.span.clone());
            let checked = checker.check_rule(rule);
            checker.out.rules.push(checked);
        }
    }
    for (_, file) in files {
        for test in &file.tests {
            let checked = checker.check_test(test);
            checker.out.tests.push(checked);
        }
    }
    let found = std::mem::take(&mut checker.inlining.found);
    checker.errors.extend(found);
    (checker.out, checker.errors)
}

impl Checker<'_> {
    /// Reports a name that is not a declared kind, with the closest declared kind as help;
    /// in a pack without kinds, once, as a missing schema.
    fn unknown_kind(&mut self, name: &str, span: &crate::span::Span) {
        if self.out.schema.is_empty() {
            let reported = (self.errors.iter()).any(|e| matches!(e, CheckError::NoSchema { .. }));
            if !reported {
                self.error(CheckError::NoSchema {
                    name: name.to_string(),
                    span: span.clone(),
                });
            }
            return;
        }
        let kinds: Vec<String> = self
            .out
            .schema
            .kinds()
            .map(|(_, k)| k.name.clone())
            .collect();
        let help = crate::suggest::did_you_mean(name, "kinds", kinds.iter().map(String::as_str));
        self.error(CheckError::UnknownKind {
            name: name.to_string(),
            span: span.clone(),
            help,
        });
    }

    fn error(&mut self, error: CheckError) {
        self.errors.push(error);
    }

    /// The text a span covers, for messages that quote an expression.
    fn text(&self, span: &Span) -> String {
        self.sources.snippet(span).to_string()
    }

    fn check_const(&mut self, decl: &ast::ConstDecl) {
        if let Some(first) = self.out.consts.get(&decl.name.node) {
            let first = self.sources.location(&first.span);
            self.error(CheckError::DuplicateConstant {
                name: decl.name.node.clone(),
                first,
                span: decl.name.span.clone(),
            });
            return;
        }
        let (value, ty) = self.constant_value(&decl.value, None, "a constant");
        self.out.consts.insert(
            decl.name.node.clone(),
            Constant {
                value,
                ty,
                doc: decl.doc.clone(),
                span: decl.name.span.clone(),
            },
        );
    }
}
