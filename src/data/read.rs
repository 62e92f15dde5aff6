//! Reading JSON Lines (or a JSON array) as text, in batches of whole lines.
//!
//! JSON Lines is read in batches of about [`BATCH_BYTES`] ending at a line break, so memory
//! does not grow with the file and a batch can be parsed on several threads. A file whose
//! first non-blank byte is `[` is read whole as a JSON array; each element keeps the line it
//! starts on.

use super::lite::Line;
use super::{DataError, Origin, SourceId};
use std::io::{self, BufRead, Read};
use std::ops::Range;

/// The size a batch of lines aims for, by default.
pub const BATCH_BYTES: usize = 1 << 18;

/// Whole lines of a source, with the number of the first.
#[derive(Debug, Default)]
pub struct Batch {
    /// The text, ending at a line break (or at the end of the source).
    pub bytes: Vec<u8>,
    /// 1-based number of the first line.
    pub first_line: u32,
    /// The source.
    pub source: SourceId,
    /// Lines longer than the limit, as (line number, length): their text was dropped as it
    /// was read, and the line is blank in `bytes`.
    pub overlong: Vec<(u32, u64)>,
}

/// A run of whole lines within a batch, for parsing on one thread.
#[derive(Debug, Clone)]
pub struct Part {
    /// Byte range in the batch.
    pub range: Range<usize>,
    /// 1-based number of its first line.
    pub first_line: u32,
}

impl Batch {
    /// Every non-blank line of a part with its origin, in order. The part's text is
    /// checked as UTF-8 once, as a whole: one call over a quarter megabyte costs far less
    /// than one per line of a hundred bytes. Its lines are then handed out as text; a part
    /// that is not UTF-8 hands out bytes, for each line to be checked on its own.
    pub fn lines<'b>(&'b self, part: &Part) -> impl Iterator<Item = (LineText<'b>, Origin)> + 'b {
        let bytes = &self.bytes[part.range.clone()];
        let checked = simdutf8::basic::from_utf8(bytes).ok();
        line_ranges(bytes, self.source, part.first_line).map(move |(range, origin)| {
            let line = match checked {
                Some(text) => LineText::Utf8(&text[range]),
                None => LineText::Bytes(&bytes[range]),
            };
            (line, origin)
        })
    }

    /// The whole batch as one part.
    pub fn whole(&self) -> Part {
        Part {
            range: 0..self.bytes.len(),
            first_line: self.first_line,
        }
    }

    /// Splits the batch into about `parts` runs of whole lines, for parsing in parallel.
    pub fn parts(&self, parts: usize) -> Vec<Part> {
        let target = self.bytes.len() / parts.max(1) + 1;
        let mut out = Vec::with_capacity(parts);
        let mut start = 0;
        let mut line = self.first_line;
        while start < self.bytes.len() {
            let cut = match memchr::memchr(b'\n', self.bytes.get(start + target..).unwrap_or(&[])) {
                Some(i) => start + target + i + 1,
                None => self.bytes.len(),
            };
            out.push(Part {
                range: start..cut,
                first_line: line,
            });
            line += memchr::memchr_iter(b'\n', &self.bytes[start..cut]).count() as u32;
            start = cut;
        }
        out
    }
}

/// One line of a batch: text already checked as UTF-8, or bytes not yet checked.
#[derive(Debug, Clone, Copy)]
pub enum LineText<'b> {
    /// Checked with the rest of its batch.
    Utf8(&'b str),
    /// Unchecked: its batch holds a byte that is not UTF-8, perhaps in this line.
    Bytes(&'b [u8]),
}

impl<'b> LineText<'b> {
    /// The line's bytes.
    pub fn bytes(self) -> &'b [u8] {
        match self {
            LineText::Utf8(text) => text.as_bytes(),
            LineText::Bytes(bytes) => bytes,
        }
    }

    /// The line as text, when it is UTF-8.
    pub fn text(self) -> Option<&'b str> {
        match self {
            LineText::Utf8(text) => Some(text),
            LineText::Bytes(bytes) => simdutf8::basic::from_utf8(bytes).ok(),
        }
    }
}

