//! Rule packs: loading rule files and their imports, then parse → check → plan.

use crate::check::{self, CheckError, Checked};
use crate::data::formats::mapping::Mappings;
use crate::plan::{self, Plan};
use crate::span::{FileId, SourceMap, Span};
use crate::syntax::{self, ast, SyntaxError};
use std::path::{Path, PathBuf};

/// A problem in a rule file: a syntax error or a checker finding.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum PackDiagnostic {
    /// The file does not parse.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] SyntaxError),
    /// The file parses but is wrong.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
}

impl PackDiagnostic {
    /// Where the problem is.
    pub fn span(&self) -> &Span {
        match self {
            PackDiagnostic::Syntax(e) => e.span(),
            PackDiagnostic::Check(e) => e.span(),
        }
    }

    /// Whether it stops the pack from being used.
    pub fn is_error(&self) -> bool {
        match self {
            PackDiagnostic::Syntax(_) => true,
            PackDiagnostic::Check(e) => e.is_error(),
        }
    }
}

/// A rule pack that failed to compile, with every problem found.
#[derive(Debug, Clone)]
pub struct PackError {
    /// The loaded files, for rendering the diagnostics.
    pub sources: SourceMap,
    /// Every problem, errors and warnings, in file order.
    pub diagnostics: Vec<PackDiagnostic>,
    /// Paths given on the command line that could not be read at all.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Rule ids [`Pack::select`] was given that the pack does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRules {
    /// Each unknown id, with a suggestion ("did you mean …", or the list of rules).
    pub unknown: Vec<(String, Option<String>)>,
}

impl std::fmt::Display for UnknownRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = (self.unknown.iter())
            .map(|(id, hint)| match hint {
                Some(hint) => format!("no rule `{id}` in the pack ({hint})"),
                None => format!("no rule `{id}` in the pack"),
            })
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for UnknownRules {}

impl PackError {
    /// How many errors there are, for a line after they have all been shown.
    pub fn summary(&self) -> String {
        let errors =
            self.diagnostics.iter().filter(|d| d.is_error()).count() + self.unreadable.len();
        format!("the rule pack has {errors} error(s)")
    }
}

impl std::fmt::Display for PackError {
    /// The number of errors and the first of them, with its place (`diag::render_pack_error`
    /// renders them all).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())?;
        if let Some((path, reason)) = self.unreadable.first() {
            return write!(f, "; first: cannot read {}: {reason}", path.display());
        }
        match self.diagnostics.iter().find(|d| d.is_error()) {
            Some(first) => {
                let place = self.sources.location(first.span());
                let code = miette::Diagnostic::code(first)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                write!(f, "; first: {place}: {first} [{code}]")
            }
            None => Ok(()),
        }
    }
}

impl std::error::Error for PackError {}

/// A compiled rule pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The loaded rule files.
    pub(crate) sources: SourceMap,
    /// The checked schema, constants, rules and tests.
    pub(crate) checked: Checked,
    /// The evaluation plan, compiled from `checked` (the two always agree: neither can be
    /// replaced from outside).
    pub(crate) plan: Plan,
    /// Warnings from the checker (unused bindings, constant filters).
    pub(crate) warnings: Vec<PackDiagnostic>,
    /// How CSV and JSON data sets become records: the `[[input]]` tables of the pack's
    /// `.toml` files (docs/formats.md).
    pub(crate) mappings: Mappings,
}

impl Pack {
    /// The rule a finding belongs to (its id, severity, doc and where it is written).
    pub fn rule(&self, finding: &crate::eval::Finding) -> &crate::plan::RulePlan {
        &self.plan.rules[finding.rule]
    }

    /// The rules, in the order of the pack's files.
    pub fn rules(&self) -> &[crate::plan::RulePlan] {
        &self.plan.rules
    }

