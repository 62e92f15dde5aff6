//! Data: the record model, readers for annotation files, and schema validation.

pub mod ops;
mod value;

pub use value::{format_number, Origin, Record, SourceId, Value};
