//! Reading a file of a format other than JSON Lines (subtitles, TextGrid, ELAN, CVAT, Label
//! Studio, mapped CSV and JSON data sets) through its reader, and checking its records.

use super::{parse_one, unreadable, Stages};
use crate::data::formats::{self, InputFormat};
use crate::data::{DataError, Line, Origin, Shared, SourceId, Validator};
use crate::run::items::Runner;
use crate::run::Input;
use std::io::{BufRead, BufReader, Read};

/// Reads a file of a non-JSON format and checks its records. Such files are read whole (one
/// item, or one data set's annotations), but for a Label Studio export that is an array of
/// tasks, which is read task by task, each task checked as the next one starts.
pub(super) fn read_format(
    stages: &Stages,
    runner: &mut Runner,
    reader: impl Read,
    (input, item): (&Input, &str),
    source: SourceId,
) {
    let (format, read) = stages.reading(input);
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let streams = format == InputFormat::LabelStudio
        && reader.fill_buf().is_ok_and(formats::label_studio_streams);
    let mut taken = Taken {
        name: input.name(),
        mapped: read.mapping.is_some(),
        given: 0,
        declared: 0,
    };
    if streams {
        let limit = usize::try_from(stages.max_document).unwrap_or(usize::MAX);
        formats::read_label_studio_tasks(
            reader,
            item,
            source,
            &read,
            limit,
            &mut |line, origin| {
                taken.take(stages, runner, line, origin);
                let ready = runner.take_ready();
                if !ready.is_empty() {
                    runner.apply(stages.work.evaluate(ready));
                }
            },
        );
    } else {
        let Some(bytes) = read_whole(runner, reader, (input, format), source, stages.max_document)
        else {
            return;
        };
        formats::read_file(format, &bytes, item, source, &read, &mut |line, origin| {
            taken.take(stages, runner, line, origin);
        });
    }
    if taken.given > 0 && taken.declared == 0 {
        runner.error(DataError::NoDeclaredKind {
            format: format.name().into(),
            kinds: format.kinds().join(", "),
            origin: Origin::line(source, 1),
        });
    }
    let ready = runner.take_ready();
    runner.apply(stages.work.evaluate(ready));
}

/// A whole file, read no further than `limit` bytes (past it, the file is reported and
/// `None` returned).
fn read_whole(
    runner: &mut Runner,
    reader: impl Read,
    (input, format): (&Input, InputFormat),
    source: SourceId,
    limit: u64,
) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        unreadable(runner, &input.name(), e, Origin::line(source, 0));
        return None;
    }
    if bytes.len() as u64 > limit {
        runner.error(DataError::FileTooLarge {
            format: formats::format_title(format).into(),
            limit,
            origin: Origin::line(source, 0),
        });
        return None;
    }
    Some(bytes)
}

/// What a format reader gave so far: records in all, and records of kinds the pack declares.
struct Taken {
    name: String,
    /// A mapping names its kinds, so an undeclared one is a mistake to report; a fixed
    /// format gives kinds a pack may not care about.
    mapped: bool,
    given: usize,
    declared: usize,
}

impl Taken {
    /// Checks one record a reader gave (or takes its diagnostic).
    fn take(
        &mut self,
        stages: &Stages,
        runner: &mut Runner,
        line: Result<Line<'static>, DataError>,
        origin: Origin,
    ) {
        if let Ok(line) = &line {
            self.given += 1;
            if !self.mapped && !declares_kind_of(stages.validator, line) {
                return;
            }
            self.declared += 1;
        }
        let parsed = parse_one(
            stages.validator,
            line,
            origin,
            &self.name,
            &mut Shared::default(),
        );
        runner.accept(parsed);
    }
}

/// Whether the schema declares the kind of a record a format reader gave: records of other
/// kinds are left out, so a pack declares only the kinds it checks.
fn declares_kind_of(validator: &Validator, line: &Line) -> bool {
    validator.kind_of(line).is_some()
}
