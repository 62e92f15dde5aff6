//! Reading the sources of a run: files and standard input, JSON Lines in parallel batches or
//! a JSON array, the second pass over items that reappeared, and records given as values.

#[cfg(feature = "columnar")]
mod columnar_read;
mod compressed_read;
mod formats_read;
mod lines;

use lines::{Feed, LineSource};

use super::evaluate::Work;
use super::items::{Parsed, Runner};
use super::{fallback_id, FindingSink, Input, Outcome, Pack, RunOptions, SourceInfo};
use crate::data::formats::mapping::Mappings;
use crate::data::formats::{self, InputFormat, ReadOptions};
use crate::data::{
    opening, read_array, read_record, Batch, Batches, DataError, Line, Origin, Record, Shared,
    SourceId, Validator,
};
use crate::schema::KindId;
use indexmap::{IndexMap, IndexSet};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::Arc;

/// What every stage of a run reads: how to validate and how to evaluate.
struct Stages<'a, 'p> {
    work: &'a Work<'p>,
    validator: &'a Validator,
    batch_bytes: usize,
    /// The longest line kept ([`crate::Limits::max_line_bytes`]).
    max_line: usize,
    /// The largest file of a format read whole ([`crate::Limits::max_document_bytes`]).
    max_document: u64,
    /// The most records of an item ([`crate::Limits::max_item_records`]).
    max_item_records: usize,
    input_format: Option<InputFormat>,
    read: ReadOptions,
    mappings: &'a Mappings,
}

impl Stages<'_, '_> {
    /// Batches of `reader`'s lines, of the run's size and line limit.
    fn batches<R: Read>(&self, reader: R, source: SourceId) -> Batches<R> {
        Batches::with_size(reader, source, self.batch_bytes).with_max_line(self.max_line)
    }

    /// How to read an input: its format, and the mapping of a CSV or JSON data set whose
    /// name a mapping of the pack matches.
    fn reading(&self, input: &Input) -> (InputFormat, ReadOptions) {
        let (format, mapping) = match input {
            Input::Path(path) => match crate::data::compressed::sniff(path) {
                // A compressed file's format is its text's: by its name without `.gz`
                // and its text's first bytes.
                Ok(Some(codec)) => InputFormat::choose_named(
                    &crate::data::compressed::plain_name(path),
                    &crate::data::compressed::prefix(path, codec, 64 * 1024),
                    self.input_format,
                    self.mappings,
                ),
                _ => InputFormat::choose(Some(path), self.input_format, self.mappings),
            },
            Input::Stdin => InputFormat::choose(None, self.input_format, self.mappings),
            Input::StdinAs(name) => {
                InputFormat::choose_named(name, &[], self.input_format, self.mappings)
            }
            Input::Bytes { name, bytes } => match crate::data::compressed::codec_of(bytes) {
                Some(codec) => InputFormat::choose_named(
                    &crate::data::compressed::plain_name(std::path::Path::new(name)),
                    &crate::data::compressed::prefix_of(&bytes[..], codec, 64 * 1024),
                    self.input_format,
                    self.mappings,
                ),
                None => {
                    let prefix = &bytes[..bytes.len().min(64 * 1024)];
                    let name = std::path::Path::new(name);
                    InputFormat::choose_named(name, prefix, self.input_format, self.mappings)
                }
            },
        };
        let mut read = self.read.clone();
        read.mapping = mapping.map(|spec| Arc::new(spec.clone()));
        (format, read)
    }
}

/// Validates an already parsed line.
fn parse_one<'l>(
    validator: &Validator,
    line: Result<Line<'l>, DataError>,
    origin: Origin,
    name: &str,
    shared: &mut Shared,
) -> Parsed {
    let (bucket, result) = match line {
        Ok(line) => validator.check_line(&line, origin, || fallback_id(name, origin), shared),
        Err(error) => (None, Err(Box::new(error))),
    };
    Parsed { bucket, result }
}

/// What the run tells its progress callback: the bytes read and items seen, after each batch.
struct Progress<'o> {
    report: Option<&'o super::OnProgress>,
    bytes: u64,
}

impl<'o> Progress<'o> {
    fn new(report: Option<&'o super::OnProgress>) -> Self {
        Progress { report, bytes: 0 }
    }

    fn advance(&mut self, bytes: usize, items: usize) {
        self.bytes += bytes as u64;
        self.tell(items, false);
    }

    fn tell(&self, items: usize, done: bool) {
        if let Some(report) = self.report {
            (report.0)(super::Progress {
                bytes: self.bytes,
                items,
                done,
            });
        }
    }
}

