//! Records as compact bytes and back, for records a run puts aside on disk (input not grouped
//! by item): already read and validated, they are written as they are held, never as JSON to
//! be parsed again.
//!
//! The form: lengths and integers as LEB128 varints, numbers as 8 little-endian bytes, text as
//! its length and UTF-8 bytes; a value is a tag byte and its payload. It is private to a run
//! (written and read by the same build), so it carries no version.

use super::record::{Extras, Origin, Record, SourceId, Waiver};
use crate::schema::KindId;
use crate::value::{small_text, Value};
use std::sync::Arc;

const MISSING: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const NUM: u8 = 3;
const STR: u8 = 4;
const LIST: u8 = 5;

/// Appends a record to `out`. Its data defects are not kept: they were reported when it was
/// read.
pub fn encode_record(record: &Record, out: &mut Vec<u8>) {
    text(&record.item, out);
    varint(u64::from(record.kind.0), out);
    text(&record.id, out);
    varint(u64::from(record.origin.source.0), out);
    varint(u64::from(record.origin.line), out);
    varint(u64::from(record.origin.column), out);
    varint(record.fields.len() as u64, out);
    record.fields.iter().for_each(|v| value(v, out));
    let waivers = record.waivers();
    varint(waivers.len() as u64, out);
    for waiver in waivers {
        text(&waiver.rule, out);
        match &waiver.reason {
            Some(reason) => {
                out.push(1);
                text(reason, out);
            }
            None => out.push(0),
        }
    }
}

/// Bytes that are not records this build wrote: a damaged or truncated file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the records put aside are damaged (at byte {at})")]
pub struct Damaged {
    /// How far into the bytes the damage was found.
    pub at: usize,
}

/// Reads records back from `bytes`, one after another, with `item` giving each its item's
/// name as a shared string (so records of an item share one).
pub fn decode_records<'b>(
    bytes: &'b [u8],
    item: &'b mut dyn FnMut(&str) -> Arc<str>,
) -> impl Iterator<Item = Result<Record, Damaged>> + 'b {
    let mut reader = Reader { bytes, at: 0 };
    std::iter::from_fn(move || {
        if reader.at == reader.bytes.len() {
            return None;
        }
        let start = reader.at;
        let record = reader.record(item).ok_or(Damaged { at: start });
        if record.is_err() {
            reader.at = reader.bytes.len();
        }
        Some(record)
    })
}

fn value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Missing => out.push(MISSING),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Num(n) => {
            out.push(NUM);
            out.extend_from_slice(&n.to_le_bytes());
        }
        Value::Str(s) => {
            out.push(STR);
            text(s, out);
        }
        Value::List(items) => {
            out.push(LIST);
            varint(items.len() as u64, out);
            items.iter().for_each(|v| value(v, out));
        }
    }
}

fn text(s: &str, out: &mut Vec<u8>) {
    varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A cursor over encoded records; each read gives `None` at damage.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn record(&mut self, item: &mut dyn FnMut(&str) -> Arc<str>) -> Option<Record> {
        let item = item(self.text()?);
        let kind = KindId(self.u32()?);
        let id = small_text(self.text()?);
        let origin = Origin {
            source: SourceId(self.u32()?),
            line: self.u32()?,
            column: self.u32()?,
        };
        let count = self.count()?;
        let fields = (0..count).map(|_| self.value(0)).collect::<Option<_>>()?;
        let waivers = self.count()?;
        let waivers: Box<[Waiver]> = (0..waivers).map(|_| self.waiver()).collect::<Option<_>>()?;
        let extras = (!waivers.is_empty()).then(|| {
            Box::new(Extras {
                waivers,
                defects: Vec::new(),
            })
        });
        Some(Record {
            item,
            kind,
            id,
            fields,
            origin,
            extras,
        })
    }

    fn waiver(&mut self) -> Option<Waiver> {
        let rule: Arc<str> = self.text()?.into();
        let reason = match self.byte()? {
            0 => None,
            1 => Some(self.text()?.into()),
            _ => return None,
        };
        Some(Waiver { rule, reason })
    }

    /// A value; `depth` guards against nesting no record this build wrote could have.
    fn value(&mut self, depth: usize) -> Option<Value> {
        Some(match self.byte()? {
            MISSING => Value::Missing,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            NUM => {
                let bytes = self.take(8)?;
                Value::Num(f64::from_le_bytes(bytes.try_into().ok()?))
            }
            STR => Value::str(self.text()?),
            LIST if depth < crate::MAX_NESTING_CEILING => {
                let count = self.count()?;
                let items = (0..count).map(|_| self.value(depth + 1));
                Value::List(items.collect::<Option<Vec<_>>>()?.into())
            }
            _ => return None,
        })
    }

    fn text(&mut self) -> Option<&'b str> {
        let len = self.count()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    /// A length, which cannot be longer than the bytes left.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.varint()?).ok()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn take(&mut self, len: usize) -> Option<&'b [u8]> {
        let bytes = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: Vec<Value>, waivers: Vec<Waiver>) -> Record {
        Record {
            item: "clip 7".into(),
            kind: KindId(3),
            id: "a rather long identifier, past inline size".into(),
            fields: fields.into(),
            origin: Origin {
                source: SourceId(2),
                line: 300_000,
                column: 17,
            },
            extras: (!waivers.is_empty()).then(|| {
                Box::new(Extras {
                    waivers: waivers.into(),
                    defects: Vec::new(),
                })
            }),
        }
    }

    #[test]
    fn records_come_back_as_they_were_written() {
        let nested = Value::List(vec![Value::Num(1.5), Value::List(vec![].into())].into());
        let fields = vec![
            Value::Missing,
            Value::Bool(true),
            Value::Bool(false),
            Value::Num(-0.0),
            Value::Num(f64::MAX),
            Value::str("ünïcode text"),
            nested,
        ];
        let waiver = Waiver {
            rule: "transcript-needs-speech".into(),
            reason: Some("checked by hand".into()),
        };
        let records = [record(fields, vec![waiver]), record(vec![], vec![])];
        let mut bytes = Vec::new();
        records.iter().for_each(|r| encode_record(r, &mut bytes));
        let mut item = |name: &str| Arc::from(name);
        let back: Vec<Record> = decode_records(&bytes, &mut item)
            .collect::<Result<_, _>>()
            .expect("the bytes decode");
        assert_eq!(back, records);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut bytes = Vec::new();
        encode_record(&record(vec![Value::str("x")], vec![]), &mut bytes);
        for cut in 0..bytes.len() {
            let mut item = |name: &str| Arc::from(name);
            let decoded: Vec<_> = decode_records(&bytes[..cut], &mut item).collect();
            assert!(decoded.iter().all(Result::is_err), "cut at {cut}");
        }
        let mut item = |name: &str| Arc::from(name);
        let wrong = [0x05, b'a', b'b', b'c', b'd', b'e', 0xff, 0xff];
        assert!(decode_records(&wrong, &mut item).all(|r| r.is_err()));
    }
}
