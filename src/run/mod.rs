//! Running a pack over data: reading sources, validating records, grouping them by item,
//! evaluating each item as soon as it is complete, and reconciling the counts.
//!
//! The pipeline (see ARCHITECTURE.md): the input is read in batches of whole lines; each
//! batch is parsed and validated on the thread pool; one thread then assigns records to
//! items in input order (so the output never depends on the number of threads); the items
//! completed by a batch are evaluated on the pool while the next batch is parsed.
//!
//! Items whose records are contiguous are evaluated when the next item starts, so memory is
//! bounded by the largest item. Several JSON Lines inputs, each in item order (one file per
//! modality), are merged as they are read (`merge.rs`): an item is evaluated once every input
//! has moved past it. Input that is not grouped by item (found in the first batch with an item
//! in two runs, or when an item reappears) is put aside by item hash, in memory up to
//! [`RunOptions::memory_limit`] and past it in temporary files (`spill.rs`), and evaluated
//! partition by partition at the end; the few items evaluated before that point which
//! reappear are read again from their sources in a second pass. Standard input is copied to
//! a temporary file as it is read so that it can be read twice.
//!
//! Output order depends on item names alone ([`Slot`]), and each item's records are evaluated
//! in one order (kind, then id), so a run gives the same findings whatever the layout of its
//! input.

mod baseline;
mod evaluate;
mod grouping;
mod input;
mod items;
mod merge;
mod problem;
mod slots;
mod spill;

pub use baseline::{BadBaseline, Baseline, BaselineEntry};
pub use problem::Problem;
pub use slots::SlotMap;

use crate::data::formats::{InputFormat, ReadOptions};
use crate::data::Origin;
use crate::eval::Finding;
use crate::pack::Pack;
use indexmap::IndexMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where records come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file, in the format its extension (and for `.json` its content) shows, or through
    /// a mapping of the pack whose `files` match its name.
    Path(PathBuf),
    /// Standard input: JSON Lines unless a format is forced.
    Stdin,
    /// Standard input known by a file's name (`--stdin-filename`): its format is chosen from
    /// the name as a file's would be (by extension or a mapping; the content of a `.json` is
    /// not looked at), and diagnostics and findings name it.
    StdinAs(PathBuf),
    /// A file's content held in memory (an upload, a task an annotation tool sends), of any
    /// format: `name` chooses it as a file's name would, names its records' source in
    /// diagnostics and findings, and names the item of one-item-per-file formats.
    Bytes {
        /// The name it is known by (`captions.vtt`, `export.json`).
        name: String,
        /// Its content.
        bytes: Arc<[u8]>,
    },
}

/// How a run uses the machine.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker threads; 0 runs in the caller's rayon pool (rayon's global pool, sized by
    /// `RAYON_NUM_THREADS`, else every core), so repeated calls start no threads.
    pub threads: usize,
    /// The most candidate pairs one rule may consider on one item before it is stopped.
    pub work_budget: u64,
    /// Called as the run reads (after each batch of lines, and once more at the end), so a
    /// front end can show progress; the library draws nothing itself.
    pub progress: Option<OnProgress>,
    /// Read and validate every record, the uniqueness of ids within each item included, but
    /// run no rule: the cost of input alone.
    pub parse_only: bool,
    /// The size of the batches of lines that threads take on (output never depends on it).
    pub batch_bytes: usize,
    /// The format of every input; `None` chooses by file extension (JSON Lines for
    /// standard input and unknown extensions).
    pub input_format: Option<InputFormat>,
    /// What readers of other formats need to know (frames per second for CVAT).
    pub read: ReadOptions,
    /// Keep every item's statistics (rules without `for`) for [`Outcome::item_metrics`].
    pub item_metrics: bool,
    /// Count each rater's ratings and disagreements behind the data-set statistics
    /// ([`Metric::raters`]). On by default; a caller that shows only findings turns it off
    /// and saves their gathering and merging, item by item.
    pub rater_metrics: bool,
    /// Known findings to leave out ([`Outcome::baselined`], [`Outcome::stale_baseline`]).
    pub baseline: Option<Arc<Baseline>>,
    /// Explain the findings of one rule ([`Outcome::explanations`]).
    pub explain: Option<ExplainRequest>,
    /// What input may ask of the run: line length, fields, lists, grouping memory.
    pub limits: crate::Limits,
    /// Keep the records of up to this many items with findings ([`Outcome::item_records`]),
    /// for a report that draws them on a timeline.
    pub keep_records: usize,
    /// The input is one part of a data set (a Spark partition, say): leave the data-set rules
    /// unfinished. Those that stream leave their merged parts in [`Outcome::dataset_parts`],
    /// for [`Pack::finish_dataset`] to merge with the other parts'; those that need every
    /// record are not run.
    pub defer_dataset: bool,
    /// The most memory, in bytes, that records of input not grouped by item may take while
    /// they are grouped: past it they go to temporary files in `TMPDIR`
    /// ([`DEFAULT_MEMORY_LIMIT`]).
    pub memory_limit: u64,
    /// The caller promises that every input is in item order (the natural order of item
    /// names, [`Slot`]): an item's findings are then final as soon as it and every item
    /// before it are evaluated, and the sink is told so ([`FindingSink::settled`]) so that it
    /// can write them at once. A record out of that order is a data error
    /// (`cord::data::out-of-order`); the run then goes on as for any input, and no finding
    /// is final before the end.
    pub in_item_order: bool,
}

