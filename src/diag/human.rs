//! Human output: miette-rendered diagnostics with the offending data lines.

use super::lines::LineReader;
use super::printable::{escaped, same_length, Printable};
use super::window;
use crate::eval::Finding;
use crate::ops::Severity;
use crate::pack::{Pack, PackError};
use crate::run::Outcome;
use crate::run::Problem;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// ANSI colours.
    Always,
    /// Plain text.
    Never,
}

fn handler(color: Color) -> GraphicalReportHandler {
    let theme = match color {
        Color::Always => GraphicalTheme::unicode(),
        Color::Never => GraphicalTheme::unicode_nocolor(),
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_links(false)
}

/// Renders one diagnostic to text, its message, help and labels escaped for a terminal
/// (`Printable`).
pub fn render(diagnostic: &dyn Diagnostic, color: Color) -> String {
    let mut out = String::new();
    let _ = handler(color).render_report(&mut out, &Printable::new(diagnostic));
    out
}

/// Renders every problem of a rule pack that failed to compile.
pub fn render_pack_error(error: &PackError, color: Color) -> String {
    let mut out = String::new();
    for (path, reason) in &error.unreadable {
        out.push_str(&format!(
            "error: cannot read rules from `{}`: {reason}\n",
            path.display()
        ));
    }
    out.push_str(&render_rule_diagnostics(
        &error.sources,
        &error.diagnostics,
        color,
    ));
    out
}

/// Renders the warnings of a pack that compiled.
pub fn render_pack_warnings(pack: &Pack, color: Color) -> String {
    render_rule_diagnostics(&pack.sources, &pack.warnings, color)
}

/// Renders rule-file diagnostics, each with the text of the file it points into.
fn render_rule_diagnostics(
    sources: &crate::span::SourceMap,
    diagnostics: &[crate::pack::PackDiagnostic],
    color: Color,
) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let file = sources.get(d.span().file);
        let labels: Vec<LabeledSpan> = d.labels().map_or(Vec::new(), Iterator::collect);
        // Only the labels' lines: a diagnostic shows the lines it points at and nothing
        // around them, as rustc does (so never more of a file than the mistake); and miette
        // reads a source from its start for every label, so the whole file made a file of
        // many errors quadratic.
        let start = labels.iter().map(|l| l.offset()).min().unwrap_or(0);
        let end = labels
            .iter()
            .map(|l| l.offset() + l.len())
            .max()
            .unwrap_or(0);
        let shown = around(&file.text, start..end.max(start));
        let labels = labels
            .into_iter()
            .map(|l| shifted(l, shown.start))
            .collect();
        let shown = DataLine {
            name: escaped(&file.display_name(), false).into_owned(),
            text: same_length(&file.text[shown.clone()]).into_owned(),
            line: file.line_col(shown.start).0,
        }
        .windowed(labels);
        out.push_str(&render(&Relabeled { inner: d, shown }, color));
    }
    out
}

/// The lines of `text` that `range` touches.
fn around(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let (start, end) = (range.start.min(text.len()), range.end.min(text.len()));
    let from = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let to = text[end..].find('\n').map_or(text.len(), |i| end + i);
    from..to
}

/// A label moved back by `by` bytes, for an excerpt starting there.
fn shifted(label: LabeledSpan, by: usize) -> LabeledSpan {
    let span = (label.offset().saturating_sub(by), label.len());
    let text = label.label().map(str::to_string);
    match label.primary() {
        true => LabeledSpan::new_primary_with_span(text, span),
        false => LabeledSpan::new_with_span(text, span),
    }
}

/// A diagnostic shown over a windowed copy of its source ([`window`]), its labels moved.
struct Relabeled<'a> {
    inner: &'a dyn Diagnostic,
    shown: (Option<Box<dyn SourceCode>>, Vec<LabeledSpan>),
}

impl fmt::Debug for Relabeled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Relabeled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for Relabeled<'_> {}

impl Diagnostic for Relabeled<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.shown.0.as_deref()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.shown.1.is_empty()).then(|| {
            Box::new(self.shown.1.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>
        })
    }
}

/// One line of a data file (or a whole rule file) shown with its real line number.
#[derive(Debug, Clone)]
struct DataLine {
    name: String,
    text: String,
    /// The number of the text's first line.
    line: usize,
}

impl DataLine {
    /// The source and labels for miette, long lines cut to a window around the labels.
    fn windowed(self, labels: Vec<LabeledSpan>) -> (Option<Box<dyn SourceCode>>, Vec<LabeledSpan>) {
        let shown = window::window(&self.text, &labels);
        let line = DataLine {
            text: shown.text,
            ..self
        };
        (Some(Box::new(line)), shown.labels)
    }
}

