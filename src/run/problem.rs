//! What a run reports besides findings, in the order it met them: faults of the data
//! (`DataError`, from the data layer) and rules the evaluator stopped (`EvalError`).

use crate::data::{DataError, Origin};
use crate::eval::EvalError;
use miette::Diagnostic;
use thiserror::Error;

/// A problem a run reports: a line, record or input that could not be checked, or a rule
/// stopped on an item. Rendered like a diagnostic (code, message, help), at its origin.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum Problem {
    /// A fault of the data: the record (or input) was not checked.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Data(#[from] DataError),
    /// A rule stopped by the work budget on an item or the data set.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Eval(#[from] EvalError),
}

impl From<Box<DataError>> for Problem {
    fn from(error: Box<DataError>) -> Problem {
        Problem::Data(*error)
    }
}

impl Problem {
    /// Where it is.
    pub fn origin(&self) -> Origin {
        match self {
            Problem::Data(e) => e.origin(),
            Problem::Eval(e) => e.origin(),
        }
    }

    /// The stable code, as in the JSON output.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// Whether a whole input was left unread ([`DataError::is_unread_input`]).
    pub fn is_unread_input(&self) -> bool {
        matches!(self, Problem::Data(e) if e.is_unread_input())
    }

    /// The record field it is about, for pointing at it in the line.
    pub fn field(&self) -> Option<&str> {
        match self {
            Problem::Data(e) => e.field(),
            Problem::Eval(_) => None,
        }
    }
}
