//! The batch pipeline over a run's JSON Lines sources: one source read through, or several
//! read side by side in item order (a merge), with batches parsed and items evaluated on the
//! thread pool.

use super::{fallback_id, unreadable, Progress, Stages};
use crate::data::{read_record, Batch, Batches, DataError, Origin, Record, Shared, SourceId};
use crate::run::evaluate::ItemResult;
use crate::run::items::{BatchOutput, Parsed, Run, Runner, Scattered};
use crate::run::spill::PutAside;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc;
use std::sync::Arc;

/// A JSON Lines source, opened and past its first bytes, ready to be read in batches.
pub(in crate::run) struct LineSource<'r> {
    batches: Batches<Box<dyn Read + 'r>>,
    name: Arc<str>,
    id: SourceId,
    exhausted: bool,
    /// Batches handed out and not yet taken in by the runner.
    in_flight: usize,
    error: Option<io::Error>,
}

impl<'r> LineSource<'r> {
    pub fn new(batches: Batches<Box<dyn Read + 'r>>, name: &str, id: SourceId) -> Self {
        LineSource {
            batches,
            name: name.into(),
            id,
            exhausted: false,
            in_flight: 0,
            error: None,
        }
    }

    /// Whether every batch of the source was read and taken in.
    fn drained(&self) -> bool {
        self.exhausted && self.in_flight == 0
    }
}

/// The most batches of one merged source in flight at once.
const MERGE_IN_FLIGHT: usize = 2;

/// Where the pipeline takes its batches from. Several sources are merged while the runner
/// merges ([`Runner::is_merging`]): the next batch comes from the source whose reading is
/// furthest behind in item order, since the items waiting to be complete wait for it. Otherwise
/// sources are read one after another.
pub(in crate::run) struct Feed<'r> {
    sources: Vec<LineSource<'r>>,
}

impl<'r> Feed<'r> {
    pub fn new(sources: Vec<LineSource<'r>>) -> Self {
        Feed { sources }
    }

    /// The next batch and the index of its source, or `None` once every source is read.
    fn next(&mut self, runner: &Runner) -> Option<(Batch, usize)> {
        loop {
            let index = self.choose(runner)?;
            let source = &mut self.sources[index];
            match source.batches.next_batch() {
                Ok(Some(batch)) => {
                    source.in_flight += 1;
                    return Some((batch, index));
                }
                Ok(None) => source.exhausted = true,
                Err(e) => {
                    source.error = Some(e);
                    source.exhausted = true;
                }
            }
        }
    }

    fn choose(&self, runner: &Runner) -> Option<usize> {
        let mut open = (self.sources.iter().enumerate()).filter(|(_, s)| !s.exhausted);
        if !runner.is_merging() {
            return open.next().map(|(index, _)| index);
        }
        // A batch of a sparse source (captions, say) covers many items: reading ahead of what
        // was taken in would hold every other source's records of them. At most two batches
        // of the source furthest behind are in flight; the others wait until it is taken in.
        open.min_by(|(_, a), (_, b)| runner.compare_reached(a.id, b.id))
            .filter(|(_, source)| source.in_flight < MERGE_IN_FLIGHT)
            .map(|(index, _)| index)
    }

    /// Takes a batch back once the runner has taken in its records.
    fn recycle(&mut self, index: usize, batch: Batch) {
        let source = &mut self.sources[index];
        source.in_flight -= 1;
        source.batches.recycle(batch);
    }

    /// Tells the runner of each source read through and taken in.
    fn tell_drained(&self, runner: &mut Runner) {
        for source in self.sources.iter().filter(|s| s.drained()) {
            runner.source_drained(source.id);
        }
    }

    /// Reports the sources whose reading stopped partway (the lines before were checked).
    fn report_errors(&mut self, runner: &mut Runner) {
        for source in &mut self.sources {
            if let Some(e) = source.error.take() {
                let origin = Origin::line(source.id, source.batches.next_line());
                unreadable(runner, &source.name, e, origin);
            }
        }
    }
}

/// What the jobs of the batch pipeline send back.
enum Done {
    /// A batch, processed: its sequence number, its source's index in the feed, its output
    /// and its buffer (for reuse).
    Batch(u64, usize, BatchOutput, Batch),
    /// Items that straddled batches, evaluated.
    Items(Vec<ItemResult>),
}

