//! What the language server knows of one open rule file: the pack it compiles to (with its
//! imports, read from disk), every file's syntax tree, and the answers to editor questions —
//! diagnostics, hover, definitions, completions, symbols and highlighting. Positions are byte
//! offsets here; `lsp/mod.rs` converts them to and from the editor's lines and columns.

use crate::pack::{Pack, PackDiagnostic};
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::ast::{self, TypeExpr};
use crate::syntax::{tokenize, Token, TokenKind};
use std::path::{Path, PathBuf};

mod fixes;
mod names;
pub use fixes::Fix;
pub use names::Target;

/// The document is always the first file of its pack.
pub const DOCUMENT: FileId = FileId(0);

/// One diagnostic of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Byte range in the document.
    pub range: std::ops::Range<usize>,
    /// Whether it stops the pack from being used.
    pub error: bool,
    /// The stable code (`cord::check::unknown-field`).
    pub code: Option<String>,
    /// The message, with the help after it.
    pub message: String,
    /// Other places the diagnostic points at, with what it says there.
    pub related: Vec<(std::ops::Range<usize>, String)>,
}

/// A place in some file of the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// Its text, to convert the range to lines.
    pub text: std::sync::Arc<str>,
    /// Byte range.
    pub range: std::ops::Range<usize>,
}

/// A completion offered at a position.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// What is inserted.
    pub label: String,
    /// What it is: `kind`, `field`, `const`, `function`, `relation`, `keyword`, `value`.
    pub what: &'static str,
    /// A line about it.
    pub detail: String,
}

/// A symbol of the document's outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// `rule`, `test`, `kind`, `field` or `const`.
    pub what: &'static str,
    /// The whole declaration.
    pub range: std::ops::Range<usize>,
    /// The name in it.
    pub name_range: std::ops::Range<usize>,
    /// Fields of a kind.
    pub children: Vec<Symbol>,
}

/// The highlighting classes, in the order of the server's legend.
pub const TOKEN_TYPES: [&str; 8] = [
    "keyword", "comment", "string", "number", "operator", "function", "type", "variable",
];

/// The analysis of one document.
pub struct Analysis {
    sources: SourceMap,
    files: Vec<(FileId, ast::File)>,
    problems: Vec<Problem>,
    /// The document's tokens, lexed once for every request that reads them.
    tokens: Vec<Token>,
    /// The document as the editor has it (the pack may have been compiled without the
    /// declarations that do not parse).
    text: String,
}

impl Analysis {
    /// Compiles `text` as the rule file at `path`, with its imports. A document that does
    /// not parse is compiled without the declarations that break it
    /// ([`crate::syntax::recover`]): their syntax errors are reported, and everything else
    /// keeps its diagnostics, outline, hover and completions.
    pub fn new(path: &Path, text: &str) -> Analysis {
        // The usual document parses: compiled once. One that does not is compiled again
        // without its broken declarations.
        let mut compiled = Pack::from_text_at(path, text);
        let broken = compiled.as_ref().is_err_and(|e| {
            (e.diagnostics.iter())
                .any(|d| matches!(d, PackDiagnostic::Syntax(_)) && d.span().file == DOCUMENT)
        });
        let recovered = broken
            .then(|| crate::syntax::recover::recover(DOCUMENT, text))
            .flatten();
        let (compiled_text, syntax, editing) = match recovered {
            Some(r) => {
                compiled = Pack::from_text_at(path, &r.text);
                let errors = r.errors.into_iter().map(PackDiagnostic::Syntax).collect();
                (std::borrow::Cow::Owned(r.text), errors, r.names)
            }
            None => (std::borrow::Cow::Borrowed(text), Vec::new(), Vec::new()),
        };
        let (sources, mut diagnostics, unreadable) = match compiled {
            Ok(pack) => (pack.sources, pack.warnings, Vec::new()),
            Err(error) => {
                let mut diagnostics = error.diagnostics;
                diagnostics.retain(|d| d.span().file == DOCUMENT || d.is_error());
                (error.sources, diagnostics, error.unreadable)
            }
        };
        // A name declared by a declaration being edited is not unknown where it is used.
        diagnostics.retain(|d| {
            let span = d.span();
            !(span.file == DOCUMENT
                && editing
                    .iter()
                    .any(|n| compiled_text.get(span.range.clone()) == Some(n)))
        });
        diagnostics.splice(0..0, syntax);
        let mut problems = problems_of(&sources, &diagnostics);
        // A file that could not be read has no span of its own: show it at the top.
        problems.extend(unreadable.into_iter().map(|(p, why)| Problem {
            range: 0..0,
            error: true,
            code: None,
            message: format!("cannot read `{}`: {why}", p.display()),
            related: Vec::new(),
        }));
        Analysis::with(sources, problems, text)
    }

