//! Running a pack over data: reading sources, validating records, grouping them by item,
//! evaluating each item as soon as it is complete, and reconciling the counts.
//!
//! Items whose records are contiguous are evaluated when the next item starts, so memory is
//! bounded by the largest item. When an item shows up again after another item began (the
//! input is not grouped), it is marked *split*: its first evaluation is discarded, and after
//! the first pass the sources are read a second time to collect all records of the split
//! items, which are then evaluated whole. Standard input is copied to a temporary file as it
//! is read so that it can be read twice.

use crate::data::{read_source, validate, DataError, Origin, Raw, Record, SourceId};
use crate::eval::{Evaluator, Finding};
use crate::pack::Pack;
use crate::syntax::ast::Scope;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Where records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A JSON Lines (or JSON array) file.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

/// A data source of a run, as diagnostics name it.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The name shown to users: the path, or `<stdin>`.
    pub name: String,
    /// A file holding the source's text, for showing record lines (a copy for stdin).
    pub readable: Option<PathBuf>,
}

/// Records read, checked and rejected for one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindCount {
    /// Records (or lines) read.
    pub read: u64,
    /// Records that passed validation and were checked.
    pub checked: u64,
    /// Records rejected with a data diagnostic.
    pub rejected: u64,
}

/// Counts that reconcile: read = checked + rejected, overall and per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per kind name; lines without a readable kind are counted under `(unreadable)`.
    pub per_kind: IndexMap<String, KindCount>,
    /// The number of distinct items.
    pub items: u64,
}

impl Summary {
    /// Totals over all kinds.
    pub fn total(&self) -> KindCount {
        self.per_kind
            .values()
            .fold(KindCount::default(), |mut t, c| {
                t.read += c.read;
                t.checked += c.checked;
                t.rejected += c.rejected;
                t
            })
    }
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rule findings: items in order of first appearance, then data-set findings.
    pub findings: Vec<Finding>,
    /// Rejected lines and records, in input order.
    pub data_errors: Vec<DataError>,
    /// Reconciled counts.
    pub summary: Summary,
    /// The sources, by [`SourceId`].
    pub sources: Vec<SourceInfo>,
    /// Keeps the copy of standard input alive while the outcome is rendered.
    spool: Option<Arc<tempfile::NamedTempFile>>,
}

/// Name of the bucket for lines whose kind cannot be read.
const UNREADABLE: &str = "(unreadable)";

/// The first pass: streams records, evaluating contiguous items as they complete.
struct Runner<'p> {
    pack: &'p Pack,
    evaluator: Evaluator<'p>,
    current: Vec<Record>,
    finished: HashSet<Arc<str>>,
    split: HashSet<Arc<str>>,
    results: IndexMap<Arc<str>, Vec<Finding>>,
    keep_for_dataset: bool,
    dataset: Vec<Record>,
    outcome: Outcome,
}

impl<'p> Runner<'p> {
    fn new(pack: &'p Pack) -> Self {
        let keep_for_dataset = pack.plan.rules.iter().any(|r| r.scope == Scope::Dataset);
        Runner {
            pack,
            evaluator: Evaluator::new(&pack.plan),
            current: Vec::new(),
            finished: HashSet::new(),
            split: HashSet::new(),
            results: IndexMap::new(),
            keep_for_dataset,
            dataset: Vec::new(),
            outcome: Outcome::default(),
        }
    }

    fn count(&mut self, kind: &str) -> &mut KindCount {
        if !self.outcome.summary.per_kind.contains_key(kind) {
            self.outcome
                .summary
                .per_kind
                .insert(kind.to_string(), KindCount::default());
        }
        &mut self.outcome.summary.per_kind[kind]
    }

    fn reject(&mut self, kind: &str, error: DataError) {
        let count = self.count(kind);
        count.rejected += 1;
        count.checked -= 1;
        self.outcome.data_errors.push(error);
    }