    /// The loaded rule files (for rendering diagnostics that point into them).
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The checked schema, constants, rules and tests.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The evaluation plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Warnings from the checker (unused bindings, constant filters).
    pub fn warnings(&self) -> &[PackDiagnostic] {
        &self.warnings
    }

    /// How CSV and JSON data sets become records (the pack's `[[input]]` tables).
    pub fn mappings(&self) -> &Mappings {
        &self.mappings
    }
}

/// Loads files and follows imports, parsing each file once.
#[derive(Default)]
struct Loader {
    sources: SourceMap,
    files: Vec<(FileId, ast::File)>,
    diagnostics: Vec<PackDiagnostic>,
    unreadable: Vec<(PathBuf, String)>,
    /// Files being loaded, for cycle detection.
    stack: std::collections::HashSet<PathBuf>,
    mappings: Mappings,
    limits: crate::Limits,
    /// The folders (canonical) whose rule files imports may read: the current directory,
    /// the folders of the paths given, and `Limits::import_roots`.
    roots: Vec<PathBuf>,
    /// For a pack given as texts ([`Pack::from_sources`]): the texts by name, among which
    /// imports resolve; the file system is then never read.
    memory: Option<std::collections::HashMap<PathBuf, String>>,
}

impl Loader {
    /// A loader whose imports may read under the current directory, the folders of `paths`
    /// and the limits' import roots.
    fn new(paths: &[&Path], limits: &crate::Limits) -> Loader {
        let folder_of = |path: &Path| match path.is_dir() {
            true => path.to_path_buf(),
            false => match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                _ => PathBuf::from("."),
            },
        };
        let roots = std::iter::once(PathBuf::from("."))
            .chain(paths.iter().map(|p| folder_of(p)))
            .chain(limits.import_roots.iter().cloned())
            .filter_map(|root| root.canonicalize().ok())
            .collect();
        Loader {
            limits: limits.clone(),
            roots,
            ..Loader::default()
        }
    }

    /// Why an import may not read `path`, with what to do instead; `None` when it may (or
    /// when the path does not exist, which the read reports).
    fn refusal(&self, path: &Path) -> Option<(String, String)> {
        if path.extension().is_none_or(|e| e != "cord") {
            return Some((
                "it is not a rule file".into(),
                "an import names a `.cord` file; data files are given to `concordant check`".into(),
            ));
        }
        let canonical = path.canonicalize().ok()?;
        if !self.roots.iter().any(|root| canonical.starts_with(root)) {
            return Some((
                "it is outside the pack".into(),
                "imports read rule files under the current directory or the folders of the \
                 rule paths given; allow another folder with `--allow-import DIR`"
                    .into(),
            ));
        }
        match std::fs::metadata(&canonical) {
            Ok(meta) if !meta.is_file() => Some((
                "it is not a regular file".into(),
                "import a `.cord` file; pipes, devices and folders cannot be imported".into(),
            )),
            _ => None,
        }
    }

    /// A file of a pack given as texts: `text` is what the sources hold under its name.
    fn read_from_memory(
        &mut self,
        text: Option<String>,
        path: &Path,
        import: Option<(&Span, &str)>,
    ) -> Option<(PathBuf, String)> {
        let name = lexical(path);
        match (text, import) {
            (Some(text), _) => Some((name, text)),
            (None, Some((span, written))) => {
                let error = CheckError::ImportNotFound {
                    path: written.to_string(),
                    reason: "no source of that name was given".into(),
                    span: span.clone(),
                };
                self.diagnostics.push(error.into());
                None
            }
            (None, None) => {
                let reason = "no source of that name was given".to_string();
                self.unreadable.push((name, reason));
                None
            }
        }
    }

    fn load_path(&mut self, path: &Path) {
        if path.is_dir() {
            match files_in(path, "cord") {
                Ok(files) => files.iter().for_each(|f| self.load_file(f, None)),
                Err(e) => self.unreadable.push((path.to_path_buf(), e.to_string())),
            }
            for mapping in files_in(path, "toml").unwrap_or_default() {
                self.load_mapping(&mapping);
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            self.load_mapping(path);
        } else {
            self.load_file(path, None);
        }
    }

    /// Loads a mapping file: how CSV and JSON data sets become records.
    fn load_mapping(&mut self, path: &Path) {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Mappings::parse(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(mappings) => self.mappings.extend(mappings),
            Err(e) => self.unreadable.push((
                path.to_path_buf(),
                format!("not a valid mapping (docs/formats.md): {e}"),
            )),
        }
    }

    /// Loads one file; `import` is the import that asked for it, if any.
    fn load_file(&mut self, path: &Path, import: Option<(&Span, &str)>) {
        if let Some((canonical, text)) = self.read_file(path, import) {
            self.load_text(canonical, path.to_path_buf(), text);
        }
    }

    /// The canonical path and text of a file to load, or nothing when it is loaded (or being
    /// loaded) already or cannot be, which is reported.
    fn read_file(
        &mut self,
        path: &Path,
        import: Option<(&Span, &str)>,
    ) -> Option<(PathBuf, String)> {
        let canonical = match self.memory {
            Some(_) => lexical(path),
            None => path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
        };
        if self.stack.contains(&canonical) {
            if let Some((span, written)) = import {
                let error = CheckError::ImportCycle {
                    path: written.to_string(),
                    span: span.clone(),
                };
                self.diagnostics.push(error.into());
            }
            return None;
        }
        if self.sources.find(&canonical).is_some() {
            return None;
        }
        if let Some(memory) = &self.memory {
            return self.read_from_memory(memory.get(&lexical(path)).cloned(), path, import);
        }
        if let Some(((span, written), (reason, help))) = import.zip(self.refusal(path)) {
            let error = CheckError::ImportRefused {
                path: written.to_string(),
                reason,
                help,
                span: span.clone(),
            };
            self.diagnostics.push(error.into());
            return None;
        }
        match read_rule_file(path, self.limits.max_rule_file_bytes) {
            Ok(text) => Some((canonical, text)),
            Err(ReadFailure::TooLarge { bytes }) => {
                // Shown as the file's own diagnostic, at its start; its text is never held.
                let id = self.sources.add(canonical, String::new());
                let error = syntax::SyntaxError::TooLarge {
                    bytes,
                    limit: self.limits.max_rule_file_bytes,
                    span: crate::span::Span::new(id, 0..0),
                };
                self.diagnostics.push(error.into());
                None
            }
            Err(ReadFailure::Unreadable(e)) => {
                match import {
                    Some((span, written)) => self.diagnostics.push(
                        CheckError::ImportNotFound {
                            path: written.to_string(),
                            reason: e.clone(),
                            span: span.clone(),
                        }
                        .into(),
                    ),
                    None => self.unreadable.push((path.to_path_buf(), e)),
                }
                None
            }
        }
    }

    /// Loads a file's text and, depth first, what it imports; each file is added after its
    /// imports. The walk keeps its own stack rather than recursing, so a chain of thousands
    /// of imports costs no call stack (the parser, which checks what stack is left, failed
    /// on one such chain).
    fn load_text(&mut self, canonical: PathBuf, shown: PathBuf, text: String) {
        let mut open = vec![self.open(canonical, shown, text)];
        while let Some(top) = open.last_mut() {
            let Some(import) = top.file.imports.get(top.next).cloned() else {
                if let Some(done) = open.pop() {
                    self.stack.remove(&done.canonical);
                    self.sources.set_display(done.id, done.shown);
                    self.files.push((done.id, done.file));
                }
                continue;
            };
            top.next += 1;
            let path = top.dir.join(&import.node);
            if let Some((canonical, text)) =
                self.read_file(&path, Some((&import.span, &import.node)))
            {
                open.push(self.open(canonical, path, text));
            }
        }
    }

    /// Adds a file's text to the sources and parses it.
    fn open(&mut self, canonical: PathBuf, shown: PathBuf, text: String) -> Opened {
        // Editors on some systems start a UTF-8 file with a byte-order mark.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let id = self.sources.add(canonical.clone(), text);
        let (file, errors) =
            syntax::parse_within(id, &self.sources.get(id).text.clone(), &self.limits);
        self.diagnostics
            .extend(errors.into_iter().map(PackDiagnostic::from));
        self.stack.insert(canonical.clone());
        let dir = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Opened {
            id,
            canonical,
            shown,
            dir,
            file,
            next: 0,
        }
    }
}

