//! pest pairs → AST, one `lower_*` function per grammar rule.
//!
//! The grammar guarantees the shape of every pair, so the functions here walk children in
//! the order the grammar gives them. Where a value cannot be represented (a number out of
//! range), the error is collected and lowering goes on.

use super::ast::{
    self, Binding, ConstDecl, Expectation, Expr, ExprKind, FieldDecl, File, Given, KindDecl, Mode,
    Name, RecordLit, Scope, Severity, Source, Template, TemplatePart, Test, TypeExpr,
};
use super::lower_expr::{unreachable_expr, unreachable_pair_name};
use super::{Rule, SyntaxError};
use crate::span::{FileId, Span, Spanned};
use pest::iterators::{Pair, Pairs};

pub(super) type P<'i> = Pair<'i, Rule>;

/// State shared by the lowering functions: the file and the errors found so far.
pub(super) struct Lowerer<'e> {
    pub(super) file: FileId,
    pub(super) errors: &'e mut Vec<SyntaxError>,
}

pub(super) fn lower_file(file: FileId, pair: P, errors: &mut Vec<SyntaxError>) -> File {
    let mut l = Lowerer { file, errors };
    let mut out = File::default();
    for decl in pair.into_inner() {
        match decl.as_rule() {
            Rule::import => out.imports.push(l.lower_import(decl)),
            Rule::schema => out.kinds.extend(l.lower_schema(decl)),
            Rule::const_decl => out.consts.push(l.lower_const(decl)),
            Rule::fn_decl => out.fns.push(l.lower_fn(decl)),
            Rule::rule => out.rules.push(l.lower_rule(decl)),
            Rule::test => out.tests.push(l.lower_test(decl)),
            _ => {}
        }
    }
    out
}

/// Removes `kw_*` pairs, which carry no information once parsed.
pub(super) fn significant(pairs: Pairs<'_, Rule>) -> impl Iterator<Item = P<'_>> {
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
    pub(super) fn span(&self, pair: &P) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start()..s.end())
    }

    pub(super) fn name(&self, pair: P) -> Name {
        Spanned::new(pair.as_str().to_string(), self.span(&pair))
    }

    pub(super) fn lower_string(&self, pair: P) -> Spanned<String> {
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

    fn lower_fn(&mut self, pair: P) -> ast::FnDecl {
        let span = self.span(&pair);
        let (doc, rest) = split_docs(pair.into_inner());
        let mut name = None;
        let mut params = Vec::new();
        let mut returns = None;
        let mut body = None;
        for part in rest {
            match part.as_rule() {
                Rule::ident => name = Some(self.name(part)),
                Rule::param => {
                    let mut inner = part.into_inner();
                    let param = self.name(inner.next().unwrap_or_else(unreachable_pair));
                    let ty = self.lower_type_expr(inner.next().unwrap_or_else(unreachable_pair));
                    params.push((param, ty));
                }
                Rule::returns => {
                    let ty = part.into_inner().next().unwrap_or_else(unreachable_pair);
                    returns = Some(self.lower_type_expr(ty));
                }
                Rule::expr => body = Some(self.lower_expr(part)),
                _ => {}
            }
        }
        ast::FnDecl {
            doc,
            name: name.unwrap_or_else(|| Spanned::new(String::new(), span.clone())),
            params,
            returns,
            body: body.unwrap_or_else(|| Spanned::new(ExprKind::Bool(true), span.clone())),
            span,
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
            lets: Vec::new(),
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
            Rule::let_clause => {
                let mut inner = part.into_inner();
                inner.next(); // `let`
                let name = self.name(inner.next().unwrap_or_else(unreachable_pair));
                let value = self.lower_expr(inner.next().unwrap_or_else(unreachable_pair));
                rule.lets.push(ast::Let {
                    name,
                    value,
                    after_filter: rule.filter.is_some(),
                });
            }
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
            Rule::match_source => self.lower_match_source(source_pair),
            _ => Source::Expr(self.lower_postfix(source_pair)),
        };
        Binding { var, source, span }
    }

    fn lower_group_source(&mut self, pair: P) -> Source {
        let (mut var, mut kind, mut by) = (None, None, None);
        for part in significant(pair.into_inner()) {
            match part.as_rule() {
                Rule::ident => var = Some(self.name(part)),
                Rule::name => kind = Some(self.name(part)),
                _ => by = Some(self.lower_expr(part)),
            }
        }
        Source::Group {
            var,
            kind: kind.unwrap_or_else(unreachable_pair_name),
            by: by.unwrap_or_else(unreachable_expr),
        }
    }

    fn lower_match_source(&mut self, pair: P) -> Source {
        let pairs = pair.clone().into_inner().next().map(|f| f.as_str()) == Some("matched");
        let matching = Box::new(self.lower_matching(pair));
        match pairs {
            true => Source::Matched(matching),
            false => Source::Unmatched(matching),
        }
    }

    /// The arguments `unmatched` and the matching statistics share (the function's name is
    /// read by the caller).
    pub(super) fn lower_matching(&mut self, pair: P) -> ast::Matching {
        let span = self.span(&pair);
        let (mut sides, mut numbers, mut pair_condition, mut method) =
            (Vec::new(), Vec::new(), None, None);
        for part in significant(pair.into_inner()) {
            match part.as_rule() {
                Rule::match_fn | Rule::match_stat_fn => {}
                Rule::match_side => sides.push(self.lower_match_side(part)),
                Rule::name => method = Some(self.name(part)),
                Rule::expr => pair_condition = Some(self.lower_expr(part)),
                _ => numbers.push(self.lower_expr(part)),
            }
        }
        let mut numbers = numbers.into_iter();
        let (Ok(sides), Some(score), Some(threshold)) = (
            <[ast::Segments; 2]>::try_from(sides),
            numbers.next(),
            numbers.next(),
        ) else {
            unreachable!("the grammar guarantees two sides, a score and a threshold")
        };
        ast::Matching {
            sides,
            score,
            threshold,
            pair: pair_condition,
            method,
            span,
        }
    }

    fn lower_match_side(&mut self, pair: P) -> ast::Segments {
        let mut inner = significant(pair.into_inner());
        let var = self.name(inner.next().unwrap_or_else(unreachable_pair));
        let source = self.lower_postfix(inner.next().unwrap_or_else(unreachable_pair));
        let (mut filter, mut label) = (None, None);
        for part in inner {
            if part.as_rule() == Rule::side_value {
                let value = significant(part.into_inner()).next();
                label = Some(self.lower_expr(value.unwrap_or_else(unreachable_pair)));
            } else {
                filter = Some(self.lower_expr(part));
            }
        }
        ast::Segments {
            var,
            source,
            filter,
            label,
        }
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
                    let mut inner = part.into_inner();
                    let expr = inner.next().unwrap_or_else(unreachable_pair);
                    // One or two digits, by the grammar.
                    let decimals = inner.next().and_then(|d| d.as_str()[2..].parse().ok());
                    parts.push(TemplatePart::Hole(
                        Box::new(self.lower_expr(expr)),
                        decimals,
                    ));
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
}

fn lower_scope(pair: P) -> Scope {
    if pair.as_str().trim_start_matches("per").trim() == "dataset" {
        Scope::Dataset
    } else {
        Scope::Item
    }
}

/// The grammar guarantees every child these functions take; a missing one is a bug in the
/// grammar/lowering pair, caught by the parser fixtures.
pub(super) fn unreachable_pair<'i>() -> P<'i> {
    unreachable!("the grammar guarantees this child")
}
