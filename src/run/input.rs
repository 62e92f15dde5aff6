//! Reading the sources of a run: files and standard input, JSON Lines in parallel batches or
//! a JSON array, the second pass over items that reappeared, and records given as values.

use super::items::{BatchOutput, Parsed, Run, Runner, Work};
use super::{fallback_id, FindingSink, Input, Outcome, Pack, RunOptions, SourceInfo};
use crate::data::{
    is_json_array, parse_line, read_array, read_record, Batch, Batches, DataError, Line, Origin, Part,
    Record, Shared, SourceId, Validator,
};
use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Parses and validates the lines of a part of a batch, in order.
fn parse_part(validator: &Validator, batch: &Batch, part: &Part, name: &str) -> Vec<Parsed> {
    let mut shared = Shared::default();
    batch
        .lines(part)
        .map(|(bytes, origin)| parse_one(validator, parse_line(bytes, origin), origin, name, &mut shared))
        .collect()
}

fn parse_one<'l>(
    validator: &Validator,
    line: Result<Line<'l>, DataError>,
    origin: Origin,
    name: &str,
    shared: &mut Shared<'l>,
) -> Parsed {
    match line {
        Ok(line) => Parsed {
            bucket: validator.kind_of(&line),
            result: validator.record(&line, origin, || fallback_id(name, origin), shared),
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
                inner: io::stdin(),
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
    mut reader: impl BufRead + Send,
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

/// The batch pipeline. Batches are read a window at a time; each batch is parsed,
/// validated, split into runs by item and (for runs complete within it) evaluated on one
/// thread of the pool, while the next window is read. One thread then takes in the batches'
/// outputs in input order, joins the runs at batch boundaries into items and evaluates those.
fn read_lines(
    runner: &mut Runner,
    validator: &Validator,
    reader: impl BufRead + Send,
    name: &str,
    source: SourceId,
    progress: &mut Progress,
) -> io::Result<()> {
    let window = rayon::current_num_threads() * 2;
    let mut batches = Batches::with_size(reader, source, runner.batch_bytes);
    let mut next = read_window(&mut batches, window);
    let mut pending: Vec<Vec<Record>> = Vec::new();
    loop {
        let current = match next {
            Ok(current) if !current.is_empty() => current,
            other => {
                let results = runner.work.evaluate(pending);
                runner.apply(results);
                return other.map(|_| ());
            }
        };
        let evaluate = !runner.is_grouping();
        let keep = runner.keeps_dataset();
        let work = &runner.work;
        let ((outputs, results), read) = rayon::join(
            || {
                rayon::join(
                    || {
                        current
                            .par_iter()
                            .map(|b| process_batch(work, validator, b, name, evaluate, keep))
                            .collect::<Vec<_>>()
                    },
                    || work.evaluate(std::mem::take(&mut pending)),
                )
            },
            || read_window(&mut batches, window),
        );
        runner.apply(results);
        for output in outputs {
            runner.absorb(output);
        }
        pending = runner.take_ready();
        let size = current.iter().map(|b| b.bytes.len()).sum();
        current.into_iter().for_each(|b| batches.recycle(b));
        progress.advance(size, runner.items_seen());
        next = read;
    }
}

/// Up to `n` batches; an error once nothing more can be read.
fn read_window<R: io::Read>(batches: &mut Batches<R>, n: usize) -> io::Result<Vec<Batch>> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match batches.next_batch() {
            Ok(Some(batch)) => out.push(batch),
            Ok(None) => break,
            Err(e) if out.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    Ok(out)
}

/// Parses and validates one batch, splits its records into runs by item, and evaluates
/// the runs that are complete within it (when `evaluate`).
fn process_batch(
    work: &Work,
    validator: &Validator,
    batch: &Batch,
    name: &str,
    evaluate: bool,
    keep_dataset: bool,
) -> BatchOutput {
    let mut out = BatchOutput::default();
    let mut shared = Shared::default();
    let mut runs: Vec<Vec<Record>> = Vec::new();
    for (bytes, origin) in batch.lines(&batch.whole()) {
        let (bucket, result) =
            read_record(validator, bytes, origin, || fallback_id(name, origin), &mut shared);
        let parsed = Parsed { bucket, result };
        out.count(parsed.bucket, parsed.result.is_err());
        match parsed.result {
            Ok(record) => {
                if keep_dataset {
                    out.dataset.push(record.clone());
                }
                match runs.last_mut() {
                    Some(run) if Arc::ptr_eq(&run[0].item, &record.item) || run[0].item == record.item => {
                        run.push(record)
                    }
                    _ => runs.push(vec![record]),
                }
            }
            Err(error) => out.errors.push(*error),
        }
    }
    let mut seen: FxHashMap<Arc<str>, u32> = FxHashMap::default();
    for run in &runs {
        *seen.entry(run[0].item.clone()).or_default() += 1;
    }
    let last = runs.len().saturating_sub(1);
    out.runs = runs
        .into_iter()
        .enumerate()
        .map(|(i, records)| {
            let interior = i > 0 && i < last && seen[&records[0].item] == 1;
            if evaluate && interior {
                Run::Evaluated(work.evaluate_one(records))
            } else {
                Run::Pending(records)
            }
        })
        .collect();
    out
}

fn read_json_array(
    runner: &mut Runner,
    validator: &Validator,
    reader: impl BufRead,
    name: &str,
    source: SourceId,
) {
    read_array(reader, source, &mut |line, origin| {
        let parsed = parse_one(validator, line, origin, name, &mut Shared::default());
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
            read_array(reader, source, &mut |line, origin| {
                keep(parse_one(validator, line, origin, &info.name, &mut Shared::default()))
            });
            continue;
        }
        let mut batches = Batches::with_size(reader, source, runner.batch_bytes);
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
    for value in grouped.into_values().flatten() {
        line += 1;
        let origin = Origin {
            source: SourceId(0),
            line,
        };
        let line = Line::from_json(&value);
        let parsed = parse_one(&validator, Ok(line), origin, "<values>", &mut Shared::default());
        runner.accept(parsed);
    }
    runner.finish_current();
    let ready = runner.take_ready();
    let results = runner.work.evaluate(ready);
    runner.apply(results);
    runner.finish()
}