/// A file being loaded: parsed, its imports loaded up to `next`.
struct Opened {
    id: FileId,
    canonical: PathBuf,
    shown: PathBuf,
    dir: PathBuf,
    file: ast::File,
    next: usize,
}

/// Why a rule file's text cannot be had.
enum ReadFailure {
    /// It is larger than the limit (`bytes` is as far as it was read: a path like
    /// `/dev/zero` never ends).
    TooLarge { bytes: usize },
    /// It cannot be opened or read, or is not UTF-8.
    Unreadable(String),
}

/// A path with `.` and `name/..` taken out, as written (no file system): how the sources of
/// [`Pack::from_sources`] are named, and how an import among them is found.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// A rule file's text, read no further than the limit allows.
fn read_rule_file(path: &Path, limit: u64) -> Result<String, ReadFailure> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| ReadFailure::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut text = String::new();
    file.take(limit.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(unreadable)?;
    if text.len() as u64 > limit {
        return Err(ReadFailure::TooLarge { bytes: text.len() });
    }
    Ok(text)
}

/// The files of a directory with an extension (`cord`, `toml`), in path order.
/// Subdirectories are not searched: each is a pack of its own (`rules/datasets/<name>/`
/// beside the packs of `rules/`).
fn files_in(dir: &Path, extension: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    Ok(files)
}

