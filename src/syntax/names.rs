//! Readable names for grammar rules, for "expected …" messages.
//!
//! The `match` in [`rule_name`] is complete on purpose: adding a rule to the grammar without
//! giving it a name here does not compile.

use super::lexer::describe_token_at;
use super::{Rule, SyntaxError};
use crate::span::{FileId, Span};

/// How an "expected …" message names a grammar rule; `None` for rules that are never
/// reported on their own because a more telling rule is always reported with them.
fn rule_name(grammar_rule: Rule) -> Option<&'static str> {
    Some(match grammar_rule {
        Rule::EOI => "the end of the file",
        // `{x:.3}`: optional and rare, so not worth naming among what an expression may
        // continue with.
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::digits
        | Rule::ident_char
        | Rule::keyword
        | Rule::decimals => {
            return None
        }
        Rule::file | Rule::declaration => "`import`, `schema`, `const`, `fn`, `rule` or `test`",
        Rule::doc => "a doc comment",
        Rule::import => "an import",
        Rule::schema => "a schema block",
        Rule::kind_decl => "a `kind` declaration",
        Rule::field_list | Rule::field_decl => "a field declaration (`name: type`)",
        Rule::type_expr | Rule::list_type | Rule::enum_type | Rule::ref_type | Rule::named_type => {
            "a type"
        }
        Rule::optional_mark => "`,`, `}` or `?`",
        Rule::const_decl => "a constant",
        Rule::fn_decl => "a function (`fn name(x: type) = expression`)",
        Rule::param => "a parameter (`name: type`)",
        Rule::returns => "`->` and the result type",
        Rule::let_clause => "a `let` (`let name = expression`)",
        Rule::index => "an index (`[0]`)",
        Rule::rule => "a rule",
        Rule::rule_body => "the rule's `for` clause",
        Rule::severity => "a severity (`error`, `warning` or `info`)",
        Rule::scope => "`per item` or `per dataset`",
        Rule::for_clause => "a `for` clause",
        Rule::binding => "a binding (`x in kind`)",
        Rule::group_source => "`group kind by field` or `group x in kind by expression`",
        Rule::match_source => "`unmatched(a in kind where …, b in kind where … by score >= threshold)`",
        Rule::match_fn => "`unmatched` or `matched`",
        Rule::match_side => "a side of a matching (`a in kind where …`)",
        Rule::match_args => "the sides of a matching, then `by score >= threshold`",
        Rule::side_value => "a side's value (`: a.label`)",
        Rule::match_stat => "a matching statistic (`match_f1(a in kind, b in kind by iou(a.box, b.box) >= 0.5)`)",
        Rule::match_stat_fn => "`match_precision`, `match_recall`, `match_f1`, `match_score` or `match_alpha`",
        Rule::where_clause => "a `where` filter",
        Rule::condition | Rule::require | Rule::forbid => "`require` or `forbid`",
        Rule::message_clause => "a `message`",
        Rule::template => "a message string",
        Rule::template_text => "message text",
        Rule::template_hole => "an interpolation (`{expr}`)",
        Rule::test => "a test",
        Rule::given => "a `given` block",
        Rule::record_lit => "a record (`kind id { field: value }`)",
        Rule::record_name => "a record id",
        Rule::field_init => "a field value (`name: value`)",
        Rule::expectation => "an `expect` line",
        Rule::expect_nothing => "`nothing`",
        Rule::expect_none => "`no rule-id`",
        Rule::expect_finding => "a rule id and the records it reports",
        Rule::key_part => "a record id or value",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::default_expr
        | Rule::additive
        | Rule::multiplicative
        | Rule::unary
        | Rule::postfix
        | Rule::primary
        | Rule::paren => "an expression",
        Rule::quantified | Rule::quantifier => "a quantifier (`some`, `all`, `no`)",
        Rule::not_op => "`not`",
        Rule::compare_tail | Rule::compare_op => "a comparison",
        Rule::membership_tail | Rule::membership_op => "`in`",
        Rule::relation_tail | Rule::relation => "a time relation (`intersects`, `before`, …)",
        Rule::tolerance => "`within`",
        Rule::add_op | Rule::mul_op | Rule::neg_op => "an operator",
        Rule::field_access => "`.field`",
        Rule::count_of => "`count(x in …)`",
        Rule::agreement => "an agreement statistic (`alpha(x in kind: value per unit by rater)`)",
        Rule::statistic => "an agreement statistic (`alpha`, `kappa`, `fleiss`, `agreement`, `disagreement`, `label_distance`)",
        Rule::rater_target => "`for` and the rater",
        Rule::temporal => "a temporal agreement function (`segment_f1(a in kind, b in kind, 0.5)`)",
        Rule::segments => "a segmentation (`a in kind where … by a.label`)",
        Rule::temporal_fn => "`segment_f1`, `segment_precision`, `segment_recall`, `boundary_deviation` or `diarization_error`",
        Rule::call => "a function call",
        Rule::set_lit => "a set (`{a, b}`)",
        Rule::list_lit => "a list (`[a, b]`)",
        Rule::duration => "a duration (`150ms`, `2s`, `1min`)",
        Rule::unit => "a unit (`ms`, `s`, `min`, `h`)",
        Rule::number => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::string | Rule::string_text => "a string",
        Rule::escape => "an escape (`\\\"`)",
        Rule::name | Rule::ident => "a name",
        Rule::rule_id => "a rule id in kebab-case (`transcript-needs-speech`)",
        Rule::kw_import => "`import`",
        Rule::kw_schema => "`schema`",
        Rule::kw_kind => "`kind`",
        Rule::kw_const => "`const`",
        Rule::kw_fn => "`fn`",
        Rule::kw_let => "`let`",
        Rule::kw_rule => "`rule`",
        Rule::kw_per => "`per`",
        Rule::kw_item => "`item`",
        Rule::kw_dataset => "`dataset`",
        Rule::kw_for => "`for`",
        Rule::kw_against => "`against`",
        Rule::kw_in => "`in`",
        Rule::kw_group => "`group`",
        Rule::kw_by => "`by`",
        Rule::kw_where => "`where`",
        Rule::kw_require => "`require`",
        Rule::kw_forbid => "`forbid`",
        Rule::kw_message => "`message`",
        Rule::kw_test => "`test`",
        Rule::kw_given => "`given`",
        Rule::kw_expect => "`expect`",
        Rule::kw_nothing => "`nothing`",
        Rule::kw_on => "`on`",
        Rule::kw_some => "`some`",
        Rule::kw_all => "`all`",
        Rule::kw_no => "`no`",
        Rule::kw_satisfy => "`satisfy`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_within => "`within`",
        Rule::kw_count => "`count`",
    })
}

