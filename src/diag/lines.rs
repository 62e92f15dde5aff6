//! Fetching the text of the data lines that diagnostics show.

use crate::data::Origin;
use std::io::{BufRead, BufReader};

/// Lines longer than this are shown cut, so one huge record cannot flood the report.
const MAX_SHOWN: usize = 400;

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

/// Lines read from the sources, during a run (output rendered as items complete) or after it.
/// Each source is read forward from the last line found; a line before it is found again
/// from the nearest checkpoint (one every [`CHECKPOINT_LINES`] lines), so findings that come
/// in input order cost one pass over each file, and memory a few bytes per thousand lines.
#[derive(Default)]
pub struct LineReader {
    sources: std::cell::RefCell<Vec<Option<Cursor>>>,
}

/// Lines between two checkpoints of a [`LineReader`].
const CHECKPOINT_LINES: u32 = 4096;

struct Cursor {
    reader: BufReader<std::fs::File>,
    /// The number of the next line to read, and where it starts.
    line: u32,
    offset: u64,
    /// Where line `1 + k * CHECKPOINT_LINES` starts, for each k reached so far.
    checkpoints: Vec<u64>,
}

impl LineReader {
    /// Makes the source `id`'s lines readable from `path` (none: its lines are not shown).
    pub fn add(&self, id: crate::data::SourceId, path: Option<&std::path::Path>) {
        let mut sources = self.sources.borrow_mut();
        let index = id.0 as usize;
        if sources.len() <= index {
            sources.resize_with(index + 1, || None);
        }
        sources[index] = path
            .and_then(|p| std::fs::File::open(p).ok())
            .map(|file| Cursor {
                reader: BufReader::with_capacity(1 << 16, file),
                line: 1,
                offset: 0,
                checkpoints: vec![0],
            });
    }

    /// The text shown of the line at `origin`, if it can be read.
    pub fn get(&self, origin: Origin) -> Option<String> {
        let mut sources = self.sources.borrow_mut();
        let cursor = sources.get_mut(origin.source.0 as usize)?.as_mut()?;
        if origin.line == 0 {
            return None;
        }
        cursor.seek_before(origin.line).ok()?;
        let mut buf = Vec::new();
        while cursor.line <= origin.line {
            buf.clear();
            if cursor.next_line(&mut buf).ok()? == 0 {
                return None;
            }
        }
        let text = String::from_utf8_lossy(&buf);
        Some(excerpt(text.trim_end(), origin.column))
    }
}

impl Cursor {
    /// Moves back to the nearest checkpoint when `line` is behind the cursor.
    fn seek_before(&mut self, line: u32) -> std::io::Result<()> {
        use std::io::Seek;
        if line >= self.line {
            return Ok(());
        }
        let k = ((line - 1) / CHECKPOINT_LINES) as usize;
        let k = k.min(self.checkpoints.len() - 1);
        self.offset = self.checkpoints[k];
        self.line = 1 + k as u32 * CHECKPOINT_LINES;
        self.reader.seek(std::io::SeekFrom::Start(self.offset))?;
        Ok(())
    }

    /// Reads the next line into `buf`, keeping the checkpoints; 0 at the end of the file.
    fn next_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let n = self.reader.read_until(b'\n', buf)?;
        if n > 0 {
            self.offset += n as u64;
            self.line += 1;
            let reached = (self.line - 1) / CHECKPOINT_LINES;
            if (self.line - 1) % CHECKPOINT_LINES == 0 && reached as usize == self.checkpoints.len()
            {
                self.checkpoints.push(self.offset);
            }
        }
        Ok(n)
    }
}