    fn with(sources: SourceMap, problems: Vec<Problem>, text: &str) -> Analysis {
        let files = sources
            .iter()
            .map(|(id, file)| (id, crate::syntax::parse(id, &file.text).0))
            .collect();
        Analysis {
            sources,
            files,
            problems,
            tokens: tokenize(text),
            text: text.to_string(),
        }
    }

    /// The document's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the document reads the file at `path` through its imports.
    pub fn imports(&self, path: &Path) -> bool {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        (self.sources.iter())
            .filter(|(id, _)| *id != DOCUMENT)
            .any(|(_, f)| f.path == path || f.path == canonical)
    }

    /// Every problem of the document (and, at its top, of imported files that stop it).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// What the token at `offset` is, in a few lines of Markdown.
    pub fn hover(&self, offset: usize) -> Option<String> {
        let (word, after_dot) = self.word_at(offset)?;
        if after_dot {
            return self.field_hover(&word);
        }
        if let Some(kind) = self.kinds().find(|(_, k)| k.name.node == word) {
            return Some(kind_hover(kind.1));
        }
        if let Some((_, c)) = self.consts().find(|(_, c)| c.name.node == word) {
            let value = self.sources.snippet(&c.value.span);
            return Some(with_doc(
                format!("```cord\nconst {word} = {value}\n```"),
                &c.doc,
            ));
        }
        if let Some((_, f)) = self.fns().find(|(_, f)| f.name.node == word) {
            let body = self.sources.snippet(&f.body.span);
            let head = format!("```cord\n{}\n    = {body}\n```", fn_signature(f));
            return Some(with_doc(head, &f.doc));
        }
        if let Some(l) = self.lets_at(offset).find(|l| l.name.node == word) {
            let value = self.sources.snippet(&l.value.span);
            return Some(format!("```cord\nlet {word} = {value}\n```"));
        }
        if let Some((_, r)) = self.rules().find(|(_, r)| r.id.node == word) {
            let (severity, scope) = (r.severity.node.as_str(), r.scope.as_str());
            return Some(with_doc(
                format!("```cord\nrule {word}: {severity} per {scope}\n```"),
                &r.doc,
            ));
        }
        builtin(&word).map(|(signature, doc)| format!("```cord\n{signature}\n```\n\n{doc}"))
    }

    /// The built-in function whose call `offset` is inside, and which argument: what
    /// signature help shows while a call is typed.
    pub fn signature(&self, offset: usize) -> Option<super::signature::Signature> {
        let text = self.text();
        let offset = char_boundary(text, offset);
        let (name, active) = super::signature::enclosing_call(&text[..offset])?;
        let builtin = crate::builtins::functions().find(|b| b.name == name)?;
        let label = builtin
            .signature
            .split(" | ")
            .next()
            .unwrap_or(builtin.signature);
        let inside = label
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'));
        let parameters = inside
            .map(|list| list.split(", ").map(str::to_string).collect())
            .unwrap_or_default();
        Some(super::signature::Signature {
            label: label.to_string(),
            doc: format!("{}\n\n`{}`", builtin.doc, builtin.example),
            parameters,
            active,
        })
    }