    fn accept_raw(&mut self, raw: Raw, source_name: &str) {
        let (json, origin) = match raw {
            Raw::Value(json, origin) => (json, origin),
            Raw::Error(error) => {
                self.count(UNREADABLE).read += 1;
                self.count(UNREADABLE).checked += 1;
                self.reject(UNREADABLE, error);
                return;
            }
        };
        let kind = json
            .get("kind")
            .and_then(|k| k.as_str())
            .filter(|k| self.pack.plan.schema.kind_id(k).is_some());
        let kind = kind.unwrap_or(UNREADABLE).to_string();
        self.count(&kind).read += 1;
        self.count(&kind).checked += 1;
        let fallback = || fallback_id(source_name, origin);
        match validate(&self.pack.plan.schema, json, origin, fallback) {
            Ok(record) => self.push(record),
            Err(error) => self.reject(&kind, *error),
        }
    }

    fn push(&mut self, record: Record) {
        if self.keep_for_dataset {
            self.dataset.push(record.clone());
        }
        if self.current.first().is_some_and(|r| r.item != record.item) {
            self.finish_current();
        }
        if self.current.is_empty() && self.finished.contains(&record.item) {
            self.split.insert(record.item.clone());
        }
        self.current.push(record);
    }

    fn finish_current(&mut self) {
        let records = std::mem::take(&mut self.current);
        let Some(item) = records.first().map(|r| r.item.clone()) else {
            return;
        };
        self.finished.insert(item.clone());
        if self.split.contains(&item) {
            return;
        }
        let records = self.without_duplicates(records, &mut HashSet::new());
        let findings = self.evaluator.evaluate(&records, Scope::Item);
        self.results.insert(item, findings);
    }

    /// Drops records whose id repeats within the item, reporting each once.
    fn without_duplicates(
        &mut self,
        records: Vec<Record>,
        reported: &mut HashSet<Origin>,
    ) -> Vec<Record> {
        let mut first: HashMap<Arc<str>, u32> = HashMap::new();
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            if let Some(line) = first.get(&record.id) {
                if reported.insert(record.origin) {
                    let kind = self.pack.plan.schema.kind(record.kind).name.clone();
                    self.reject(
                        &kind,
                        DataError::DuplicateId {
                            id: record.id.to_string(),
                            item: record.item.to_string(),
                            first_line: *line,
                            origin: record.origin,
                        },
                    );
                }
                continue;
            }
            first.insert(record.id.clone(), record.origin.line);
            out.push(record);
        }
        out
    }
}

fn fallback_id(source_name: &str, origin: Origin) -> String {
    let file = std::path::Path::new(source_name)
        .file_name()
        .map_or(source_name.into(), |f| f.to_string_lossy());
    format!("{file}:{}", origin.line)
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

impl Pack {
    /// Checks data files (or standard input): every record is validated against the schema,
    /// every item-scope rule runs on each item, and data-set rules run on everything.
    pub fn check_inputs(&self, inputs: &[Input]) -> Outcome {
        let mut runner = Runner::new(self);
        for (index, input) in inputs.iter().enumerate() {
            let source = SourceId(index as u32);
            read_input(&mut runner, input, source);
        }
        runner.finish_current();
        let split: Vec<Arc<str>> = runner.split.iter().cloned().collect();
        if !split.is_empty() {
            regroup_split_items(&mut runner, split);
        }
        finish(runner)
    }

    /// Checks records given as JSON values (all of them are held in memory, grouped by
    /// item, before any is checked). Each value's position in the iterator is its "line".
    pub fn check_values(&self, values: impl IntoIterator<Item = serde_json::Value>) -> Outcome {
        let mut runner = Runner::new(self);
        runner.outcome.sources.push(SourceInfo {
            name: "<values>".into(),
            readable: None,
        });
        let mut grouped: IndexMap<String, Vec<serde_json::Value>> = IndexMap::new();
        let mut order = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            let item = value.get("item").map(|v| v.to_string()).unwrap_or_default();
            order.push((item.clone(), i));
            grouped.entry(item).or_default().push(value);
        }
        let mut line = 0u32;
        for (_, values) in grouped {
            for value in values {
                line += 1;
                let origin = Origin {
                    source: SourceId(0),
                    line,
                };
                runner.accept_raw(Raw::Value(value, origin), "<values>");
            }
        }
        runner.finish_current();
        finish(runner)
    }
}

