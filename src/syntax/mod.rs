//! Syntax: rule-file text → typed AST with spans.
//!
//! The entry point is [`parse`]. pest `Pair`s never leave this module: `lower` turns them into
//! [`ast`] nodes, `names` gives every grammar rule a readable name for error messages, and
//! `lexer` (logos) names the token found where a syntax error occurred.

pub mod ast;
mod format;
pub mod keywords;
mod lexer;
mod lower;
mod lower_expr;
mod names;
mod nesting;
pub mod recover;

pub use format::format;
pub use lexer::{tokenize, Token, TokenKind};

use crate::span::{FileId, Span};
use pest::Parser;

mod grammar {
    #![allow(missing_docs)]
    /// The pest parser generated from `grammar/cord.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/cord.pest"]
    pub struct CordParser;
}

use grammar::{CordParser, Rule};

/// A rule file that does not follow the grammar.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum SyntaxError {
    /// The parser stopped at a token it did not expect.
    ///
    /// ```cord
    /// rule a: error { for t in transcript require }
    /// ```
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code("cord::syntax::unexpected"))]
    Unexpected {
        /// What the grammar allowed here, in words.
        expected: String,
        /// What was there instead, in words.
        found: String,
        /// Where.
        #[label("{expected} expected here")]
        span: Span,
        /// A hint for common slips.
        #[help]
        help: Option<String>,
    },
    /// A number or duration that does not fit in a 64-bit float.
    ///
    /// ```cord
    /// const huge = 1e999
    /// ```
    #[error("number `{text}` is out of range")]
    #[diagnostic(code("cord::syntax::number"))]
    Number {
        /// The literal.
        text: String,
        /// Where.
        #[label("not a finite number")]
        span: Span,
    },
    /// A file nesting deeper than the parser and checker may recurse
    /// ([`crate::Limits::max_nesting`]).
    ///
    /// ```cord
    /// rule a: error { for s in speech require ((((((s.x == 1)))))) message "deep" }
    /// ```
    #[error("this expression nests {depth} levels deep, more than the {limit} allowed")]
    #[diagnostic(
        code("cord::syntax::too-deep"),
        help(
            "every bracket, quantifier, `not`, field link and chained operator adds a level: split the \
             condition into several rules, or raise the limit with `--max-nesting`"
        )
    )]
    TooDeep {
        /// The depth reached.
        depth: usize,
        /// The limit.
        limit: usize,
        /// The token that passed the limit.
        #[label("level {depth} starts here")]
        span: Span,
    },
    /// A rule file larger than allowed ([`crate::Limits::max_rule_file_bytes`]).
    #[error("this rule file is larger than the {limit} bytes allowed (at least {bytes} bytes)")]
    #[diagnostic(
        code("cord::syntax::too-large"),
        help("split it into files that import a shared schema, or raise the limit with `--max-rule-file-bytes`")
    )]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// The limit.
        limit: u64,
        /// The start of the file.
        #[label("this file")]
        span: Span,
    },
}

impl SyntaxError {
    /// Where the error is.
    pub fn span(&self) -> &Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::Number { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::TooLarge { span, .. } => span,
        }
    }

    fn span_mut(&mut self) -> &mut Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::Number { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::TooLarge { span, .. } => span,
        }
    }
}

/// Parses one rule file within the default [`crate::Limits`]. A file with a syntax error
/// gives an empty AST and the error: pest stops at the first one, and the checker needs a
/// whole tree.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<SyntaxError>) {
    parse_within(file, text, &crate::Limits::default())
}

/// [`parse`] within `limits`: a file larger than [`crate::Limits::max_rule_file_bytes`] or
/// nesting deeper than [`crate::Limits::max_nesting`] is refused before the parser, which
/// recurses, sees it.
pub fn parse_within(
    file: FileId,
    text: &str,
    limits: &crate::Limits,
) -> (ast::File, Vec<SyntaxError>) {
    if text.len() as u64 > limits.max_rule_file_bytes {
        let error = SyntaxError::TooLarge {
            bytes: text.len(),
            limit: limits.max_rule_file_bytes,
            span: Span::new(file, 0..0),
        };
        return (ast::File::default(), vec![error]);
    }
    let max_nesting = limits.max_nesting.min(crate::limits::MAX_NESTING_CEILING);
    if let Some(deep) = nesting::too_deep(text, max_nesting) {
        let error = SyntaxError::TooDeep {
            depth: deep.depth,
            limit: max_nesting,
            span: Span::new(file, deep.range),
        };
        return (ast::File::default(), vec![error]);
    }
    crate::limits::with_deep_stack(limits, || match CordParser::parse(Rule::file, text) {
        Ok(mut pairs) => {
            let mut errors = Vec::new();
            let root = pairs
                .next()
                .map(|p| lower::lower_file(file, p, &mut errors));
            (root.unwrap_or_default(), errors)
        }
        Err(err) => (
            ast::File::default(),
            vec![names::describe_error(file, text, err)],
        ),
    })
}
