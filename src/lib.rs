//! Concordant: a declarative rules language and evaluator for cross-modal consistency of
//! multimodal annotation data.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod data;
pub mod schema;
pub mod span;
pub mod syntax;