/// The byte ranges of the non-blank lines of `text` (without their line breaks), with their
/// origins, the first line being number `first_line`.
fn line_ranges(
    text: &[u8],
    source: SourceId,
    first_line: u32,
) -> impl Iterator<Item = (Range<usize>, Origin)> + '_ {
    let mut start = 0;
    let mut breaks = memchr::memchr_iter(b'\n', text);
    let mut number = first_line;
    std::iter::from_fn(move || loop {
        if start > text.len() {
            return None;
        }
        let end = breaks.next().unwrap_or(text.len());
        let range = start..end;
        start = end + 1;
        let origin = Origin::line(source, number);
        number += 1;
        if !text[range.clone()].iter().all(u8::is_ascii_whitespace) {
            return Some((range, origin));
        }
    })
}

/// Reads a source batch by batch, reusing the buffers of batches handed back.
pub struct Batches<R> {
    reader: R,
    batch_bytes: usize,
    source: SourceId,
    next_line: u32,
    carry: Vec<u8>,
    spare: Vec<Vec<u8>>,
    done: bool,
    /// A read error, reported once the bytes read before it are handed out.
    failed: Option<io::Error>,
    /// The longest line kept; the rest of a longer one is dropped as it arrives.
    max_line: usize,
    /// The line being dropped: its number and the bytes dropped so far.
    dropping: Option<(u32, u64)>,
    /// Lines dropped whole, for the next batch.
    overlong: Vec<(u32, u64)>,
}

impl<R: Read> Batches<R> {
    /// Batches of about [`BATCH_BYTES`] of `reader`'s lines.
    pub fn new(reader: R, source: SourceId) -> Self {
        Self::with_size(reader, source, BATCH_BYTES)
    }

    /// Batches of about `batch_bytes` (at least one line each).
    pub fn with_size(reader: R, source: SourceId, batch_bytes: usize) -> Self {
        Batches {
            reader,
            batch_bytes: batch_bytes.max(1),
            source,
            next_line: 1,
            carry: Vec::new(),
            spare: Vec::new(),
            done: false,
            failed: None,
            max_line: usize::MAX,
            dropping: None,
            overlong: Vec::new(),
        }
    }

    /// Lines longer than `max_line` bytes are dropped as they are read, so that memory stays
    /// bounded whatever the input, and listed in [`Batch::overlong`].
    pub fn with_max_line(self, max_line: usize) -> Self {
        Batches {
            max_line: max_line.max(1),
            ..self
        }
    }

    /// Numbers lines from `line` on rather than from 1: for a reader whose first lines were
    /// consumed already ([`opening`]).
    pub fn starting_at(self, line: u32) -> Self {
        Batches {
            next_line: line,
            ..self
        }
    }

    /// The number of the next line to be read (1 before any): where a read error stopped.
    pub fn next_line(&self) -> u32 {
        self.next_line
    }

    /// Hands a batch's buffer back for the next batch.
    pub fn recycle(&mut self, batch: Batch) {
        if self.spare.len() < 4 {
            self.spare.push(batch.bytes);
        }
    }