fn read_input(runner: &mut Runner, input: &Input, source: SourceId) {
    let origin = Origin { source, line: 0 };
    match input {
        Input::Path(path) => {
            let name = path.display().to_string();
            runner.outcome.sources.push(SourceInfo {
                name: name.clone(),
                readable: Some(path.clone()),
            });
            match File::open(path) {
                Ok(file) => read_into(
                    runner,
                    BufReader::with_capacity(1 << 20, file),
                    &name,
                    origin,
                ),
                Err(e) => unreadable(runner, &name, e, origin),
            }
        }
        Input::Stdin => {
            let spool = tempfile::NamedTempFile::new();
            let (copy, spool) = match spool.and_then(|s| Ok((s.reopen()?, s))) {
                Ok((copy, spool)) => (copy, spool),
                Err(e) => return unreadable(runner, "<stdin>", e, origin),
            };
            let readable = Some(spool.path().to_path_buf());
            runner.outcome.sources.push(SourceInfo {
                name: "<stdin>".into(),
                readable,
            });
            runner.outcome.spool = Some(Arc::new(spool));
            let tee = Tee {
                inner: io::stdin().lock(),
                copy,
            };
            read_into(
                runner,
                BufReader::with_capacity(1 << 20, tee),
                "<stdin>",
                origin,
            );
        }
    }
}

fn read_into(runner: &mut Runner, reader: impl BufRead, name: &str, origin: Origin) {
    let result = read_source(reader, origin.source, &mut |raw| {
        runner.accept_raw(raw, name)
    });
    if let Err(e) = result {
        unreadable(runner, name, e, origin);
    }
}

fn unreadable(runner: &mut Runner, name: &str, e: io::Error, origin: Origin) {
    runner.outcome.data_errors.push(DataError::Unreadable {
        path: name.to_string(),
        reason: e.to_string(),
        origin,
    });
}

/// The second pass over the sources: collects every record of the split items and evaluates
/// each item whole. Counts and data diagnostics were made in the first pass.
fn regroup_split_items(runner: &mut Runner, split: Vec<Arc<str>>) {
    let wanted: HashSet<Arc<str>> = split.into_iter().collect();
    let mut items: IndexMap<Arc<str>, Vec<Record>> = IndexMap::new();
    let schema = runner.pack.plan.schema.clone();
    for (index, info) in runner.outcome.sources.clone().iter().enumerate() {
        let Some(path) = &info.readable else { continue };
        let Ok(file) = File::open(path) else { continue };
        let source = SourceId(index as u32);
        let _ = read_source(BufReader::new(file), source, &mut |raw| {
            if let Raw::Value(json, origin) = raw {
                let fallback = || fallback_id(&info.name, origin);
                if let Ok(record) = validate(&schema, json, origin, fallback) {
                    if wanted.contains(&record.item) {
                        items.entry(record.item.clone()).or_default().push(record);
                    }
                }
            }
        });
    }
    let mut reported: HashSet<Origin> = runner
        .outcome
        .data_errors
        .iter()
        .filter(|e| matches!(e, DataError::DuplicateId { .. }))
        .map(DataError::origin)
        .collect();
    for (item, records) in items {
        let records = runner.without_duplicates(records, &mut reported);
        let findings = runner.evaluator.evaluate(&records, Scope::Item);
        runner.results.insert(item, findings);
    }
}

fn finish(mut runner: Runner) -> Outcome {
    let dataset = std::mem::take(&mut runner.dataset);
    let dataset_findings = if runner.keep_for_dataset {
        // Duplicates were reported by the per-item pass; here they are only left out.
        let mut seen: HashSet<(Arc<str>, Arc<str>)> = HashSet::new();
        let records: Vec<Record> = dataset
            .into_iter()
            .filter(|r| seen.insert((r.item.clone(), r.id.clone())))
            .collect();
        runner.evaluator.evaluate(&records, Scope::Dataset)
    } else {
        Vec::new()
    };
    let mut outcome = runner.outcome;
    outcome.summary.items = runner.finished.len() as u64;
    outcome.findings = runner
        .results
        .into_values()
        .flatten()
        .chain(dataset_findings)
        .collect();
    outcome.data_errors.sort_by_key(DataError::origin);
    outcome
}
