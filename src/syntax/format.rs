//! The canonical layout of rule files (`concordant fmt`), computed from the logos token
//! stream: comments are tokens like any other, so nothing is lost, and the parser is not
//! needed (a file with a syntax error is refused by the caller before it gets here).
//!
//! The layout keeps the author's line breaks — a rule reads as its author broke it — and
//! decides everything else: two spaces of indentation per open brace and per open
//! parenthesis or bracket, one more for a line that continues an expression; one space
//! around binary operators and keywords, none inside parentheses and brackets, before `,`
//! `:` `.` or after `.`, and none in types (`list<str>?`); at most one blank line in a row,
//! one after every top-level block, none at the start or right inside a brace; no trailing
//! whitespace; one newline at the end. Formatting formatted text changes nothing.

use super::lexer::{tokenize, TokenKind};

/// One token of a line: its text and what it is.
#[derive(Clone, Copy)]
struct Piece<'a> {
    text: &'a str,
    kind: Option<TokenKind>,
}

impl Piece<'_> {
    fn is(&self, text: &str) -> bool {
        self.text == text
    }

    fn is_comment(&self) -> bool {
        matches!(self.kind, Some(TokenKind::Comment | TokenKind::DocComment))
    }

    /// An operator that joins two operands (unary minus is told apart by position).
    fn is_binary_operator(&self) -> bool {
        matches!(self.kind, Some(TokenKind::Operator))
            || matches!(self.text, "and" | "or" | "in" | "within")
            || matches!(self.kind, Some(TokenKind::Relation))
    }

    /// Whether a line ending with this token leaves its expression open.
    fn leaves_open(&self) -> bool {
        matches!(self.kind, Some(TokenKind::Operator)) || matches!(self.text, "and" | "or" | "not")
    }
}

/// The canonical layout of rule-file text.
pub fn format(text: &str) -> String {
    let lines = split_lines(text);
    let mut out = String::with_capacity(text.len());
    let mut depth: usize = 0;
    let mut blank_pending = false;
    let mut previous: Option<Piece> = None;
    for line in &lines {
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        let closes_first = line[0].is("}") || line[0].is(")") || line[0].is("]");
        let opened_brace = previous.is_some_and(|p| p.is("{"));
        // A top-level declaration after a closed block always stands apart.
        let after_block = depth == 0 && previous.is_some_and(|p| p.is("}"));
        if (blank_pending || after_block) && !closes_first && !opened_brace {
            out.push('\n');
        }
        blank_pending = false;
        let continues = previous.is_some_and(|p| p.leaves_open())
            || (line[0].is_binary_operator() && !line[0].is("in"));
        let indent = depth.saturating_sub(usize::from(closes_first)) + usize::from(continues);
        out.push_str(&"  ".repeat(indent));
        out.push_str(&join(line));
        out.push('\n');
        for piece in line {
            match piece.text {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = line.iter().rev().find(|p| !p.is_comment()).copied();
    }
    out
}

/// The tokens of each line, whitespace dropped; an empty line for a blank one.
fn split_lines(text: &str) -> Vec<Vec<Piece<'_>>> {
    let mut lines = vec![Vec::new()];
    for token in tokenize(text) {
        let slice = &text[token.range.clone()];
        if token.kind == Some(TokenKind::Whitespace) {
            for _ in slice.matches('\n') {
                lines.push(Vec::new());
            }
            continue;
        }
        if let Some(line) = lines.last_mut() {
            line.push(Piece {
                text: slice,
                kind: token.kind,
            });
        }
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines
}

/// A line's tokens with canonical spacing. Types are written tight: `list<str>`, `str?`.
fn join(line: &[Piece]) -> String {
    let mut out = String::new();
    let mut generics = 0usize;
    for (i, piece) in line.iter().enumerate() {
        // `list<…>` in a type; not `x.list < y`.
        let opens_generic =
            piece.is("<") && i > 0 && line[i - 1].is("list") && (i < 2 || !line[i - 2].is("."));
        let closes_generic = piece.is(">") && generics > 0;
        let tight = opens_generic
            || closes_generic
            || piece.is("?")
            || (generics > 0 && i > 0 && line[i - 1].is("<"));
        if i > 0 && !tight && space_between(&line[..i], piece) {
            out.push(' ');
        }
        if opens_generic {
            generics += 1;
        } else if closes_generic {
            generics -= 1;
        }
        out.push_str(piece.text);
    }
    out
}

/// Whether a space separates `next` from the tokens before it on its line.
fn space_between(before: &[Piece], next: &Piece) -> bool {
    let Some(prev) = before.last() else {
        return false;
    };
    if next.is_comment() {
        return true;
    }
    if matches!(next.text, "," | ":" | ")" | "]" | ".") || prev.is(".") {
        return false;
    }
    if prev.is("(") || prev.is("[") {
        return false;
    }
    // A call or an agreement statistic: `count(…)`, `alpha(…)`, `contains(…)` (a relation's
    // name is also a function's).
    if next.is("(") {
        return !matches!(
            prev.kind,
            Some(TokenKind::Identifier | TokenKind::Keyword | TokenKind::Relation)
        ) || matches!(
            prev.text,
            "and" | "or" | "not" | "in" | "require" | "forbid" | "where" | "satisfy"
        );
    }
    // An index: `parts[0]`, `split(v, "_")[-1]` (a list literal follows anything else).
    if next.is("[") {
        return !(matches!(prev.kind, Some(TokenKind::Identifier | TokenKind::String))
            || prev.is(")")
            || prev.is("]"));
    }
    // Unary minus: after an operator, an opening bracket, a comma, a colon or a keyword.
    if prev.is("-") && is_unary(&before[..before.len() - 1]) {
        return false;
    }
    true
}

/// Whether a `-` after these tokens is a sign rather than a subtraction.
fn is_unary(before: &[Piece]) -> bool {
    match before.last() {
        None => true,
        Some(p) => {
            matches!(p.kind, Some(TokenKind::Operator | TokenKind::Relation))
                || matches!(p.text, "(" | "[" | "," | ":" | "{")
                || (matches!(p.kind, Some(TokenKind::Keyword))
                    && !matches!(p.text, "true" | "false"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn spacing_and_indentation_are_canonical() {
        let messy = "rule  x :warning{\n for s in speech\n\n\n   require duration( s )>0s and s.end<= -1\nmessage \"a  b\"   // kept\n}\n\n\n";
        let want = "rule x: warning {\n  for s in speech\n\n  require duration(s) > 0s and s.end <= -1\n  message \"a  b\" // kept\n}\n";
        assert_eq!(format(messy), want);
        assert_eq!(format(want), want);
    }

    #[test]
    fn functions_indexes_and_nested_strings_keep_their_shape() {
        let text = "fn w(v: str) -> num = number(split(v, \"_\")[-1]) ?? 0\n\nrule x: info {\n  for c in clip\n  let p = split(c.vid, \"_\")\n  require p[0] in [\"a\", \"b\"]\n  message \"{p[1] ?? \"none\"} {w(c.vid)}\"\n}\n";
        assert_eq!(format(text), text);
    }

    #[test]
    fn a_continued_expression_is_indented_once_more() {
        let text = "rule x: info {\n  require count(a in b) * 2\n> 3\n}\n";
        assert_eq!(
            format(text),
            "rule x: info {\n  require count(a in b) * 2\n    > 3\n}\n"
        );
    }
}
