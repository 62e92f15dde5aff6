//! Where a name is declared and used, across the files of the pack: what references, rename
//! and workspace symbols answer. Uses are found among each file's tokens (so names in
//! comments and strings are left alone, interpolations in messages are read as code), by
//! what the name is: a kind, constant, function or rule wherever it stands as a name; a field
//! after `x.` where `x` ranges over its kind, in its declaration, and in test records of its
//! kind.

use super::{binding_kind, Analysis, Place, DOCUMENT};
use crate::syntax::{tokenize, Token, TokenKind};
use std::ops::Range;

/// What a name names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A record kind.
    Kind(String),
    /// A field of a kind.
    Field {
        /// The kind.
        kind: String,
        /// The field.
        field: String,
    },
    /// A constant.
    Const(String),
    /// A function the pack defines.
    Function(String),
    /// A rule.
    Rule(String),
}

impl Target {
    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Target::Kind(n) | Target::Const(n) | Target::Function(n) | Target::Rule(n) => n,
            Target::Field { field, .. } => field,
        }
    }

    /// Whether `name` may replace this one: a rule id may hold `-`.
    fn allows(&self, name: &str) -> bool {
        let mut chars = name.chars();
        let first = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        let hyphen = matches!(self, Target::Rule(_));
        let rest = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (hyphen && c == '-'));
        first
            && rest
            && !crate::syntax::keywords::KEYWORDS
                .iter()
                .any(|(k, _)| *k == name)
    }
}

impl Analysis {
    /// What the name at `offset` of the document names, when it is a kind, field, constant,
    /// function or rule.
    pub fn target_at(&self, offset: usize) -> Option<Target> {
        let (word, after_dot) = self.word_at(offset)?;
        if after_dot {
            let at = self.text[..offset].rfind('.')?;
            let binding = self.text[..at]
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()?;
            let tokens = self.tokens.iter().take_while(|t| t.range.end <= at);
            let kind = binding_kind(&self.text[..at], tokens, binding).0?;
            return Some(Target::Field { kind, field: word });
        }
        if let Some((_, k)) = (self.kinds()).find(|(_, k)| {
            k.fields
                .iter()
                .any(|f| f.name.node == word && f.name.span.range.contains(&offset))
        }) {
            return Some(Target::Field {
                kind: k.name.node.clone(),
                field: word,
            });
        }
        if self.kinds().any(|(_, k)| k.name.node == word) {
            return Some(Target::Kind(word));
        }
        if self.consts().any(|(_, c)| c.name.node == word) {
            return Some(Target::Const(word));
        }
        if self.fns().any(|(_, f)| f.name.node == word) {
            return Some(Target::Function(word));
        }
        self.rules()
            .any(|(_, r)| r.id.node == word)
            .then_some(Target::Rule(word))
    }

    /// Every place in the pack's files where `target` is declared or used, in file order.
    pub fn occurrences(&self, target: &Target) -> Vec<Place> {
        let mut out = Vec::new();
        for (id, source) in self.sources.iter() {
            // The document as the editor has it; imports as they are on disk.
            let text: &str = if id == DOCUMENT {
                &self.text
            } else {
                &source.text
            };
            let tokens = if id == DOCUMENT {
                self.tokens.clone()
            } else {
                tokenize(text)
            };
            let mut ranges = uses(text, &tokens, target);
            if let Target::Field { kind, field } = target {
                ranges.extend(self.field_declarations(id, kind, field));
            }
            ranges.sort_by_key(|r| r.start);
            ranges.dedup();
            out.extend(ranges.into_iter().map(|range| Place {
                path: source.path.clone(),
                text: if id == DOCUMENT {
                    self.text.as_str().into()
                } else {
                    source.text.clone()
                },
                range,
            }));
        }
        out
    }

    /// The edits that rename `target` to `name` across the pack's files, or why not.
    pub fn rename(&self, target: &Target, name: &str) -> Result<Vec<Place>, String> {
        if !target.allows(name) {
            return Err(format!("`{name}` is not a name this can have"));
        }
        let taken = match target {
            Target::Kind(_) => self.kinds().any(|(_, k)| k.name.node == name),
            Target::Const(_) => self.consts().any(|(_, c)| c.name.node == name),
            Target::Function(_) => self.fns().any(|(_, f)| f.name.node == name),
            Target::Rule(_) => self.rules().any(|(_, r)| r.id.node == name),
            Target::Field { kind, .. } => (self.kinds())
                .filter(|(_, k)| &k.name.node == kind)
                .any(|(_, k)| k.fields.iter().any(|f| f.name.node == name)),
        };
        if taken {
            return Err(format!("`{name}` is taken already"));
        }
        Ok(self.occurrences(target))
    }

