//! Mappings: how the rows of a CSV or TSV file, or the objects of a JSON data set, become
//! records. A mapping is a TOML file in a rule pack's directory (`*.toml`) with one
//! `[[input]]` table per kind of file, matched by file name (docs/formats.md has the full
//! description and an example per data set):
//!
//! ```toml
//! [[input]]
//! format = "csv"
//! files = "*_sent_emo*.csv"
//!
//! [[input.record]]
//! kind = "utterance"
//! item = "dialogue {Dialogue_ID}"
//! id = "u{Utterance_ID}"
//! start = { from = "{StartTime}", as = "time", unit = "clock" }
//! end = { from = "{EndTime}", as = "time", unit = "clock" }
//! fields.speaker = "{Speaker}"
//! fields.index = { from = "{Utterance_ID}", as = "number" }
//! ```
//!
//! Values are templates: `{name}` is a column (CSV) or a path (JSON), and text around it is
//! kept. A template that is one reference alone gives that value as it is — missing when
//! the cell is empty, a number when the JSON holds one.

use serde::Deserialize;
use std::path::Path;

/// The mappings of a rule pack.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mappings {
    /// One entry per kind of input file.
    #[serde(default)]
    pub input: Vec<InputSpec>,
}

/// Why a mapping file's text is not a mapping (the TOML parser's message, or which table
/// lacks what).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadMapping(pub String);

impl Mappings {
    /// Parses a mapping file's text.
    pub fn parse(text: &str) -> Result<Mappings, BadMapping> {
        let mappings: Mappings = toml::from_str(text).map_err(|e| BadMapping(e.to_string()))?;
        for spec in &mappings.input {
            spec.validate().map_err(BadMapping)?;
        }
        Ok(mappings)
    }

    /// Adds another file's mappings after these.
    pub fn extend(&mut self, other: Mappings) {
        self.input.extend(other.input);
    }

    /// The first mapping for a file, by its name and extension.
    pub fn for_path(&self, path: &Path) -> Option<&InputSpec> {
        let name = path.file_name()?.to_string_lossy();
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        self.input.iter().find(|spec| {
            spec.format.extensions().contains(&extension.as_str())
                && spec
                    .files
                    .as_deref()
                    .is_none_or(|glob| glob::Pattern::new(glob).is_ok_and(|p| p.matches(&name)))
        })
    }
}

/// How one kind of input file becomes records.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The file's format.
    pub format: TableFormat,
    /// A glob on the file name (`*.csv`); every file of the format when absent.
    #[serde(default)]
    pub files: Option<String>,
    /// Whether a CSV file's first row names its columns.
    #[serde(default = "yes")]
    pub header: bool,
    /// The CSV field delimiter (`,` for csv, a tab for tsv).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// `rows` (a record spec per row) or `matrix` (a record spec per non-empty cell, as in
    /// "one row per item, one column per annotator" files).
    #[serde(default)]
    pub layout: Layout,
    /// What records each row, cell or JSON element gives.
    #[serde(rename = "record")]
    pub records: Vec<RecordSpec>,
}

fn yes() -> bool {
    true
}

