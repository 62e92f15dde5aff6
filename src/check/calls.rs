//! Calls of built-in functions, typed from their entries in [`crate::builtins::BUILTINS`]:
//! each parameter kind is checked one way, and the result's type and whether it can be
//! missing come from the entry. No function is named here but the two that are forms of
//! the language rather than computations (`has`, and `count` of a group, its size).

use super::error::CheckError;
use super::expr::{fold, Scope, Ty};
use super::ir::{Expr, Function, Pattern};
use super::Checker;
use crate::builtins::{self, Builtin, Elements, Eval, Missing, Param, Returns};
use crate::schema::{Shape, Type};
use crate::span::Span;
use crate::syntax::ast;
use crate::value::Value;

impl Checker<'_> {
    pub(super) fn check_call(
        &mut self,
        scope: &mut Scope,
        name: &ast::Name,
        args: &[ast::Expr],
        span: &Span,
    ) -> (Expr, Ty) {
        if let Some(call) = self.check_function_call(scope, name, args, span) {
            return call;
        }
        let named = || builtins::functions().filter(|b| b.name == name.node);
        if named().next().is_none() {
            let mut names: Vec<&str> = builtins::functions().map(|b| b.name).collect();
            names.dedup();
            names.extend(self.out.functions.keys().map(String::as_str));
            let help = crate::suggest::did_you_mean(&name.node, "functions", names);
            self.error(CheckError::UnknownFunction {
                name: name.node.clone(),
                span: name.span.clone(),
                help,
            });
            for arg in args {
                self.check_expr(scope, arg, None);
            }
            return (Expr::Const(Value::Missing), Ty::of(Type::Error));
        }
        // A name may have an entry per number of arguments (`round(x)`, `round(x, digits)`).
        let Some(builtin) = named().find(|b| b.params.len() == args.len()) else {
            let counts: Vec<usize> = named().map(|b| b.params.len()).collect();
            self.error(CheckError::WrongArity {
                name: name.node.clone(),
                expected: arities(&counts),
                found: if args.len() == 1 {
                    "1 was".into()
                } else {
                    format!("{} were", args.len())
                },
                span: span.clone(),
                help: Some("see the list of functions in docs/language.md#functions".to_string()),
            });
            // Its arguments are still checked: their mistakes are reported, and the
            // variables they read count as used.
            for arg in args {
                self.check_expr(scope, arg, None);
            }
            return (Expr::Const(Value::Missing), Ty::of(Type::Error));
        };
        if matches!(builtin.eval, Eval::Has) {
            let (expr, _) = self.check_expr(scope, &args[0], None);
            return (Expr::Has(Box::new(expr)), Ty::of(Type::Bool));
        }
        self.check_builtin(scope, builtin, args, span)
    }

    /// Checks each argument against its parameter, then gives the call the result type its
    /// entry declares.
    pub(super) fn check_builtin(
        &mut self,
        scope: &mut Scope,
        builtin: &'static Builtin,
        args: &[ast::Expr],
        span: &Span,
    ) -> (Expr, Ty) {
        let name = builtin.name;
        let mut exprs = Vec::with_capacity(args.len());
        let mut first: Option<Ty> = None;
        let (mut pattern, mut typed) = (None, true);
        for (param, arg) in builtin.params.iter().zip(args) {
            let (expr, ty) = match *param {
                Param::Interval => match self.interval_var(scope, arg) {
                    Some(v) => (Expr::RecordId(v), Ty::of(Type::Error)),
                    None => {
                        typed = false;
                        continue;
                    }
                },
                Param::Text => (self.check_text_arg(scope, arg, name), Ty::of(Type::Str)),
                Param::Pattern => {
                    let text = self.check_text_arg(scope, arg, name);
                    match self.compile_pattern(&text, &arg.span) {
                        Some(p) => pattern = Some(p),
                        // A pattern that does not compile matches nothing.
                        None => return (Expr::Const(Value::Bool(false)), Ty::of(Type::Bool)),
                    }
                    continue;
                }
                Param::Number | Param::Sized => {
                    match self.check_plain_arg(scope, name, *param, arg) {
                        Some(checked) => checked,
                        None => return (Expr::Const(Value::Missing), Ty::of(Type::Error)),
                    }
                }
                Param::List {
                    elements,
                    group_size,
                } => match self.check_list_arg(scope, name, elements, group_size, arg) {
                    (Expr::GroupSize(v), _) => return (Expr::GroupSize(v), Ty::of(Type::Num)),
                    checked => checked,
                },
                Param::Condition => {
                    let context = format!("`{name}` counts the items where a condition holds");
                    (self.check_bool(scope, arg, &context), Ty::of(Type::Bool))
                }
                Param::Any => self.check_expr(scope, arg, None),
                Param::Shape(shapes) => match self.check_shape_arg(scope, name, shapes, arg) {
                    Some(checked) => checked,
                    None => return (Expr::Const(Value::Missing), Ty::of(Type::Error)),
                },
            };
            first.get_or_insert(ty);
            exprs.push(expr);
        }
        if !typed {
            return (Expr::Const(Value::Missing), Ty::of(Type::Error));
        }
        let ty = result_type(builtin, first, span);
        (Expr::Call(Function { builtin, pattern }, exprs), ty)
    }

    pub(super) fn check_text_arg(
        &mut self,
        scope: &mut Scope,
        arg: &ast::Expr,
        name: &str,
    ) -> Expr {
        let (expr, ty) = self.check_expr(scope, arg, None);
        self.require_present(&ty, &arg.span);
        if !ty.ty.is_textual() {
            let context = format!("`{name}` works on text");
            self.mismatch(&context, "`str`", &ty.ty, &arg.span, None);
        }
        expr
    }

    /// A number (`abs`) or something with a length (`len`): a present value of that type.
    pub(super) fn check_plain_arg(
        &mut self,
        scope: &mut Scope,
        name: &str,
        param: Param,
        arg: &ast::Expr,
    ) -> Option<(Expr, Ty)> {
        let (expr, ty) = self.check_expr(scope, arg, None);
        self.require_present(&ty, &arg.span);
        let (fits, expected) = match param {
            Param::Number => (ty.ty.is_numeric(), "a number, time or duration"),
            _ => (
                ty.ty.is_textual() || matches!(ty.ty, Type::List(_)),
                "text or a list",
            ),
        };
        if !fits {
            let context = format!("`{name}` needs {expected}");
            self.mismatch(&context, expected, &ty.ty, &arg.span, None);
            return None;
        }
        Some((expr, Ty::of(ty.ty)))
    }

    /// A box, point or polygon of one of `shapes`, present.
    pub(super) fn check_shape_arg(
        &mut self,
        scope: &mut Scope,
        name: &str,
        shapes: &[Shape],
        arg: &ast::Expr,
    ) -> Option<(Expr, Ty)> {
        let (expr, ty) = self.check_expr(scope, arg, None);
        self.require_present(&ty, &arg.span);
        match ty.ty {
            Type::Error => Some((expr, Ty::of(Type::Error))),
            Type::Shape(s) if shapes.contains(&s) => Some((expr, Ty::of(ty.ty))),
            other => {
                let expected = shape_names(shapes);
                let context = format!("`{name}` needs {expected}");
                let help = matches!(other, Type::List(_)).then(|| {
                    "declare the field as `box`, `point` or `polygon` in the schema, so it is \
                     read as one (docs/language.md#space)"
                        .to_string()
                });
                self.mismatch(&context, &expected, &other, &arg.span, help);
                None
            }
        }
    }

    /// A list to aggregate, typed as its elements (a group's field is its column, read in
    /// place when evaluated); a group where the function takes one, as its size. The type
    /// is "maybe missing" unless the list can never be empty.
    pub(super) fn check_list_arg(
        &mut self,
        scope: &mut Scope,
        name: &str,
        elements: Elements,
        group_size: bool,
        arg: &ast::Expr,
    ) -> (Expr, Ty) {
        let (expr, ty) = self.check_expr(scope, arg, None);
        if let (Expr::GroupKey(v), Type::Group(..), true) = (&expr, &ty.ty, group_size) {
            return (Expr::GroupSize(*v), Ty::of(Type::Num));
        }
        let elem = match &ty.ty {
            Type::List(elem) => elem.as_ref().clone(),
            Type::Error => Type::Error,
            other => {
                let context = format!("`{name}` aggregates a list");
                let help = matches!(other, Type::Group(..))
                    .then(|| format!("aggregate a field of the group, such as `{name}(g.value)`"));
                self.mismatch(
                    &context,
                    "a list (a group's field, a list field, a set)",
                    other,
                    &arg.span,
                    help,
                );
                Type::Error
            }
        };
        let fits = match elements {
            Elements::Any => true,
            Elements::Numeric => elem.is_numeric(),
            Elements::Ordered => elem.is_numeric() || elem.is_textual(),
        };
        if !fits {
            let context = format!("`{name}` needs numbers");
            self.mismatch(
                &context,
                "a list of numbers, times or durations",
                &ty.ty,
                &arg.span,
                None,
            );
        }
        match self.never_empty(&expr, scope) {
            true => (expr, Ty::of(elem)),
            false => (expr, Ty::missing_at(elem, &arg.span)),
        }
    }

    /// Whether a list is a group's column of a required field: a group has at least one
    /// record, so that column is never empty.
    pub(super) fn never_empty(&self, list: &Expr, scope: &Scope) -> bool {
        match list {
            Expr::GroupColumn(_, f) => match scope.var_ty_of_column(list) {
                Some(k) => !self.out.schema.kind(k).field(*f).optional,
                None => false,
            },
            _ => false,
        }
    }

    /// Regular expressions are compiled once, when the rules are checked, so a bad pattern
    /// is a rule-file error rather than a failure on every record.
    pub(super) fn compile_pattern(&mut self, pattern: &Expr, span: &Span) -> Option<Pattern> {
        let Some(Value::Str(text)) = fold(pattern) else {
            self.error(CheckError::NotConstant {
                what: "a `matches` pattern".into(),
                span: span.clone(),
            });
            return None;
        };
        match regex::Regex::new(&text) {
            Ok(re) => Some(Pattern(re)),
            Err(err) => {
                let reason = err.to_string().lines().last().map(|l| l.trim().to_string());
                self.error(CheckError::BadRegex {
                    reason,
                    span: span.clone(),
                });
                None
            }
        }
    }
}

