//! Readers for annotation formats other than JSON Lines: each turns a file into canonical
//! records (item, kind, id, start, end and fields) that go through the same validation as
//! JSON records, keeping the line of the original file each record came from, so that
//! diagnostics point into that file.
//!
//! A reader knows nothing of the schema: it gives every record its format can express, and
//! the run keeps those whose kind the schema declares (see [`InputFormat::kinds`]). What
//! each format gives is documented in `docs/formats.md`.

mod coco;
#[cfg(feature = "columnar")]
pub mod columnar;
pub mod cvat;
mod elan;
mod jsondoc;
mod labelstudio;
mod lstrack;
mod mapped;
pub mod mapping;
mod registry;
mod subtitles;
mod table;
mod textgrid;

pub use registry::{Format, Read, FORMATS};

use super::{DataError, Line, Lite, Origin, SourceId};
use std::borrow::Cow;

/// The format of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// JSON Lines, or one JSON array of records: the canonical format.
    JsonLines,
    /// WebVTT subtitles (`.vtt`).
    WebVtt,
    /// SubRip subtitles (`.srt`).
    Srt,
    /// YouTube SubViewer subtitles (`.sbv`).
    Sbv,
    /// Praat TextGrid, long or short text format (`.TextGrid`).
    TextGrid,
    /// ELAN annotation document (`.eaf`).
    Elan,
    /// CVAT for video 1.1 XML (`.xml`).
    Cvat,
    /// Label Studio JSON export (`.json` whose content is one).
    LabelStudio,
    /// COCO JSON (`.json` whose content is one): images, categories and annotations.
    Coco,
    /// CSV or TSV, read through a mapping.
    Csv,
    /// A JSON data set (one document, or JSON Lines of other objects), read through a
    /// mapping.
    MappedJson,
    /// Parquet: canonical records, a row each.
    Parquet,
    /// Arrow IPC, file or stream (`.arrow`, `.feather`): canonical records, a row each.
    Arrow,
}

/// What a reader needs to know beyond the file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Frames per second, for formats that count time in frames and do not say their rate
    /// (CVAT). Without it, such times are frame numbers.
    pub fps: Option<f64>,
    /// The mapping of a CSV or JSON data set.
    pub mapping: Option<std::sync::Arc<mapping::InputSpec>>,
}

/// Where a reader hands each record (or the reason a part of the file gives none), with the
/// line it starts on.
pub type Emit<'a> = dyn FnMut(Result<Line<'static>, DataError>, Origin) + 'a;

/// Whether a Label Studio export that starts with `peek` can be read task by task
/// ([`read_label_studio_tasks`]): it is an array whose first element, whole within `peek`, is
/// a task.
pub fn label_studio_streams(peek: &[u8]) -> bool {
    let mut first: Option<Vec<u8>> = None;
    let start = peek
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    if start.is_none_or(|at| peek[at] != b'[') {
        return false;
    }
    crate::data::read_elements(peek, SourceId(0), 1, usize::MAX, &mut |element, _| {
        if let (None, Ok(bytes)) = (&first, element) {
            first = Some(bytes.to_vec());
        }
    });
    first.is_some_and(|bytes| labelstudio::is_task(&bytes))
}

/// Reads a Label Studio export that is an array of tasks one task at a time, through the
/// array scanner of [`crate::data::read_elements`]: an export of any size costs the memory of
/// its largest task (at most `max_task_bytes`), and gives the records, with their places,
/// that reading it whole gives. `item` is the file's name, as for [`read_file`].
pub fn read_label_studio_tasks(
    reader: impl std::io::BufRead,
    item: &str,
    source: SourceId,
    options: &ReadOptions,
    max_task_bytes: usize,
    emit: &mut Emit,
) {
    let mut index = 0;
    crate::data::read_elements(reader, source, 1, max_task_bytes, &mut |element, origin| {
        let mut out = Out {
            item,
            source,
            fps: options.fps,
            emit: &mut *emit,
        };
        match element {
            Ok(bytes) => {
                let at = (origin.line as usize, origin.column as usize);
                labelstudio::read_task(bytes, &mut index, at, &mut out);
            }
            Err(e) => (out.emit)(Err(e), origin),
        }
    });
}

