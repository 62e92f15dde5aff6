//! Records: one validated annotation and where it was read from.

use crate::schema::{FieldId, KindId};
use crate::value::Value;
use smol_str::SmolStr;
use std::sync::Arc;

/// Index of a data source (a file, stdin, or a test block) in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// Where a record was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    /// The source.
    pub source: SourceId,
    /// 1-based line of the record's first character.
    pub line: u32,
    /// 1-based column (in bytes) of the record's first character, or 0 when the record is
    /// the whole line (JSON Lines). Set for records that need not start their line, such as
    /// the elements of a JSON array or document, so that records on one line stay apart.
    pub column: u32,
}

impl Origin {
    /// A whole line of a source.
    pub fn line(source: SourceId, line: u32) -> Origin {
        Origin {
            source,
            line,
            column: 0,
        }
    }
}

/// One annotation record, validated against the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The media item (clip) it belongs to.
    pub item: Arc<str>,
    /// Its kind.
    pub kind: KindId,
    /// Its id, unique within the item.
    pub id: SmolStr,
    /// Field values by [`FieldId`]; an absent optional field is [`Value::Missing`].
    pub fields: Box<[Value]>,
    /// Where it was read from.
    pub origin: Origin,
    /// What few records have: waivers and read-time defects (one pointer, so that a record
    /// stays small: a run holds many).
    pub extras: Option<Box<Extras>>,
}

/// A record's rare parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extras {
    /// Rules whose findings on this record are accepted, each with why (`"waive"`).
    pub waivers: Box<[Waiver]>,
    /// What is wrong with it that did not stop it from being read: an interval that ends
    /// before it starts, a value outside its enum, a number written as text. Each is a data
    /// diagnostic, which the run reports when it takes the record; the record is checked
    /// with its values as read.
    pub defects: Vec<super::DataError>,
}

/// A record's waiver of a rule: `"waive": ["speech-needs-transcript: music, no words"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    /// The rule whose findings on the record are accepted; for a waiver without a reason,
    /// the waiver as written.
    pub rule: Arc<str>,
    /// Why. A waiver written without one waives nothing and is reported
    /// (`cord::data::bad-waiver`), while its record is checked as any other.
    pub reason: Option<Arc<str>>,
}

impl Record {
    /// The value of a field.
    pub fn get(&self, field: FieldId) -> &Value {
        self.fields.get(field.0 as usize).unwrap_or(&Value::Missing)
    }

    /// The rules whose findings on this record are accepted (`"waive"`).
    pub fn waivers(&self) -> &[Waiver] {
        self.extras.as_deref().map_or(&[], |e| &e.waivers)
    }

    /// Takes the record's read-time defects, to report them.
    pub fn take_defects(&mut self) -> Vec<super::DataError> {
        (self.extras.as_deref_mut()).map_or_else(Vec::new, |e| std::mem::take(&mut e.defects))
    }

    /// A numeric field, or NaN when it is absent (only optional fields can be).
    pub fn num(&self, field: FieldId) -> f64 {
        self.get(field).as_num().unwrap_or(f64::NAN)
    }
}
