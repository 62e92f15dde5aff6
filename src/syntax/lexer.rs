//! A logos token stream over rule-file text.
//!
//! pest parses `&str` directly, so this lexer is not the parser's. It serves where a flat
//! stream of tokens is what is wanted: naming the token a syntax error stopped at, and (for
//! editors and the formatter) classifying every piece of a file, comments included.

use super::keywords::Class;
use crate::ops::Relation;
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
    Keyword,
    /// One of the interval relations.
    Relation,
    /// A name.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", word)]
    Identifier,
    /// A kebab-case rule id such as `transcript-needs-speech`.
    RuleId,
    /// `150ms`, `2s`, `1min`, `1h`
    Duration,
    /// `12`, `0.5`, `1e3`
    #[regex(r"[0-9]+(\.[0-9]+)?", number)]
    Number,
    /// `"text"`
    #[token("\"", string)]
    String,
    /// A string that runs to the end of the file.
    UnterminatedString,
    /// `==`, `<=`, `??`, `+`, …
    /// (`=`, `&&`, `||` and `!` are tokens too, so that a slip from another language is
    /// named where it is, with what to write instead.)
    #[regex(r"->|==|!=|<=|>=|\?\?|&&|\|\||[<>+\-*/%?=!]")]
    Operator,
    /// `{ } ( ) [ ] , : .`
    #[regex(r"[{}()\[\],:.]")]
    Punctuation,
}

// Words, numbers and strings are finished by hand. logos matches a loop that shares its
// states with another pattern (a name with a keyword, a number with a duration), or a repeated
// group (`(a|b)*`), by recursing once per character: a long name or string would exhaust the
// stack. Each pattern above is a plain loop, and these callbacks decide what it was.

/// A word: a keyword, a relation, a rule id (a lowercase word followed by `-word`s) or a name.
fn word(lex: &mut logos::Lexer<TokenKind>) -> TokenKind {
    let kebab = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let rest = lex.remainder().as_bytes();
    if lex.slice().as_bytes().iter().all(kebab)
        && rest.first() == Some(&b'-')
        && rest.get(1).is_some_and(kebab)
    {
        let mut i = 0;
        while rest.get(i).is_some_and(kebab)
            || (rest.get(i) == Some(&b'-') && rest.get(i + 1).is_some_and(kebab))
        {
            i += 1;
        }
        lex.bump(i);
        return TokenKind::RuleId;
    }
    let word = lex.slice();
    match super::keywords::class(word) {
        // A contextual keyword is a name where the grammar does not expect it (`x.item`).
        Some(Class::Reserved | Class::Severity) => TokenKind::Keyword,
        _ if Relation::from_keyword(word).is_some() => TokenKind::Relation,
        _ => TokenKind::Identifier,
    }
}

/// A number, or a duration when a unit follows it; `e` and an exponent may follow a number.
fn number(lex: &mut logos::Lexer<TokenKind>) -> TokenKind {
    let rest = lex.remainder().as_bytes();
    for unit in ["ms", "min", "s", "h"] {
        if rest.starts_with(unit.as_bytes()) {
            lex.bump(unit.len());
            return TokenKind::Duration;
        }
    }
    let sign = usize::from(matches!(rest.get(1), Some(b'+' | b'-')));
    let digits = rest
        .iter()
        .skip(1 + sign)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if matches!(rest.first(), Some(b'e' | b'E')) && digits > 0 {
        lex.bump(1 + sign + digits);
    }
    TokenKind::Number
}

/// The rest of a string after its opening quote, escapes skipped. A message template's
/// holes may hold strings of their own (`"{p[0] ?? "none"}"`): a `{` whose `}` closes
/// before the end of the file is read as a hole, quotes in it as nested strings.
fn string(lex: &mut logos::Lexer<TokenKind>) -> TokenKind {
    let rest = lex.remainder().as_bytes();
    let end = string_end(rest, true).or_else(|| string_end(rest, false));
    match end {
        Some(end) => {
            lex.bump(end);
            TokenKind::String
        }
        None => {
            lex.bump(rest.len());
            TokenKind::UnterminatedString
        }
    }
}

/// Where a string's closing quote ends, reading `{…}` as holes or not. Iterative, with a
/// stack of open holes, so a deeply nested template cannot exhaust the call stack.
fn string_end(rest: &[u8], holes: bool) -> Option<usize> {
    // Per open hole: its brace depth. Outside any hole the stack is empty.
    let mut open: Vec<usize> = Vec::new();
    let mut in_string = true;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], in_string) {
            (b'\\', true) => i += 1,
            (b'"', true) if open.is_empty() => return Some(i + 1),
            (b'"', _) => in_string = !in_string,
            (b'{', true) if holes && open.is_empty() => {
                open.push(1);
                in_string = false;
            }
            (b'{', false) => *open.last_mut()? += 1,
            (b'}', false) => {
                let depth = open.last_mut()?;
                *depth -= 1;
                if *depth == 0 {
                    open.pop();
                    in_string = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
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
            // Control characters (a NUL, a vertical tab) are shown escaped, not raw.
            Err(()) => return (format!("`{}`", slice.escape_debug()), absolute),
        }
    }
    ("the end of the file".into(), text.len()..text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Option<TokenKind>, &str)> {
        tokenize(text)
            .into_iter()
            .filter(|t| t.kind != Some(TokenKind::Whitespace))
            .map(|t| (t.kind, &text[t.range]))
            .collect()
    }

    #[test]
    fn words_numbers_and_strings_are_classified() {
        use TokenKind::*;
        let text = "rule some-rule2: error { for s in speech_x where s during t within 150ms \
                    require 1.5e3 > 2min and \"a \\\" b\" != index message \"open";
        assert_eq!(
            kinds(text),
            [
                (Some(Keyword), "rule"),
                (Some(RuleId), "some-rule2"),
                (Some(Punctuation), ":"),
                (Some(Keyword), "error"),
                (Some(Punctuation), "{"),
                (Some(Keyword), "for"),
                (Some(Identifier), "s"),
                (Some(Keyword), "in"),
                (Some(Identifier), "speech_x"),
                (Some(Keyword), "where"),
                (Some(Identifier), "s"),
                (Some(Relation), "during"),
                (Some(Identifier), "t"),
                (Some(Keyword), "within"),
                (Some(Duration), "150ms"),
                (Some(Keyword), "require"),
                (Some(Number), "1.5e3"),
                (Some(Operator), ">"),
                (Some(Duration), "2min"),
                (Some(Keyword), "and"),
                (Some(String), "\"a \\\" b\""),
                (Some(Operator), "!="),
                (Some(Identifier), "index"),
                (Some(Keyword), "message"),
                (Some(UnterminatedString), "\"open"),
            ]
        );
        assert_eq!(kinds("a-")[0], (Some(Identifier), "a"));
        assert_eq!(kinds("Ab-c")[0], (Some(Identifier), "Ab"));
        assert_eq!(kinds("2e")[0], (Some(Number), "2"));
    }

    #[test]
    fn long_tokens_do_not_exhaust_the_stack() {
        let n = 1 << 20;
        for text in [
            "x".repeat(n),
            "9".repeat(n),
            format!("a{}", "-b".repeat(n / 2)),
            format!("\"{}\"", "\\\"".repeat(n / 2)),
            format!("// {}", "c".repeat(n)),
            " ".repeat(n),
        ] {
            assert_eq!(tokenize(&text).len(), 1, "{}", &text[..10]);
        }
    }
}