impl Pack {
    /// Compiles the rule files and directories (their `*.cord` files, not subdirectories) at
    /// `paths`, with their imports.
    pub fn from_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Pack, PackError> {
        Self::from_paths_within(paths, &crate::Limits::default())
    }

    /// [`Pack::from_paths`] within `limits` (rule-file size and nesting).
    pub fn from_paths_within<P: AsRef<Path>>(
        paths: &[P],
        limits: &crate::Limits,
    ) -> Result<Pack, PackError> {
        let given: Vec<&Path> = paths.iter().map(AsRef::as_ref).collect();
        crate::limits::with_deep_stack(limits, || {
            let mut loader = Loader::new(&given, limits);
            for path in &given {
                loader.load_path(path);
            }
            Self::finish(loader)
        })
    }

    /// Compiles the text of the rule file at `path` (an editor's unsaved buffer, say):
    /// imports are resolved relative to `path`, and the text is the file's first source.
    pub fn from_text_at(path: &Path, text: &str) -> Result<Pack, PackError> {
        let limits = crate::Limits::default();
        crate::limits::with_deep_stack(&limits, || {
            let mut loader = Loader::new(&[path], &limits);
            loader.load_text(path.to_path_buf(), path.to_path_buf(), text.to_string());
            Self::finish(loader)
        })
    }

    /// Compiles one rule file's text ([`Pack::from_sources`] with one source: it can import
    /// nothing, and nothing is read from the file system).
    ///
    /// ```
    /// let pack = concordant::Pack::from_source("inline.cord", r#"
    ///     schema { kind speech { start: time, end: time, speaker: str } }
    ///     rule empty-speech: warning {
    ///       for s in speech
    ///       require duration(s) > 0s
    ///       message "speech {s.id} has no length"
    ///     }
    /// "#).unwrap();
    /// assert_eq!(pack.rules()[0].id, "empty-speech");
    /// ```
    pub fn from_source(name: &str, text: &str) -> Result<Pack, PackError> {
        Self::from_sources(&[(name, text)])
    }

