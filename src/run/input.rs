//! Reading the sources of a run: files and standard input, JSON Lines in parallel batches or
//! a JSON array, the second pass over items that reappeared, and records given as values.

use super::items::{Parsed, Runner};
use super::{fallback_id, FindingSink, Input, Outcome, Pack, RunOptions, SourceInfo};
use crate::data::{
    is_json_array, parse_line, read_array, Batch, Batches, DataError, Line, Origin, Part,
    Record, SourceId, Validator,
};
use indexmap::IndexMap;
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Parses and validates the lines of a part of a batch, in order.
fn parse_part(validator: &Validator, batch: &Batch, part: &Part, name: &str) -> Vec<Parsed> {
    let mut last_item = None;
    batch
        .lines(part)
        .map(|(bytes, origin)| parse_one(validator, parse_line(bytes, origin), origin, name, &mut last_item))
        .collect()
}

fn parse_one(
    validator: &Validator,
    line: Result<Line, DataError>,
    origin: Origin,
    name: &str,
    last_item: &mut Option<Arc<str>>,
) -> Parsed {
    match line {
        Ok(line) => Parsed {
            bucket: validator.kind_of(&line),
            result: validator.record(&line, origin, || fallback_id(name, origin), last_item),
        },
        Err(error) => Parsed {
            bucket: None,
            result: Err(Box::new(error)),
        },
    }
}

/// Parses a batch on the thread pool, a few pieces per thread.
fn parse_parallel(validator: &Validator, batch: &Batch, name: &str) -> Vec<Vec<Parsed>> {
    let parts = rayon::current_num_threads() * 4;
    batch
        .parts(parts)
        .par_iter()
        .map(|part| parse_part(validator, batch, part, name))
        .collect()
}

/// A progress line on standard error for long runs on a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    last: Instant,
    bytes: u64,
    shown: bool,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled: enabled && io::stderr().is_terminal(),
            started: now,
            last: now,
            bytes: 0,
            shown: false,
        }
    }

    fn advance(&mut self, bytes: usize, items: usize) {
        self.bytes += bytes as u64;
        if !self.enabled || self.last.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last = Instant::now();
        let mb = self.bytes as f64 / 1e6;
        let secs = self.started.elapsed().as_secs_f64();
        eprint!("\rchecking: {mb:.0} MB read, {items} items, {:.0} MB/s", mb / secs);
        let _ = io::stderr().flush();
        self.shown = true;
    }

    fn clear(&self) {
        if self.shown {
            eprint!("\r\x1b[K");
        }
    }
}

/// Runs a pack over its inputs: the whole of [`Pack::check_inputs_with`].
pub(super) fn run(
    pack: &Pack,
    inputs: &[Input],
    options: &RunOptions,
    sink: &mut dyn FindingSink,
) -> Outcome {
    let mut runner = Runner::new(pack, options, sink);
    let validator = Validator::new(pack.plan.schema.clone());
    let mut progress = Progress::new(options.progress);
    for (index, input) in inputs.iter().enumerate() {
        read_input(&mut runner, &validator, input, SourceId(index as u32), &mut progress);
    }
    runner.finish_current();
    let ready = runner.take_ready();
    let results = runner.work.evaluate(ready);
    runner.apply(results);
    if !runner.reread.is_empty() {
        reread_items(&mut runner, &validator);
    }
    let grouped = runner.take_grouped();
    let results = runner.work.evaluate(grouped);
    runner.apply(results);
    progress.clear();
    runner.finish()
}

fn read_input(
    runner: &mut Runner,
    validator: &Validator,
    input: &Input,
    source: SourceId,
    progress: &mut Progress,
) {
    let origin = Origin { source, line: 0 };
    match input {
        Input::Path(path) => {
            let name = input.name();
            runner.outcome.sources.push(SourceInfo {
                name: name.clone(),
                readable: Some(path.clone()),
            });
            match File::open(path) {
                Ok(file) => {
                    let reader = BufReader::with_capacity(1 << 20, file);
                    read_into(runner, validator, reader, &name, source, progress)
                }
                Err(e) => unreadable(runner, &name, e, origin),
            }
        }
        Input::Stdin => {
            let spool = tempfile::NamedTempFile::new();
            let (copy, spool) = match spool.and_then(|s| Ok((s.reopen()?, s))) {
                Ok((copy, spool)) => (copy, spool),
                Err(e) => return unreadable(runner, "<stdin>", e, origin),
            };
            runner.outcome.sources.push(SourceInfo {
                name: "<stdin>".into(),
                readable: Some(spool.path().to_path_buf()),
            });
            runner.outcome.spool = Some(Arc::new(spool));
            let tee = Tee {
                inner: io::stdin().lock(),
                copy,
            };
            let reader = BufReader::with_capacity(1 << 20, tee);
            read_into(runner, validator, reader, "<stdin>", source, progress);
        }
    }
}

