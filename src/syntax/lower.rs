//! pest pairs → AST, one `lower_*` function per grammar rule.
//!
//! The grammar guarantees the shape of every pair, so the functions here walk children in
//! the order the grammar gives them. Where a value cannot be represented (a number out of
//! range), the error is collected and lowering goes on.

use super::ast::{
    self, BinaryOp, Binding, ConstDecl, Expectation, Expr, ExprKind, FieldDecl, File, Given,
    KindDecl, Mode, Name, Quantifier, RecordLit, Relation, Scope, Severity, Source, Template,
    TemplatePart, Test, TypeExpr, UnaryOp,
};
use super::{Rule, SyntaxError};
use crate::span::{FileId, Span, Spanned};
use pest::iterators::{Pair, Pairs};

type P<'i> = Pair<'i, Rule>;

/// State shared by the lowering functions: the file and the errors found so far.
struct Lowerer<'e> {
    file: FileId,
    errors: &'e mut Vec<SyntaxError>,
}

pub(super) fn lower_file(file: FileId, pair: P, errors: &mut Vec<SyntaxError>) -> File {
    let mut l = Lowerer { file, errors };
    let mut out = File::default();
    for decl in pair.into_inner() {
        match decl.as_rule() {
            Rule::import => out.imports.push(l.lower_import(decl)),
            Rule::schema => out.kinds.extend(l.lower_schema(decl)),
            Rule::const_decl => out.consts.push(l.lower_const(decl)),
            Rule::rule => out.rules.push(l.lower_rule(decl)),
            Rule::test => out.tests.push(l.lower_test(decl)),
            _ => {}
        }
    }
    out
}

/// Removes `kw_*` pairs, which carry no information once parsed.
fn significant(pairs: Pairs<'_, Rule>) -> impl Iterator<Item = P<'_>> {
    pairs.filter(|p| !format!("{:?}", p.as_rule()).starts_with("kw_"))
}

/// Splits leading doc comments from the rest of a declaration's children.
fn split_docs<'i>(pairs: Pairs<'i, Rule>) -> (Vec<String>, Vec<P<'i>>) {
    let mut docs = Vec::new();
    let mut rest = Vec::new();
    for p in significant(pairs) {
        if p.as_rule() == Rule::doc && rest.is_empty() {
            let text = p.as_str().trim_start_matches("///");
            docs.push(
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string(),
            );
        } else {
            rest.push(p);
        }
    }
    (docs, rest)
}

/// Resolves `\n`, `\t`, `\"`, `\\`, `\{` and `\}` escapes.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

