//! Concordant: a declarative rules language and evaluator for cross-modal consistency of
//! multimodal annotation data.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod builtins;
pub mod check;
pub mod data;
pub mod diag;
pub mod eval;
mod limits;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod metrics;
pub mod ops;
mod pack;
pub mod plan;
mod run;
pub mod schema;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod testing;
pub mod value;

pub use limits::{Limits, DEFAULT_MAX_NESTING, MAX_NESTING_CEILING};
pub use pack::{Pack, PackDiagnostic, PackError};
pub use run::{
    item_names, Baseline, BaselineEntry, CollectFindings, DatasetParts, ExplainRequest,
    FindingSink, Input, KindCount, Metric, OnProgress, Outcome, Progress, RunOptions, Slot,
    SourceInfo, Summary, DEFAULT_WORK_BUDGET, MAX_THREADS,
};

/// The configuration of the library's property tests: `cases` cases from a fixed generator,
/// so that every run (and CI) checks the same ones.
#[cfg(test)]
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..proptest::test_runner::Config::default()
    }
}