/// Reads a whole file of a non-JSON format. `item` names the item of formats that hold one
/// item per file (the file's name).
pub fn read_file(
    format: InputFormat,
    bytes: &[u8],
    item: &str,
    source: SourceId,
    options: &ReadOptions,
    emit: &mut Emit,
) {
    if let Read::Binary(read) = format.entry().read {
        let mut out = Out {
            item,
            source,
            fps: options.fps,
            emit,
        };
        return read(bytes, &mut out);
    }
    let text = decode(bytes, format, source, emit);
    let mut out = Out {
        item,
        source,
        fps: options.fps,
        emit,
    };
    match (format.entry().read, options.mapping.as_deref()) {
        (Read::Lines | Read::Binary(_), _) => {}
        (Read::Whole(read), _) => read(&text, &mut out),
        (Read::Mapped, Some(spec)) if format == InputFormat::Csv => table::read(&text, spec, &mut out),
        (Read::Mapped, Some(spec)) => jsondoc::read(&text, spec, &mut out),
        (Read::Mapped, None) => out.malformed(
            format,
            1,
            "a CSV or JSON data set is read through a mapping, and none matches this file".into(),
            Some("add an [[input]] table to a .toml file in the rule pack's directory (docs/formats.md)".into()),
        ),
    }
}

/// A file's records as canonical JSON Lines (what `concordant convert` prints: keys in the
/// order item, kind, id, fields), and the parts of it that give none, in file order. Every
/// kind the format gives is included.
pub fn to_json_lines(
    format: InputFormat,
    bytes: &[u8],
    item: &str,
    options: &ReadOptions,
) -> (Vec<(Origin, String)>, Vec<DataError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    read_file(
        format,
        bytes,
        item,
        SourceId(0),
        options,
        &mut |line, origin| match line {
            Ok(line) => records.push((origin, json_line(&line))),
            Err(e) => errors.push(e),
        },
    );
    (records, errors)
}

/// A record as one line of JSON, its keys in order.
fn json_line(line: &Line) -> String {
    let Line::Object(entries) = line else {
        return String::new();
    };
    let members: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_ref()), lite_json(v)))
        .collect();
    format!("{{{}}}", members.join(","))
}

fn lite_json(value: &Lite) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Lite::Null | Lite::Object(_) => J::Null,
        Lite::Bool(b) => J::Bool(*b),
        Lite::Int(n) => J::from(*n),
        Lite::UInt(n) => J::from(*n),
        Lite::Float(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Lite::Str(s) => J::String(s.to_string()),
        Lite::Array(items) => J::Array(items.iter().map(lite_json).collect()),
    }
}

/// The text of a file: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order
/// mark (Praat writes TextGrids with non-ASCII labels so). Invalid UTF-8 is reported at its
/// line and replaced, so the rest of the file is still read.
fn decode<'b>(
    bytes: &'b [u8],
    format: InputFormat,
    source: SourceId,
    emit: &mut Emit,
) -> Cow<'b, str> {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| unit([pair[0], pair[1]]))
            .collect();
        Cow::Owned(String::from_utf16_lossy(&units))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => decode(rest, format, source, emit),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(e) => {
                let line = 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                emit(
                    Err(DataError::Malformed {
                        format: format_title(format).into(),
                        message: "the file is not valid UTF-8".into(),
                        help: Some(
                            "invalid bytes are read as U+FFFD; save the file as UTF-8".into(),
                        ),
                        origin: Origin::line(source, line as u32),
                    }),
                    Origin::line(source, line as u32),
                );
                String::from_utf8_lossy(bytes)
            }
        },
    }
}

/// The format's name in messages.
pub fn format_title(format: InputFormat) -> &'static str {
    match format {
        InputFormat::JsonLines => "JSON Lines",
        InputFormat::WebVtt => "WebVTT",
        InputFormat::Srt => "SRT",
        InputFormat::Sbv => "SBV",
        InputFormat::TextGrid => "TextGrid",
        InputFormat::Elan => "ELAN",
        InputFormat::Cvat => "CVAT",
        InputFormat::LabelStudio => "Label Studio",
        InputFormat::Coco => "COCO",
        InputFormat::Csv => "CSV",
        InputFormat::MappedJson => "JSON",
        InputFormat::Parquet => "Parquet",
        InputFormat::Arrow => "Arrow IPC",
    }
}

/// What a reader writes to: records and problems, with their lines.
pub struct Out<'a, 'e> {
    item: &'a str,
    source: SourceId,
    fps: Option<f64>,
    emit: &'a mut Emit<'e>,
}

impl Out<'_, '_> {
    fn origin(&self, line: usize) -> Origin {
        Origin::line(self.source, line as u32)
    }

    /// A record starting at `(line, column)`.
    fn record_at(&mut self, (line, column): (usize, usize), record: Rec) {
        let mut origin = self.origin(line);
        origin.column = column as u32;
        (self.emit)(Ok(record.into_line()), origin);
    }