    /// Where the name at `offset` is declared: a kind, field, constant or rule (a rule named in
    /// a test), or the file an import names.
    pub fn definition(&self, offset: usize) -> Option<Place> {
        // Tokens cover the text in order: the first that ends at or after `offset`.
        let first = self.tokens.partition_point(|t| t.range.end < offset);
        let token = self.tokens[first..]
            .iter()
            .find(|t| t.range.start <= offset && t.range.start < t.range.end)?
            .clone();
        if token.kind == Some(TokenKind::String) {
            let (_, file) = self.files.iter().find(|(id, _)| *id == DOCUMENT)?;
            let import = file.imports.iter().find(|i| i.span.range == token.range)?;
            let dir = self.sources.get(DOCUMENT).path.parent()?.to_path_buf();
            let path = dir.join(&import.node);
            let (_, source) = self
                .sources
                .iter()
                .find(|(_, f)| f.path == path || f.path.ends_with(&import.node))?;
            return Some(Place {
                path: source.path.clone(),
                text: source.text.clone(),
                range: 0..0,
            });
        }
        let (word, after_dot) = self.word_at(offset)?;
        let span = if after_dot {
            self.kinds()
                .flat_map(|(_, k)| &k.fields)
                .find(|f| f.name.node == word)
                .map(|f| f.name.span.clone())
        } else {
            None
        }
        .or_else(|| {
            self.kinds()
                .find(|(_, k)| k.name.node == word)
                .map(|(_, k)| k.name.span.clone())
        })
        .or_else(|| {
            self.consts()
                .find(|(_, c)| c.name.node == word)
                .map(|(_, c)| c.name.span.clone())
        })
        .or_else(|| {
            self.rules()
                .find(|(_, r)| r.id.node == word)
                .map(|(_, r)| r.id.span.clone())
        })
        .or_else(|| {
            self.fns()
                .find(|(_, f)| f.name.node == word)
                .map(|(_, f)| f.name.span.clone())
        })
        .or_else(|| {
            (self.lets_at(offset))
                .find(|l| l.name.node == word)
                .map(|l| l.name.span.clone())
        })?;
        Some(self.place(&span))
    }

