//! What evaluation reports besides findings: a rule stopped by the work budget.

use crate::data::Origin;
use miette::Diagnostic;
use thiserror::Error;

/// A rule the evaluator stopped, with where: its findings there are left out, and the run
/// says so rather than report fewer findings silently.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum EvalError {
    /// A rule whose joins over one item, or over the data set (a `per dataset` rule), would
    /// consider more candidate pairs than allowed.
    #[error(
        "rule `{rule}` stopped on {}: it considered more than {budget} candidate pairs",
        scope_of(item)
    )]
    #[diagnostic(
        code("cord::eval::work-budget"),
        help("its findings there are left out; narrow the rule's `where` (an equality or a time relation lets the planner use an index) or raise --work-budget")
    )]
    WorkBudget {
        /// The rule id.
        rule: String,
        /// The item, or `None` for a `per dataset` rule.
        item: Option<String>,
        /// The budget that was exceeded.
        budget: u64,
        /// The first record of the item (or of the data set).
        origin: Origin,
    },
}

impl EvalError {
    /// Where it happened: the first record of the item (or of the data set).
    pub fn origin(&self) -> Origin {
        match self {
            EvalError::WorkBudget { origin, .. } => *origin,
        }
    }
}

fn scope_of(item: &Option<String>) -> String {
    match item {
        Some(item) => format!("item `{item}`"),
        None => "the data set".into(),
    }
}