/// Runs a pack over its inputs: the whole of [`Pack::check`]. Runs on the
/// thread pool the caller installed.
pub(super) fn run(
    pack: &Pack,
    inputs: &[Input],
    options: &RunOptions,
    sink: &mut dyn FindingSink,
) -> Outcome {
    let mut runner = Runner::new(pack, options, sink);
    let work = Work::new(pack, options, runner.keep_left());
    let validator = Validator::new(pack.plan.schema.clone()).within(&options.limits);
    let stages = Stages {
        work: &work,
        validator: &validator,
        batch_bytes: options.batch_bytes,
        max_line: options.limits.max_line_bytes,
        max_document: options.limits.max_document_bytes,
        max_item_records: options.limits.max_item_records,
        input_format: options.input_format,
        read: options.read.clone(),
        mappings: &pack.mappings,
    };
    let mut progress = Progress::new(options.progress.as_ref());
    let formats: Vec<InputFormat> = inputs.iter().map(|i| stages.reading(i).0).collect();
    let lines = (formats.iter().enumerate()).filter(|(_, &f)| f == InputFormat::JsonLines);
    let lines: Vec<SourceId> = lines.map(|(index, _)| SourceId(index as u32)).collect();
    if lines.len() > 1 {
        // Several JSON Lines inputs, one per modality say: read side by side in item order.
        runner.start_merge(lines);
    }
    runner.expect_input_bytes(inputs.iter().map(size_of).sum());
    let mut sources = Vec::new();
    let items = super::item_names(inputs);
    for (index, ((input, item), format)) in inputs.iter().zip(items).zip(formats).enumerate() {
        let source = SourceId(index as u32);
        match read_input(&stages, &mut runner, (input, item), (format, source)) {
            Some(lines) => sources.push(lines),
            // Read whole (a JSON array, another format) or not at all.
            None => runner.source_drained(source),
        }
    }
    lines::read_lines(&stages, &mut runner, Feed::new(sources), &mut progress);
    runner.finish_current();
    let ready = runner.take_ready();
    runner.apply(work.evaluate(ready));
    // Before the items read again are gathered: what was put aside of them is left out.
    evaluate_put_aside(&work, &mut runner);
    if !runner.reread.is_empty() {
        reread_items(&stages, &mut runner);
    }
    progress.tell(runner.items_seen(), true);
    runner.finish(&work)
}

/// The size of an input in bytes, as far as it is known before reading it.
fn size_of(input: &Input) -> u64 {
    match input {
        Input::Path(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
        Input::Bytes { bytes, .. } => bytes.len() as u64,
        Input::Stdin | Input::StdinAs(_) => 0,
    }
}

/// Evaluates the items of input not grouped by item, put aside as they were read: a few
/// partitions at a time (as many as threads) are read back side by side, then their items are
/// evaluated on the pool.
fn evaluate_put_aside(work: &Work, runner: &mut Runner) {
    let Some(spill) = runner.take_spill() else {
        return;
    };
    let mut partitions = match spill.into_partitions() {
        Ok(partitions) => partitions,
        Err(e) => return runner.spill_failed(e),
    };
    let window = rayon::current_num_threads().max(1);
    while !partitions.is_empty() {
        let now: Vec<_> = partitions.drain(..window.min(partitions.len())).collect();
        let read: Result<Vec<_>, _> = now.into_par_iter().map(|p| p.read_items()).collect();
        match read {
            Ok(read) => {
                let items = runner.held_items(read.into_iter().flatten());
                runner.apply(work.evaluate(items));
            }
            Err(e) => return runner.spill_failed(e),
        }
    }
}

/// Opens one input: gives back its lines to be read in batches (JSON Lines), or reads it
/// whole (other formats, JSON arrays). `item` names the records of formats that hold one item
/// per file.
fn read_input(
    stages: &Stages,
    runner: &mut Runner,
    (input, item): (&Input, String),
    (format, source): (InputFormat, SourceId),
) -> Option<LineSource<'static>> {
    let origin = Origin::line(source, 0);
    match input {
        Input::Path(path) => {
            let codec = crate::data::compressed::sniff(path).ok().flatten();
            read_held(
                stages,
                runner,
                (input, item),
                (path, codec),
                (format, source),
            )
        }
        Input::Bytes { name, bytes } => {
            // Held as a file for the run, so that it is read as a file is (and read again
            // when its items turn out scattered), under the name it was given.
            let spool = tempfile::NamedTempFile::new()
                .and_then(|mut spool| spool.write_all(bytes).map(|()| spool));
            let spool = match spool {
                Ok(spool) => spool,
                Err(e) => return no_source(runner, name, e, origin),
            };
            let path = spool.path().to_path_buf();
            runner.outcome.spools.push(Arc::new(spool));
            // Compressed bytes are read as a compressed file is.
            let codec = crate::data::compressed::codec_of(bytes);
            read_held(
                stages,
                runner,
                (input, item),
                (&path, codec),
                (format, source),
            )
        }
        Input::Stdin | Input::StdinAs(_) => {
            let name = input.name();
            let spool = tempfile::NamedTempFile::new();
            let (copy, spool) = match spool.and_then(|s| Ok((s.reopen()?, s))) {
                Ok((copy, spool)) => (copy, spool),
                Err(e) => return no_source(runner, &name, e, origin),
            };
            runner.add_source(SourceInfo {
                name: name.clone(),
                readable: Some(spool.path().to_path_buf()),
                format,
                item: item.clone(),
            });
            runner.outcome.spools.push(Arc::new(spool));
            let tee = Tee {
                inner: io::stdin().lock(),
                copy,
            };
            let reader = BufReader::with_capacity(1 << 20, tee);
            if format == InputFormat::JsonLines {
                return open_lines(stages, runner, reader, &name, source);
            }
            formats_read::read_format(stages, runner, reader, (input, &item), source);
            None
        }
    }
}