/// The default [`RunOptions::memory_limit`]: records grouped past it go to disk, where the
/// page cache holds them as long as memory allows, so a small limit costs little time.
pub const DEFAULT_MEMORY_LIMIT: u64 = 16 << 20;

/// What one part of a data set contributes to its data-set rules that stream: partial
/// statistics that merge. Bytes travel between processes ([`DatasetParts::to_bytes`]).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct DatasetParts {
    parts: Vec<crate::metrics::Part>,
}

/// Bytes that are not [`DatasetParts::to_bytes`] of this version, with why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not the parts of a data set: {0}")]
pub struct NotDatasetParts(pub String);

impl DatasetParts {
    /// The parts as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Parts from [`DatasetParts::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<DatasetParts, NotDatasetParts> {
        postcard::from_bytes(bytes).map_err(|e| NotDatasetParts(e.to_string()))
    }
}

/// Which findings `concordant explain` explains: those of one rule, on one item or about one
/// record (or all of the rule's, when neither is given).
#[derive(Debug, Clone)]
pub struct ExplainRequest {
    /// The rule's index in [`crate::plan::Plan::rules`].
    pub rule: usize,
    /// Only on this item.
    pub item: Option<String>,
    /// Only findings that involve a record with this id.
    pub record: Option<String>,
}

/// The default [`RunOptions::work_budget`]: far above what any real item needs (a
/// 100-record item needs a few thousand), far below hours of work.
pub const DEFAULT_WORK_BUDGET: u64 = 50_000_000;

/// The most worker threads a run starts ([`RunOptions::threads`] above it is lowered to it).
/// Each thread holds up to three batches in flight and a stack; past a few per core they only
/// add start-up time and memory (10,000 threads took over 100 s on 29 records).
pub const MAX_THREADS: usize = 1024;

/// How far a run has read: what a progress callback receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the inputs read so far.
    pub bytes: u64,
    /// Items seen so far.
    pub items: usize,
    /// Whether the run has finished reading (the last event of a run).
    pub done: bool,
}

/// A progress callback ([`RunOptions::progress`]), shared by the threads of a run.
#[derive(Clone)]
pub struct OnProgress(pub std::sync::Arc<dyn Fn(Progress) + Send + Sync>);

impl std::fmt::Debug for OnProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnProgress(..)")
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: 0,
            work_budget: DEFAULT_WORK_BUDGET,
            progress: None,
            parse_only: false,
            batch_bytes: crate::data::BATCH_BYTES,
            input_format: None,
            read: ReadOptions::default(),
            item_metrics: false,
            rater_metrics: true,
            baseline: None,
            explain: None,
            limits: crate::Limits::default(),
            keep_records: 0,
            defer_dataset: false,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            in_item_order: false,
        }
    }
}