    /// A part of the file at `(line, column)` that gives no record.
    fn malformed_at(
        &mut self,
        format: InputFormat,
        (line, column): (usize, usize),
        message: String,
        help: Option<String>,
    ) {
        let mut origin = self.origin(line);
        origin.column = column as u32;
        (self.emit)(
            Err(DataError::Malformed {
                format: format_title(format).into(),
                message,
                help,
                origin,
            }),
            origin,
        );
    }

    /// A record starting on `line`.
    fn record(&mut self, line: usize, record: Rec) {
        self.record_at((line, 0), record);
    }

    /// A part of the file that gives no record, and why.
    fn malformed(
        &mut self,
        format: InputFormat,
        line: usize,
        message: String,
        help: Option<String>,
    ) {
        self.malformed_at(format, (line, 0), message, help);
    }
}

/// A canonical record being built: its entries in the order JSON would list them.
struct Rec {
    entries: Vec<(Cow<'static, str>, Lite<'static>)>,
}

impl Rec {
    fn new(item: &str, kind: impl Into<Cow<'static, str>>, id: String) -> Rec {
        let mut rec = Rec {
            entries: Vec::with_capacity(8),
        };
        rec.entries.push((
            Cow::Borrowed("item"),
            Lite::Str(Cow::Owned(item.to_string())),
        ));
        rec.entries
            .push((Cow::Borrowed("kind"), Lite::Str(kind.into())));
        rec.entries
            .push((Cow::Borrowed("id"), Lite::Str(Cow::Owned(id))));
        rec
    }

    fn num(mut self, key: &'static str, value: f64) -> Rec {
        self.entries.push((Cow::Borrowed(key), number(value)));
        self
    }

    fn int(mut self, key: &'static str, value: usize) -> Rec {
        self.entries
            .push((Cow::Borrowed(key), Lite::Int(value as i64)));
        self
    }

    fn lite(mut self, key: Cow<'static, str>, value: Lite<'static>) -> Rec {
        self.entries.push((key, value));
        self
    }

    fn texts(mut self, key: &'static str, values: &[String]) -> Rec {
        let items = values
            .iter()
            .map(|v| Lite::Str(Cow::Owned(v.clone())))
            .collect();
        self.entries.push((Cow::Borrowed(key), Lite::Array(items)));
        self
    }

    fn nums(mut self, key: &'static str, values: Vec<f64>) -> Rec {
        let items = values.into_iter().map(number).collect();
        self.entries.push((Cow::Borrowed(key), Lite::Array(items)));
        self
    }

    /// A text field whose name comes from the file (an attribute's name).
    fn text_owned_key(mut self, key: &str, value: impl Into<String>) -> Rec {
        self.entries.push((
            Cow::Owned(key.to_string()),
            Lite::Str(Cow::Owned(value.into())),
        ));
        self
    }

    fn bool(mut self, key: &'static str, value: bool) -> Rec {
        self.entries.push((Cow::Borrowed(key), Lite::Bool(value)));
        self
    }

    fn text(mut self, key: &'static str, value: impl Into<String>) -> Rec {
        self.entries
            .push((Cow::Borrowed(key), Lite::Str(Cow::Owned(value.into()))));
        self
    }

    /// A text field given only when there is one.
    fn text_opt(self, key: &'static str, value: Option<String>) -> Rec {
        match value {
            Some(v) => self.text(key, v),
            None => self,
        }
    }

    fn into_line(self) -> Line<'static> {
        Line::Object(self.entries)
    }
}

/// The line of a byte offset, by binary search over the offsets where lines start (XML
/// parsers give byte ranges; counting newlines from the start for every record would be
/// quadratic).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The byte offset where a 1-based line starts.
    fn start_of(&self, line: usize) -> usize {
        self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0)
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// A number as JSON would hold it: whole numbers as integers (`10`, not `10.0`), except
/// `-0`, which only a float keeps.
fn number(value: f64) -> Lite<'static> {
    let whole =
        value.fract() == 0.0 && value.abs() < 9.0e15 && !(value == 0.0 && value.is_sign_negative());
    if whole {
        Lite::Int(value as i64)
    } else {
        Lite::Float(value)
    }
}

/// Lines of a text with their 1-based numbers, without line terminators.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l))
}

/// Splits lines into blocks separated by blank (empty or all-whitespace) lines.
fn blocks<'t>(lines: &[(usize, &'t str)]) -> Vec<Vec<(usize, &'t str)>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for &(n, line) in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push((n, line));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}
