//! Named functions (`fn iou(a: boxes, b: boxes) -> num = …`) and `let` values.
//!
//! A function is checked once where it is declared, with its parameters as variables of
//! their types, so a mistake in its body is reported once. At each call its body is checked
//! again with every parameter standing for the call's argument, which writes the function
//! out in the caller's expression: the planner sees what a rule would have spelled out, and
//! the function costs exactly that. Cycles are found while writing out: a call of a function
//! that is already being written out closes one.
//!
//! A `let` that is cheap to compute (fields, arithmetic, comparisons) is written out the
//! same way; one that holds a quantifier, a statistic or a call becomes [`Expr::Let`], which
//! the evaluator computes once per binding.

use super::error::CheckError;
use super::expr::{Named, Scope, Ty};
use super::ir::Expr;
use super::Checker;
use crate::schema::Type;
use crate::span::Span;
use crate::syntax::ast;
use crate::value::Value;
use std::sync::Arc;

/// How many calls of functions a pack may write out in all: far above any real pack,
/// and low enough that functions calling each other many times cannot exhaust memory.
pub const MAX_INLINED_CALLS: usize = 20_000;

/// A declared function as calls see it.
#[derive(Debug, Clone)]
pub struct Function {
    /// Its declaration.
    pub decl: Arc<ast::FnDecl>,
    /// Each parameter's name and type.
    pub params: Vec<(String, Type)>,
    /// The declared result type, or the body's.
    pub returns: Type,
}

impl Function {
    /// `iou(a: boxes, b: boxes) -> num`, with kinds and types by name.
    pub fn signature(&self, schema: &crate::schema::Schema) -> String {
        let show = |ty: &Type| crate::schema::TypeDisplay(ty, schema).to_string();
        let params: Vec<String> = (self.params.iter())
            .map(|(name, ty)| match ty {
                Type::Record(k) => format!("{name}: {}", schema.kind(*k).name),
                other => format!("{name}: {}", show(other)),
            })
            .collect();
        let name = &self.decl.name.node;
        format!("{name}({}) -> {}", params.join(", "), show(&self.returns))
    }
}

/// Where a function is being written out, for cycles and the expansion limit.
#[derive(Default)]
pub(super) struct Inlining {
    /// The functions being written out, outermost first.
    pub stack: Vec<String>,
    /// How many calls were written out so far.
    pub count: usize,
    /// Cycles and expansions found, reported once each when the whole pack is checked (so
    /// never dropped with the errors of a body being written out).
    pub found: Vec<CheckError>,
    /// The functions of each cycle reported, sorted: a cycle is found again from each of
    /// its members.
    pub cycles: Vec<Vec<String>>,
}

