//! Checked rules: names resolved to kinds, fields and variables, every expression typed.
//! This is what the planner compiles; it holds no text to re-parse.

use crate::builtins::Builtin;
use crate::data::{Record, Value};
use crate::ops::{ArithOp, CompareOp, Mode, Quantifier, Relation, Scope, Severity};
use crate::schema::{FieldId, KindId, Type};
use crate::span::Span;

/// Index of a variable (a `for` binding or a quantifier's variable) within one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

/// A variable of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// Its name.
    pub name: String,
    /// Its type: a record, a group, or a list element's type.
    pub ty: Type,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Kebab-case id.
    pub id: String,
    /// Doc comment.
    pub doc: Vec<String>,
    /// Severity of its findings.
    pub severity: Severity,
    /// Item or dataset.
    pub scope: Scope,
    /// All variables, `for` bindings first.
    pub vars: Vec<Var>,
    /// The `for` bindings, outermost first.
    pub bindings: Vec<Binding>,
    /// The `let` values computed once per binding ([`Expr::Let`]), by their variable.
    pub lets: Vec<(VarId, Expr)>,
    /// The `where` filter.
    pub filter: Option<Expr>,
    /// Require or forbid.
    pub mode: Mode,
    /// The condition.
    pub condition: Expr,
    /// The message template.
    pub message: Vec<MessagePart>,
    /// Where the rule is written.
    pub span: Span,
}

/// A `for` binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The variable it binds.
    pub var: VarId,
    /// What it ranges over.
    pub source: Source,
}

/// What a binding ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Every record of a kind.
    Kind(KindId),
    /// Every element of a list (which may depend on earlier bindings).
    List(Expr),
    /// Every group of a kind's records that share a field value.
    Group(KindId, FieldId),
    /// Every group of a kind's records that share a key computed from each: `var` is the
    /// record, `key` reads it.
    GroupBy {
        /// The kind.
        kind: KindId,
        /// The variable each record is bound to while its key is computed.
        var: VarId,
        /// The key.
        key: Box<Expr>,
    },
    /// The records of a group variable.
    Members(VarId),
    /// The records of either side that a one-to-one matching leaves without a partner.
    Unmatched(Box<Matching>),
    /// `matched(…)`: the left records of the matched pairs; binding one also binds its
    /// partner to the variable given, which the next binding (a `Partner`) keeps.
    Matched(Box<Matching>, VarId),
    /// The partner the `matched` binding before it bound to this variable.
    Partner(VarId),
}

/// Two sides' records matched one to one by a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// The two sides, records of one kind (their `label` is the value `match_alpha`
    /// compares).
    pub sides: [Side; 2],
    /// The score of a pair, reading both sides' variables.
    pub score: Expr,
    /// The least score of a pair that may match.
    pub threshold: Expr,
    /// What a pair must also meet.
    pub pair: Option<Expr>,
    /// Greedy or optimal.
    pub method: crate::metrics::matching::Method,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// An interpolated value, with how to show it.
    Value(Expr, Format),
}

/// How a message shows a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Format {
    /// A time or duration: seconds with an `s` suffix.
    pub seconds: bool,
    /// Numbers with this many decimals (`{x:.3}`), rather than as short as exact.
    pub decimals: Option<u8>,
}

/// A typed, resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// A list or set literal.
    List(Vec<Expr>),
    /// The value of a list-element variable.
    Var(VarId),
    /// A field of a record variable.
    Field(VarId, FieldId),
    /// A record variable's id.
    RecordId(VarId),
    /// A record variable's item.
    RecordItem(VarId),
    /// A group's shared value.
    GroupKey(VarId),
    /// The list of a field's values over a group's records.
    GroupColumn(VarId, FieldId),
    /// The number of records in a group.
    GroupSize(VarId),
    /// Logical negation.
    Not(Box<Expr>),
    /// Both (short-circuit).
    And(Box<Expr>, Box<Expr>),
    /// Either (short-circuit).
    Or(Box<Expr>, Box<Expr>),
    /// A comparison; numbers as doubles, text byte-wise.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// Arithmetic on numbers.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// Numeric negation.
    Neg(Box<Expr>),
    /// Membership of the left value in the right list.
    In(Box<Expr>, Box<Expr>),
    /// The left value, or the right one where the left is missing.
    Default(Box<Expr>, Box<Expr>),
    /// Whether an optional value is present.
    Has(Box<Expr>),
    /// A time relation between two record variables.
    Relation {
        /// Which relation.
        rel: Relation,
        /// Left record.
        left: VarId,
        /// Right record.
        right: VarId,
        /// Tolerance in seconds.
        tolerance: Option<Box<Expr>>,
    },
    /// A built-in function.
    Call(Function, Vec<Expr>),
    /// The element of a list at a position (from the end when negative); missing outside.
    Index(Box<Expr>, Box<Expr>),
    /// A `let` value, computed the first time a binding needs it and remembered in its
    /// variable until an outer binding changes.
    Let(VarId, Box<Expr>),
    /// An agreement statistic over the ratings the bound records give.
    Agreement {
        /// Which statistic.
        statistic: crate::metrics::Statistic,
        /// The variable it binds.
        var: VarId,
        /// What it ranges over.
        source: Box<Source>,
        /// `where`.
        filter: Option<Box<Expr>>,
        /// The rating of a record.
        value: Box<Expr>,
        /// The unit it rates.
        unit: Box<Expr>,
        /// Who rated.
        rater: Box<Expr>,
        /// The rater of a one-rater statistic.
        target: Option<Box<Expr>>,
        /// The gold rater `target` is compared with, instead of the majority.
        gold: Option<Box<Expr>>,
    },
    /// A temporal agreement function of two segmentations.
    Temporal {
        /// Which function.
        function: crate::metrics::temporal::TemporalFn,
        /// The reference, then the other.
        sides: Box<[Side; 2]>,
        /// The temporal-IoU threshold of matching.
        threshold: Option<Box<Expr>>,
    },
    /// A statistic of a one-to-one matching of two sides' records.
    Matched {
        /// Which statistic.
        function: crate::metrics::matching::MatchFn,
        /// The sides, score and threshold.
        matching: Box<Matching>,
    },
    /// `some`, `all`, `no`, `count`.
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The variable it binds.
        var: VarId,
        /// What it ranges over.
        source: Box<Source>,
        /// `where`.
        filter: Option<Box<Expr>>,
        /// `satisfy`.
        condition: Option<Box<Expr>>,
    },
}

