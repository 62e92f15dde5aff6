//! Data: the record model, readers for annotation files, and schema validation.

mod array;
pub mod compressed;
mod error;
mod fast;
pub mod formats;
mod item_order;
mod lite;
mod read;
mod record;
mod record_bytes;
mod validate;

pub use array::{read_array, read_elements, Elements};
pub use error::DataError;
pub use item_order::compare_items;
pub use lite::{Line, Lite};
pub use read::{opening, parse_line, Batch, Batches, LineText, Opening, Part, BATCH_BYTES};
pub use validate::{validate, Shared, Validator};

/// Reads one line of JSON Lines into a record: the fast path when it applies, else the
/// general path with its diagnostics. Returns the kind the line names (for counting) too.
pub fn read_record(
    validator: &Validator,
    line: LineText<'_>,
    origin: Origin,
    fallback_id: impl FnOnce() -> String,
    shared: &mut Shared,
) -> (
    Option<crate::schema::KindId>,
    Result<Record, Box<DataError>>,
) {
    let fast = line
        .text()
        .and_then(|text| fast::record(validator, text, origin, shared));
    if let Some(record) = fast {
        return (Some(record.kind), Ok(record));
    }
    match parse_line(line.bytes(), origin) {
        Ok(line) => validator.check_line(&line, origin, fallback_id, shared),
        Err(error) => (None, Err(error)),
    }
}

pub use crate::value::{format_number, small_text, write_number, Value};
pub use record::{Extras, Origin, Record, SourceId, Waiver};
pub use record_bytes::{decode_records, encode_record, Damaged};
