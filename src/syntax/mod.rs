//! Syntax: rule-file text → typed AST with spans.
//!
//! The entry point is [`parse`]. pest `Pair`s never leave this module: `lower` turns them into
//! [`ast`] nodes, `names` gives every grammar rule a readable name for error messages, and
//! `lexer` (logos) names the token found where a syntax error occurred.

pub mod ast;
mod format;
mod lexer;
mod lower;
mod names;

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
}

impl SyntaxError {
    /// Where the error is.
    pub fn span(&self) -> &Span {
        match self {
            SyntaxError::Unexpected { span, .. } | SyntaxError::Number { span, .. } => span,
        }
    }
}

/// Parses one rule file. A file with a syntax error gives an empty AST and the error: pest
/// stops at the first one, and the checker needs a whole tree.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<SyntaxError>) {
    match CordParser::parse(Rule::file, text) {
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
    }
}
