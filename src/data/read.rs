//! Reading JSON Lines (or a JSON array) as text, in batches of whole lines.
//!
//! JSON Lines is read in batches of about [`BATCH_BYTES`] ending at a line break, so memory
//! does not grow with the file and a batch can be parsed on several threads. A file whose
//! first non-blank byte is `[` is read whole as a JSON array; each element keeps the line it
//! starts on.

use super::lite::Line;
use super::{DataError, Origin, SourceId};
use serde_json::value::RawValue;
use std::io::{self, BufRead};

/// The size a batch of lines aims for.
pub const BATCH_BYTES: usize = 1 << 20;

/// Whole lines of a source, with the number of the first.
#[derive(Debug, Default)]
pub struct Batch {
    /// The text, ending at a line break (or at the end of the source).
    pub bytes: Vec<u8>,
    /// 1-based number of the first line.
    pub first_line: u32,
    /// The source.
    pub source: SourceId,
}

impl Batch {
    /// Every non-blank line with its origin, in order.
    pub fn lines(&self) -> impl Iterator<Item = (&[u8], Origin)> + '_ {
        let source = self.source;
        self.bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .map(move |(i, line)| {
                let origin = Origin {
                    source,
                    line: self.first_line + i as u32,
                };
                (line, origin)
            })
            .filter(|(line, _)| !line.iter().all(u8::is_ascii_whitespace))
    }

    /// Splits the batch into about `parts` batches of whole lines, for parsing in parallel.
    pub fn split(self, parts: usize) -> Vec<Batch> {
        let target = self.bytes.len() / parts.max(1) + 1;
        let mut out = Vec::with_capacity(parts);
        let mut rest = &self.bytes[..];
        let mut line = self.first_line;
        while !rest.is_empty() {
            let cut = match rest.get(target..).and_then(|t| t.iter().position(|b| *b == b'\n')) {
                Some(i) => target + i + 1,
                None => rest.len(),
            };
            let (head, tail) = rest.split_at(cut);
            out.push(Batch {
                bytes: head.to_vec(),
                first_line: line,
                source: self.source,
            });
            line += head.iter().filter(|b| **b == b'\n').count() as u32;
            rest = tail;
        }
        out
    }
}

/// Reads a source batch by batch.
pub struct Batches<R> {
    reader: R,
    source: SourceId,
    next_line: u32,
    carry: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Batches<R> {
    /// Batches of `reader`'s lines.
    pub fn new(reader: R, source: SourceId) -> Self {
        Batches {
            reader,
            source,
            next_line: 1,
            carry: Vec::new(),
            done: false,
        }
    }

    /// The next batch, or `None` at the end. A line longer than a batch makes the batch
    /// longer; it is never cut.
    pub fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        if self.done {
            return Ok(None);
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.reserve(BATCH_BYTES);
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                self.done = true;
                break;
            }
            let n = buf.len();
            bytes.extend_from_slice(buf);
            self.reader.consume(n);
            if bytes.len() >= BATCH_BYTES && bytes.contains(&b'\n') {
                break;
            }
        }
        if !self.done {
            let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            self.carry = bytes.split_off(end);
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        let batch = Batch {
            first_line: self.next_line,
            source: self.source,
            bytes,
        };
        self.next_line += batch.bytes.iter().filter(|b| **b == b'\n').count() as u32;
        Ok(Some(batch))
    }
}

/// Whether a source holds a JSON array rather than JSON Lines: its first non-blank byte is
/// `[`. Consumes only leading blanks.
pub fn is_json_array(reader: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => return Ok(buf[i] == b'['),
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Parses one line of JSON Lines.
pub fn parse_line(bytes: &[u8], origin: Origin) -> Result<Line<'_>, DataError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DataError::InvalidJson {
        reason: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        origin,
    })?;
    Line::parse(text.trim()).map_err(|e| DataError::InvalidJson {
        reason: describe_json_error(&e),
        origin,
    })
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line 1 column N"; for a single line only the column helps.
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
    }
}

/// Reads a whole JSON array, calling `each` with every element's parse in order.
pub fn read_array(
    mut reader: impl BufRead,
    source: SourceId,
    each: &mut dyn FnMut(Result<Line, DataError>, Origin),
) {
    let mut text = String::new();
    if let Err(e) = reader.read_to_string(&mut text) {
        let origin = Origin { source, line: 1 };
        let error = DataError::InvalidJson {
            reason: e.to_string(),
            origin,
        };
        return each(Err(error), origin);
    }
    let elements: Vec<&RawValue> = match serde_json::from_str(&text) {
        Ok(e) => e,
        Err(e) => {
            let origin = Origin {
                source,
                line: e.line() as u32,
            };
            let reason = format!("{} (column {})", describe_json_error(&e), e.column());
            return each(Err(DataError::InvalidJson { reason, origin }), origin);
        }
    };
    let mut line = 1u32;
    let mut scanned = 0usize;
    for element in elements {
        let offset = element.get().as_ptr() as usize - text.as_ptr() as usize;
        line += text.as_bytes()[scanned..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32;
        scanned = offset;
        let origin = Origin { source, line };
        let parsed = Line::parse(element.get()).map_err(|e| DataError::InvalidJson {
            reason: describe_json_error(&e),
            origin,
        });
        each(parsed, origin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_end_at_line_breaks_and_number_lines_across_batches() {
        let text: String = (1..=50_000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let mut batches = Batches::new(text.as_bytes(), SourceId(0));
        let mut seen = 0u32;
        while let Some(batch) = batches.next_batch().expect("in memory") {
            for part in batch.split(3) {
                for (line, origin) in part.lines() {
                    seen += 1;
                    assert_eq!(origin.line, seen);
                    assert_eq!(line, format!("{{\"n\":{seen}}}").as_bytes());
                }
            }
        }
        assert_eq!(seen, 50_000);
    }

    #[test]
    fn a_last_line_without_a_break_is_read() {
        let mut batches = Batches::new(&b"{\"a\":1}\n\n{\"b\":2}"[..], SourceId(0));
        let batch = batches.next_batch().expect("in memory").expect("one batch");
        let lines: Vec<u32> = batch.lines().map(|(_, o)| o.line).collect();
        assert_eq!(lines, vec![1, 3]);
        assert!(batches.next_batch().expect("in memory").is_none());
    }
}
