//! Concordant: a declarative rules language and evaluator for cross-modal consistency of
//! multimodal annotation data.
//!
//! Compile a rule pack once ([`Pack::from_paths`] for files, [`Pack::from_source`] for a
//! text), then check records with [`Pack::check`]: files, standard input, or a file's
//! content held in memory in any format ([`Input::Bytes`]), with [`RunOptions`] for threads,
//! budgets, limits and progress. Records already parsed as JSON values have
//! [`Pack::check_values`], lines of JSON Lines [`Pack::check_json_lines`]. An [`Outcome`] holds the findings, the data errors and a
//! summary; [`Pack::rule`] gives a finding's rule.
//!
//! ```
//! use concordant::Pack;
//! use serde_json::json;
//!
//! let pack = Pack::from_source("rules.cord", r#"
//!     schema {
//!       kind speech { start: time, end: time, speaker: str }
//!       kind transcript { start: time, end: time, text: str }
//!     }
//!     rule speech-needs-transcript: warning {
//!       for s in speech
//!       require some t in transcript where t intersects s
//!       message "no transcript under {s.speaker}'s speech {s.id}"
//!     }
//! "#)?;
//! let outcome = pack.check_values([
//!     json!({"item": "clip1", "kind": "speech", "id": "s1", "start": 0, "end": 2, "speaker": "ann"}),
//!     json!({"item": "clip1", "kind": "transcript", "id": "t1", "start": 5, "end": 6, "text": "hi"}),
//! ]);
//! assert_eq!(outcome.findings.len(), 1);
//! let finding = &outcome.findings[0];
//! assert_eq!(pack.rule(finding).id, "speech-needs-transcript");
//! assert_eq!(finding.message, "no transcript under ann's speech s1");
//! assert!(outcome.data_errors.is_empty());
//! # Ok::<(), concordant::PackError>(())
//! ```
//!
//! A rule file with a mistake gives a [`PackError`] carrying every diagnostic (file, line,
//! column, code and help); its `Display` names the first:
//!
//! ```
//! let text = "schema { kind speech { start: time, end: time } }
//!             rule r: error { for x in speeches require true message \"\" }";
//! let error = concordant::Pack::from_source("bad.cord", text).unwrap_err();
//! assert!(error.to_string().starts_with("the rule pack has 1 error(s); first: bad.cord:2:"));
//! let first = error.diagnostics.iter().find(|d| d.is_error()).unwrap();
//! let code = miette::Diagnostic::code(first).map(|c| c.to_string());
//! assert_eq!(code.as_deref(), Some("cord::check::unknown-kind"));
//! ```
//!
//! The library builds without the command line's and the language server's dependencies
//! (`default-features = false`); ARCHITECTURE.md maps the stages.
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
#[cfg(feature = "server")]
pub mod server;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod testing;
pub mod value;

pub use limits::{Limits, DEFAULT_MAX_NESTING, MAX_NESTING_CEILING};
pub use pack::{Pack, PackDiagnostic, PackError, UnknownRules};
pub use run::{
    item_names, BadBaseline, Baseline, BaselineEntry, CollectFindings, DatasetParts,
    ExplainRequest, FindingSink, Input, KindCount, Metric, NotDatasetParts, OnProgress, Outcome,
    Problem, Progress, RunOptions, Slot, SourceInfo, Summary, DEFAULT_MEMORY_LIMIT,
    DEFAULT_WORK_BUDGET, MAX_THREADS,
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