impl SourceCode for DataLine {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line.saturating_sub(1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A finding or data error as a miette diagnostic.
struct Rendered {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Box<dyn SourceCode>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &dyn Diagnostic>>
        })
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// The byte range of `"field": value` in a JSON line, found textually.
fn field_range(line: &str, field: &str) -> Option<std::ops::Range<usize>> {
    let key = format!("\"{field}\"");
    let start = line.find(&key)?;
    let after = &line[start + key.len()..];
    let colon = after.find(':')?;
    let value_start = start + key.len() + colon + 1;
    let rest = &line[value_start..];
    let trimmed = rest.len() - rest.trim_start().len();
    let end = value_end(&rest[trimmed..]);
    Some(start..value_start + trimmed + end)
}

/// The length of the JSON value at the start of `text`.
fn value_end(text: &str) -> usize {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => {
                in_string = !in_string;
                if !in_string && depth == 0 {
                    return i + 1;
                }
            }
            '[' | '{' if !in_string => depth += 1,
            ']' | '}' if !in_string => {
                depth -= 1;
                if depth <= 0 {
                    return i + 1;
                }
            }
            ',' if !in_string && depth == 0 => return i,
            _ => {}
        }
    }
    text.trim_end().len()
}

/// Renders findings, data errors and the summary of a run.
pub struct HumanRenderer<'a> {
    shown: Shown<'a>,
    outcome: &'a Outcome,
}

impl<'a> HumanRenderer<'a> {
    /// A renderer for one run.
    pub fn new(pack: &'a Pack, outcome: &'a Outcome, color: Color) -> Self {
        let shown = Shown {
            pack,
            names: outcome.sources.iter().map(|s| s.name.clone()).collect(),
            lines: LineReader::default(),
            color,
        };
        for (i, source) in outcome.sources.iter().enumerate() {
            let id = crate::data::SourceId(i as u32);
            shown.lines.add(id, source.readable.as_deref());
        }
        HumanRenderer { shown, outcome }
    }

    /// Everything: data errors, findings, then the summary.
    pub fn render_all(&self) -> String {
        let mut out = String::new();
        for e in &self.outcome.data_errors {
            out.push_str(&self.shown.data_error_text(e));
        }
        for f in &self.outcome.findings {
            out.push_str(&self.shown.finding_text(f));
        }
        out.push_str(&summary(self.shown.pack, self.outcome));
        out
    }
}

/// The closing summary, escaped for a terminal.
pub(super) fn summary(pack: &Pack, outcome: &Outcome) -> String {
    escaped(&super::summary_text(pack, outcome), true).into_owned()
}

/// Findings and data errors as miette diagnostics over the data lines of `lines`.
pub(super) struct Shown<'a> {
    pub(super) pack: &'a Pack,
    /// The sources' names, by source id.
    pub(super) names: Vec<String>,
    pub(super) lines: LineReader,
    pub(super) color: Color,
}