/// Reads an input held in a file (its own, or the copy of its bytes): the text a compressed
/// one holds, else the file itself, registered as the input's source.
fn read_held(
    stages: &Stages,
    runner: &mut Runner,
    (input, item): (&Input, String),
    (path, codec): (&std::path::Path, Option<crate::data::compressed::Codec>),
    (format, source): (InputFormat, SourceId),
) -> Option<LineSource<'static>> {
    if let Some(codec) = codec {
        let spooled = (path, codec, format);
        return compressed_read::read_compressed(stages, runner, (input, item), spooled, source);
    }
    let name = input.name();
    // A binary file's rows are not lines to show.
    let text = !matches!(format.entry().read, formats::Read::Binary(_));
    runner.add_source(SourceInfo {
        name: name.clone(),
        readable: text.then(|| path.to_path_buf()),
        format,
        item: item.clone(),
    });
    let named = (input, item.as_str(), name.as_str());
    read_file(stages, runner, path, named, (format, source))
}

/// Reads a file (the input's own, or the copy it is held in) in `format`, under `name`.
fn read_file(
    stages: &Stages,
    runner: &mut Runner,
    path: &std::path::Path,
    (input, item, name): (&Input, &str, &str),
    (format, source): (InputFormat, SourceId),
) -> Option<LineSource<'static>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return no_source(runner, name, e, Origin::line(source, 0)),
    };
    // A small buffer: batches read straight into their own buffers (a read at least as long
    // as the buffer bypasses it), rather than through it with a second copy.
    #[cfg(feature = "columnar")]
    if matches!(format, InputFormat::Parquet | InputFormat::Arrow) {
        columnar_read::read_table(stages, runner, file, (name, format), source);
        return None;
    }
    let reader = BufReader::with_capacity(DIRECT_READ_BUFFER, file);
    if format == InputFormat::JsonLines {
        return open_lines(stages, runner, reader, name, source);
    }
    formats_read::read_format(stages, runner, reader, (input, item), source);
    None
}

/// The buffer of a file's reader: no longer than the reads batches make, so that they bypass
/// it (`BufReader` hands a read at least as long as its buffer to the file directly).
const DIRECT_READ_BUFFER: usize = 8 << 10;

/// Opens JSON Lines (or a JSON array, which is read whole here) past its first bytes.
fn open_lines(
    stages: &Stages,
    runner: &mut Runner,
    mut reader: impl BufRead + 'static,
    name: &str,
    source: SourceId,
) -> Option<LineSource<'static>> {
    match opening(&mut reader) {
        Ok(opening) if opening.json_array => {
            read_json_array(stages, runner, reader, name, source, opening.first_line);
            None
        }
        Ok(opening) => {
            let reader: Box<dyn Read> = Box::new(reader);
            let batches = stages.batches(reader, source);
            let batches = batches.starting_at(opening.first_line);
            Some(LineSource::new(batches, name, source))
        }
        Err(e) => no_source(runner, name, e, Origin::line(source, 0)),
    }
}

