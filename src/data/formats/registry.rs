//! The input formats, one entry each in [`FORMATS`]: its name for `--input-format` and the
//! other spellings accepted, the extensions that choose it, how a `.json` file's first bytes
//! show it, the kinds it gives, its reader and its one-line description. The command line's
//! format names and help, `convert`'s message and `docs/formats.md`'s table (checked by
//! `tests/formats.rs`) come from here, and [`InputFormat::choose`] is the one place that
//! decides which reader handles an input, given the pack's mappings.

use super::mapping::{InputSpec, Mappings};
use super::{coco, cvat, elan, labelstudio, subtitles, textgrid, InputFormat, Out};
use std::path::Path;

/// One input format.
pub struct Format {
    /// Which format.
    pub format: InputFormat,
    /// Its name: what `--input-format` takes and diagnostics say.
    pub name: &'static str,
    /// Other names `--input-format` takes.
    pub aliases: &'static [&'static str],
    /// Whether `--input-format` can force it (a mapped format is chosen by its mapping).
    pub forced: bool,
    /// The extensions (lower case, without the dot) that choose it.
    pub extensions: &'static [&'static str],
    /// For an extension other formats share (`.json`): whether a file's first 64 KiB are
    /// of this format.
    pub sniff: Option<fn(&str) -> bool>,
    /// The record kinds it gives.
    pub kinds: &'static [&'static str],
    /// How it is read.
    pub read: Read,
    /// What it is, for help texts and the docs.
    pub describes: &'static str,
}

/// How a format is read.
#[derive(Clone, Copy)]
pub enum Read {
    /// Line by line, in batches, by the run's pipeline (JSON Lines, and JSON arrays).
    Lines,
    /// The whole file's text by one reader.
    Whole(fn(&str, &mut Out)),
    /// Through a mapping of the rule pack.
    Mapped,
    /// The whole file's bytes by one reader (a binary format).
    Binary(fn(&[u8], &mut Out)),
}

/// Every input format, in the order help texts and the docs list them.
pub static FORMATS: [Format; 13] = [
    Format {
        format: InputFormat::JsonLines,
        name: "jsonl",
        aliases: &["json", "ndjson"],
        forced: true,
        extensions: &[],
        sniff: None,
        kinds: &[],
        read: Read::Lines,
        describes: "JSON Lines, or one JSON array of records",
    },
    Format {
        format: InputFormat::WebVtt,
        name: "vtt",
        aliases: &["webvtt"],
        forced: true,
        extensions: &["vtt"],
        sniff: None,
        kinds: &["cue"],
        read: Read::Whole(subtitles::read_vtt),
        describes: "WebVTT subtitles",
    },
    Format {
        format: InputFormat::Srt,
        name: "srt",
        aliases: &[],
        forced: true,
        extensions: &["srt"],
        sniff: None,
        kinds: &["cue"],
        read: Read::Whole(subtitles::read_srt),
        describes: "SubRip subtitles",
    },
    Format {
        format: InputFormat::Sbv,
        name: "sbv",
        aliases: &[],
        forced: true,
        extensions: &["sbv"],
        sniff: None,
        kinds: &["cue"],
        read: Read::Whole(subtitles::read_sbv),
        describes: "YouTube SubViewer subtitles",
    },
    Format {
        format: InputFormat::TextGrid,
        name: "textgrid",
        aliases: &[],
        forced: true,
        extensions: &["textgrid"],
        sniff: None,
        kinds: &["grid", "tier", "interval", "point"],
        read: Read::Whole(textgrid::read),
        describes: "Praat TextGrid, long or short text format, UTF-8 or UTF-16",
    },
    Format {
        format: InputFormat::Elan,
        name: "eaf",
        aliases: &["elan"],
        forced: true,
        extensions: &["eaf"],
        sniff: None,
        kinds: &["tier", "annotation", "cv_entry"],
        read: Read::Whole(elan::read),
        describes: "ELAN annotation document",
    },
    Format {
        format: InputFormat::Cvat,
        name: "cvat",
        aliases: &[],
        forced: true,
        extensions: &["xml"],
        sniff: None,
        kinds: &["task", "track", "shape", "image", "object"],
        read: Read::Whole(cvat::read),
        describes: "CVAT 1.1 XML, for video and for images",
    },
    Format {
        format: InputFormat::Coco,
        name: "coco",
        aliases: &[],
        forced: true,
        extensions: &["json"],
        sniff: Some(coco::looks_like_coco),
        kinds: &["image", "object"],
        read: Read::Whole(coco::read),
        describes: "COCO JSON (images, categories, annotations with `bbox` and `segmentation`): one item per image",
    },
    Format {
        format: InputFormat::LabelStudio,
        name: "labelstudio",
        aliases: &["label-studio", "ls"],
        forced: true,
        extensions: &["json"],
        sniff: Some(labelstudio::looks_like_export),
        kinds: &[
            "task",
            "annotation",
            "region",
            "segment",
            "keyframe",
            "track",
            "data",
        ],
        read: Read::Whole(labelstudio::read),
        describes: "Label Studio JSON export",
    },
    Format {
        format: InputFormat::Csv,
        name: "csv (mapped)",
        aliases: &[],
        forced: false,
        extensions: &["csv", "tsv", "tab"],
        sniff: None,
        kinds: &[],
        read: Read::Mapped,
        describes: "a CSV or TSV file, through a mapping of the rule pack",
    },
    Format {
        format: InputFormat::MappedJson,
        name: "json (mapped)",
        aliases: &[],
        forced: false,
        extensions: &[],
        sniff: None,
        kinds: &[],
        read: Read::Mapped,
        describes: "a JSON data set, through a mapping of the rule pack",
    },
    Format {
        format: InputFormat::Parquet,
        name: "parquet",
        aliases: &[],
        forced: true,
        extensions: &["parquet", "pq"],
        sniff: None,
        kinds: &[],
        read: Read::Binary(columnar::read_parquet),
        describes: "Parquet: canonical records, a row each, a column per field",
    },
    Format {
        format: InputFormat::Arrow,
        name: "arrow",
        aliases: &["feather", "ipc"],
        forced: true,
        extensions: &["arrow", "arrows", "feather", "ipc"],
        sniff: None,
        kinds: &[],
        read: Read::Binary(columnar::read_arrow),
        describes: "Arrow IPC, file or stream: canonical records, a row each, a column per field",
    },
];