fn read_into(
    runner: &mut Runner,
    validator: &Validator,
    mut reader: impl BufRead,
    name: &str,
    source: SourceId,
    progress: &mut Progress,
) {
    let origin = Origin { source, line: 0 };
    let result = match is_json_array(&mut reader) {
        Ok(true) => {
            read_json_array(runner, validator, reader, name, source);
            Ok(())
        }
        Ok(false) => read_lines(runner, validator, reader, name, source, progress),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        unreadable(runner, name, e, origin);
    }
}

/// The batch pipeline: while one batch is parsed on the pool, the items completed by the
/// previous batch are evaluated on it.
fn read_lines(
    runner: &mut Runner,
    validator: &Validator,
    reader: impl BufRead,
    name: &str,
    source: SourceId,
    progress: &mut Progress,
) -> io::Result<()> {
    let mut batches = Batches::new(reader, source);
    let mut pending: Vec<Vec<Record>> = Vec::new();
    let outcome = loop {
        let batch = match batches.next_batch() {
            Ok(Some(batch)) => batch,
            other => break other.map(|_| ()),
        };
        let size = batch.bytes.len();
        let (parsed, results) = rayon::join(
            || parse_parallel(validator, &batch, name),
            || runner.work.evaluate(std::mem::take(&mut pending)),
        );
        batches.recycle(batch);
        runner.apply(results);
        for parsed in parsed.into_iter().flatten() {
            runner.accept(parsed);
        }
        pending = runner.take_ready();
        progress.advance(size, runner.items_seen());
    };
    let results = runner.work.evaluate(pending);
    runner.apply(results);
    outcome
}

fn read_json_array(
    runner: &mut Runner,
    validator: &Validator,
    reader: impl BufRead,
    name: &str,
    source: SourceId,
) {
    let mut last_item = None;
    read_array(reader, source, &mut |line, origin| {
        let parsed = parse_one(validator, line, origin, name, &mut last_item);
        runner.accept(parsed);
    });
    let ready = runner.take_ready();
    let results = runner.work.evaluate(ready);
    runner.apply(results);
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
fn reread_items(runner: &mut Runner, validator: &Validator) {
    let wanted = std::mem::take(&mut runner.reread);
    let mut items: IndexMap<Arc<str>, Vec<Record>> =
        wanted.iter().map(|i| (i.clone(), Vec::new())).collect();
    let mut keep = |parsed: Parsed| {
        if let Ok(record) = parsed.result {
            if let Some(records) = items.get_mut(&record.item) {
                records.push(record);
            }
        }
    };
    for (index, info) in runner.outcome.sources.clone().iter().enumerate() {
        let Some(path) = &info.readable else { continue };
        let Ok(file) = File::open(path) else { continue };
        let source = SourceId(index as u32);
        let mut reader = BufReader::with_capacity(1 << 20, file);
        if is_json_array(&mut reader).unwrap_or(false) {
            let mut last_item = None;
            read_array(reader, source, &mut |line, origin| {
                keep(parse_one(validator, line, origin, &info.name, &mut last_item))
            });
            continue;
        }
        let mut batches = Batches::new(reader, source);
        while let Ok(Some(batch)) = batches.next_batch() {
            for parsed in parse_parallel(validator, &batch, &info.name).into_iter().flatten() {
                keep(parsed);
            }
            batches.recycle(batch);
        }
    }
    let results = runner.work.evaluate(items.into_values().collect());
    runner.apply(results);
}

/// [`Pack::check_values`]: groups the values by item, then checks them.
pub(super) fn run_values(
    pack: &Pack,
    values: impl IntoIterator<Item = serde_json::Value>,
    sink: &mut dyn FindingSink,
) -> Outcome {
    let mut runner = Runner::new(pack, &RunOptions::default(), sink);
    let validator = Validator::new(pack.plan.schema.clone());
    runner.outcome.sources.push(SourceInfo {
        name: "<values>".into(),
        readable: None,
    });
    let mut grouped: IndexMap<String, Vec<serde_json::Value>> = IndexMap::new();
    for value in values {
        let item = value.get("item").map(|v| v.to_string()).unwrap_or_default();
        grouped.entry(item).or_default().push(value);
    }
    let mut line = 0u32;
    let mut last_item = None;
    for value in grouped.into_values().flatten() {
        line += 1;
        let origin = Origin {
            source: SourceId(0),
            line,
        };
        let parsed = parse_one(&validator, Ok(Line::from_json(&value)), origin, "<values>", &mut last_item);
        runner.accept(parsed);
    }
    runner.finish_current();
    let ready = runner.take_ready();
    let results = runner.work.evaluate(ready);
    runner.apply(results);
    runner.finish()
}

