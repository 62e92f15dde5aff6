//! Data: the record model, readers for annotation files, and schema validation.

mod error;
mod lite;
pub mod ops;
mod read;
mod validate;
mod value;

pub use error::DataError;
pub use lite::{Line, Lite};
pub use read::{is_json_array, parse_line, read_array, Batch, Batches, Part, BATCH_BYTES};
pub use validate::{validate, Shared, Validator};

pub use value::{format_number, Origin, Record, SourceId, Value};