    /// The next batch, or `None` at the end. A line longer than a batch makes the batch
    /// longer; it is never cut.
    pub fn next_batch(&mut self) -> io::Result<Option<Batch>> {
        if self.done {
            return match self.failed.take() {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.clear();
        bytes.append(&mut self.carry);
        let mut searched = 0;
        let mut line_start = memchr::memrchr(b'\n', &bytes).map_or(0, |i| i + 1);
        loop {
            let filled = bytes.len();
            let limit = (self.batch_bytes.max(filled + 4096.min(self.batch_bytes)) - filled) as u64;
            // `read_to_end` appends into spare capacity without zeroing it first, and retries
            // reads that were interrupted.
            let read = (&mut self.reader).take(limit).read_to_end(&mut bytes);
            line_start = self.drop_overlong(&mut bytes, filled, line_start);
            match read {
                Ok(n) if (n as u64) < limit => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    // Keep what was read; the error is reported after this batch.
                    self.failed = Some(e);
                    self.done = true;
                    break;
                }
            }
            if bytes.len() >= self.batch_bytes
                && memchr::memchr(b'\n', &bytes[searched.min(bytes.len())..]).is_some()
            {
                break;
            }
            searched = bytes.len();
        }
        if self.done {
            if let Some(line) = self.dropping.take() {
                self.overlong.push(line); // the last line, without a line break
            }
        } else {
            let end = memchr::memrchr(b'\n', &bytes).map_or(0, |i| i + 1);
            self.carry.extend_from_slice(&bytes[end..]);
            bytes.truncate(end);
        }
        if bytes.is_empty() && self.overlong.is_empty() {
            return self.failed.take().map_or(Ok(None), Err);
        }
        let batch = Batch {
            first_line: self.next_line,
            source: self.source,
            bytes,
            overlong: std::mem::take(&mut self.overlong),
        };
        self.next_line += memchr::memchr_iter(b'\n', &batch.bytes).count() as u32;
        Ok(Some(batch))
    }
}

impl<R> Batches<R> {
    /// Drops what `bytes[from..]` (just read) adds to lines past the limit: the rest of the
    /// line being dropped, lines that end in it, and a last line grown too long. Returns
    /// where the last line starts.
    fn drop_overlong(&mut self, bytes: &mut Vec<u8>, from: usize, line_start: usize) -> usize {
        let (mut from, mut line_start) = (from, line_start);
        if let Some((_, dropped)) = &mut self.dropping {
            match memchr::memchr(b'\n', &bytes[from..]) {
                Some(i) => {
                    *dropped += i as u64;
                    bytes.drain(from..from + i);
                    self.overlong.extend(self.dropping.take());
                    from += 1;
                    line_start = from;
                }
                None => {
                    *dropped += (bytes.len() - from) as u64;
                    bytes.truncate(from);
                    return from;
                }
            }
        }
        let ends = self.long_line_ends(bytes, from, line_start);
        line_start = memchr::memrchr(b'\n', &bytes[from..]).map_or(line_start, |i| from + i + 1);
        for &(start, end) in ends.iter().rev() {
            let line = self.next_line + memchr::memchr_iter(b'\n', &bytes[..start]).count() as u32;
            self.overlong.push((line, (end - start) as u64));
            bytes.drain(start..end);
            line_start -= end - start;
        }
        self.overlong.sort_unstable();
        if bytes.len() - line_start > self.max_line {
            let line =
                self.next_line + memchr::memchr_iter(b'\n', &bytes[..line_start]).count() as u32;
            self.dropping = Some((line, (bytes.len() - line_start) as u64));
            bytes.truncate(line_start);
        }
        line_start
    }

    /// The lines longer than the limit that end in `bytes[from..]`, as (start, end) ranges.
    /// Only the first can start before `from`; the others are looked for only when the new
    /// bytes are longer than the limit, so reading at the default limit scans nothing twice.
    fn long_line_ends(&self, bytes: &[u8], from: usize, line_start: usize) -> Vec<(usize, usize)> {
        let mut long = Vec::new();
        let Some(first) = memchr::memchr(b'\n', &bytes[from..]).map(|i| from + i) else {
            return long;
        };
        if first - line_start > self.max_line {
            long.push((line_start, first));
        }
        if bytes.len() - from > self.max_line {
            let mut start = first + 1;
            for i in memchr::memchr_iter(b'\n', &bytes[first + 1..]) {
                let end = first + 1 + i;
                if end - start > self.max_line {
                    long.push((start, end));
                }
                start = end + 1;
            }
        }
        long
    }
}

/// How a source begins, read by [`opening`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// The source holds a JSON array rather than JSON Lines: its first non-blank byte is `[`.
    pub json_array: bool,
    /// The number of the line the reader is left on: leading blanks that fill the reader's
    /// whole buffer are consumed, and their line breaks counted here.
    pub first_line: u32,
}

