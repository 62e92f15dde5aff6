//! Reading JSON Lines (or a JSON array) into raw JSON objects with their line numbers.
//!
//! JSON Lines is read line by line, so memory does not grow with the file. A file whose
//! first non-blank byte is `[` is read whole as a JSON array; each element keeps the line it
//! starts on.

use super::{DataError, Origin, SourceId};
use serde_json::value::RawValue;
use std::io::{self, BufRead};

/// One thing read from a source: a JSON value at a line, or a line that is not JSON.
pub enum Raw {
    /// A parsed value (not yet known to be an object).
    Value(serde_json::Value, Origin),
    /// A line that failed to parse.
    Error(DataError),
}

/// Reads every value of a source, calling `each` in order. Returns the I/O error that
/// stopped reading, if any; everything read before it has been passed on.
pub fn read_source(
    mut reader: impl BufRead,
    source: SourceId,
    each: &mut dyn FnMut(Raw),
) -> io::Result<()> {
    let starts_with_bracket = loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break buf[i] == b'[',
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    if starts_with_bracket {
        read_array(reader, source, each)
    } else {
        read_lines(reader, source, each)
    }
}

fn read_lines(
    mut reader: impl BufRead,
    source: SourceId,
    each: &mut dyn FnMut(Raw),
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u32;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        let origin = Origin {
            source,
            line: number,
        };
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim(),
            Err(e) => {
                let reason = format!("invalid UTF-8 at byte {}", e.valid_up_to());
                each(Raw::Error(DataError::InvalidJson { reason, origin }));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => each(Raw::Value(v, origin)),
            Err(e) => each(Raw::Error(DataError::InvalidJson {
                reason: describe_json_error(&e),
                origin,
            })),
        }
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line 1 column N"; for a single line only the column helps.
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], e.column()),
        None => text,
    }
}

fn read_array(
    mut reader: impl BufRead,
    source: SourceId,
    each: &mut dyn FnMut(Raw),
) -> io::Result<()> {
    let mut text = String::new();
    if let Err(e) = reader.read_to_string(&mut text) {
        let origin = Origin { source, line: 1 };
        each(Raw::Error(DataError::InvalidJson {
            reason: e.to_string(),
            origin,
        }));
        return Ok(());
    }
    let elements: Vec<&RawValue> = match serde_json::from_str(&text) {
        Ok(e) => e,
        Err(e) => {
            let origin = Origin {
                source,
                line: e.line() as u32,
            };
            let reason = format!("{} (column {})", describe_json_error(&e), e.column());
            each(Raw::Error(DataError::InvalidJson { reason, origin }));
            return Ok(());
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
        match serde_json::from_str::<serde_json::Value>(element.get()) {
            Ok(v) => each(Raw::Value(v, origin)),
            Err(e) => each(Raw::Error(DataError::InvalidJson {
                reason: describe_json_error(&e),
                origin,
            })),
        }
    }
    Ok(())
}