/// The batch pipeline. This thread reads batches and hands each to the pool, where it is
/// parsed, validated, split into runs by item and (for the runs complete within it)
/// evaluated by one thread while its records are in that thread's cache. As outputs come
/// back, in whatever order, this thread takes them in in input order, joins the runs at
/// batch boundaries into items and hands those to the pool too. While it waits it runs the
/// pool's jobs itself. A few batches per thread are in flight at most, so memory stays
/// bounded, and no thread waits for a slow batch at a barrier.
pub(in crate::run) fn read_lines(
    stages: &Stages,
    runner: &mut Runner,
    mut feed: Feed<'_>,
    progress: &mut Progress<'_>,
) {
    let max_in_flight = rayon::current_num_threads() as u64 * 3;
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    rayon::in_place_scope(|scope| {
        let (mut sent, mut next, mut item_jobs) = (0u64, 0u64, 0usize);
        let mut waiting: BTreeMap<u64, (usize, BatchOutput, Batch)> = BTreeMap::new();
        loop {
            // Batches not yet taken in, whether queued, running or waiting for an earlier one.
            while sent - next < max_in_flight {
                let Some((batch, index)) = feed.next(runner) else {
                    break;
                };
                let (tx, seq) = (done_tx.clone(), sent);
                // A merged item's records may lie in other sources: none is complete within
                // one batch.
                let evaluate = !runner.is_grouping() && !runner.is_merging();
                let (keep, spill) = (runner.keeps_dataset(), runner.spill_partitions());
                let name = feed.sources[index].name.clone();
                scope.spawn(move |_| {
                    let out = match spill {
                        Some(partitions) => put_aside(stages, &batch, &name, partitions, keep),
                        None => process_batch(stages, &batch, &name, evaluate, keep),
                    };
                    let _ = tx.send(Done::Batch(seq, index, out, batch));
                });
                sent += 1;
            }
            feed.tell_drained(runner);
            hand_out_ready(stages, runner, scope, &done_tx, &mut item_jobs);
            if sent == next && item_jobs == 0 {
                break;
            }
            let done = match done_rx.try_recv() {
                Ok(done) => done,
                Err(_) => match rayon::yield_now() {
                    Some(rayon::Yield::Executed) => continue,
                    _ => match done_rx.recv() {
                        Ok(done) => done,
                        Err(_) => break,
                    },
                },
            };
            match done {
                Done::Items(results) => {
                    item_jobs -= 1;
                    runner.apply(results);
                }
                Done::Batch(seq, index, out, batch) => {
                    waiting.insert(seq, (index, out, batch));
                }
            }
            while let Some((index, out, batch)) = waiting.remove(&next) {
                next += 1;
                progress.advance(batch.bytes.len(), runner.items_seen());
                runner.absorb(out);
                feed.recycle(index, batch);
                feed.tell_drained(runner);
                hand_out_ready(stages, runner, scope, &done_tx, &mut item_jobs);
            }
        }
    });
    feed.report_errors(runner);
}

/// Hands the items the runner has completed to the pool (or, alone, evaluates them here).
fn hand_out_ready<'s>(
    stages: &'s Stages,
    runner: &mut Runner,
    scope: &rayon::Scope<'s>,
    done_tx: &mpsc::Sender<Done>,
    item_jobs: &mut usize,
) {
    let ready = runner.take_ready();
    if ready.is_empty() {
        return;
    }
    if rayon::current_num_threads() == 1 {
        // Alone, a spawned job would wait behind every batch spawned after it, and with it
        // the merging of streamed statistics.
        return runner.apply(stages.work.evaluate_serial(ready));
    }
    let (tx, work) = (done_tx.clone(), stages.work);
    scope.spawn(move |_| {
        let _ = tx.send(Done::Items(work.evaluate_serial(ready)));
    });
    *item_jobs += 1;
}