/// Reads how a source begins. Consumes the UTF-8 byte-order mark some exporters write, and
/// leading blanks only a whole buffer at a time; [`Opening::first_line`] says which line
/// the reader is then left on, for the line numbers of what follows.
pub fn opening(reader: &mut impl BufRead) -> io::Result<Opening> {
    if reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    let mut first_line = 1;
    loop {
        let buf = reader.fill_buf()?;
        let first = buf.iter().find(|b| !b.is_ascii_whitespace()).copied();
        if first.is_some() || buf.is_empty() {
            return Ok(Opening {
                json_array: first == Some(b'['),
                first_line,
            });
        }
        first_line += memchr::memchr_iter(b'\n', buf).count() as u32;
        let n = buf.len();
        reader.consume(n);
    }
}

/// Parses one line of JSON Lines. The JSON parser checks that strings are UTF-8; only when
/// it fails is the line checked as a whole, to name the byte that is not.
pub fn parse_line(bytes: &[u8], origin: Origin) -> Result<Line<'_>, Box<DataError>> {
    if let Some(depth) = nested_deeper_than(bytes, MAX_JSON_DEPTH) {
        let reason = format!(
            "it nests {depth} levels deep; a record nests at most {MAX_JSON_DEPTH} (an object \
             with lists of lists)"
        );
        return Err(Box::new(DataError::InvalidJson { reason, origin }));
    }
    Line::parse_bytes(bytes.trim_ascii()).map_err(|e| {
        let reason = match std::str::from_utf8(bytes) {
            Err(bad) => format!("invalid UTF-8 at byte {}", bad.valid_up_to()),
            Ok(_) => describe_json_error(&e),
        };
        Box::new(DataError::InvalidJson { reason, origin })
    })
}

/// How deeply a record's JSON may nest. The parser recurses once per level, and a line of
/// `[[[[…` a million deep would exhaust its stack long before any limit of its own.
pub const MAX_JSON_DEPTH: usize = 64;

