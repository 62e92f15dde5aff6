//! Fetching the text of the data lines that diagnostics show.

use crate::data::Origin;
use crate::run::Outcome;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};

/// The text of the lines that a run's diagnostics point at, read in one pass per file.
#[derive(Debug, Default)]
pub struct LineCache {
    lines: HashMap<Origin, String>,
}

/// Lines longer than this are shown cut, so one huge record cannot flood the report.
const MAX_SHOWN: usize = 400;

impl LineCache {
    /// Reads every line that a finding or data error of `outcome` names.
    pub fn load(outcome: &Outcome) -> Self {
        let mut wanted: HashSet<Origin> = outcome.data_errors.iter().map(|e| e.origin()).collect();
        wanted.extend(
            outcome
                .findings
                .iter()
                .flat_map(|f| f.records.iter().map(|r| r.origin)),
        );
        let mut lines = HashMap::new();
        for (index, source) in outcome.sources.iter().enumerate() {
            let mut needed: Vec<Origin> = wanted
                .iter()
                .filter(|o| o.source.0 as usize == index && o.line > 0)
                .copied()
                .collect();
            let Some(path) = &source.readable else {
                continue;
            };
            if needed.is_empty() {
                continue;
            }
            needed.sort_unstable_by_key(|o| (o.line, o.column));
            let Ok(file) = std::fs::File::open(path) else {
                continue;
            };
            let mut reader = BufReader::new(file);
            let mut buf = Vec::new();
            let mut number = 0u32;
            for origin in needed {
                while number < origin.line {
                    buf.clear();
                    if reader.read_until(b'\n', &mut buf).unwrap_or(0) == 0 {
                        break;
                    }
                    number += 1;
                }
                if number == origin.line {
                    let text = String::from_utf8_lossy(&buf);
                    lines.insert(origin, excerpt(text.trim_end(), origin.column));
                }
            }
        }
        LineCache { lines }
    }

    /// The text of a line, if it was read.
    pub fn get(&self, origin: Origin) -> Option<&str> {
        self.lines.get(&origin).map(String::as_str)
    }
}

/// What is shown of a line: from the record's column (in bytes) when it has one, cut after
/// [`MAX_SHOWN`] characters.
fn excerpt(text: &str, column: u32) -> String {
    let mut from = (column.max(1) as usize - 1).min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let rest = &text[from..];
    let lead = if from > 0 { "…" } else { "" };
    match rest.char_indices().nth(MAX_SHOWN) {
        Some((i, _)) => format!("{lead}{}…", &rest[..i]),
        None => format!("{lead}{rest}"),
    }
}