/// A data source of a run, as diagnostics name it.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// The name shown to users: the path, or `<stdin>`.
    pub name: String,
    /// A file holding the source's text, for showing record lines (a copy for stdin).
    pub readable: Option<PathBuf>,
    /// The format it was read as.
    pub format: InputFormat,
    /// The item of its records when its format holds one item per file ([`item_names`]).
    pub item: String,
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
    /// Of the checked records, those checked with data errors: a defect that did not stop
    /// them from being read (a reversed interval, a value outside its enum) is reported,
    /// and the rules see them as read.
    pub with_data_errors: u64,
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
                t.with_data_errors += c.with_data_errors;
                t
            })
    }
}

/// An item's place in the output: items in the natural order of their names
/// ([`crate::data::compare_items`]: `task 2` before `task 10`), then the data-set rules'
/// findings. It depends on item names alone, so output is the same whatever the layout of the
/// input (one file or one per modality, grouped or shuffled, split into any batches).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The findings of one item.
    Item(Arc<str>),
    /// The findings of the rules over the whole data set, after every item's.
    Dataset,
}

impl Ord for Slot {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (Slot::Item(a), Slot::Item(b)) => crate::data::compare_items(a, b),
            (Slot::Item(_), Slot::Dataset) => std::cmp::Ordering::Less,
            (Slot::Dataset, Slot::Item(_)) => std::cmp::Ordering::Greater,
            (Slot::Dataset, Slot::Dataset) => std::cmp::Ordering::Equal,
        }
    }
}

impl PartialOrd for Slot {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Receives findings item by item as soon as they are final, so that a run need not hold
/// them all. Each item has a slot; output lists items in slot order, the natural order of
/// their names (whatever order they complete in); the data-set rules take the last slot,
/// [`Slot::Dataset`]. A slot is delivered again only when its item's records
/// reappeared after other items (input not grouped by item): the new findings replace the
/// old ones.
pub trait FindingSink: Send {
    /// The findings of the item in `slot`, sorted by rule and key.
    fn deliver(&mut self, slot: Slot, findings: Vec<Finding>);

    /// A source the run opens, before any finding about it (for sinks that show its lines).
    fn source(&mut self, _id: crate::data::SourceId, _info: &SourceInfo) {}

    /// Every item up to `through`, in slot order, is final: its findings were delivered and
    /// will not be again. Told only when input is promised in item order
    /// ([`RunOptions::in_item_order`]), so that a sink can write findings as the run goes.
    fn settled(&mut self, _through: &Slot) {}
}

/// A sink that keeps every finding, for [`Outcome::findings`].
#[derive(Debug, Default)]
pub struct CollectFindings {
    slots: SlotMap<Vec<Finding>>,
}

impl FindingSink for CollectFindings {
    fn deliver(&mut self, slot: Slot, findings: Vec<Finding>) {
        if !findings.is_empty() || self.slots.contains(&slot) {
            self.slots.insert(slot, findings);
        }
    }
}

impl CollectFindings {
    /// Every finding in output order.
    pub fn into_findings(self) -> Vec<Finding> {
        self.slots.into_values().flatten().collect()
    }
}

/// Everything a run found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rule findings: items in the natural order of their names ([`Slot`]), then data-set
    /// findings. Empty
    /// when the findings went to a [`FindingSink`].
    pub findings: Vec<Finding>,
    /// The number of findings per rule, by index in [`crate::plan::Plan::rules`].
    pub per_rule: Vec<u64>,
    /// Rejected lines and records and stopped rules, in input order.
    pub data_errors: Vec<Problem>,
    /// Reconciled counts.
    pub summary: Summary,
    /// The sources, by [`crate::data::SourceId`].
    pub sources: Vec<SourceInfo>,
    /// The statistics of streamed data-set rules, over the whole data set, with each
    /// rater's counts.
    pub metrics: Vec<Metric>,
    /// With [`RunOptions::item_metrics`]: each item's statistics (of rules without `for`),
    /// items in output order.
    pub item_metrics: Vec<ItemMetric>,
    /// Findings left out because their primary record waives their rule.
    pub waived: u64,
    /// Findings left out because the baseline lists them.
    pub baselined: u64,
    /// Baseline entries no finding matched: to be removed from the baseline.
    pub stale_baseline: Vec<BaselineEntry>,
    /// With [`RunOptions::explain`]: the findings asked about, explained, in output order.
    pub explanations: Vec<crate::eval::explain::Explanation>,
    /// With [`RunOptions::defer_dataset`]: what this part of the data set contributes to
    /// the data-set rules that stream.
    pub dataset_parts: Option<DatasetParts>,
    /// With [`RunOptions::keep_records`]: the records of the first items with findings (in
    /// output order), each item's records as the run read them.
    pub item_records: Vec<(Arc<str>, Vec<crate::data::Record>)>,
    /// Keeps the copies of standard input and of inputs given as bytes alive while the
    /// outcome is rendered (the human output reads their lines again).
    spools: Vec<Arc<tempfile::NamedTempFile>>,
}