impl Shown<'_> {
    /// A finding, rendered.
    pub(super) fn finding_text(&self, f: &Finding) -> String {
        render(&self.finding(f), self.color)
    }

    /// A data error, rendered.
    pub(super) fn data_error_text(&self, e: &Problem) -> String {
        render(&self.data_error(e), self.color)
    }

    fn data_line(&self, origin: crate::data::Origin) -> Option<DataLine> {
        let text = self.lines.get(origin)?;
        let name = (self.names.get(origin.source.0 as usize))
            .map_or("?".into(), |name| escaped(name, false).into_owned());
        // Escaped before any label is placed in it, so labels point into what is shown.
        Some(DataLine {
            name,
            text: escaped(&text, false).into_owned(),
            line: origin.line as usize,
        })
    }

    /// The finding as a miette diagnostic: the primary record's line, related records, and
    /// the rule's definition.
    fn finding(&self, f: &Finding) -> Rendered {
        let rule = &self.pack.plan.rules[f.rule];
        let mut related: Vec<Rendered> = f
            .records
            .iter()
            .skip(1)
            .take(8)
            .map(|r| self.record_note(r, "related record"))
            .collect();
        related.push(self.rule_note(f.rule));
        let (source, labels) = match f
            .records
            .first()
            .and_then(|r| self.data_line(r.origin).map(|l| (r, l)))
        {
            Some((r, line)) => {
                let kind = &self.pack.plan.schema.kind(r.kind).name;
                let label = LabeledSpan::new_primary_with_span(
                    Some(format!("{kind} `{}`", r.id)),
                    (0, line.text.len()),
                );
                line.windowed(vec![label])
            }
            None => (None, Vec::new()),
        };
        let item = f
            .item
            .as_deref()
            .map_or("the data set".to_string(), |i| format!("item `{i}`"));
        Rendered {
            message: format!("{} (in {item})", f.message),
            code: rule.id.clone(),
            severity: miette_severity(rule.severity),
            help: (!rule.doc.is_empty()).then(|| rule.doc.join("\n")),
            source,
            labels,
            related,
        }
    }

    fn record_note(&self, r: &crate::eval::RecordRef, what: &str) -> Rendered {
        let kind = &self.pack.plan.schema.kind(r.kind).name;
        let (source, labels) = self.data_line(r.origin).map_or((None, Vec::new()), |l| {
            let label =
                LabeledSpan::new_with_span(Some(format!("{kind} `{}`", r.id)), (0, l.text.len()));
            l.windowed(vec![label])
        });
        Rendered {
            message: format!("{what}: {kind} `{}`", r.id),
            code: String::new(),
            severity: miette::Severity::Advice,
            help: None,
            source,
            labels,
            related: Vec::new(),
        }
    }

    fn rule_note(&self, rule: usize) -> Rendered {
        let plan = &self.pack.plan.rules[rule];
        let file = self
            .pack
            .sources
            .iter()
            .find(|(_, f)| f.shown == plan.location.file)
            .map(|(_, f)| f);
        let (source, labels) = match file {
            Some(f) => {
                let start = plan.location.range.start;
                let header_end = f.text[start..]
                    .find('{')
                    .map_or(plan.location.range.end, |i| start + i);
                // The header's lines only, not the whole file: a note shows what it points
                // at, and miette scans a source from its start for every label it places.
                let text = &f.text;
                let shown = around(text, start..header_end);
                let label = LabeledSpan::new_with_span(
                    Some("rule defined here".into()),
                    (start - shown.start, header_end - start),
                );
                let (from, to) = (shown.start, shown.end);
                let file = DataLine {
                    name: escaped(&f.display_name(), false).into_owned(),
                    text: same_length(&text[from..to]).into_owned(),
                    line: f.line_col(from).0,
                };
                file.windowed(vec![label])
            }
            None => (None, Vec::new()),
        };
        Rendered {
            message: format!("rule `{}`", plan.id),
            code: String::new(),
            severity: miette::Severity::Advice,
            help: None,
            source,
            labels,
            related: Vec::new(),
        }
    }

    fn data_error(&self, e: &Problem) -> Rendered {
        let origin = e.origin();
        let line = self.data_line(origin);
        let whole_line = |text: &str| {
            vec![LabeledSpan::new_primary_with_span(
                Some("here".into()),
                (0, text.len()),
            )]
        };
        let labels = match (&line, e.field()) {
            // A JSON line names the field; a line of another format (a subtitle's timing
            // line, a TextGrid value) is the record's place as a whole.
            (Some(l), Some(field)) => field_range(&l.text, field).map_or_else(
                || whole_line(&l.text),
                |r| {
                    vec![LabeledSpan::new_primary_with_span(
                        Some(format!("`{field}`")),
                        (r.start, r.len()),
                    )]
                },
            ),
            (Some(l), None) => whole_line(&l.text),
            _ => Vec::new(),
        };
        let (source, labels) = match line {
            Some(l) => l.windowed(labels),
            None => (None, labels),
        };
        let location = (self.names.get(origin.source.0 as usize)).map_or(String::new(), |name| {
            if origin.line > 0 {
                format!(" ({name}:{})", origin.line)
            } else {
                format!(" ({name})")
            }
        });
        Rendered {
            message: format!("{e}{location}"),
            code: e.code_str(),
            severity: miette::Severity::Error,
            help: e.help().map(|h| h.to_string()),
            source,
            labels,
            related: Vec::new(),
        }
    }
}

/// How `--format human` renders findings as a run goes ([`super::spool`]): each with its data
/// lines, read from the sources as the run opens them.
pub struct HumanFindings<'p> {
    shown: Shown<'p>,
}

impl super::spool::Rendering for HumanFindings<'_> {
    fn render(
        &mut self,
        _slot: &crate::run::Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        for f in findings {
            out.extend_from_slice(self.shown.finding_text(f).as_bytes());
        }
        Ok(())
    }

    fn source(&mut self, id: crate::data::SourceId, info: &crate::run::SourceInfo) {
        let index = id.0 as usize;
        if self.shown.names.len() <= index {
            self.shown.names.resize(index + 1, String::new());
        }
        self.shown.names[index] = info.name.clone();
        self.shown.lines.add(id, info.readable.as_deref());
    }
}

/// A spool of rendered findings for a run of `pack`.
pub fn spool(pack: &Pack, color: Color) -> std::io::Result<super::spool::Spool<HumanFindings<'_>>> {
    super::spool::Spool::new(HumanFindings {
        shown: Shown {
            pack,
            names: Vec::new(),
            lines: Default::default(),
            color,
        },
    })
}

/// Writes the run's report, as [`HumanRenderer::render_all`] would, to `out`: data errors,
/// the findings spooled, the summary.
pub fn finish(
    spool: super::spool::Spool<HumanFindings>,
    outcome: &Outcome,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut spool = spool;
    let pack = spool.rendering().shown.pack;
    let errors = HumanRenderer::new(pack, outcome, spool.rendering().shown.color);
    for e in &outcome.data_errors {
        out.write_all(errors.shown.data_error_text(e).as_bytes())?;
    }
    spool.copy_to(out, 0)?;
    out.write_all(summary(pack, outcome).as_bytes())
}
