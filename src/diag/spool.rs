//! Findings rendered as items complete and kept in a temporary file, so that writing the
//! output of a run holds none of its findings in memory, whatever the format.
//!
//! A run hands each item's findings to its [`FindingSink`] as the item completes, in no
//! particular order across items. A [`Spool`] renders them at once with its format's
//! [`Rendering`], appends the text to a temporary file and remembers where each item's text
//! lies; once the run is over, [`Spool::copy_to`] writes them in output order (item slots),
//! mostly in one piece since items mostly complete in order. Each format's `finish` puts its
//! header, data errors and summary around them.

use crate::data::SourceId;
use crate::eval::Finding;
use crate::run::{FindingSink, Slot, SlotMap, SourceInfo};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;

/// How one format renders findings.
pub trait Rendering: Send {
    /// Appends the rendering of one item's findings (the item in `slot`) to `out`. An item
    /// evaluated again is rendered again, and replaces what it gave before.
    fn render(&mut self, slot: &Slot, findings: &[Finding], out: &mut Vec<u8>) -> io::Result<()>;

    /// Learns of a source as the run opens it (for formats that show its lines).
    fn source(&mut self, _id: SourceId, _info: &SourceInfo) {}
}

/// A [`FindingSink`] that renders findings with `R` into a temporary file.
pub struct Spool<R> {
    rendering: R,
    /// Made with the first finding, so that a run without findings writes no file.
    file: Option<io::BufWriter<std::fs::File>>,
    written: u64,
    /// The byte range of each slot's findings in the file.
    slots: SlotMap<Range<u64>>,
    /// One item's rendering, reused from item to item.
    buffer: Vec<u8>,
    error: Option<io::Error>,
}

impl<R: Rendering> Spool<R> {
    /// A spool rendering with `rendering` into a new temporary file.
    pub fn new(rendering: R) -> io::Result<Self> {
        Ok(Spool {
            rendering,
            file: None,
            written: 0,
            slots: Default::default(),
            buffer: Vec::new(),
            error: None,
        })
    }

    /// The rendering, for what a format writes around the findings.
    pub fn rendering(&mut self) -> &mut R {
        &mut self.rendering
    }

    /// Whether no finding was rendered.
    pub fn is_empty(&self) -> bool {
        self.slots.values().all(Range::is_empty)
    }

    /// Writes every finding rendered, in output order, to `out`, leaving out the first `skip`
    /// bytes (a separator that the first of them does not take); gives the rendering back.
    pub fn copy_to(self, out: &mut dyn Write, skip: u64) -> io::Result<R> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let Some(file) = self.file else {
            return Ok(self.rendering);
        };
        let mut file = file.into_inner().map_err(|e| e.into_error())?;
        copy_ranges(&mut file, self.slots.into_values(), skip, out)?;
        Ok(self.rendering)
    }

    /// Writes the findings of every slot up to `through` to `out` now, and forgets them: the
    /// run said they are final ([`FindingSink::settled`]). A slot delivered again after this
    /// is written by [`Spool::copy_to`] with the rest.
    pub fn write_settled(&mut self, through: &Slot, out: &mut dyn Write) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let settled = self.slots.split_through(through);
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        file.flush()?;
        let file = file.get_mut();
        copy_ranges(file, settled.into_values(), 0, out)?;
        file.seek(SeekFrom::End(0))?;
        Ok(())
    }

    fn write(&mut self, slot: &Slot, findings: &[Finding]) -> io::Result<Range<u64>> {
        self.buffer.clear();
        self.rendering.render(slot, findings, &mut self.buffer)?;
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(io::BufWriter::with_capacity(1 << 16, temporary()?)),
        };
        file.write_all(&self.buffer)?;
        let start = self.written;
        self.written += self.buffer.len() as u64;
        Ok(start..self.written)
    }
}

impl<R: Rendering> FindingSink for Spool<R> {
    fn deliver(&mut self, slot: Slot, findings: Vec<Finding>) {
        // An item evaluated again replaces what it gave before, even with nothing.
        if self.error.is_some() || (findings.is_empty() && !self.slots.contains(&slot)) {
            return;
        }
        match self.write(&slot, &findings) {
            Ok(range) => {
                self.slots.insert(slot, range);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn source(&mut self, id: SourceId, info: &SourceInfo) {
        self.rendering.source(id, info);
    }
}

/// Copies byte ranges of `file` to `out` in order, leaving out the first `skip` bytes.
fn copy_ranges(
    file: &mut std::fs::File,
    ranges: impl IntoIterator<Item = Range<u64>>,
    mut skip: u64,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut at = u64::MAX;
    for range in contiguous(ranges) {
        let start = range.start + skip.min(range.end - range.start);
        skip -= start - range.start;
        if start != at {
            file.seek(SeekFrom::Start(start))?;
        }
        io::copy(&mut file.take(range.end - start), out)?;
        at = range.end;
    }
    Ok(())
}

/// A temporary file for findings, in TMPDIR; an error names the directory.
fn temporary() -> io::Result<std::fs::File> {
    tempfile::tempfile().map_err(|e| {
        let dir = std::env::temp_dir();
        io::Error::new(
            e.kind(),
            format!("a temporary file in `{}`: {e}", dir.display()),
        )
    })
}

/// Byte ranges in order, with each run of ranges that follow one another in the file joined
/// into one: items mostly complete in the order they are written, so the findings of a
/// whole run are mostly copied in one piece rather than item by item.
fn contiguous(ranges: impl IntoIterator<Item = Range<u64>>) -> impl Iterator<Item = Range<u64>> {
    let mut ranges = ranges.into_iter().filter(|r| !r.is_empty()).peekable();
    std::iter::from_fn(move || {
        let mut joined = ranges.next()?;
        while let Some(next) = ranges.next_if(|r| r.start == joined.end) {
            joined.end = next.end;
        }
        Some(joined)
    })
}

#[cfg(test)]
mod tests {
    use super::contiguous;

    #[test]
    fn ranges_that_follow_one_another_are_joined_and_order_is_kept() {
        let ranges = [0..10, 10..20, 30..40, 40..40, 40..45, 20..30, 45..50];
        let joined: Vec<_> = contiguous(ranges).collect();
        assert_eq!(joined, [0..20, 30..45, 20..30, 45..50]);
    }
}
