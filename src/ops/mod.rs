//! The language's shared vocabulary and the meaning of its operations on values: what the
//! syntax names, the checker folds, the planner arranges and the evaluator computes, defined
//! once at the bottom of the crate so that no stage imports another's types for it.
//!
//! Each word has its spelling in rule files (`as_str`), which the plan printer, the
//! renderers and the language server use too.

mod clip;
pub mod space;
pub mod time;
mod values;

pub use values::{
    arith, compare, contains, count_distinct_of, count_of, default, element, equal, extreme_of,
    mean_of, order, sum_of,
};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably wrong.
    Warning,
    /// Wrong.
    Error,
}

impl Severity {
    /// The severity as rule files and every output spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a rule sees at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The records of one item (the default).
    Item,
    /// All records of the data set.
    Dataset,
}

impl Scope {
    /// The word after `per` in a rule's head.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Item => "item",
            Scope::Dataset => "dataset",
        }
    }
}

/// Whether a rule's condition must hold or must not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `require`: a binding for which the condition is false is a finding.
    Require,
    /// `forbid`: a binding for which the condition is true is a finding.
    Forbid,
}

impl Mode {
    /// The keyword of the rule's condition.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Require => "require",
            Mode::Forbid => "forbid",
        }
    }
}

/// `some`, `all`, `no`, `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// True when at least one element passes.
    Some,
    /// True when every element that passes the filter satisfies the condition.
    All,
    /// True when no element passes.
    No,
    /// The number of elements that pass.
    Count,
}

impl Quantifier {
    /// The quantifier's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Some => "some",
            Quantifier::All => "all",
            Quantifier::No => "no",
            Quantifier::Count => "count",
        }
    }
}

/// Allen's thirteen interval relations and `intersects`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// `a.end < b.start`
    Before,
    /// `b.end < a.start`
    After,
    /// `a.end == b.start`
    Meets,
    /// `b.end == a.start`
    MetBy,
    /// `a.start < b.start < a.end < b.end`
    Overlaps,
    /// `b.start < a.start < b.end < a.end`
    OverlappedBy,
    /// `a.start == b.start and a.end < b.end`
    Starts,
    /// `a.start == b.start and b.end < a.end`
    StartedBy,
    /// `b.start < a.start and a.end < b.end`
    During,
    /// `a.start < b.start and b.end < a.end`
    Contains,
    /// `a.end == b.end and b.start < a.start`
    Finishes,
    /// `a.end == b.end and a.start < b.start`
    FinishedBy,
    /// `a.start == b.start and a.end == b.end`
    Equals,
    /// The two share time: `a.start < b.end and b.start < a.end`.
    Intersects,
}

impl Relation {
    /// Every relation with its keyword.
    pub const ALL: [(Relation, &'static str); 14] = [
        (Relation::Before, "before"),
        (Relation::After, "after"),
        (Relation::Meets, "meets"),
        (Relation::MetBy, "met_by"),
        (Relation::Overlaps, "overlaps"),
        (Relation::OverlappedBy, "overlapped_by"),
        (Relation::Starts, "starts"),
        (Relation::StartedBy, "started_by"),
        (Relation::During, "during"),
        (Relation::Contains, "contains"),
        (Relation::Finishes, "finishes"),
        (Relation::FinishedBy, "finished_by"),
        (Relation::Equals, "equals"),
        (Relation::Intersects, "intersects"),
    ];

    /// The keyword of a relation.
    pub fn as_str(self) -> &'static str {
        self.keyword()
    }

    /// The keyword of a relation.
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("intersects", |(_, k)| k)
    }

    /// What the relation means, in one sentence (for the language server).
    pub fn doc(self) -> &'static str {
        match self {
            Relation::Before => "`a` ends before `b` starts.",
            Relation::After => "`a` starts after `b` ends.",
            Relation::Meets => "`a` ends where `b` starts.",
            Relation::MetBy => "`a` starts where `b` ends.",
            Relation::Overlaps => "`a` starts first and ends inside `b` (strictly: not when one contains the other or they share an end; for any shared time, use `intersects`).",
            Relation::OverlappedBy => "`b` starts first and ends inside `a` (strictly; for any shared time, use `intersects`).",
            Relation::Starts => "Same start, `a` ends first (for any shared time, use `intersects`).",
            Relation::StartedBy => "Same start, `b` ends first.",
            Relation::During => "`a` lies strictly inside `b`: it starts after `b` starts and ends before `b` ends (for any shared time, use `intersects`).",
            Relation::Contains => "`b` lies strictly inside `a`.",
            Relation::Finishes => "Same end, `a` starts later.",
            Relation::FinishedBy => "Same end, `b` starts later.",
            Relation::Equals => "Same start and end.",
            Relation::Intersects => "The intervals share time.",
        }
    }

    /// The relation named by a keyword.
    pub fn from_keyword(word: &str) -> Option<Relation> {
        Self::ALL.iter().find(|(_, k)| *k == word).map(|(r, _)| *r)
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl ArithOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}