/// A call of a built-in function: its entry in [`crate::builtins::BUILTINS`] and, for
/// `matches`, the pattern compiled from its constant argument. Its arguments are expressions
/// (record variables for interval functions), so what a call reads is what they read.
#[derive(Debug, Clone)]
pub struct Function {
    /// The entry.
    pub builtin: &'static Builtin,
    /// The compiled pattern of `matches`.
    pub pattern: Option<Pattern>,
}

impl Function {
    /// The function's name.
    pub fn name(&self) -> &'static str {
        self.builtin.name
    }

    /// Whether it is `share`, which the evaluator computes over the data set's items.
    pub fn is_share(&self) -> bool {
        matches!(self.builtin.eval, crate::builtins::Eval::Share)
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.builtin.name == other.builtin.name && self.pattern == other.pattern
    }
}

/// A compiled regular expression, equal to another when written the same.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// A checked `test` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Its name.
    pub name: String,
    /// Its records, validated against the schema.
    pub records: Vec<Record>,
    /// What it expects.
    pub expectations: Vec<Expectation>,
    /// Where it is written.
    pub span: Span,
}

/// One `expect` line, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// No rule reports anything.
    Nothing,
    /// The rule reports nothing.
    None(String),
    /// The rule reports a finding with this key in this item.
    Finding {
        /// Rule id.
        rule: String,
        /// Key texts.
        key: Vec<String>,
        /// Item.
        item: String,
    },
}

/// One segmentation of a temporal agreement function.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// The variable it binds.
    pub var: VarId,
    /// What it ranges over (records of an interval kind).
    pub source: Source,
    /// `where`.
    pub filter: Option<Expr>,
    /// `by`: the label of a segment.
    pub label: Option<Expr>,
}

/// The variables what a binding or quantifier ranges over reads: a list's, or the group
/// whose members it takes (a kind or a grouping reads none).
fn source_vars(source: &Source, out: &mut Vec<VarId>) {
    match source {
        Source::List(e) => vars_read(e, out),
        Source::Members(v) => out.push(*v),
        Source::Kind(_) | Source::Group(..) => {}
        Source::GroupBy { var, key, .. } => {
            let mut read = Vec::new();
            vars_read(key, &mut read);
            out.extend(read.into_iter().filter(|v| v != var));
        }
        Source::Unmatched(m) | Source::Matched(m, _) => m.vars_read(out),
        Source::Partner(v) => out.push(*v),
    }
}

impl Matching {
    /// The variables a matching reads from around it (its sides' own aside).
    fn vars_read(&self, out: &mut Vec<VarId>) {
        let mut read = Vec::new();
        self.for_each_expression(&mut |e| vars_read(e, &mut read));
        for side in &self.sides {
            source_vars(&side.source, &mut read);
        }
        let own = [self.sides[0].var, self.sides[1].var];
        out.extend(read.into_iter().filter(|v| !own.contains(v)));
    }

    /// Calls `f` with each expression it reads: its sides', filters, values and score.
    fn for_each_expression<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        for side in &self.sides {
            side.source.for_each_expression(f);
            side.filter.iter().chain(&side.label).for_each(&mut *f);
        }
        f(&self.score);
        f(&self.threshold);
        self.pair.iter().for_each(f);
    }
}