    /// The declarations of the pack whose names contain `query` (ignoring case): kinds,
    /// fields, constants, functions, rules and tests, with where each is.
    pub fn declarations(&self, query: &str) -> Vec<(String, &'static str, Place)> {
        let query = query.to_lowercase();
        let mut out = Vec::new();
        let mut add = |name: &str, what: &'static str, span: &crate::span::Span| {
            if name.to_lowercase().contains(&query) {
                out.push((name.to_string(), what, self.place(span)));
            }
        };
        for (_, k) in self.kinds() {
            add(&k.name.node, "kind", &k.name.span);
            for f in &k.fields {
                add(&f.name.node, "field", &f.name.span);
            }
        }
        for (_, c) in self.consts() {
            add(&c.name.node, "const", &c.name.span);
        }
        for (_, f) in self.fns() {
            add(&f.name.node, "function", &f.name.span);
        }
        for (_, r) in self.rules() {
            add(&r.id.node, "rule", &r.id.span);
        }
        for (_, file) in &self.files {
            for t in &file.tests {
                add(&t.name.node, "test", &t.name.span);
            }
        }
        out
    }

    /// Where file `id` declares field `field` of `kind`, and names it in test records.
    fn field_declarations(
        &self,
        id: crate::span::FileId,
        kind: &str,
        field: &str,
    ) -> Vec<Range<usize>> {
        let Some((_, file)) = self.files.iter().find(|(f, _)| *f == id) else {
            return Vec::new();
        };
        let declared = (file.kinds.iter())
            .filter(|k| k.name.node == kind)
            .flat_map(|k| &k.fields)
            .filter(|f| f.name.node == field)
            .map(|f| f.name.span.range.clone());
        let in_tests = (file.tests.iter())
            .flat_map(|t| &t.givens)
            .flat_map(|g| &g.records)
            .filter(|r| r.kind.node == kind)
            .flat_map(|r| &r.fields)
            .filter(|(name, _)| name.node == field)
            .map(|(name, _)| name.span.range.clone());
        declared.chain(in_tests).collect()
    }
}

/// A file's tokens with each string's interpolations (`"{s.speaker} talks"`) as the tokens
/// of the code in them, at their place in the file.
fn code_tokens(text: &str, tokens: &[Token]) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        if matches!(
            t.kind,
            Some(TokenKind::Whitespace | TokenKind::Comment | TokenKind::DocComment)
        ) {
            continue;
        }
        if t.kind != Some(TokenKind::String) {
            out.push(t.clone());
            continue;
        }
        let literal = &text[t.range.clone()];
        let mut from = 0;
        while let Some(open) = literal[from..].find('{').map(|i| from + i) {
            let Some(close) = literal[open..].find('}').map(|i| open + i) else {
                break;
            };
            let start = t.range.start + open + 1;
            for mut inner in tokenize(&literal[open + 1..close]) {
                inner.range = start + inner.range.start..start + inner.range.end;
                if inner.kind != Some(TokenKind::Whitespace) {
                    out.push(inner);
                }
            }
            from = close + 1;
        }
    }
    out
}

/// The uses of `target` among a file's tokens.
fn uses(text: &str, tokens: &[Token], target: &Target) -> Vec<Range<usize>> {
    let code = code_tokens(text, tokens);
    let words: Vec<&Token> = code.iter().collect();
    let after_dot = |i: usize| i > 0 && &text[words[i - 1].range.clone()] == ".";
    let mut out = Vec::new();
    for (i, t) in words.iter().enumerate() {
        if !matches!(
            t.kind,
            Some(TokenKind::Identifier | TokenKind::Keyword | TokenKind::RuleId)
        ) {
            continue;
        }
        match target {
            Target::Field { kind, field } => {
                if !after_dot(i) || &text[t.range.clone()] != field {
                    continue;
                }
                // The binding before the dot, and what it ranges over there.
                if i < 2 {
                    continue;
                }
                let binding = &text[words[i - 2].range.clone()];
                let before = &text[..words[i - 1].range.start];
                let bound = binding_kind(
                    before,
                    tokens.iter().take_while(|w| w.range.end <= before.len()),
                    binding,
                )
                .0;
                if bound.as_deref() == Some(kind.as_str()) {
                    out.push(t.range.clone());
                }
            }
            Target::Rule(id) => {
                // The lexer reads a kebab-case id as one token.
                if &text[t.range.clone()] == id && !after_dot(i) {
                    out.push(t.range.clone());
                }
            }
            other => {
                if &text[t.range.clone()] == other.name() && !after_dot(i) {
                    out.push(t.range.clone());
                }
            }
        }
    }
    out
}
