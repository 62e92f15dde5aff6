//! Source files and positions in them.
//!
//! Every AST node carries a [`Span`]: the file it came from and a byte range. Spans convert to
//! [`miette::SourceSpan`] for rendering; the [`SourceMap`] holds the text they point into.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a rule file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one rule file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// Byte offsets into the file's text.
    pub range: Range<usize>,
}

impl Span {
    /// A span covering `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }

    /// The smallest span covering both `self` and `other` (which must be in the same file).
    pub fn to(&self, other: &Span) -> Span {
        Span::new(
            self.file,
            self.range.start.min(other.range.start)..self.range.end.max(other.range.end),
        )
    }
}

impl From<&Span> for miette::SourceSpan {
    fn from(span: &Span) -> Self {
        (span.range.start, span.range.len()).into()
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (&span).into()
    }
}

/// A value with the span it was written at. The span is left out of equality, so two ASTs
/// parsed from differently formatted text compare equal.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with its `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

/// One loaded rule file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path it was read from (canonical, for finding a file twice), or a name for text
    /// given directly.
    pub path: PathBuf,
    /// The path as the user gave it, for messages.
    pub shown: PathBuf,
    /// Its full text.
    pub text: Arc<str>,
    /// Where each line after the first starts, so that placing a span costs a binary search
    /// rather than a scan from the start (a file of thousands of rules places thousands).
    line_starts: Arc<[usize]>,
}

impl SourceFile {
    /// A file with its text.
    pub fn new(path: PathBuf, shown: PathBuf, text: Arc<str>) -> Self {
        let line_starts = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        SourceFile {
            path,
            shown,
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let line_start = line.checked_sub(1).map_or(0, |i| self.line_starts[i]);
        (line + 1, offset - line_start + 1)
    }

    /// The path as shown to users.
    pub fn display_name(&self) -> String {
        self.shown.display().to_string()
    }
}

/// All rule files of a pack, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Each file's id by its path, so finding a file does not scan them all (a pack of
    /// thousands of files looks each import up).
    by_path: std::collections::HashMap<PathBuf, FileId>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let path = path.into();
        let id = FileId(self.files.len() as u32);
        self.by_path.entry(path.clone()).or_insert(id);
        self.files
            .push(SourceFile::new(path.clone(), path, text.into()));
        id
    }

    /// Sets the path shown to users for a file.
    pub fn set_display(&mut self, id: FileId, shown: PathBuf) {
        self.files[id.0 as usize].shown = shown;
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of an already loaded path, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// All files in load order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: &Span) -> &str {
        &self.get(span.file).text[span.range.clone()]
    }

    /// `path:line` of a span's start, for messages that point across files.
    pub fn location(&self, span: &Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.range.start);
        format!("{}:{line}:{col}", file.display_name())
    }
}
