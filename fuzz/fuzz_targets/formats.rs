//! Every reader of a format other than JSON Lines, the first byte picking one: WebVTT,
//! SubRip, SubViewer, Praat TextGrid, ELAN, CVAT, Label Studio, and CSV and JSON data sets
//! through real mappings (MELD's, QVHighlights' and ActivityNet Captions', from
//! `rules/datasets/`). Nothing panics.
#![no_main]

use concordant::data::formats::mapping::Mappings;
use concordant::data::formats::{to_json_lines, InputFormat, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

/// A reader and what it needs to know.
type Reader = (InputFormat, ReadOptions);

fn mapped(format: InputFormat, text: &str) -> Reader {
    let mappings = Mappings::parse(text).unwrap_or_else(|e| panic!("the mapping parses: {e}"));
    let options = ReadOptions {
        fps: None,
        mapping: mappings.input.into_iter().next().map(Arc::new),
    };
    (format, options)
}

fn readers() -> &'static [Reader] {
    static READERS: OnceLock<Vec<Reader>> = OnceLock::new();
    READERS.get_or_init(|| {
        let plain = |format| (format, ReadOptions::default());
        let framed = ReadOptions {
            fps: Some(25.0),
            mapping: None,
        };
        vec![
            plain(InputFormat::WebVtt),
            plain(InputFormat::Srt),
            plain(InputFormat::Sbv),
            plain(InputFormat::TextGrid),
            plain(InputFormat::Elan),
            (InputFormat::Cvat, framed),
            plain(InputFormat::LabelStudio),
            mapped(
                InputFormat::Csv,
                include_str!("../../rules/datasets/meld/meld.toml"),
            ),
            mapped(
                InputFormat::MappedJson,
                include_str!("../../rules/datasets/qvhighlights/qvhighlights.toml"),
            ),
            mapped(
                InputFormat::MappedJson,
                include_str!("../../rules/datasets/activitynet-captions/activitynet.toml"),
            ),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let readers = readers();
    let (format, options) = &readers[usize::from(*first) % readers.len()];
    let _ = to_json_lines(*format, rest, "item", options);
});
