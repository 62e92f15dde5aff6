//! Reading a Parquet or Arrow IPC file of canonical records: batch by batch as the file is
//! read (never whole), each batch's rows turned into records on the pool's threads, then taken
//! in in row order, and the items completed so far evaluated before the next batches.

use super::{parse_one, Stages};
use crate::data::formats::columnar::{unopenable, Rows, Table};
use crate::data::formats::{format_title, InputFormat};
use crate::data::{DataError, Origin, Shared, SourceId};
use crate::run::items::{Parsed, Runner};
use rayon::prelude::*;
use std::fs::File;

/// Reads the table in `file` and checks its records.
pub(super) fn read_table(
    stages: &Stages,
    runner: &mut Runner,
    file: File,
    (name, format): (&str, InputFormat),
    source: SourceId,
) {
    let table = match format {
        InputFormat::Parquet => Table::parquet(file, source),
        _ => Table::arrow(file, source),
    };
    let mut table = match table {
        Ok(table) => table,
        Err(reason) => {
            let (message, help) = unopenable(format, &reason);
            return runner.error(DataError::Malformed {
                format: format_title(format).into(),
                message,
                help: Some(help),
                origin: Origin::line(source, 0),
            });
        }
    };
    // As many batches at once as threads can share, two each so none waits for the slowest;
    // the next ones are decoded while these are checked.
    let window = 2 * rayon::current_num_threads().max(1);
    let mut read = next_batches(&mut table, window);
    loop {
        let stop = read.ended;
        let (next, parsed) = rayon::join(
            || (!stop).then(|| next_batches(&mut table, window)),
            || {
                (read.batches.par_iter())
                    .map(|rows| parse_rows(stages, rows, name))
                    .collect::<Vec<_>>()
            },
        );
        read.problems.into_iter().for_each(|p| runner.error(p));
        parsed.into_iter().flatten().for_each(|p| runner.accept(p));
        let ready = runner.take_ready();
        if !ready.is_empty() {
            runner.apply(stages.work.evaluate(ready));
        }
        match next {
            Some(next) => read = next,
            None => return,
        }
    }
}

/// Batches of rows read from a table, with the problems met reading them.
struct Read {
    batches: Vec<Rows>,
    problems: Vec<DataError>,
    /// Whether the table has no more (read through, or unreadable past here).
    ended: bool,
}

/// Up to `window` batches of rows; a batch that cannot be read is reported and ends the
/// reading.
fn next_batches(table: &mut Table, window: usize) -> Read {
    let mut read = Read {
        batches: Vec::with_capacity(window),
        problems: Vec::new(),
        ended: false,
    };
    while read.batches.len() < window {
        match table.next_rows(&mut |problem| read.problems.push(problem)) {
            Some(Ok(rows)) => read.batches.push(rows),
            Some(Err(problem)) => {
                read.problems.push(problem);
                read.ended = true;
                break;
            }
            None => {
                read.ended = true;
                break;
            }
        }
    }
    read
}

/// Each row of a batch, checked as a record.
fn parse_rows(stages: &Stages, rows: &Rows, name: &str) -> Vec<Parsed> {
    let mut shared = Shared::default();
    (0..rows.len)
        .map(|index| {
            let origin = Origin::line(rows.source, (rows.first_row + index) as u32);
            parse_one(
                stages.validator,
                Ok(rows.line(index)),
                origin,
                name,
                &mut shared,
            )
        })
        .collect()
}
