//! Data: the record model, readers for annotation files, and schema validation.

mod error;
pub mod ops;
mod read;
mod validate;
mod value;

pub use error::DataError;
pub use read::{read_source, Raw};
pub use validate::validate;

pub use value::{format_number, Origin, Record, SourceId, Value};
