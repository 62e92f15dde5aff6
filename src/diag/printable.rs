//! Text from data and rule files made safe to print on a terminal.
//!
//! Item names, ids, field values and whole data lines reach human output, and a terminal obeys
//! the control characters in them: ESC sequences set the window title or clear the screen, CR
//! and LF forge lines, BEL rings, and the bidirectional overrides reorder what is shown. Every
//! diagnostic rendered for people goes through [`Printable`], which shows each such character
//! as an escape (`\u{1b}`), so what the terminal shows is what the data holds.

use miette::{Diagnostic, LabeledSpan, SourceCode};
use std::borrow::Cow;
use std::fmt;

/// Whether a character would act on a terminal rather than be shown: C0 and C1 controls,
/// DEL, and the bidirectional embeddings, overrides and isolates.
fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that acts on a terminal shown as an escape; newlines and tabs
/// are kept when `keep_layout` (text whose lines are the renderer's own), escaped otherwise
/// (one message, one line of data).
pub fn escaped(text: &str, keep_layout: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_layout && matches!(c, '\n' | '\t');
    if !text.chars().any(|c| acts_on_terminal(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if kept(c) || !acts_on_terminal(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `text` with every character that acts on a terminal (but newlines, tabs, and a CR before a
/// newline) replaced by as many `?` as it has bytes: a rule file keeps its byte offsets, so
/// the spans of its diagnostics still point where they did.
pub fn same_length(text: &str) -> Cow<'_, str> {
    let mut chars = text.char_indices().peekable();
    let mut out: Option<String> = None;
    while let Some((at, c)) = chars.next() {
        let crlf = c == '\r' && chars.peek().is_some_and(|(_, next)| *next == '\n');
        if !acts_on_terminal(c) || matches!(c, '\n' | '\t') || crlf {
            continue;
        }
        let out = out.get_or_insert_with(|| text.to_string());
        out.replace_range(at..at + c.len_utf8(), &"?".repeat(c.len_utf8()));
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// A diagnostic whose message, help and labels are shown [`escaped`]. Its source code is
/// passed on as it is: those who build one escape its text before placing labels in it.
pub struct Printable<'a> {
    inner: &'a dyn Diagnostic,
    related: Vec<Printable<'a>>,
}

impl<'a> Printable<'a> {
    /// Wraps `inner` and, recursively, the diagnostics related to it.
    pub fn new(inner: &'a dyn Diagnostic) -> Self {
        let related = inner
            .related()
            .map_or_else(Vec::new, |r| r.map(Printable::new).collect());
        Printable { inner, related }
    }
}

impl fmt::Debug for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escaped(&self.inner.to_string(), false))
    }
}

impl std::error::Error for Printable<'_> {}

impl Diagnostic for Printable<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(escaped(&help, true).into_owned()))
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?.map(|mut label| {
            let text = label.label().map(|t| escaped(t, false).into_owned());
            label.set_label(text);
            label
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)) as Box<_>)
    }
}
