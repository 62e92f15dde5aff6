//! A JSON array of records, read element by element as it streams.
//!
//! Some exporters write a data set as one JSON array instead of JSON Lines. Parsing it whole
//! would hold the whole file (a 512 MB array took 2 GB) and lose every record to one syntax
//! error. Instead a small scanner finds where each element of the array begins and ends
//! (brackets and strings tracked, nothing else), and each element is parsed on its own, as a
//! line of JSON Lines is: an element with a mistake is reported at its line and column and
//! the next one is read, an element longer than [`crate::Limits::max_line_bytes`] is dropped
//! as it is read, and memory holds one element at a time.

use super::read::parse_line;
use super::{DataError, Line, Origin, SourceId};
use std::io::BufRead;

/// Where [`read_elements`] hands each element's text (or why it has none), with its place.
pub type Elements<'a> = dyn FnMut(Result<&[u8], DataError>, Origin) + 'a;

/// Where the scanner is, between and within elements.
#[derive(Default)]
struct Scanner {
    /// The current element's bytes (up to the limit).
    element: Vec<u8>,
    /// The current element's length, kept past the limit.
    length: u64,
    /// Where the current element starts, if one is open.
    start: Option<Origin>,
    /// Brackets open within the element.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The array's closing `]` was read.
    closed: bool,
    line: u32,
    line_start: u64,
    offset: u64,
}

/// Reads the elements of the JSON array `reader` holds (its first non-blank byte is `[`,
/// on line `first_line`), handing each to `each` as a parsed line or the diagnostic of why it
/// is not one. Elements longer than `max_element_bytes` are skipped unheld.
pub fn read_array(
    reader: impl BufRead,
    source: SourceId,
    first_line: u32,
    max_element_bytes: usize,
    each: &mut dyn FnMut(Result<Line, DataError>, Origin),
) {
    let mut parsed = |element: Result<&[u8], DataError>, origin: Origin| match element {
        Ok(bytes) => each(parse_line(bytes, origin).map_err(|e| *e), origin),
        Err(e) => each(Err(e), origin),
    };
    read_elements(reader, source, first_line, max_element_bytes, &mut parsed);
}

/// [`read_array`] handing out each element's text as it is, for readers of their own (a
/// Label Studio export's tasks).
pub fn read_elements(
    mut reader: impl BufRead,
    source: SourceId,
    first_line: u32,
    max_element_bytes: usize,
    each: &mut Elements,
) {
    let mut scanner = Scanner {
        line: first_line,
        ..Scanner::default()
    };
    let mut opened = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok([]) => break,
            Ok(buf) => buf,
            Err(e) => {
                let origin = scanner.here(source);
                let reason = format!("the file could not be read further: {e}");
                return each(Err(DataError::InvalidJson { reason, origin }), origin);
            }
        };
        let n = buf.len();
        for &byte in buf {
            if !opened {
                opened = byte == b'[';
                scanner.advance(byte);
                continue;
            }
            scanner.byte(byte, source, max_element_bytes, each);
        }
        reader.consume(n);
    }
    scanner.finish(source, max_element_bytes, each);
}

impl Scanner {
    fn here(&self, source: SourceId) -> Origin {
        let mut origin = Origin::line(source, self.line);
        origin.column = (self.offset - self.line_start + 1).min(u32::MAX as u64) as u32;
        origin
    }

    /// Moves past `byte`, counting lines.
    fn advance(&mut self, byte: u8) {
        self.offset += 1;
        if byte == b'\n' {
            self.line = self.line.saturating_add(1);
            self.line_start = self.offset;
        }
    }

    fn byte(&mut self, byte: u8, source: SourceId, limit: usize, each: &mut Elements) {
        if self.start.is_none() {
            self.between(byte, source);
        } else if self.ends_scalar(byte) {
            self.emit(limit, each);
            self.between(byte, source);
        } else {
            self.keep(byte, limit);
            self.track(byte);
            if self.depth == 0 && !self.in_string && matches!(byte, b'}' | b']') {
                self.advance(byte);
                return self.emit(limit, each);
            }
        }
        self.advance(byte);
    }

    /// A byte outside any element: separators, the array's end, or an element's first byte.
    fn between(&mut self, byte: u8, source: SourceId) {
        match byte {
            b',' | b' ' | b'\t' | b'\r' | b'\n' => {}
            b']' if !self.closed => self.closed = true,
            _ => {
                self.start = Some(self.here(source));
                self.keep(byte, usize::MAX);
                self.track(byte);
            }
        }
    }

    /// Whether `byte` ends a scalar element (`1`, `"text"`, `NaN`) without being part of it.
    fn ends_scalar(&self, byte: u8) -> bool {
        self.depth == 0 && !self.in_string && matches!(byte, b',' | b']')
    }

    fn keep(&mut self, byte: u8, limit: usize) {
        self.length += 1;
        if self.element.len() < limit {
            self.element.push(byte);
        }
    }

    /// Follows strings and brackets, so that a `,` or `}` inside a string ends nothing.
    fn track(&mut self, byte: u8) {
        match byte {
            _ if self.escaped => self.escaped = false,
            b'\\' if self.in_string => self.escaped = true,
            b'"' => self.in_string = !self.in_string,
            b'{' | b'[' if !self.in_string => self.depth += 1,
            b'}' | b']' if !self.in_string => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    /// Hands the element read to `each`, parsed or with its diagnostic, and starts afresh.
    fn emit(&mut self, limit: usize, each: &mut Elements) {
        let Some(origin) = self.start.take() else {
            return;
        };
        let element = std::mem::take(&mut self.element);
        let length = std::mem::take(&mut self.length);
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
        if length > limit as u64 {
            let error = DataError::LineTooLong {
                bytes: length,
                limit,
                origin,
            };
            return each(Err(error), origin);
        }
        each(Ok(&element), origin);
    }

    /// At the end of the file: the last element, if one was left open (a cut file), and the
    /// missing `]`.
    fn finish(mut self, source: SourceId, limit: usize, each: &mut Elements) {
        self.emit(limit, each);
        if !self.closed {
            let origin = self.here(source);
            let reason = "the array ends without its closing `]` (is the file cut short?)".into();
            each(Err(DataError::InvalidJson { reason, origin }), origin);
        }
    }
}
