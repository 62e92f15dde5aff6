//! Records of input that is not grouped by item, put aside until the input ends: encoded
//! compactly ([`crate::data::encode_record`]) into partitions by a hash of their item, held in
//! memory up to a limit and past it appended to temporary files, then read back partition by
//! partition, so that no more than one partition's records are ever held as records.
//!
//! The files are made in the temporary directory (`TMPDIR`) and unlinked as they are made
//! ([`tempfile::tempfile_in`]): the operating system removes them when the run ends, however it
//! ends (an error, Ctrl-C, a kill), and nothing is ever left behind.

use crate::data::{decode_records, encode_record, Record};
use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// The fewest and most partitions: enough that one partition's records fit the limit when
/// the input is large, few enough that their files stay well within the open-file limit.
const MIN_PARTITIONS: usize = 16;
const MAX_PARTITIONS: usize = 256;

/// The input a partition is meant to hold.
const PARTITION_INPUT_BYTES: u64 = 1 << 20;

/// About how many bytes of memory a record takes per byte of its JSON line: what a
/// partition's records take once read back.
const RECORD_BYTES_PER_LINE_BYTE: u64 = 3;

/// Why records could not be put aside or read back.
#[derive(Debug, thiserror::Error)]
#[error("cannot put records aside in `{dir}`: {source}")]
pub struct SpillError {
    /// The directory temporary files go to.
    pub dir: String,
    /// What went wrong.
    pub source: io::Error,
}

/// The partition of an item's records, of `count`: the same in every thread.
pub fn partition_of(item: &str, count: usize) -> usize {
    let mut hasher = rustc_hash::FxHasher::default();
    item.hash(&mut hasher);
    (hasher.finish() % count as u64) as usize
}

/// Records one batch encoded for the spill while the runner groups: their bytes by partition
/// and the items they belong to (each once per run of records).
#[derive(Default)]
pub struct PutAside {
    parts: Vec<Vec<u8>>,
    items: Vec<Arc<str>>,
}

impl PutAside {
    /// Room for records in `partitions` partitions.
    pub fn new(partitions: usize) -> Self {
        PutAside {
            parts: vec![Vec::new(); partitions],
            items: Vec::new(),
        }
    }

    /// Encodes a record into its partition.
    pub fn put(&mut self, record: &Record) {
        let partition = partition_of(&record.item, self.parts.len());
        encode_record(record, &mut self.parts[partition]);
        if self.items.last() != Some(&record.item) {
            self.items.push(record.item.clone());
        }
    }

    /// The items of the records put aside (an item once per run of its records).
    pub fn items(&self) -> &[Arc<str>] {
        &self.items
    }
}

/// One partition: the encoded records held in memory and those already written out.
#[derive(Default)]
pub struct Partition {
    held: Vec<u8>,
    file: Option<std::fs::File>,
}

/// The records put aside, by partition.
pub(super) struct Spill {
    partitions: Vec<Partition>,
    /// Encoded bytes held in memory, across partitions, and the most that may be.
    held: usize,
    limit: usize,
    /// The items with records put aside.
    items: rustc_hash::FxHashSet<Arc<str>>,
    error: Option<io::Error>,
}

impl Spill {
    /// A spill for about `input_bytes` of input (0 when unknown) within `memory_limit`
    /// bytes: half for encoded records held before they are written out, half for one
    /// partition read back.
    pub fn new(input_bytes: u64, memory_limit: u64) -> Self {
        let half = (memory_limit / 2).max(1);
        // Partitions of about a megabyte of input each: small enough to be read back and
        // grouped within the caches, and within the limit once held as records.
        let by_size = input_bytes / PARTITION_INPUT_BYTES;
        let by_limit = input_bytes.saturating_mul(RECORD_BYTES_PER_LINE_BYTE) / half;
        // Input of unknown size (standard input) may be large: as many as may be.
        let wanted = match input_bytes {
            0 => MAX_PARTITIONS as u64,
            _ => by_size.max(by_limit),
        };
        let partitions = (wanted as usize).clamp(MIN_PARTITIONS, MAX_PARTITIONS);
        Spill {
            partitions: (0..partitions).map(|_| Partition::default()).collect(),
            held: 0,
            limit: usize::try_from(half).unwrap_or(usize::MAX),
            items: Default::default(),
            error: None,
        }
    }