    /// Compiles a pack given as texts, each with the name it is known by (`schema.cord`,
    /// `rules/sync.cord`): every text is a rule file of the pack, and an `import` resolves
    /// among them by name (relative to the importing one's folder, as on disk). Nothing is
    /// read from the file system, so a pack from a browser or a server's request cannot
    /// reach the machine's files.
    ///
    /// ```
    /// let pack = concordant::Pack::from_sources(&[
    ///     ("schema.cord", "schema { kind speech { start: time, end: time, speaker: str } }"),
    ///     ("rules/long.cord", r#"import "../schema.cord"
    ///         rule long-speech: info {
    ///           for s in speech
    ///           require s.end - s.start < 60s
    ///           message "{s.id} is long"
    ///         }"#),
    /// ]).unwrap();
    /// assert_eq!(pack.rules()[0].id, "long-speech");
    /// assert!(concordant::Pack::from_sources(&[("a.cord", r#"import "/etc/passwd.cord""#)]).is_err());
    /// ```
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Pack, PackError> {
        let limits = crate::Limits::default();
        crate::limits::with_deep_stack(&limits, || {
            let mut loader = Loader::new(&[], &limits);
            let memory = (sources.iter())
                .map(|(name, text)| (lexical(Path::new(name)), text.to_string()))
                .collect();
            loader.memory = Some(memory);
            for (name, _) in sources {
                loader.load_file(Path::new(name), None);
            }
            Self::finish(loader)
        })
    }

    /// Keeps only the rules named by `ids` (`check --select`), and plans only them, so the
    /// rest cost nothing. On a name the pack does not have, nothing changes and the error
    /// says which names, with a suggestion.
    pub fn select<S: AsRef<str>>(&mut self, ids: &[S]) -> Result<(), UnknownRules> {
        let known: Vec<&str> = self.checked.rules.iter().map(|r| r.id.as_str()).collect();
        let unknown: Vec<(String, Option<String>)> = ids
            .iter()
            .map(AsRef::as_ref)
            .filter(|id| !known.contains(id))
            .map(|id| {
                let hint = crate::suggest::did_you_mean(id, "the rules are", known.iter().copied());
                (id.to_string(), hint)
            })
            .collect();
        if !unknown.is_empty() {
            return Err(UnknownRules { unknown });
        }
        let (kept, dropped) = std::mem::take(&mut self.checked.rules)
            .into_iter()
            .partition(|r| ids.iter().any(|id| id.as_ref() == r.id));
        self.checked.rules = kept;
        self.plan = plan::compile(&self.checked, &self.sources);
        self.plan.unselected = dropped.into_iter().map(|r: check::ir::Rule| r.id).collect();
        Ok(())
    }

    fn finish(loader: Loader) -> Result<Pack, PackError> {
        let Loader {
            sources,
            files,
            mut diagnostics,
            unreadable,
            mappings,
            ..
        } = loader;
        let (checked, errors) = check::check(&sources, &files);
        diagnostics.extend(errors.into_iter().map(PackDiagnostic::from));
        diagnostics.sort_by_key(|d| (d.span().file, d.span().range.start));
        if !unreadable.is_empty()
            || diagnostics.iter().any(PackDiagnostic::is_error)
            || files.is_empty()
        {
            let mut unreadable = unreadable;
            if files.is_empty() && unreadable.is_empty() && sources.iter().next().is_none() {
                unreadable.push((PathBuf::from("(rules)"), "no `.cord` files found".into()));
            }
            return Err(PackError {
                sources,
                diagnostics,
                unreadable,
            });
        }
        let plan = plan::compile(&checked, &sources);
        Ok(Pack {
            sources,
            checked,
            plan,
            warnings: diagnostics,
            mappings,
        })
    }
}