/// The result's type from the entry: fixed, or the first argument's (its elements' for an
/// aggregate, which carries whether the list can be empty).
fn result_type(builtin: &Builtin, first: Option<Ty>, span: &Span) -> Ty {
    let first = first.unwrap_or(Ty::of(Type::Error));
    let ty = match builtin.returns {
        Returns::Num => Type::Num,
        Returns::Duration => Type::Duration,
        Returns::Bool => Type::Bool,
        Returns::Str => Type::Str,
        Returns::TextList => Type::List(Box::new(Type::Str)),
        Returns::Argument | Returns::Element => first.ty,
        Returns::Shape(s) => Type::Shape(s),
    };
    let missing = match builtin.missing {
        Missing::Never => Vec::new(),
        Missing::WhenEmpty => first.missing,
        Missing::WhenInvalid => vec![span.clone()],
    };
    Ty { ty, missing }
}

/// "a box or a polygon", "a point, a box or a polygon".
fn shape_names(shapes: &[Shape]) -> String {
    let names: Vec<String> = shapes.iter().map(|s| format!("a {}", s.name())).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// "1 argument", "1 or 2 arguments".
fn arities(counts: &[usize]) -> String {
    match counts {
        [one] => plural(*one, "argument"),
        _ => {
            let shown: Vec<String> = counts.iter().map(usize::to_string).collect();
            match shown.split_last() {
                Some((last, rest)) => format!("{} or {last} arguments", rest.join(", ")),
                None => "no arguments".into(),
            }
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
