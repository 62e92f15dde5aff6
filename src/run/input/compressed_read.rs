//! Reading a compressed input (`crate::data::compressed`) as the text it holds.

use super::{no_source, read_file, unreadable, LineSource, Stages};
use crate::data::formats::InputFormat;
use crate::data::{Origin, SourceId};
use crate::run::items::Runner;
use crate::run::{Input, SourceInfo};
use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

/// Reads a gzip or zstd file: its text is written to a file held for the run (so it is read,
/// and read again when its items turn out scattered, as any file is) and read from there
/// under the compressed file's name. A damaged stream is reported, and the text before the
/// damage is checked.
pub(super) fn read_compressed(
    stages: &Stages,
    runner: &mut Runner,
    (input, item): (&Input, String),
    (path, codec, format): (
        &std::path::Path,
        crate::data::compressed::Codec,
        InputFormat,
    ),
    source: SourceId,
) -> Option<LineSource<'static>> {
    let name = input.name();
    let origin = Origin::line(source, 0);
    let spool = match tempfile::NamedTempFile::new() {
        Ok(spool) => spool,
        Err(e) => return no_source(runner, &name, e, origin),
    };
    let written = File::open(path).and_then(|file| {
        let mut out = io::BufWriter::new(spool.as_file());
        let decoded = crate::data::compressed::decompress(codec, file, &mut out);
        out.flush()?;
        decoded
    });
    let text = spool.path().to_path_buf();
    runner.outcome.spools.push(Arc::new(spool));
    runner.add_source(SourceInfo {
        name: name.clone(),
        readable: Some(text.clone()),
        format,
        item: item.clone(),
    });
    if let Err(e) = written {
        let reason = format!(
            "the {} stream is damaged ({e}); the text before the damage is checked",
            codec.name()
        );
        unreadable(runner, &name, io::Error::new(e.kind(), reason), origin);
    }
    let named = (input, item.as_str(), name.as_str());
    read_file(stages, runner, &text, named, (format, source))
}
