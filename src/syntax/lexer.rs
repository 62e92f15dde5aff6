//! A logos token stream over rule-file text.
//!
//! pest parses `&str` directly, so this lexer is not the parser's. It serves where a flat
//! stream of tokens is what is wanted: naming the token a syntax error stopped at, and (for
//! editors and the formatter) classifying every piece of a file, comments included.

use logos::Logos;
use std::ops::Range;

/// What a piece of rule-file text is.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `/// text`
    #[regex(r"///[^\n]*", priority = 4)]
    DocComment,
    /// `// text`
    #[regex(r"//[^\n]*", priority = 3)]
    Comment,
    /// Spaces, tabs and newlines.
    #[regex(r"[ \t\r\n]+")]
    Whitespace,
    /// A reserved word.
    #[regex(
        r"(import|schema|kind|const|rule|per|for|in|group|by|where|require|forbid|message|test|given|expect|nothing|some|all|no|satisfy|and|or|not|within|count|on|true|false|error|warning|info)",
        priority = 5
    )]
    Keyword,
    /// One of the interval relations.
    #[regex(
        r"(before|after|meets|met_by|overlaps|overlapped_by|starts|started_by|during|contains|finishes|finished_by|equals|intersects)",
        priority = 5
    )]
    Relation,
    /// A name.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", priority = 2)]
    Identifier,
    /// A kebab-case rule id such as `transcript-needs-speech`.
    #[regex(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", priority = 3)]
    RuleId,
    /// `150ms`, `2s`, `1min`, `1h`
    #[regex(r"[0-9]+(\.[0-9]+)?(ms|min|s|h)", priority = 4)]
    Duration,
    /// `12`, `0.5`, `1e3`
    #[regex(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?", priority = 3)]
    Number,
    /// `"text"`
    #[regex(r#""([^"\\]|\\.)*""#)]
    String,
    /// A string that runs to the end of the file.
    #[regex(r#""([^"\\]|\\.)*"#, priority = 1)]
    UnterminatedString,
    /// `==`, `<=`, `??`, `+`, …
    #[regex(r"==|!=|<=|>=|\?\?|[<>+\-*/%?]")]
    Operator,
    /// `{ } ( ) [ ] , : .`
    #[regex(r"[{}()\[\],:.]")]
    Punctuation,
}

impl TokenKind {
    /// How a message names a token of this kind.
    pub fn describe(self, text: &str) -> String {
        match self {
            TokenKind::DocComment => "a doc comment (`///`) that documents nothing".into(),
            TokenKind::Comment => "a comment".into(),
            TokenKind::Whitespace => "whitespace".into(),
            TokenKind::Keyword => format!("keyword `{text}`"),
            TokenKind::Relation => format!("relation `{text}`"),
            TokenKind::Identifier => format!("name `{text}`"),
            TokenKind::RuleId => format!("`{text}`"),
            TokenKind::Duration => format!("duration `{text}`"),
            TokenKind::Number => format!("number `{text}`"),
            TokenKind::String => "a string".into(),
            TokenKind::UnterminatedString => "a string that is never closed".into(),
            TokenKind::Operator | TokenKind::Punctuation => format!("`{text}`"),
        }
    }
}

/// A token with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is; `None` for text the lexer does not recognise.
    pub kind: Option<TokenKind>,
    /// Where it is.
    pub range: Range<usize>,
}

/// Splits `text` into tokens, whitespace and comments included, so that the ranges cover the
/// text without gaps.
pub fn tokenize(text: &str) -> Vec<Token> {
    TokenKind::lexer(text)
        .spanned()
        .map(|(kind, range)| Token {
            kind: kind.ok(),
            range,
        })
        .collect()
}

/// Names the token that starts at `offset`, skipping whitespace and comments.
pub(crate) fn describe_token_at(text: &str, offset: usize) -> (String, Range<usize>) {
    let rest = &text[offset.min(text.len())..];
    let mut lexer = TokenKind::lexer(rest);
    while let Some(kind) = lexer.next() {
        let range = lexer.span();
        let slice = lexer.slice();
        let absolute = offset + range.start..offset + range.end;
        match kind {
            Ok(TokenKind::Whitespace | TokenKind::Comment) => continue,
            Ok(kind) => return (kind.describe(slice), absolute),
            Err(()) => return (format!("`{slice}`"), absolute),
        }
    }
    ("the end of the file".into(), text.len()..text.len())
}