fn read_json_array(
    stages: &Stages,
    runner: &mut Runner,
    reader: impl BufRead,
    name: &str,
    source: SourceId,
    first_line: u32,
) {
    read_array(
        reader,
        source,
        first_line,
        stages.max_line,
        &mut |line, origin| {
            let parsed = parse_one(stages.validator, line, origin, name, &mut Shared::default());
            runner.accept(parsed);
        },
    );
    let ready = runner.take_ready();
    runner.apply(stages.work.evaluate(ready));
}

/// Reports an input that cannot be read: it gives no lines.
fn no_source(
    runner: &mut Runner,
    name: &str,
    e: io::Error,
    origin: Origin,
) -> Option<LineSource<'static>> {
    unreadable(runner, name, e, origin);
    None
}

fn unreadable(runner: &mut Runner, name: &str, e: io::Error, origin: Origin) {
    runner.error(DataError::Unreadable {
        path: name.to_string(),
        reason: e.to_string(),
        origin,
    });
}

/// Copies everything read through it to a file.
struct Tee<R> {
    inner: R,
    copy: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// The second pass over the sources: collects every record of the items evaluated early that
/// reappeared, and evaluates each item whole. Counts and data diagnostics were made in the
/// first pass.
fn reread_items(stages: &Stages, runner: &mut Runner) {
    let wanted = std::mem::take(&mut runner.reread);
    let mut collected = Collected {
        items: wanted.iter().map(|i| (i.clone(), Vec::new())).collect(),
        budget: super::grouping::GroupingBudget::new(runner.grouping_limit()),
        given_up: IndexMap::new(),
    };
    let mut keep = |parsed: Parsed| {
        if let Ok(record) = parsed.result {
            collected.keep(record);
        }
    };
    for (index, info) in runner.outcome.sources.clone().iter().enumerate() {
        let Some(path) = &info.readable else { continue };
        let Ok(file) = File::open(path) else { continue };
        let source = SourceId(index as u32);
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut each = |line: Result<Line<'_>, DataError>, origin: Origin| {
            let mut shared = Shared::default();
            keep(parse_one(
                stages.validator,
                line,
                origin,
                &info.name,
                &mut shared,
            ))
        };
        if info.format != InputFormat::JsonLines {
            let mut bytes = Vec::new();
            let limit = stages.max_document.saturating_add(1);
            let read = (&mut reader).take(limit).read_to_end(&mut bytes);
            // A file past the limit gave no records in the first pass, so none to gather.
            if read.is_ok() && (bytes.len() as u64) < limit {
                // Only the read options are wanted: input held in a copy is named, not
                // opened, for them.
                let input = match info.name.as_str() {
                    "<stdin>" => Input::Stdin,
                    name if std::path::Path::new(name) == path => Input::Path(name.into()),
                    name => Input::StdinAs(name.into()),
                };
                let (_, read) = stages.reading(&input);
                formats::read_file(info.format, &bytes, &info.item, source, &read, &mut each);
            }
            continue;
        }
        let Ok(opening) = opening(&mut reader) else {
            continue;
        };
        if opening.json_array {
            read_array(
                reader,
                source,
                opening.first_line,
                stages.max_line,
                &mut each,
            );
            continue;
        }
        let mut batches = stages
            .batches(reader, source)
            .starting_at(opening.first_line);
        let window = rayon::current_num_threads() * 2;
        loop {
            let mut current = Vec::with_capacity(window);
            while current.len() < window {
                match batches.next_batch() {
                    Ok(Some(batch)) => current.push(batch),
                    _ => break,
                }
            }
            if current.is_empty() {
                break;
            }
            let parsed: Vec<Vec<Parsed>> = current
                .par_iter()
                .map(|batch| parse_batch(stages, batch, &info.name, &wanted))
                .collect();
            parsed.into_iter().flatten().for_each(&mut keep);
            current.into_iter().for_each(|b| batches.recycle(b));
        }
    }
    for (item, (origin, kinds)) in collected.given_up {
        runner.give_up_item(item, origin, &kinds);
    }
    runner.apply(
        stages
            .work
            .evaluate(collected.items.into_values().collect()),
    );
}

/// The records of the items read again, held within the grouping budget.
struct Collected {
    items: IndexMap<Arc<str>, Vec<Record>>,
    budget: super::grouping::GroupingBudget,
    /// Items given up on: where the record that passed the limit is, and the kind of every
    /// record of theirs read again.
    given_up: IndexMap<Arc<str>, (Origin, Vec<KindId>)>,
}

