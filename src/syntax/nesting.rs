//! How deeply a rule file nests, measured on its tokens before the parser sees it.
//!
//! The parser, the lowering to the AST and the checker all recurse on the expression tree, so
//! a file nesting thousands of levels deep (brackets, `not not not …`, quantifier inside
//! quantifier, or just `a and b and c …` ten thousand times) would run them out of stack. The
//! measure here bounds the depth of that tree from above: every bracket opens two levels (one
//! for a comparison inside it), and within a bracket every `and`, `or`, `not`, quantifier,
//! arithmetic operator, `list` and field link (`.`) adds one, until a comma or a statement keyword starts a
//! sibling. A file whose measure stays within the limit
//! parses, checks and drops in bounded stack.

use super::lexer::TokenKind;
use logos::Logos;
use std::ops::Range;

/// Where a file first nests deeper than the limit, and how deep it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The depth reached.
    pub depth: usize,
    /// The token that reached it.
    pub range: Range<usize>,
}

/// The first token at which `text` nests deeper than `limit`, if any.
pub fn too_deep(text: &str, limit: usize) -> Option<TooDeep> {
    let mut scan = Scan {
        levels: vec![0],
        limit,
    };
    scan.tokens(text, 0)
}

/// Operators that chain: `a + b + c` nests one level per operator.
const CHAINING: [&str; 6] = ["+", "-", "*", "/", "%", "??"];

struct Scan {
    /// For each open bracket (and the file itself), what has been added inside it so far.
    levels: Vec<usize>,
    limit: usize,
}

impl Scan {
    /// Each open bracket counts twice: once for itself, once for a comparison inside it.
    fn depth(&self) -> usize {
        2 * (self.levels.len() - 1) + self.levels.iter().sum::<usize>()
    }

    fn tokens(&mut self, text: &str, base: usize) -> Option<TooDeep> {
        let mut lexer = TokenKind::lexer(text);
        // Whether the last token ends an operand: a `[` after one is an index, and an index
        // chain `x[0][1][2]` nests one level per index, as a field chain does.
        let mut after_operand = false;
        while let Some(kind) = lexer.next() {
            let slice = lexer.slice();
            let range = base + lexer.span().start..base + lexer.span().end;
            let ends_operand = matches!(
                kind,
                Ok(TokenKind::Identifier | TokenKind::String | TokenKind::Number)
            ) || matches!(slice, ")" | "]");
            let is_space = matches!(kind, Ok(TokenKind::Whitespace | TokenKind::Comment));
            match kind {
                Ok(TokenKind::Punctuation) => match slice {
                    "[" if after_operand => {
                        self.add();
                        self.levels.push(0);
                    }
                    "(" | "[" | "{" => self.levels.push(0),
                    ")" | "]" | "}" if self.levels.len() > 1 => {
                        self.levels.pop();
                    }
                    "," => self.restart(),
                    // A field chain `t.a.b.c` nests one level per link.
                    "." => self.add(),
                    _ => {}
                },
                // Comparisons and relations do not chain (`a < b < c` is not a rule), so
                // each adds one level at most, which the bracket's share covers.
                Ok(TokenKind::Operator) if CHAINING.contains(&slice) => self.add(),
                Ok(TokenKind::Keyword) => match slice {
                    "and" | "or" | "not" | "some" | "all" | "no" => self.add(),
                    "import" | "schema" | "kind" | "const" | "fn" | "let" | "rule" | "per"
                    | "for" | "group" | "by" | "require" | "forbid" | "message" | "test"
                    | "given" | "expect" => self.restart(),
                    _ => {}
                },
                Ok(TokenKind::Identifier) if slice == "list" => self.add(),
                Ok(TokenKind::String | TokenKind::UnterminatedString) => {
                    if let Some(deep) = self.holes(slice, range.start) {
                        return Some(deep);
                    }
                }
                _ => {}
            }
            if !is_space {
                after_operand = ends_operand;
            }
            if self.depth() > self.limit {
                return Some(TooDeep {
                    depth: self.depth(),
                    range,
                });
            }
        }
        None
    }

    /// A message template's `{expr}` holes are expressions too, one level inside the string.
    fn holes(&mut self, string: &str, base: usize) -> Option<TooDeep> {
        let bytes = string.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'{' => {
                    let end = hole_end(bytes, i + 1);
                    self.levels.push(0);
                    let found = self.tokens(&string[i + 1..end], base + i + 1);
                    self.levels
                        .truncate(self.levels.len().saturating_sub(1).max(1));
                    if found.is_some() {
                        return found;
                    }
                    i = end + 1;
                }
                _ => i += 1,
            }
        }
        None
    }

    fn add(&mut self) {
        if let Some(top) = self.levels.last_mut() {
            *top += 1;
        }
    }

    fn restart(&mut self) {
        if let Some(top) = self.levels.last_mut() {
            *top = 0;
        }
    }
}

/// The `}` that closes the hole opened before `from` (braces inside count), or the end.
fn hole_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate().skip(from) {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return i,
            b'}' => depth -= 1,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(text: &str) -> usize {
        (0..200)
            .find(|limit| too_deep(text, *limit).is_none())
            .unwrap_or(200)
    }

    #[test]
    fn each_kind_of_nesting_counts() {
        let flat = depth_of("rule a: error { for s in k require s.x == 1 message \"m\" }");
        assert_eq!(depth_of("rule a: error { require ((((x)))) }"), 10);
        assert!(depth_of("rule a: error { require not not not not x }") >= 5);
        assert!(depth_of("rule a: error { require a and b and c and d and e }") >= 5);
        assert!(depth_of("kind k { f: list<list<list<str>>> }") >= 5);
        assert!(depth_of("rule a: error { require t.id.id.id.id.id == 1 }") >= 5);
        assert!(flat <= 3, "{flat}");
        let hole = depth_of("rule a: error { message \"{((((x))))}\" }");
        assert!(hole >= 6, "{hole}");
    }

    #[test]
    fn siblings_do_not_add_up() {
        let many = (0..100).map(|i| format!("x{i} == 1")).collect::<Vec<_>>();
        let list = format!("rule a: error {{ require f({}) }}", many.join(", "));
        assert!(depth_of(&list) <= 4, "{}", depth_of(&list));
        let rules = "rule a: error { require x and y }\n".repeat(100);
        assert!(depth_of(&rules) <= 3, "{}", depth_of(&rules));
    }

    #[test]
    fn the_first_token_past_the_limit_is_named() {
        let text = "rule a: error { require ((((((x)))))) }";
        let deep = too_deep(text, 8).expect("too deep");
        assert_eq!(&text[deep.range.clone()], "(");
        assert_eq!(deep.depth, 10);
    }
}

#[cfg(test)]
mod shipped {
    use super::too_deep;

    /// The shipped packs stay far inside the default limit.
    #[test]
    fn every_shipped_rule_file_nests_far_less_than_the_default_limit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut stack = vec![root];
        let mut deepest = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "cord") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let depth = (0..).find(|l| too_deep(&text, *l).is_none()).unwrap_or(0);
                    deepest = deepest.max(depth);
                }
            }
        }
        println!("deepest nesting in rules/: {deepest}");
        assert!(
            (1..=crate::DEFAULT_MAX_NESTING / 2).contains(&deepest),
            "{deepest}"
        );
    }
}