/// Joins names as "a, b or c", without repeats.
fn join_alternatives(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for name in rules.iter().filter_map(|r| rule_name(*r)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.as_slice() {
        [] => "something else".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A hint for slips that the "expected" list alone does not explain.
fn hint(expected: &[Rule], found: &str) -> Option<String> {
    if let Some(instead) = slip_from_another_language(found) {
        return Some(instead.into());
    }
    if matches!(found, "keyword `some`" | "keyword `all`" | "keyword `no`") {
        return Some(
            "a quantifier after `and` or `or` goes in parentheses: `… and (no s in speech where …)`; its `where` and `satisfy` would otherwise take in everything after it"
                .into(),
        );
    }
    let in_text = expected.contains(&Rule::template_text) || expected.contains(&Rule::string_text);
    if found.contains("never closed") || (in_text && found == "the end of the file") {
        return Some("close the string with `\"`".into());
    }
    if expected.contains(&Rule::condition) || expected.contains(&Rule::kw_require) {
        return Some(
            "a rule body reads `for … [where …] require … message \"…\"` (or `forbid` instead of `require`)"
                .into(),
        );
    }
    if expected.contains(&Rule::message_clause) || expected.contains(&Rule::kw_message) {
        return Some("every rule ends with `message \"…\"`".into());
    }
    if expected.contains(&Rule::rule_id) && found.contains('_') {
        return Some("rule ids are kebab-case: use `-` instead of `_`".into());
    }
    if expected.contains(&Rule::ident) && found.starts_with("keyword") {
        return Some(format!("{found} is reserved; choose another name"));
    }
    None
}

/// What to write instead of an operator of another language.
fn slip_from_another_language(found: &str) -> Option<&'static str> {
    Some(match found {
        "`=`" => "to compare, write `==`; one `=` only names a value (`let x = …`, `const x = …`)",
        "`&&`" => "write `and`",
        "`||`" => "write `or`",
        "`!`" => "write `not` (and `!=` for \"not equal\")",
        _ => return None,
    })
}

/// Turns a pest error into a [`SyntaxError`] that names what was expected in words.
pub(super) fn describe_error(
    file: FileId,
    text: &str,
    err: pest::error::Error<Rule>,
) -> SyntaxError {
    let offset = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let expected_rules = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if let Some(stray) = stray_character(text).filter(|stray| stray.start >= offset) {
        return stray_character_error(file, text, stray);
    }
    if let Some(open) = unterminated_string(text).filter(|open| open.start <= offset) {
        // The parser fails where the string's text runs out, often lines below it.
        let line = text[open.start..].split('\n').next().unwrap_or_default();
        return SyntaxError::Unexpected {
            expected: "a closing `\"`".into(),
            found: "a string that is never closed".into(),
            span: Span::new(file, open.start..open.start + line.trim_end().len()),
            help: Some("close the string with `\"`".into()),
        };
    }
    if let Some(open) = unclosed_bracket(text).filter(|open| open.start <= offset) {
        let (line, _) = line_col(text, open.start);
        return SyntaxError::Unexpected {
            expected: format!("`{}`", closing(&text[open.clone()])),
            found: "the end of the file".into(),
            span: Span::new(file, text.len()..text.len()),
            help: Some(format!(
                "the `{}` on line {line} is never closed",
                &text[open]
            )),
        };
    }
    let (found, range) = describe_token_at(text, offset);
    let expected = join_alternatives(&expected_rules);
    let help = hint(&expected_rules, &found);
    let range = if range.is_empty() {
        range.start..range.start
    } else {
        range
    };
    SyntaxError::Unexpected {
        expected,
        found,
        span: Span::new(file, range),
        help,
    }
}

/// The first character outside strings and comments that begins no token (`ü` in a name,
/// `$`, `@`). The parser backtracks from it to the start of its statement and reports that
/// instead (`found keyword const`), so when one lies at or after where the parser stopped,
/// it is the mistake to name.
fn stray_character(text: &str) -> Option<std::ops::Range<usize>> {
    use logos::Logos;
    let mut lexer = super::lexer::TokenKind::lexer(text);
    while let Some(token) = lexer.next() {
        if token.is_err() {
            let start = lexer.span().start;
            let len = text[start..].chars().next().map_or(1, char::len_utf8);
            return Some(start..start + len);
        }
    }
    None
}

fn stray_character_error(file: FileId, text: &str, stray: std::ops::Range<usize>) -> SyntaxError {
    let character = &text[stray.clone()];
    let help = match character.is_ascii() {
        true => "remove it, or put it in a string (`\"…\"`)",
        false => "names are written with ASCII letters, digits and `_`; other text belongs in a string (`\"…\"`)",
    };
    SyntaxError::Unexpected {
        expected: "a name, a number, a string or an operator".into(),
        found: format!("the character `{}`", character.escape_debug()),
        span: Span::new(file, stray),
        help: Some(help.into()),
    }
}

/// The innermost bracket still open at the end of the file, if any: a file that ends inside
/// a block fails wherever the parser last looked (often inside the last string), and the
/// bracket is the mistake to name.
/// The first string left open: the parser swallows the rest of the file into it.
fn unterminated_string(text: &str) -> Option<std::ops::Range<usize>> {
    (super::lexer::tokenize(text).into_iter())
        .find(|t| t.kind == Some(super::lexer::TokenKind::UnterminatedString))
        .map(|t| t.range)
}

fn unclosed_bracket(text: &str) -> Option<std::ops::Range<usize>> {
    let mut open: Vec<std::ops::Range<usize>> = Vec::new();
    for token in super::lexer::tokenize(text) {
        match token.kind {
            Some(super::lexer::TokenKind::Punctuation) => {}
            // A string left open swallows the rest, brackets too: it is the mistake.
            Some(super::lexer::TokenKind::UnterminatedString) => return None,
            _ => continue,
        }
        match &text[token.range.clone()] {
            "{" | "(" | "[" => open.push(token.range),
            close @ ("}" | ")" | "]") => {
                if open
                    .last()
                    .is_some_and(|o| closing(&text[o.clone()]) == close)
                {
                    open.pop();
                } else {
                    return None; // mismatched: the parser's own message says more
                }
            }
            _ => {}
        }
    }
    open.pop()
}

fn closing(open: &str) -> &'static str {
    match open {
        "{" => "}",
        "(" => ")",
        _ => "]",
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    (line, offset - before.rfind('\n').map_or(0, |i| i + 1) + 1)
}