    /// What may be written at `offset`: fields after `x.`, else kinds, constants, enum
    /// values, functions, relations and keywords.
    pub fn completions(&self, offset: usize) -> Vec<Completion> {
        let text = self.text();
        let offset = char_boundary(text, offset);
        let start = word_start(text, offset, |c| c.is_alphanumeric() || c == '_');
        if text[..start].ends_with('.') {
            let binding = text[..start - 1]
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            return self.field_completions(&text[..start], binding);
        }
        let mut out = Vec::new();
        for (_, k) in self.kinds() {
            out.push(Completion {
                label: k.name.node.clone(),
                what: "kind",
                detail: format!("kind {}", k.name.node),
            });
            for f in &k.fields {
                if let TypeExpr::Enum(values) = strip_optional(&f.ty.node) {
                    out.extend(values.iter().map(|v| Completion {
                        label: v.node.clone(),
                        what: "value",
                        detail: format!("{}.{}", k.name.node, f.name.node),
                    }));
                }
            }
        }
        out.extend(self.consts().map(|(_, c)| Completion {
            label: c.name.node.clone(),
            what: "const",
            detail: format!("const = {}", self.sources.snippet(&c.value.span)),
        }));
        out.extend(self.fns().map(|(_, f)| Completion {
            label: f.name.node.clone(),
            what: "function",
            detail: fn_signature(f),
        }));
        out.extend(self.lets_at(offset).map(|l| Completion {
            label: l.name.node.clone(),
            what: "let",
            detail: format!("let = {}", self.sources.snippet(&l.value.span)),
        }));
        out.extend(
            builtin_entries().map(|(name, signature, _, what)| Completion {
                label: name.to_string(),
                what,
                detail: signature,
            }),
        );
        out.extend(
            crate::syntax::keywords::KEYWORDS
                .iter()
                .map(|(k, _)| Completion {
                    label: k.to_string(),
                    what: "keyword",
                    detail: String::new(),
                }),
        );
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert((c.label.clone(), c.what)));
        out
    }

    /// The outline of the document: kinds with their fields, constants, rules and tests.
    pub fn symbols(&self) -> Vec<Symbol> {
        let Some((_, file)) = self.files.iter().find(|(id, _)| *id == DOCUMENT) else {
            return Vec::new();
        };
        let mut out: Vec<Symbol> = Vec::new();
        for k in &file.kinds {
            let fields = k
                .fields
                .iter()
                .map(|f| Symbol {
                    name: f.name.node.clone(),
                    what: "field",
                    range: f.name.span.range.start..f.ty.span.range.end,
                    name_range: f.name.span.range.clone(),
                    children: Vec::new(),
                })
                .collect::<Vec<_>>();
            let end = fields.last().map_or(k.name.span.range.end, |f| f.range.end);
            out.push(Symbol {
                name: k.name.node.clone(),
                what: "kind",
                range: k.name.span.range.start..end,
                name_range: k.name.span.range.clone(),
                children: fields,
            });
        }
        out.extend(file.consts.iter().map(|c| Symbol {
            name: c.name.node.clone(),
            what: "const",
            range: c.name.span.range.start..c.value.span.range.end,
            name_range: c.name.span.range.clone(),
            children: Vec::new(),
        }));
        out.extend(file.fns.iter().map(|f| Symbol {
            name: f.name.node.clone(),
            what: "function",
            range: f.span.range.clone(),
            name_range: f.name.span.range.clone(),
            children: Vec::new(),
        }));
        out.extend(file.rules.iter().map(|r| Symbol {
            name: r.id.node.clone(),
            what: "rule",
            range: r.span.range.clone(),
            name_range: r.id.span.range.clone(),
            children: Vec::new(),
        }));
        out.extend(file.tests.iter().map(|t| Symbol {
            name: t.name.node.clone(),
            what: "test",
            range: t.span.range.clone(),
            name_range: t.name.span.range.clone(),
            children: Vec::new(),
        }));
        out.sort_by_key(|s| s.range.start);
        out
    }

    /// Every token worth a colour: byte range and index into [`TOKEN_TYPES`].
    pub fn highlights(&self) -> Vec<(std::ops::Range<usize>, u32)> {
        let kinds: std::collections::HashSet<&str> =
            self.kinds().map(|(_, k)| k.name.node.as_str()).collect();
        self.tokens
            .iter()
            .cloned()
            .filter_map(|t| {
                let word = &self.text()[t.range.clone()];
                let class = match t.kind? {
                    TokenKind::Keyword => 0,
                    TokenKind::Comment | TokenKind::DocComment => 1,
                    TokenKind::String | TokenKind::UnterminatedString => 2,
                    TokenKind::Number | TokenKind::Duration => 3,
                    TokenKind::Operator => 4,
                    TokenKind::Relation => 5,
                    TokenKind::RuleId => 5,
                    TokenKind::Identifier if kinds.contains(word) => 6,
                    TokenKind::Identifier if builtin(word).is_some() => 5,
                    TokenKind::Identifier => 7,
                    TokenKind::Whitespace | TokenKind::Punctuation => return None,
                };
                Some((t.range, class))
            })
            .collect()
    }

    fn place(&self, span: &Span) -> Place {
        let file = self.sources.get(span.file);
        Place {
            path: file.path.clone(),
            text: file.text.clone(),
            range: span.range.clone(),
        }
    }

    /// The name at `offset` and whether a `.` precedes it (a field).
    fn word_at(&self, offset: usize) -> Option<(String, bool)> {
        let text = self.text();
        let offset = char_boundary(text, offset);
        let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        let start = word_start(text, offset, is_word);
        let end = text[offset..]
            .find(|c: char| !is_word(c))
            .map_or(text.len(), |i| offset + i);
        let word = text[start..end].trim_matches('-');
        if word.is_empty() {
            return None;
        }
        Some((word.to_string(), text[..start].ends_with('.')))
    }

    fn kinds(&self) -> impl Iterator<Item = (FileId, &ast::KindDecl)> {
        self.files
            .iter()
            .flat_map(|(id, f)| f.kinds.iter().map(move |k| (*id, k)))
    }

    fn consts(&self) -> impl Iterator<Item = (FileId, &ast::ConstDecl)> {
        self.files
            .iter()
            .flat_map(|(id, f)| f.consts.iter().map(move |c| (*id, c)))
    }

    fn fns(&self) -> impl Iterator<Item = (FileId, &ast::FnDecl)> {
        self.files
            .iter()
            .flat_map(|(id, f)| f.fns.iter().map(move |d| (*id, d)))
    }

    /// The `let`s of the document's rule that `offset` is in.
    fn lets_at(&self, offset: usize) -> impl Iterator<Item = &ast::Let> {
        let rule = (self.files.iter())
            .filter(|(id, _)| *id == DOCUMENT)
            .flat_map(|(_, f)| &f.rules)
            .find(|r| r.span.range.contains(&offset));
        rule.into_iter().flat_map(|r| &r.lets)
    }

    fn rules(&self) -> impl Iterator<Item = (FileId, &ast::Rule)> {
        self.files
            .iter()
            .flat_map(|(id, f)| f.rules.iter().map(move |r| (*id, r)))
    }

    fn field_hover(&self, name: &str) -> Option<String> {
        let owners: Vec<(&ast::KindDecl, &ast::FieldDecl)> = self
            .kinds()
            .flat_map(|(_, k)| k.fields.iter().map(move |f| (k, f)))
            .filter(|(_, f)| f.name.node == name)
            .collect();
        let (_, first) = owners.first()?;
        let of: Vec<String> = owners
            .iter()
            .map(|(k, f)| format!("{}: {}", k.name.node, type_text(&f.ty.node)))
            .collect();
        Some(with_doc(
            format!("```cord\n{name}\n```\nfield of {}", of.join(", ")),
            &first.doc,
        ))
    }

    fn field_completions(&self, before: &str, binding: &str) -> Vec<Completion> {
        let tokens = self
            .tokens
            .iter()
            .take_while(|t| t.range.end <= before.len());
        let (bound, group) = binding_kind(before, tokens, binding);
        let mut out: Vec<Completion> = self
            .kinds()
            .filter(|(_, k)| bound.as_deref().is_none_or(|b| k.name.node == b))
            .flat_map(|(_, k)| {
                k.fields.iter().map(move |f| Completion {
                    label: f.name.node.clone(),
                    what: "field",
                    detail: format!("{}: {}", k.name.node, type_text(&f.ty.node)),
                })
            })
            .collect();
        if group {
            out.insert(
                0,
                Completion {
                    label: "key".into(),
                    what: "field",
                    detail: "the value the group shares".into(),
                },
            );
        } else {
            for builtin in ["id", "item", "kind"] {
                out.push(Completion {
                    label: builtin.into(),
                    what: "field",
                    detail: "every record has it".into(),
                });
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert(c.label.clone()));
        out
    }
}