impl Lowerer<'_> {
    fn span(&self, pair: &P) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start()..s.end())
    }

    fn name(&self, pair: P) -> Name {
        Spanned::new(pair.as_str().to_string(), self.span(&pair))
    }

    fn lower_string(&self, pair: P) -> Spanned<String> {
        let span = self.span(&pair);
        let text = pair.into_inner().next().map_or("", |p| p.as_str());
        Spanned::new(unescape(text), span)
    }

    fn lower_import(&mut self, pair: P) -> Spanned<String> {
        let string = significant(pair.into_inner()).next();
        let string = string.unwrap_or_else(unreachable_pair);
        self.lower_string(string)
    }

    fn lower_schema(&mut self, pair: P) -> Vec<KindDecl> {
        significant(pair.into_inner())
            .map(|kind| self.lower_kind_decl(kind))
            .collect()
    }

    fn lower_kind_decl(&mut self, pair: P) -> KindDecl {
        let (doc, mut rest) = split_docs(pair.into_inner());
        let fields = rest.split_off(1);
        KindDecl {
            doc,
            name: self.name(rest.remove(0)),
            fields: fields
                .into_iter()
                .map(|f| self.lower_field_decl(f))
                .collect(),
        }
    }

    fn lower_field_decl(&mut self, pair: P) -> FieldDecl {
        let (doc, mut rest) = split_docs(pair.into_inner());
        let ty = self.lower_type_expr(rest.remove(1));
        FieldDecl {
            doc,
            name: self.name(rest.remove(0)),
            ty,
        }
    }

    fn lower_type_expr(&mut self, pair: P) -> Spanned<TypeExpr> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let base = inner.next().map(|b| self.lower_base_type(b));
        let base = base.unwrap_or_else(|| Spanned::new(TypeExpr::Enum(vec![]), span.clone()));
        match inner.next() {
            Some(_optional_mark) => Spanned::new(TypeExpr::Optional(Box::new(base)), span),
            None => base,
        }
    }

    fn lower_base_type(&mut self, pair: P) -> Spanned<TypeExpr> {
        let span = self.span(&pair);
        let grammar_rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let node = match grammar_rule {
            Rule::list_type => {
                let elem = inner.next().map(|e| self.lower_type_expr(e));
                TypeExpr::List(Box::new(
                    elem.unwrap_or_else(|| Spanned::new(TypeExpr::Enum(vec![]), span.clone())),
                ))
            }
            Rule::enum_type => TypeExpr::Enum(inner.map(|n| self.name(n)).collect()),
            Rule::ref_type => {
                TypeExpr::Ref(self.name(inner.next().unwrap_or_else(unreachable_pair)))
            }
            _ => TypeExpr::Named(self.name(inner.next().unwrap_or_else(unreachable_pair))),
        };
        Spanned::new(node, span)
    }

    fn lower_const(&mut self, pair: P) -> ConstDecl {
        let (doc, mut rest) = split_docs(pair.into_inner());
        let value = self.lower_expr(rest.remove(1));
        ConstDecl {
            doc,
            name: self.name(rest.remove(0)),
            value,
        }
    }

    fn lower_rule(&mut self, pair: P) -> ast::Rule {
        let span = self.span(&pair);
        let (doc, rest) = split_docs(pair.into_inner());
        let mut rule = ast::Rule {
            doc,
            id: Spanned::new(String::new(), span.clone()),
            severity: Spanned::new(Severity::Error, span.clone()),
            scope: Scope::Item,
            bindings: Vec::new(),
            filter: None,
            mode: Spanned::new(Mode::Require, span.clone()),
            condition: Spanned::new(ExprKind::Bool(true), span.clone()),
            message: Template {
                parts: Vec::new(),
                span: span.clone(),
            },
            span,
        };
        for part in rest {
            self.lower_rule_part(&mut rule, part);
        }
        rule
    }

    fn lower_rule_part(&mut self, rule: &mut ast::Rule, part: P) {
        match part.as_rule() {
            Rule::rule_id => rule.id = self.name(part),
            Rule::severity => rule.severity = self.lower_severity(part),
            Rule::scope => rule.scope = lower_scope(part),
            Rule::for_clause => rule.bindings = self.lower_for_clause(part),
            Rule::where_clause => rule.filter = self.lower_where_clause(part),
            Rule::condition => (rule.mode, rule.condition) = self.lower_condition(part),
            Rule::message_clause => rule.message = self.lower_message_clause(part),
            _ => {}
        }
    }

    fn lower_severity(&self, pair: P) -> Spanned<Severity> {
        let severity = match pair.as_str() {
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => Severity::Error,
        };
        Spanned::new(severity, self.span(&pair))
    }

    fn lower_for_clause(&mut self, pair: P) -> Vec<Binding> {
        significant(pair.into_inner())
            .map(|b| self.lower_binding(b))
            .collect()
    }

    fn lower_binding(&mut self, pair: P) -> Binding {
        let span = self.span(&pair);
        let mut inner = significant(pair.into_inner());
        let var = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let source_pair = inner.next().unwrap_or_else(unreachable_pair);
        let source = match source_pair.as_rule() {
            Rule::group_source => self.lower_group_source(source_pair),
            _ => Source::Expr(self.lower_postfix(source_pair)),
        };
        Binding { var, source, span }
    }

    fn lower_group_source(&mut self, pair: P) -> Source {
        let mut inner = significant(pair.into_inner());
        let kind = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let by = self.name(inner.next().unwrap_or_else(unreachable_pair));
        Source::Group { kind, by }
    }

    fn lower_where_clause(&mut self, pair: P) -> Option<Expr> {
        significant(pair.into_inner())
            .next()
            .map(|e| self.lower_expr(e))
    }

    fn lower_condition(&mut self, pair: P) -> (Spanned<Mode>, Expr) {
        let mut inner = pair.into_inner();
        let mode_pair = inner.next().unwrap_or_else(unreachable_pair);
        let mode = match mode_pair.as_rule() {
            Rule::forbid => Mode::Forbid,
            _ => Mode::Require,
        };
        let mode = Spanned::new(mode, self.span(&mode_pair));
        let expr = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        (mode, expr)
    }

    fn lower_message_clause(&mut self, pair: P) -> Template {
        let template = significant(pair.into_inner()).next();
        self.lower_template(template.unwrap_or_else(unreachable_pair))
    }

    fn lower_template(&mut self, pair: P) -> Template {
        let span = self.span(&pair);
        let mut parts = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::template_text => parts.push(TemplatePart::Text(unescape(part.as_str()))),
                _ => {
                    let expr = part.into_inner().next().unwrap_or_else(unreachable_pair);
                    parts.push(TemplatePart::Hole(self.lower_expr(expr)));
                }
            }
        }
        Template { parts, span }
    }

    fn lower_test(&mut self, pair: P) -> Test {
        let span = self.span(&pair);
        let (doc, rest) = split_docs(pair.into_inner());
        let mut test = Test {
            doc,
            name: Spanned::new(String::new(), span.clone()),
            givens: Vec::new(),
            expectations: Vec::new(),
            span,
        };
        for part in rest {
            match part.as_rule() {
                Rule::string => test.name = self.lower_string(part),
                Rule::given => test.givens.push(self.lower_given(part)),
                _ => test.expectations.push(self.lower_expectation(part)),
            }
        }
        test
    }

    fn lower_given(&mut self, pair: P) -> Given {
        let mut given = Given {
            item: None,
            records: Vec::new(),
        };
        for part in significant(pair.into_inner()) {
            match part.as_rule() {
                Rule::string => given.item = Some(self.lower_string(part)),
                _ => given.records.push(self.lower_record_lit(part)),
            }
        }
        given
    }

    fn lower_record_lit(&mut self, pair: P) -> RecordLit {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let id = self.lower_record_name(inner.next().unwrap_or_else(unreachable_pair));
        let fields = inner.map(|f| self.lower_field_init(f)).collect();
        RecordLit {
            kind,
            id,
            fields,
            span,
        }
    }

    fn lower_record_name(&mut self, pair: P) -> Name {
        let inner = pair.into_inner().next().unwrap_or_else(unreachable_pair);
        self.lower_key_text(inner)
    }

    fn lower_key_text(&mut self, pair: P) -> Spanned<String> {
        match pair.as_rule() {
            Rule::string => self.lower_string(pair),
            _ => self.name(pair),
        }
    }

    fn lower_field_init(&mut self, pair: P) -> (Name, Expr) {
        let mut inner = pair.into_inner();
        let name = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let value = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        (name, value)
    }

    fn lower_expectation(&mut self, pair: P) -> Expectation {
        let span = self.span(&pair);
        let body = significant(pair.into_inner())
            .next()
            .unwrap_or_else(unreachable_pair);
        match body.as_rule() {
            Rule::expect_nothing => Expectation::Nothing(span),
            Rule::expect_none => {
                let rule = significant(body.into_inner())
                    .next()
                    .unwrap_or_else(unreachable_pair);
                Expectation::None(self.name(rule))
            }
            _ => self.lower_expect_finding(body, span),
        }
    }

    fn lower_expect_finding(&mut self, pair: P, span: Span) -> Expectation {
        let mut inner = significant(pair.into_inner());
        let rule = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let mut key = Vec::new();
        let mut item = None;
        for part in inner {
            match part.as_rule() {
                Rule::key_part => {
                    let text = part.into_inner().next().unwrap_or_else(unreachable_pair);
                    key.push(self.lower_key_text(text));
                }
                _ => item = Some(self.lower_string(part)),
            }
        }
        Expectation::Finding {
            rule,
            key,
            item,
            span,
        }
    }

    // ------------------------------------------------------------------ expressions

    fn lower_expr(&mut self, pair: P) -> Expr {
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

    fn lower_postfix(&mut self, pair: P) -> Expr {
        let start = self.span(&pair);
        let mut inner = pair.into_inner();
        let mut expr = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
        for access in inner {
            let name_pair = access.into_inner().next().unwrap_or_else(unreachable_pair);
            let name = self.name(name_pair);
            let span = Span::new(start.file, start.range.start..name.span.range.end);
            expr = Spanned::new(ExprKind::Field(Box::new(expr), name), span);
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

fn lower_scope(pair: P) -> Scope {
    if pair.as_str().trim_start_matches("per").trim() == "dataset" {
        Scope::Dataset
    } else {
        Scope::Item
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

/// The grammar guarantees every child these functions take; a missing one is a bug in the
/// grammar/lowering pair, caught by the parser fixtures.
fn unreachable_pair<'i>() -> P<'i> {
    unreachable!("the grammar guarantees this child")
}

fn unreachable_pair_name() -> Name {
    unreachable!("the grammar guarantees a bound name")
}

fn unreachable_expr() -> Expr {
    unreachable!("the grammar guarantees an operand")
}