    /// Puts a record aside.
    pub fn hold(&mut self, record: Record) {
        let partition = partition_of(&record.item, self.partitions.len());
        let held = &mut self.partitions[partition].held;
        let before = held.len();
        encode_record(&record, held);
        self.held += held.len() - before;
        self.items.insert(record.item);
        self.write_out_past_limit();
    }

    /// Takes records a batch encoded itself ([`PutAside`]).
    pub fn take(&mut self, put_aside: PutAside) {
        for (partition, bytes) in put_aside.parts.into_iter().enumerate() {
            self.held += bytes.len();
            self.partitions[partition].held.extend_from_slice(&bytes);
        }
        self.items.extend(put_aside.items);
        self.write_out_past_limit();
    }

    /// The number of partitions, for batches that encode records themselves.
    pub fn partition_count(&self) -> usize {
        self.partitions.len()
    }

    /// Whether records of `item` were put aside.
    pub fn holds(&self, item: &str) -> bool {
        self.items.contains(item)
    }

    /// The number of items with records put aside.
    pub fn items(&self) -> usize {
        self.items.len()
    }

    fn write_out_past_limit(&mut self) {
        if self.held > self.limit {
            self.write_out();
        }
    }

    /// Appends every partition's held bytes to its file.
    fn write_out(&mut self) {
        for partition in &mut self.partitions {
            if partition.held.is_empty() || self.error.is_some() {
                continue;
            }
            let written = match &mut partition.file {
                Some(file) => file.write_all(&partition.held),
                None => tempfile::tempfile().and_then(|mut file| {
                    file.write_all(&partition.held)?;
                    partition.file = Some(file);
                    Ok(())
                }),
            };
            if let Err(e) = written {
                self.error = Some(e);
            }
            partition.held.clear();
        }
        self.held = 0;
    }

    /// The partitions, to be read back one (or a few) at a time: every record of an item is
    /// in one partition. An error writing them out is given instead.
    pub fn into_partitions(self) -> Result<Vec<Partition>, SpillError> {
        match self.error {
            Some(source) => Err(spill_error(source)),
            None => Ok(self.partitions),
        }
    }
}

/// An error of the spill, naming the directory its files go to.
fn spill_error(source: io::Error) -> SpillError {
    SpillError {
        dir: std::env::temp_dir().display().to_string(),
        source,
    }
}

impl Partition {
    /// The partition's items, each with its records in input order: the records written out,
    /// then those held, grouped by the item name they share as they are decoded.
    pub fn read_items(self) -> Result<Vec<Vec<Record>>, SpillError> {
        let mut bytes = Vec::new();
        if let Some(mut file) = self.file {
            let read = file
                .seek(SeekFrom::Start(0))
                .and_then(|_| file.read_to_end(&mut bytes));
            read.map_err(spill_error)?;
        }
        bytes.extend_from_slice(&self.held);
        drop(self.held);
        // Each item's name is made once; its records then go to its group by the name's
        // address, without hashing the text again.
        let mut names: FxHashMap<Box<str>, Arc<str>> = FxHashMap::default();
        let mut item = |name: &str| match names.get(name) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = name.into();
                names.insert(name.into(), shared.clone());
                shared
            }
        };
        let mut group_of: FxHashMap<*const u8, usize> = FxHashMap::default();
        let mut items: Vec<Vec<Record>> = Vec::new();
        for record in decode_records(&bytes, &mut item) {
            let record =
                record.map_err(|e| spill_error(io::Error::new(io::ErrorKind::InvalidData, e)))?;
            let group = *group_of.entry(record.item.as_ptr()).or_insert_with(|| {
                items.push(Vec::new());
                items.len() - 1
            });
            items[group].push(record);
        }
        items.iter_mut().for_each(|r| r.sort_by_key(|r| r.origin));
        Ok(items)
    }
}