/// Every variable an expression reads.
pub fn vars_read(e: &Expr, out: &mut Vec<VarId>) {
    match e {
        Expr::Const(_) => {}
        Expr::Var(v)
        | Expr::Field(v, _)
        | Expr::RecordId(v)
        | Expr::RecordItem(v)
        | Expr::GroupKey(v)
        | Expr::GroupColumn(v, _)
        | Expr::GroupSize(v) => out.push(*v),
        Expr::List(items) => items.iter().for_each(|i| vars_read(i, out)),
        Expr::Not(a) | Expr::Neg(a) | Expr::Has(a) | Expr::Let(_, a) => vars_read(a, out),
        Expr::Index(a, b)
        | Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare(_, a, b)
        | Expr::Arith(_, a, b)
        | Expr::In(a, b)
        | Expr::Default(a, b) => {
            vars_read(a, out);
            vars_read(b, out);
        }
        Expr::Relation {
            left,
            right,
            tolerance,
            ..
        } => {
            out.extend([*left, *right]);
            if let Some(t) = tolerance {
                vars_read(t, out);
            }
        }
        Expr::Call(_, args) => args.iter().for_each(|a| vars_read(a, out)),
        Expr::Matched { matching, .. } => matching.vars_read(out),
        Expr::Temporal {
            sides, threshold, ..
        } => {
            for side in sides.iter() {
                source_vars(&side.source, out);
                for part in side.filter.iter().chain(&side.label) {
                    vars_read(part, out);
                }
            }
            if let Some(t) = threshold {
                vars_read(t, out);
            }
        }
        Expr::Agreement {
            source,
            filter,
            value,
            unit,
            rater,
            target,
            gold,
            ..
        } => {
            source_vars(source, out);
            for t in target.iter().chain(gold) {
                vars_read(t, out);
            }
            for part in [value, unit, rater].into_iter().chain(filter) {
                vars_read(part, out);
            }
        }
        Expr::Quantified {
            source,
            filter,
            condition,
            ..
        } => {
            source_vars(source, out);
            for part in [filter, condition].into_iter().flatten() {
                vars_read(part, out);
            }
        }
    }
}

impl Source {
    /// Calls `f` with each expression it reads: a list's, a computed group key, a
    /// matching's sides, filters and score.
    fn for_each_expression<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        match self {
            Source::List(e) => f(e),
            Source::GroupBy { key, .. } => f(key),
            Source::Kind(_) | Source::Group(..) | Source::Members(_) => {}
            Source::Unmatched(m) | Source::Matched(m, _) => m.for_each_expression(f),
            Source::Partner(_) => {}
        }
    }
}

impl Expr {
    /// Calls `f` on each direct sub-expression (a source's, a filter's, a statistic's parts
    /// included).
    pub fn for_each_child<'e>(&'e self, f: &mut impl FnMut(&'e Expr)) {
        match self {
            Expr::Const(_)
            | Expr::Var(_)
            | Expr::Field(..)
            | Expr::RecordId(_)
            | Expr::RecordItem(_)
            | Expr::GroupKey(_)
            | Expr::GroupColumn(..)
            | Expr::GroupSize(_) => {}
            Expr::List(items) | Expr::Call(_, items) => items.iter().for_each(f),
            Expr::Not(a) | Expr::Neg(a) | Expr::Has(a) | Expr::Let(_, a) => f(a),
            Expr::Index(a, b)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::In(a, b)
            | Expr::Default(a, b) => {
                f(a);
                f(b);
            }
            Expr::Relation { tolerance, .. } => tolerance.iter().for_each(|t| f(t)),
            Expr::Matched { matching, .. } => matching.for_each_expression(&mut |e| f(e)),
            Expr::Temporal {
                sides, threshold, ..
            } => {
                for side in sides.iter() {
                    side.source.for_each_expression(&mut |e| f(e));
                    side.filter.iter().chain(&side.label).for_each(&mut *f);
                }
                threshold.iter().for_each(|t| f(t));
            }
            Expr::Agreement {
                source,
                filter,
                value,
                unit,
                rater,
                target,
                gold,
                ..
            } => {
                source.for_each_expression(&mut |e| f(e));
                for part in [value, unit, rater]
                    .into_iter()
                    .chain(filter)
                    .chain(target)
                    .chain(gold)
                {
                    f(part);
                }
            }
            Expr::Quantified {
                source,
                filter,
                condition,
                ..
            } => {
                source.for_each_expression(&mut |e| f(e));
                filter.iter().chain(condition).for_each(|c| f(c));
            }
        }
    }

    /// How deeply the expression nests: 1 for a leaf. What functions and `let`s write out is
    /// held to [`crate::limits::MAX_NESTING_CEILING`] with it, so every stage that recurses on
    /// expressions stays within the stack that the ceiling is sized for.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        self.for_each_child(&mut |child| deepest = deepest.max(child.depth()));
        deepest + 1
    }
}