/// Parses and validates one batch, splits its records into runs by item, and evaluates
/// the runs that are complete within it (when `evaluate`).
fn process_batch(
    stages: &Stages,
    batch: &Batch,
    name: &str,
    evaluate: bool,
    keep_dataset: bool,
) -> BatchOutput {
    let mut runs: Vec<Vec<Record>> = Vec::new();
    let mut out = each_record(stages, batch, name, keep_dataset, |record| {
        match runs.last_mut() {
            Some(run) if Arc::ptr_eq(&run[0].item, &record.item) || run[0].item == record.item => {
                run.push(record)
            }
            _ => {
                let capacity = runs.last().map_or(FIRST_RUN_CAPACITY, Vec::len);
                runs.push(new_run(record, capacity));
            }
        }
    });
    out.scattered = scattered(&runs);
    out.runs = into_runs(stages, runs, evaluate && out.scattered.is_none());
    out
}

/// An item with two runs in one batch (the input is not grouped by item), with the item of the
/// run before its second and where that second run begins.
fn scattered(runs: &[Vec<Record>]) -> Option<Box<Scattered>> {
    let mut items: rustc_hash::FxHashSet<&str> = Default::default();
    let again = runs.iter().position(|run| !items.insert(&run[0].item))?;
    let (run, before) = (&runs[again][0], &runs[again - 1][0]);
    Some(Box::new(Scattered {
        item: run.item.clone(),
        after: before.item.clone(),
        origin: run.origin,
    }))
}

/// Parses and validates one batch of input not grouped by item, encoding its records for the
/// spill ([`crate::run::spill`]) on this thread.
fn put_aside(
    stages: &Stages,
    batch: &Batch,
    name: &str,
    partitions: usize,
    keep_dataset: bool,
) -> BatchOutput {
    let mut put_aside = PutAside::new(partitions);
    let mut out = each_record(stages, batch, name, keep_dataset, |r| put_aside.put(&r));
    out.put_aside = Some(put_aside);
    out
}

/// Parses and validates each line of a batch, counting them, keeping their errors and defects
/// and (when data-set rules need them) copies of the records, and hands each record on.
fn each_record(
    stages: &Stages,
    batch: &Batch,
    name: &str,
    keep_dataset: bool,
    mut take: impl FnMut(Record),
) -> BatchOutput {
    let mut out = BatchOutput::default();
    let mut shared = Shared::default();
    let mut overlong = batch.overlong.iter().peekable();
    let too_long = |out: &mut BatchOutput, (line, bytes): &(u32, u64)| {
        out.count(None, true);
        out.errors.push(DataError::LineTooLong {
            bytes: *bytes,
            limit: stages.max_line,
            origin: Origin::line(batch.source, *line),
        });
    };
    for (line, origin) in batch.lines(&batch.whole()) {
        while let Some(dropped) = overlong.next_if(|(line, _)| *line < origin.line) {
            too_long(&mut out, dropped);
        }
        let (bucket, result) = read_record(
            stages.validator,
            line,
            origin,
            || fallback_id(name, origin),
            &mut shared,
        );
        let parsed = Parsed { bucket, result };
        out.count(parsed.bucket, parsed.result.is_err());
        match parsed.result {
            Ok(mut record) => {
                out.defects(&mut record);
                if keep_dataset {
                    out.dataset.push(record.clone());
                }
                take(record);
            }
            Err(error) => out.errors.push(*error),
        }
    }
    for dropped in overlong {
        too_long(&mut out, dropped);
    }
    out
}

/// A batch's runs of records by item, those complete within it evaluated (when `evaluate`,
/// which is only asked of a batch in which no item has two runs: one not at either end is
/// then the whole of its item within the batch).
fn into_runs(stages: &Stages, runs: Vec<Vec<Record>>, evaluate: bool) -> Vec<Run> {
    let last = runs.len().saturating_sub(1);
    runs.into_iter()
        .enumerate()
        .map(|(i, records)| {
            // An item too large to check goes to the runner, which reports it.
            let interior = i > 0 && i < last && records.len() <= stages.max_item_records;
            if evaluate && interior {
                Run::Evaluated(stages.work.evaluate_one(records))
            } else {
                Run::Pending(records)
            }
        })
        .collect()
}

/// Room for the first run of a batch: about an item of the benchmark's data.
const FIRST_RUN_CAPACITY: usize = 128;

/// A run of an item's records, with room for as many as the run before it had: items of one
/// file tend to be alike, and input that is not grouped has runs of one record, for which
/// room for a hundred would be allocated and freed record by record.
fn new_run(record: Record, capacity: usize) -> Vec<Record> {
    let mut run = Vec::with_capacity(capacity.max(1));
    run.push(record);
    run
}