impl Checker<'_> {
    /// Declares every function, then checks each body once.
    pub(super) fn check_functions(&mut self, decls: &[&ast::FnDecl]) {
        for decl in decls {
            self.declare_function(decl);
        }
        for decl in decls {
            self.check_function_body(decl);
        }
    }

    fn declare_function(&mut self, decl: &ast::FnDecl) {
        let name = &decl.name.node;
        let first = if let Some(f) = self.out.functions.get(name) {
            Some(format!(
                "first defined at {}",
                self.sources.location(&f.decl.name.span)
            ))
        } else if crate::builtins::functions().any(|b| b.name == *name) {
            Some(format!(
                "`{name}` is a built-in function; choose another name"
            ))
        } else {
            None
        };
        if first.is_some() {
            self.error(CheckError::DuplicateFunction {
                name: name.clone(),
                first,
                span: decl.name.span.clone(),
            });
            return;
        }
        let params = (decl.params.iter())
            .map(|(name, ty)| (name.node.clone(), self.parameter_type(ty)))
            .collect();
        let returns = match &decl.returns {
            Some(ty) => self.parameter_type(ty),
            None => Type::Error,
        };
        let function = Function {
            decl: Arc::new(decl.clone()),
            params,
            returns,
        };
        self.out.functions.insert(name.clone(), function);
    }

    /// A parameter's (or result's) type: a type name, or a kind for a record.
    fn parameter_type(&mut self, ty: &crate::span::Spanned<ast::TypeExpr>) -> Type {
        match &ty.node {
            ast::TypeExpr::Optional(inner) => {
                self.error(CheckError::OptionalParameter {
                    span: ty.span.clone(),
                });
                self.parameter_type(inner)
            }
            ast::TypeExpr::List(inner) => Type::List(Box::new(self.parameter_type(inner))),
            ast::TypeExpr::Named(name) => match self.out.schema.kind_id(&name.node) {
                Some(k) => Type::Record(k),
                None => self.resolve_named_type(name),
            },
            ast::TypeExpr::Ref(kind) => match self.out.schema.kind_id(&kind.node) {
                Some(k) => Type::Ref(k),
                None => {
                    self.unknown_kind(&kind.node, &kind.span);
                    Type::Error
                }
            },
            ast::TypeExpr::Enum(_) => {
                self.mismatch(
                    "a parameter",
                    "a type name or a kind (enums are declared in a schema)",
                    &Type::Error,
                    &ty.span,
                    None,
                );
                Type::Error
            }
        }
    }

    /// Checks a body with its parameters as variables, reports unused parameters, and
    /// settles the result type when none is declared.
    fn check_function_body(&mut self, decl: &ast::FnDecl) {
        let Some(function) = self.out.functions.get(&decl.name.node).cloned() else {
            return;
        };
        if function.decl.span != decl.span {
            return; // a duplicate, reported already
        }
        let mut scope = Scope::default();
        let vars: Vec<_> = (function.params.iter())
            .map(|(name, ty)| scope.bind(name, ty.clone()))
            .collect();
        self.inlining.stack.push(decl.name.node.clone());
        let (_, ty) = self.check_expr(&mut scope, &decl.body, None);
        self.inlining.stack.pop();
        for (var, (name, _)) in vars.iter().zip(&decl.params) {
            if !scope.used[var.0 as usize] {
                self.error(CheckError::UnusedName {
                    what: "parameter",
                    name: name.node.clone(),
                    span: name.span.clone(),
                });
            }
        }
        let returns = match (&decl.returns, &function.returns) {
            (Some(written), declared) => {
                if !self.fits(declared, &ty.ty) {
                    let expected = format!("`{}`", self.show(declared));
                    self.mismatch(
                        "the function's body",
                        &expected,
                        &ty.ty,
                        &written.span,
                        None,
                    );
                }
                declared.clone()
            }
            (None, _) => ty.ty,
        };
        if let Some(f) = self.out.functions.get_mut(&decl.name.node) {
            f.returns = returns;
        }
    }

    /// Whether a value of type `found` may be passed where `expected` is declared: numbers,
    /// times and durations are all numbers of seconds.
    pub(super) fn fits(&self, expected: &Type, found: &Type) -> bool {
        (expected.is_numeric() && found.is_numeric()) || self.assignable(expected, found)
    }

    /// A call of a declared function: its body written out with the arguments in place of
    /// the parameters. `None` when `name` is not a declared function.
    pub(super) fn check_function_call(
        &mut self,
        scope: &mut Scope,
        name: &ast::Name,
        args: &[ast::Expr],
        span: &Span,
    ) -> Option<(Expr, Ty)> {
        let function = self.out.functions.get(&name.node)?.clone();
        let error = (Expr::Const(Value::Missing), Ty::of(Type::Error));
        if let Some(at) = self.inlining.stack.iter().position(|f| *f == name.node) {
            self.report_cycle(at, &name.node, &name.span);
            return Some(error);
        }
        self.inlining.count += 1;
        if self.inlining.count == MAX_INLINED_CALLS + 1 {
            self.inlining.found.push(CheckError::FunctionExpansion {
                limit: MAX_INLINED_CALLS,
                span: span.clone(),
            });
        }
        if self.inlining.count > MAX_INLINED_CALLS {
            for arg in args {
                self.check_expr(scope, arg, None);
            }
            return Some(error);
        }
        if args.len() != function.params.len() {
            self.error(CheckError::WrongArity {
                name: name.node.clone(),
                expected: plural_arguments(function.params.len()),
                found: if args.len() == 1 {
                    "1 was".into()
                } else {
                    format!("{} were", args.len())
                },
                span: span.clone(),
                help: Some(format!(
                    "declared as `{}`",
                    function.signature(&self.out.schema)
                )),
            });
        }
        let mut params = Vec::with_capacity(args.len());
        for (arg, (param, ty)) in args.iter().zip(&function.params) {
            params.push((
                param.clone(),
                self.argument(scope, arg, param, ty, &name.node),
            ));
        }
        for arg in args.iter().skip(function.params.len()) {
            self.check_expr(scope, arg, None);
        }
        if params.len() != function.params.len() || params.iter().any(|(_, p)| p.is_none()) {
            return Some(error);
        }
        let (expr, ty) = self.write_out(scope, &function, params);
        Some(self.within_depth(expr, ty, span))
    }

    /// A written-out value, or an error when it nests deeper than any stage may recurse.
    fn within_depth(&mut self, expr: Expr, ty: Ty, span: &Span) -> (Expr, Ty) {
        let (depth, limit) = (expr.depth(), crate::limits::MAX_NESTING_CEILING);
        if depth <= limit {
            return (expr, ty);
        }
        if !(self.inlining.found.iter()).any(|e| matches!(e, CheckError::WrittenOutTooDeep { .. }))
        {
            self.inlining.found.push(CheckError::WrittenOutTooDeep {
                depth,
                limit,
                span: span.clone(),
            });
        }
        (Expr::Const(Value::Missing), Ty::of(Type::Error))
    }

    /// Checks an argument against its parameter: what the parameter stands for in the body.
    fn argument(
        &mut self,
        scope: &mut Scope,
        arg: &ast::Expr,
        param: &str,
        ty: &Type,
        function: &str,
    ) -> Option<Named> {
        let (expr, found) = self.check_expr(scope, arg, Some(ty));
        self.require_present(&found, &arg.span);
        let context = format!("argument `{param}` of `{function}`");
        match (ty, &expr, &found.ty) {
            (_, _, Type::Error) | (Type::Error, _, _) => None,
            (Type::Record(k), Expr::RecordId(v), Type::Record(found_kind)) if k == found_kind => {
                Some(Named::Var(*v))
            }
            (Type::Record(k), ..) => {
                let expected = format!("a `{} record`", self.out.schema.kind(*k).name);
                self.mismatch(&context, &expected, &found.ty, &arg.span, None);
                None
            }
            _ if self.fits(ty, &found.ty) => Some(Named::Alias {
                expr,
                ty: Ty::of(ty.clone()),
                marker: None,
            }),
            _ => {
                let expected = format!("`{}`", self.show(ty));
                self.mismatch(&context, &expected, &found.ty, &arg.span, None);
                None
            }
        }
    }

    /// The function's body checked with each parameter standing for its argument; the
    /// body's own mistakes were reported where it is declared.
    fn write_out(
        &mut self,
        scope: &mut Scope,
        function: &Function,
        params: Vec<(String, Option<Named>)>,
    ) -> (Expr, Ty) {
        let (barrier, visible) = (scope.barrier, scope.visible.len());
        scope.barrier = visible;
        for (name, named) in params {
            scope.visible.extend(named.map(|n| (name, n)));
        }
        let errors = self.errors.len();
        self.inlining.stack.push(function.decl.name.node.clone());
        let (expr, ty) = self.check_expr(scope, &function.decl.body, None);
        self.inlining.stack.pop();
        self.errors.truncate(errors);
        scope.visible.truncate(visible);
        scope.barrier = barrier;
        let ty = match &function.returns {
            Type::Error => ty,
            declared => Ty {
                ty: declared.clone(),
                missing: ty.missing,
            },
        };
        (expr, ty)
    }

    fn report_cycle(&mut self, at: usize, name: &str, span: &Span) {
        let mut members: Vec<String> = self.inlining.stack[at..].to_vec();
        let cycle = format!("{} → {name}", members.join(" → "));
        members.sort();
        if !self.inlining.cycles.contains(&members) {
            self.inlining.cycles.push(members);
            self.inlining.found.push(CheckError::FunctionCycle {
                cycle,
                span: span.clone(),
            });
        }
    }

    /// Checks a rule's `let` and makes its name visible to what follows.
    pub(super) fn check_let(
        &mut self,
        scope: &mut Scope,
        decl: &ast::Let,
        lets: &mut Vec<(super::ir::VarId, Expr)>,
    ) -> super::ir::VarId {
        if scope.named(&decl.name.node).is_some() {
            self.error(CheckError::DuplicateBinding {
                name: decl.name.node.clone(),
                span: decl.name.span.clone(),
            });
        }
        let (expr, ty) = self.check_expr(scope, &decl.value, None);
        let (expr, ty) = self.within_depth(expr, ty, &decl.value.span);
        let marker = scope.new_var(&decl.name.node, ty.ty.clone());
        let named = match (&expr, &ty.ty) {
            (Expr::RecordId(v), Type::Record(_)) | (Expr::GroupKey(v), Type::Group(..)) => {
                Named::Var(*v)
            }
            _ if worth_remembering(&expr) => {
                lets.push((marker, expr.clone()));
                Named::Alias {
                    expr: Expr::Let(marker, Box::new(expr)),
                    ty,
                    marker: Some(marker),
                }
            }
            _ => Named::Alias {
                expr,
                ty,
                marker: Some(marker),
            },
        };
        scope.visible.push((decl.name.node.clone(), named));
        marker
    }
}

/// Whether a value costs enough to compute that it is remembered rather than written out:
/// quantifiers, statistics and calls do; fields, constants and arithmetic do not (and
/// written out, the planner can use them for joins).
fn worth_remembering(expr: &Expr) -> bool {
    match expr {
        Expr::Quantified { .. }
        | Expr::Agreement { .. }
        | Expr::Temporal { .. }
        | Expr::Matched { .. }
        | Expr::Call(..)
        | Expr::Let(..) => true,
        Expr::Not(a) | Expr::Neg(a) | Expr::Has(a) => worth_remembering(a),
        Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::In(a, b)
        | Expr::Default(a, b)
        | Expr::Index(a, b) => worth_remembering(a) || worth_remembering(b),
        Expr::List(items) => items.iter().any(worth_remembering),
        _ => false,
    }
}

fn plural_arguments(n: usize) -> String {
    if n == 1 {
        "1 argument".into()
    } else {
        format!("{n} arguments")
    }
}