/// The readers of Parquet and Arrow IPC, or, in a build without them, readers that say so.
#[cfg(feature = "columnar")]
use super::columnar;
#[cfg(not(feature = "columnar"))]
mod columnar {
    use super::{InputFormat, Out};

    fn missing(format: InputFormat, out: &mut Out) {
        let message = "this build of Concordant reads no Parquet or Arrow files".to_string();
        let help = "build it with the `columnar` feature (the command line has it)".to_string();
        out.malformed(format, 0, message, Some(help));
    }

    pub(super) fn read_parquet(_: &[u8], out: &mut Out) {
        missing(InputFormat::Parquet, out);
    }

    pub(super) fn read_arrow(_: &[u8], out: &mut Out) {
        missing(InputFormat::Arrow, out);
    }
}

impl InputFormat {
    /// Its entry in [`FORMATS`].
    pub fn entry(self) -> &'static Format {
        let entry = FORMATS.iter().find(|f| f.format == self);
        entry.unwrap_or(&FORMATS[0])
    }

    /// The formats `--input-format` can force, with their names.
    pub fn forcible() -> impl Iterator<Item = &'static Format> {
        FORMATS.iter().filter(|f| f.forced)
    }

    /// The format named `name` (as `--input-format` takes it; case does not matter).
    pub fn from_name(name: &str) -> Option<InputFormat> {
        let name = name.to_ascii_lowercase();
        Self::forcible()
            .find(|f| f.name == name || f.aliases.contains(&name.as_str()))
            .map(|f| f.format)
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The record kinds the format gives.
    pub fn kinds(self) -> &'static [&'static str] {
        self.entry().kinds
    }

    /// The format of a file, from its extension; JSON Lines when the extension says nothing
    /// else (or only formats that show themselves in the file's content share it).
    pub fn of_path(path: &Path) -> InputFormat {
        let extension = extension(path);
        (FORMATS.iter())
            .find(|f| f.sniff.is_none() && f.extensions.contains(&extension.as_str()))
            .map_or(InputFormat::JsonLines, |f| f.format)
    }

    /// The format of a file, from its extension and, where formats share one, its first
    /// bytes: a `.json` document that looks like a Label Studio export is one; any other is
    /// canonical records.
    pub fn of_file(path: &Path) -> InputFormat {
        let by_extension = InputFormat::of_path(path);
        let extension = extension(path);
        let sniffed = (FORMATS.iter())
            .any(|f| f.sniff.is_some() && f.extensions.contains(&extension.as_str()));
        if by_extension != InputFormat::JsonLines || !sniffed {
            return by_extension;
        }
        let mut prefix = vec![0u8; 64 * 1024];
        let read = std::fs::File::open(path).and_then(|mut f| {
            use std::io::Read;
            f.read(&mut prefix)
        });
        match read {
            Ok(n) => InputFormat::of_content(path, &prefix[..n]),
            Err(_) => by_extension,
        }
    }

    /// [`InputFormat::of_file`] of a file known by `name` whose content starts with `prefix`
    /// (held in memory rather than on disk).
    pub fn of_content(name: &Path, prefix: &[u8]) -> InputFormat {
        let by_extension = InputFormat::of_path(name);
        if by_extension != InputFormat::JsonLines {
            return by_extension;
        }
        let extension = extension(name);
        let text = String::from_utf8_lossy(prefix);
        (FORMATS.iter())
            .filter(|f| f.extensions.contains(&extension.as_str()))
            .find(|f| f.sniff.is_some_and(|sniff| sniff(&text)))
            .map_or(by_extension, |f| f.format)
    }

    /// [`InputFormat::choose`] for content held in memory under `name`.
    pub fn choose_named<'m>(
        name: &Path,
        prefix: &[u8],
        forced: Option<InputFormat>,
        mappings: &'m Mappings,
    ) -> (InputFormat, Option<&'m InputSpec>) {
        match InputFormat::choose(Some(name), forced, mappings) {
            (_, None) if forced.is_none() => (InputFormat::of_content(name, prefix), None),
            chosen => chosen,
        }
    }

    /// Which format reads an input (`path`, or standard input when `None`), and through
    /// which of the pack's mappings: a mapping whose files match the path decides, unless
    /// a format is forced; else the forced format; else the path's extension and content.
    /// The one place this is decided, for `check`, `convert` and the library alike.
    pub fn choose<'m>(
        path: Option<&Path>,
        forced: Option<InputFormat>,
        mappings: &'m Mappings,
    ) -> (InputFormat, Option<&'m InputSpec>) {
        let mapping = path.and_then(|p| mappings.for_path(p));
        match (mapping, forced, path) {
            (Some(spec), None, _) => (spec.format.input_format(), Some(spec)),
            (_, Some(format), _) => (format, None),
            (_, None, Some(path)) => (InputFormat::of_file(path), None),
            (_, None, None) => (InputFormat::JsonLines, None),
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}