/// The depth `bytes` reaches once it passes `limit` (brackets inside strings do not count).
fn nested_deeper_than(bytes: &[u8], limit: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => {
                depth += 1;
                if depth > limit {
                    return Some(depth);
                }
            }
            b']' | b'}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line 1 column N"; for a single line only the column helps.
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
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
            for part in batch.parts(3) {
                for (line, origin) in batch.lines(&part) {
                    seen += 1;
                    assert_eq!(origin.line, seen);
                    assert_eq!(line.bytes(), format!("{{\"n\":{seen}}}").as_bytes());
                }
            }
        }
        assert_eq!(seen, 50_000);
    }

    #[test]
    fn a_last_line_without_a_break_is_read() {
        let mut batches = Batches::new(&b"{\"a\":1}\n\n{\"b\":2}"[..], SourceId(0));
        let batch = batches.next_batch().expect("in memory").expect("one batch");
        let lines: Vec<u32> = batch.lines(&batch.whole()).map(|(_, o)| o.line).collect();
        assert_eq!(lines, vec![1, 3]);
        assert!(batches.next_batch().expect("in memory").is_none());
    }

    #[test]
    fn a_batch_that_is_not_utf8_hands_out_bytes_and_each_line_is_checked_alone() {
        let text = b"{\"a\":1}\n{\"b\":\"\xff\"}\n{\"c\":3}\n";
        let mut batches = Batches::new(&text[..], SourceId(0));
        let batch = batches.next_batch().expect("in memory").expect("one batch");
        let lines: Vec<(Option<&str>, bool)> = (batch.lines(&batch.whole()))
            .map(|(line, _)| (line.text(), matches!(line, LineText::Bytes(_))))
            .collect();
        assert_eq!(
            lines,
            [
                (Some("{\"a\":1}"), true),
                (None, true),
                (Some("{\"c\":3}"), true)
            ]
        );
        let valid = Batches::new(&b"{\"a\":1}\n"[..], SourceId(0))
            .next_batch()
            .expect("in memory")
            .expect("one batch");
        let (line, _) = valid.lines(&valid.whole()).next().expect("one line");
        assert!(matches!(line, LineText::Utf8("{\"a\":1}")));
    }

    /// Every line kept and every line dropped, by number, for a text read with these sizes.
    type Lines = Vec<(u32, Vec<u8>)>;

    fn read_all(text: &[u8], batch: usize, max_line: usize) -> (Lines, Vec<(u32, u64)>) {
        let mut batches = Batches::with_size(text, SourceId(0), batch).with_max_line(max_line);
        let (mut kept, mut dropped) = (Vec::new(), Vec::new());
        while let Some(batch) = batches.next_batch().expect("in memory") {
            for (line, origin) in batch.lines(&batch.whole()) {
                kept.push((origin.line, line.bytes().to_vec()));
            }
            dropped.extend(batch.overlong.iter().copied());
        }
        (kept, dropped)
    }

    #[test]
    fn lines_past_the_limit_are_dropped_as_they_are_read_and_listed() {
        let long = vec![b'x'; 100_000];
        let mut text = b"a\n".to_vec();
        text.extend_from_slice(&long);
        text.extend_from_slice(b"\nb\n");
        text.extend_from_slice(&long[..10]);
        text.extend_from_slice(b"\nc\n");
        text.extend_from_slice(&long[..5000]);
        for batch in [7, 4096, 1 << 18] {
            let (kept, dropped) = read_all(&text, batch, 1000);
            let kept: Vec<u32> = kept.iter().map(|(n, _)| *n).collect();
            assert_eq!(kept, [1, 3, 4, 5], "batch {batch}");
            assert_eq!(dropped, [(2, 100_000), (6, 5000)], "batch {batch}");
        }
    }

    #[test]
    fn a_line_at_the_limit_is_kept() {
        let text = [vec![b'y'; 1000], b"\n".to_vec(), vec![b'z'; 1001]].concat();
        let (kept, dropped) = read_all(&text, 64, 1000);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].1.len(), 1000);
        assert_eq!(dropped, [(2, 1001)]);
    }

    /// A reader that gives `good` and then fails, as a file that vanishes or a disk that
    /// fails mid-run does.
    struct FailsAfter<'a> {
        good: &'a [u8],
    }

    impl std::io::Read for FailsAfter<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.good.is_empty() {
                return Err(std::io::Error::other("the device went away"));
            }
            let n = buf.len().min(self.good.len()).min(10);
            buf[..n].copy_from_slice(&self.good[..n]);
            self.good = &self.good[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_comes_after_the_lines_read_before_it_with_where_it_stopped() {
        let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\":";
        let mut batches = Batches::with_size(FailsAfter { good: text }, SourceId(0), 8);
        let mut lines = Vec::new();
        let error = loop {
            match batches.next_batch() {
                Ok(Some(batch)) => lines.extend(
                    batch
                        .lines(&batch.whole())
                        .map(|(l, o)| (o.line, l.bytes().to_vec())),
                ),
                Ok(None) => panic!("the reader fails"),
                Err(e) => break e,
            }
        };
        assert_eq!(error.to_string(), "the device went away");
        let numbers: Vec<u32> = lines.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            numbers,
            [1, 2, 3],
            "the partial last line is handed out too"
        );
        assert_eq!(batches.next_line(), 3);
    }
}