/// A statistic a data-set rule computed over the whole data set.
#[derive(Debug, Clone)]
pub struct Metric {
    /// The rule.
    pub rule: String,
    /// The statistic as the rule writes it.
    pub statistic: String,
    /// Its value, when defined.
    pub value: Option<f64>,
    /// Each rater's ratings, disagreements with the majority and labels.
    pub raters: crate::metrics::RaterStats,
}

/// A statistic of one item.
#[derive(Debug, Clone)]
pub struct ItemMetric {
    /// The item.
    pub item: String,
    /// The rule.
    pub rule: String,
    /// The statistic as the rule writes it.
    pub statistic: String,
    /// Its value, when defined.
    pub value: Option<f64>,
}

/// Name of the bucket for lines whose kind cannot be read.
const UNREADABLE: &str = "(unreadable)";

impl Input {
    /// The name diagnostics give this input.
    pub fn name(&self) -> String {
        match self {
            Input::Path(path) => path.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::StdinAs(path) => path.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }
}

/// The item of each input whose format holds one item per file (subtitles, TextGrid, ELAN):
/// the file's name with its extension, so that `talk.vtt` and `talk.srt` stay two items; when
/// other inputs of the run have the same name (`ep1/captions.vtt`, `ep2/captions.vtt`), as
/// many of the folders above it as tell them apart, so two videos never become one item.
pub fn item_names(inputs: &[Input]) -> Vec<String> {
    let parts: Vec<Vec<String>> = inputs.iter().map(name_parts).collect();
    let distinct_at = |index: usize, depth: usize| {
        let tail = |p: &Vec<String>| p[p.len().saturating_sub(depth)..].to_vec();
        let mine = tail(&parts[index]);
        parts
            .iter()
            .enumerate()
            .all(|(other, p)| other == index || parts[other] == parts[index] || tail(p) != mine)
    };
    (0..inputs.len())
        .map(|index| {
            let all = &parts[index];
            let depth = (1..=all.len())
                .find(|&depth| distinct_at(index, depth))
                .unwrap_or(all.len());
            all[all.len().saturating_sub(depth)..].join("/")
        })
        .collect()
}

/// The components of an input's path, last one the file's name (`stdin` for standard input).
fn name_parts(input: &Input) -> Vec<String> {
    let named = |path: &std::path::Path| -> Vec<String> {
        path.components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    match input {
        Input::Bytes { name, bytes } => match named(&match crate::data::compressed::codec_of(bytes)
        {
            Some(_) => crate::data::compressed::plain_name(std::path::Path::new(name)),
            None => std::path::PathBuf::from(name),
        }) {
            parts if parts.is_empty() => vec![name.clone()],
            parts => parts,
        },
        Input::StdinAs(path) => match named(path) {
            parts if parts.is_empty() => vec![input.name()],
            parts => parts,
        },
        Input::Path(path) => {
            // A compressed file's items are named as its text's would be.
            let path = match crate::data::compressed::sniff(path) {
                Ok(Some(_)) => crate::data::compressed::plain_name(path),
                _ => path.clone(),
            };
            let parts: Vec<String> = path
                .components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match parts.is_empty() {
                true => vec![input.name()],
                false => parts,
            }
        }
        Input::Stdin => vec!["stdin".into()],
    }
}

fn fallback_id(source_name: &str, origin: Origin) -> String {
    let file = std::path::Path::new(source_name)
        .file_name()
        .map_or(source_name.into(), |f| f.to_string_lossy());
    format!("{file}:{}", origin.line)
}

impl Pack {
    /// Checks data files (or standard input) with default options: every record is
    /// validated against the schema, every item-scope rule runs on each item, and data-set
    /// rules run on everything.
    pub fn check_inputs(&self, inputs: &[Input]) -> Outcome {
        self.check(inputs, &RunOptions::default())
    }

    /// Checks any inputs — files, standard input, or files' contents held in memory
    /// ([`Input::Bytes`]), each in its own format — with `options`: the entry point the
    /// others are made of. The outcome is the same, in content and order, for every number
    /// of threads.
    pub fn check(&self, inputs: &[Input], options: &RunOptions) -> Outcome {
        let mut collect = CollectFindings::default();
        let mut outcome = self.check_inputs_into(inputs, options, &mut collect);
        outcome.findings = collect.into_findings();
        outcome
    }

    /// Checks data, handing findings to `sink` as items complete instead of keeping them:
    /// memory then stays bounded by the largest item (on input grouped by item).
    pub fn check_inputs_into(
        &self,
        inputs: &[Input],
        options: &RunOptions,
        sink: &mut dyn FindingSink,
    ) -> Outcome {
        let mut run = move || input::run(self, inputs, options, sink);
        if options.threads == 0 {
            // The pool the caller runs in (rayon's global pool, sized by RAYON_NUM_THREADS,
            // unless the caller installed one): no threads are started per call. The run
            // itself moves onto one of its threads, as `install` does, so that the reading
            // thread also parses and evaluates while it waits instead of being one thread
            // more than there are cores.
            return rayon::scope(|_| run());
        }
        match rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.min(MAX_THREADS))
            .build()
        {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        }
    }

    /// Finishes the data-set rules that stream from the parts of every part of the data set
    /// (each from a run with [`RunOptions::defer_dataset`]), merged in the order given:
    /// their findings and metrics, as one run over the whole data set gives them.
    pub fn finish_dataset(
        &self,
        parts: impl IntoIterator<Item = DatasetParts>,
    ) -> (Vec<Finding>, Vec<Metric>) {
        let evaluator = crate::eval::Evaluator::new(&self.plan);
        let mut merged = evaluator.partials(&[]);
        for part in parts {
            for (into, p) in merged.iter_mut().zip(&part.parts) {
                into.merge(p);
            }
        }
        if merged.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let (mut findings, metrics) = evaluate::streamed_results(&evaluator, &merged);
        findings.sort_by(|a, b| (a.rule, &a.key).cmp(&(b.rule, &b.key)));
        (findings, metrics)
    }

    /// Checks lines of JSON Lines held in memory (a Spark partition's, say): each line's
    /// number is its place, from 1, and a line that is not a JSON record is a data error, as
    /// in a file. The lines are grouped by item before they are checked.
    pub fn check_json_lines<S: AsRef<str>>(&self, lines: &[S], options: &RunOptions) -> Outcome {
        let values = lines.iter().enumerate().map(|(index, line)| {
            let line = line.as_ref();
            serde_json::from_str::<serde_json::Value>(line).map_err(|_| {
                let origin = crate::data::Origin::line(crate::data::SourceId(0), index as u32 + 1);
                match crate::data::parse_line(line.as_bytes(), origin) {
                    Err(error) => error,
                    Ok(_) => Box::new(crate::data::DataError::InvalidJson {
                        reason: "not a JSON value".into(),
                        origin,
                    }),
                }
            })
        });
        self.collect_values(values, options)
    }

    /// Checks records given as JSON values (all of them are held in memory, grouped by
    /// item, before any is checked). Each value's position in the iterator is its "line".
    pub fn check_values(&self, values: impl IntoIterator<Item = serde_json::Value>) -> Outcome {
        self.check_values_with(values, &RunOptions::default())
    }

    /// [`Pack::check_values`] with explicit options (threads and batches do not apply).
    pub fn check_values_with(
        &self,
        values: impl IntoIterator<Item = serde_json::Value>,
        options: &RunOptions,
    ) -> Outcome {
        self.collect_values(values.into_iter().map(Ok), options)
    }

    /// Checks values (or the errors of those that could not be read), the findings kept in
    /// the outcome.
    fn collect_values(
        &self,
        values: impl IntoIterator<Item = Result<serde_json::Value, Box<crate::data::DataError>>>,
        options: &RunOptions,
    ) -> Outcome {
        let mut collect = CollectFindings::default();
        let mut outcome = input::run_values(self, values, options, &mut collect);
        outcome.findings = collect.into_findings();
        outcome
    }
}