/// What `binding` ranges over at the end of `before`: the kind named by its last
/// `binding in kind` or `binding in group kind`, and whether it is a group. Read from the
/// lexer's tokens, so a binding named in a comment or string is not taken for one.
fn binding_kind<'t>(
    before: &str,
    tokens: impl Iterator<Item = &'t Token>,
    binding: &str,
) -> (Option<String>, bool) {
    let words: Vec<&str> = tokens
        .filter(|t| {
            !matches!(
                t.kind,
                Some(TokenKind::Whitespace | TokenKind::Comment | TokenKind::DocComment)
            )
        })
        .map(|t| &before[t.range.clone()])
        .collect();
    let is_name = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut found = (None, false);
    for (i, pair) in words.windows(2).enumerate() {
        if pair != [binding, "in"] {
            continue;
        }
        let group = words.get(i + 2) == Some(&"group");
        let kind = words.get(i + 2 + usize::from(group)).filter(|w| is_name(w));
        found = (kind.map(|k| k.to_string()), group);
    }
    found
}

/// `offset`, moved back to the start of the character it falls in.
fn char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where the word that ends at `offset` starts.
fn word_start(text: &str, offset: usize, is_word: impl Fn(char) -> bool) -> usize {
    text[..offset]
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The document's problems with byte ranges, help appended, secondary labels as related.
fn problems_of(sources: &SourceMap, diagnostics: &[PackDiagnostic]) -> Vec<Problem> {
    use miette::Diagnostic;
    diagnostics
        .iter()
        .map(|d| {
            let span = d.span();
            let in_document = span.file == DOCUMENT;
            let mut message = d.to_string();
            if !in_document {
                let file = sources.get(span.file);
                message = format!("in `{}`: {message}", file.display_name());
            }
            if let Some(help) = d.help() {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let related = d
                .labels()
                .into_iter()
                .flatten()
                .skip(1)
                .filter(|_| in_document)
                .map(|l| {
                    (
                        l.offset()..l.offset() + l.len(),
                        l.label().unwrap_or("").to_string(),
                    )
                })
                .collect();
            Problem {
                range: if in_document {
                    span.range.clone()
                } else {
                    0..0
                },
                error: d.is_error(),
                code: d.code().map(|c| c.to_string()),
                message,
                related,
            }
        })
        .collect()
}

fn strip_optional(ty: &TypeExpr) -> &TypeExpr {
    match ty {
        TypeExpr::Optional(inner) => strip_optional(&inner.node),
        other => other,
    }
}

/// A type as a rule file writes it.
fn type_text(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Named(n) => n.node.clone(),
        TypeExpr::List(inner) => format!("list<{}>", type_text(&inner.node)),
        TypeExpr::Enum(values) => {
            let names: Vec<&str> = values.iter().map(|v| v.node.as_str()).collect();
            format!("enum {{ {} }}", names.join(", "))
        }
        TypeExpr::Ref(kind) => format!("ref {}", kind.node),
        TypeExpr::Optional(inner) => format!("{}?", type_text(&inner.node)),
    }
}

/// `fn iou(a: box, b: box) -> num`, as written.
fn fn_signature(f: &ast::FnDecl) -> String {
    let params: Vec<String> = (f.params.iter())
        .map(|(name, ty)| format!("{}: {}", name.node, type_text(&ty.node)))
        .collect();
    let returns =
        (f.returns.as_ref()).map_or(String::new(), |t| format!(" -> {}", type_text(&t.node)));
    format!("fn {}({}){returns}", f.name.node, params.join(", "))
}

fn kind_hover(kind: &ast::KindDecl) -> String {
    let fields: Vec<String> = kind
        .fields
        .iter()
        .map(|f| format!("  {}: {}", f.name.node, type_text(&f.ty.node)))
        .collect();
    with_doc(
        format!(
            "```cord\nkind {} {{\n{}\n}}\n```",
            kind.name.node,
            fields.join(",\n")
        ),
        &kind.doc,
    )
}

fn with_doc(head: String, doc: &[String]) -> String {
    if doc.is_empty() {
        head
    } else {
        format!("{head}\n\n{}", doc.join("\n"))
    }
}

/// What the language server says of a word that names built-ins: each function or statistic
/// of the table ([`crate::builtins::BUILTINS`]) and each relation, with its signature and
/// doc (`contains` is both a relation and a function).
fn builtin(word: &str) -> Option<(String, String)> {
    let (signatures, docs): (Vec<String>, Vec<&str>) = builtin_entries()
        .filter(|(name, ..)| *name == word)
        .map(|(_, signature, doc, _)| (signature, doc))
        .unzip();
    (!signatures.is_empty()).then(|| (signatures.join(" | "), docs.join(" ")))
}

/// Every built-in and relation: name, signature, doc, and what it is.
fn builtin_entries() -> impl Iterator<Item = (&'static str, String, &'static str, &'static str)> {
    let functions = (crate::builtins::BUILTINS.iter())
        .map(|b| (b.name, b.signature.to_string(), b.doc, "function"));
    let relations = crate::ops::Relation::ALL.iter().map(|(relation, word)| {
        let signature = format!("a {word} b [within d]");
        (*word, signature, relation.doc(), "relation")
    });
    functions.chain(relations)
}

#[cfg(test)]
mod tests;