impl Collected {
    fn keep(&mut self, record: Record) {
        if let Some((_, kinds)) = self.given_up.get_mut(&record.item) {
            return kinds.push(record.kind);
        }
        if !self.items.contains_key(&record.item) {
            return;
        }
        if let Err(released) = self.budget.hold(&mut self.items, record) {
            if let Some(last) = released.last() {
                let kinds = released.iter().map(|r| r.kind).collect();
                self.given_up
                    .insert(last.item.clone(), (last.origin, kinds));
            }
        }
    }
}

/// Parses and validates a batch in order, for the pass that only collects the records of
/// the `wanted` items. A line that names another item first, in plain text, is skipped
/// unparsed: on shuffled input most lines belong to items that need no second look.
fn parse_batch(
    stages: &Stages,
    batch: &Batch,
    name: &str,
    wanted: &IndexSet<Arc<str>>,
) -> Vec<Parsed> {
    let mut shared = Shared::default();
    batch
        .lines(&batch.whole())
        .filter(|(line, _)| leading_item(line.bytes()).is_none_or(|item| wanted.contains(item)))
        .map(|(line, origin)| {
            let fallback = || fallback_id(name, origin);
            let (bucket, result) =
                read_record(stages.validator, line, origin, fallback, &mut shared);
            Parsed { bucket, result }
        })
        .collect()
}

/// The item a record line names first (`{"item": "clip_7", …`) when its text needs no
/// unescaping and no later `"item"` could override it (the last of repeated keys counts);
/// `None` when only parsing the line can tell.
fn leading_item(line: &[u8]) -> Option<&str> {
    let rest = line.trim_ascii_start().strip_prefix(b"{")?;
    let rest = rest.trim_ascii_start().strip_prefix(b"\"item\"")?;
    let rest = rest.trim_ascii_start().strip_prefix(b":")?;
    let rest = rest.trim_ascii_start().strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    if rest[end] != b'"' || memchr::memmem::find(&rest[end..], b"\"item\"").is_some() {
        return None;
    }
    std::str::from_utf8(&rest[..end]).ok()
}

/// [`Pack::check_values`]: groups the values by item, then checks them.
pub(super) fn run_values(
    pack: &Pack,
    values: impl IntoIterator<Item = Result<serde_json::Value, Box<DataError>>>,
    options: &RunOptions,
    sink: &mut dyn FindingSink,
) -> Outcome {
    let mut runner = Runner::new(pack, options, sink);
    let work = Work::new(pack, options, runner.keep_left());
    let validator = Validator::new(pack.plan.schema.clone()).within(&options.limits);
    runner.add_source(SourceInfo {
        name: "<values>".into(),
        readable: None,
        format: InputFormat::JsonLines,
        item: "values".into(),
    });
    // Each value keeps its position in the input as its "line", whatever its item.
    let mut grouped: IndexMap<String, Vec<(usize, serde_json::Value)>> = IndexMap::new();
    for (index, value) in values.into_iter().enumerate() {
        match value {
            Ok(value) => {
                let item = value.get("item").map(|v| v.to_string()).unwrap_or_default();
                grouped.entry(item).or_default().push((index, value));
            }
            Err(error) => runner.accept(Parsed {
                bucket: None,
                result: Err(error),
            }),
        }
    }
    for (index, value) in grouped.into_values().flatten() {
        let origin = Origin::line(SourceId(0), index as u32 + 1);
        let line = Line::from_json(&value);
        let parsed = parse_one(
            &validator,
            Ok(line),
            origin,
            "<values>",
            &mut Shared::default(),
        );
        runner.accept(parsed);
    }
    runner.finish_current();
    let ready = runner.take_ready();
    runner.apply(work.evaluate(ready));
    runner.finish(&work)
}

#[cfg(test)]
mod tests {
    use super::leading_item;

    #[test]
    fn leading_item_reads_only_an_item_named_first_in_plain_text() {
        let cases: [(&[u8], Option<&str>); 9] = [
            (br#"{"item":"clip_7","kind":"speech"}"#, Some("clip_7")),
            (br#"  { "item" : "clip 7" ,"id":"a"}"#, Some("clip 7")),
            (br#"{"item":""}"#, Some("")),
            (br#"{"kind":"speech","item":"clip_7"}"#, None),
            (br#"{"item":"clip\"7"}"#, None),
            (br#"{"item":"clip_7"#, None),
            (br#"{"item":7}"#, None),
            (b"{\"item\":\"clip_\xff\"}", None),
            (br#"{"item":"a","item":"b"}"#, None),
        ];
        for (line, want) in cases {
            assert_eq!(
                leading_item(line),
                want,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