impl InputSpec {
    fn validate(&self) -> Result<(), String> {
        if self.records.is_empty() {
            return Err(format!(
                "the [[input]] for {} files has no [[input.record]]",
                self.format.name()
            ));
        }
        if let Some(glob) = &self.files {
            glob::Pattern::new(glob).map_err(|e| format!("files = \"{glob}\": {e}"))?;
        }
        for record in &self.records {
            let json = matches!(self.format, TableFormat::Json | TableFormat::Jsonl);
            match (&record.each, json) {
                (Some(Each::Split { .. }), true) => {
                    return Err(format!("record `{}`: JSON records iterate with each = [paths], not a split", record.kind))
                }
                (Some(Each::Paths(_)), false) => {
                    return Err(format!("record `{}`: CSV records iterate with each = {{ split = \"{{column}}\", by = \";\" }}", record.kind))
                }
                _ => {}
            }
            for (name, spec) in &record.fields {
                if let ValueSpec::Typed(t) = spec {
                    if t.as_ != As::Box && (t.corners || t.percent_of.is_some()) {
                        return Err(format!("record `{}`, field `{name}`: `corners` and `percent_of` belong to boxes (as = \"box\")", record.kind));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The formats a mapping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Comma-separated values.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// One JSON document.
    Json,
    /// JSON Lines that are not canonical records.
    Jsonl,
}

impl TableFormat {
    /// The reader of files of this layout.
    pub fn input_format(self) -> super::InputFormat {
        match self {
            TableFormat::Csv | TableFormat::Tsv => super::InputFormat::Csv,
            TableFormat::Json | TableFormat::Jsonl => super::InputFormat::MappedJson,
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            TableFormat::Csv => &["csv"],
            TableFormat::Tsv => &["tsv", "tab"],
            TableFormat::Json => &["json"],
            TableFormat::Jsonl => &["jsonl", "ndjson"],
        }
    }

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "CSV",
            TableFormat::Tsv => "TSV",
            TableFormat::Json => "JSON",
            TableFormat::Jsonl => "JSON Lines",
        }
    }
}

/// How a CSV file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Each row gives the records of its record specs.
    #[default]
    Rows,
    /// Each non-empty cell does (`{$row}`, `{$column}`, `{$header}`, `{$cell}`).
    Matrix,
}

/// One record spec: the record's kind, item, id, times and fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// The kind.
    pub kind: String,
    /// The item, a template.
    pub item: String,
    /// The id, a template (unique within the item).
    pub id: String,
    /// Iterate within the row or element: one record per piece.
    #[serde(default)]
    pub each: Option<Each>,
    /// The start time (seconds unless `unit` says otherwise).
    #[serde(default)]
    pub start: Option<ValueSpec>,
    /// The end time.
    #[serde(default)]
    pub end: Option<ValueSpec>,
    /// Other fields, by name.
    #[serde(default)]
    pub fields: indexmap::IndexMap<String, ValueSpec>,
}

/// What a record spec iterates over.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Each {
    /// CSV: the pieces of a cell split by `by` (`;` by default); a piece is `{$}`, its
    /// whitespace-separated parts `{$1}`, `{$2}`…, its position `{$index}` (from 1).
    Split {
        /// The text to split, a template.
        split: String,
        /// The separator.
        #[serde(default)]
        by: Option<String>,
    },
    /// JSON: paths, each iterated in turn from the element of the one before (`*` is the
    /// document itself). Level N's element is `@N`, its key `%N`, its index `#N` (from 0).
    Paths(Vec<String>),
}

/// A field's value: a template, or a template with a type.
#[derive(Debug, Clone)]
pub enum ValueSpec {
    /// Text (or, as a lone reference, the value as it is).
    Template(String),
    /// A converted value.
    Typed(Typed),
}

/// By hand rather than `untagged`: a mistake inside a table (`form = …`) is then reported as
/// what it is (an unknown field, and which ones there are), not as "did not match any variant".
impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Spec;
        impl<'de> serde::de::Visitor<'de> for Spec {
            type Value = ValueSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a template such as \"{column}\", or a table such as \
                     { from = \"{column}\", as = \"number\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ValueSpec, E> {
                Ok(ValueSpec::Template(text.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ValueSpec, A::Error> {
                let table = serde::de::value::MapAccessDeserializer::new(map);
                Typed::deserialize(table).map(ValueSpec::Typed)
            }
        }
        deserializer.deserialize_any(Spec)
    }
}

/// A template converted to a type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typed {
    /// The template.
    pub from: String,
    /// What to make of it.
    #[serde(rename = "as", default)]
    pub as_: As,
    /// For times: how the text counts time.
    #[serde(default)]
    pub unit: Option<TimeUnit>,
    /// For times in frames.
    #[serde(default)]
    pub fps: Option<f64>,
    /// For lists: the separator (`,` by default).
    #[serde(default)]
    pub by: Option<String>,
    /// A regular expression the filled text must match; the value is its capture `group`
    /// (1 by default), so `vid_210.0_360.0` can give `360.0`. No match makes it missing.
    #[serde(default, with = "serde_regex_opt")]
    pub pattern: Option<regex::Regex>,
    /// The capture group of `pattern` to take.
    #[serde(default)]
    pub group: Option<usize>,
    /// For boxes: the numbers are two corners, `x0, y0, x1, y1`.
    #[serde(default)]
    pub corners: bool,
    /// For boxes: the numbers are percentages of a frame whose `width, height` this template
    /// gives (Label Studio's way), turned into pixels.
    #[serde(default)]
    pub percent_of: Option<String>,
}

/// Compiles `pattern` when the mapping is read, so a bad one is reported with the file.
mod serde_regex_opt {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<regex::Regex>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| regex::Regex::new(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The types a mapped value can be made into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum As {
    /// Text.
    #[default]
    Text,
    /// A number.
    Number,
    /// A time in seconds.
    Time,
    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    Bool,
    /// A list of texts.
    List,
    /// A list of numbers.
    Numbers,
    /// A box `[x, y, width, height]` (a fifth number is a rotation) from numbers, from
    /// corners (`corners = true`), or from percentages of a frame (`percent_of`).
    Box,
}

/// How a text counts time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds, as a number.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Frames at `fps`.
    Frames,
    /// `[h:]mm:ss[.,]ttt`, hours of any number of digits, three digits of milliseconds.
    Clock,
}
