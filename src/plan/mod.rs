//! Plan: checked rules → flat evaluation plans.
//!
//! The entry point is [`compile`]. Each rule becomes a [`RulePlan`]: its expressions stored in
//! one flat table indexed by [`ExprId`], its `for` bindings as a list of [`Loop`]s, and its
//! `where` filter split into conjuncts, each attached to the outermost loop at which every
//! variable it reads is bound (so a filter on one binding runs in that binding's scan).

mod joins;
mod lower;
mod share;
mod show;

use crate::check::ir;
use crate::check::Checked;
use crate::data::Value;
use crate::ops::{ArithOp, CompareOp};
use crate::ops::{Mode, Quantifier, Relation, Scope, Severity};
use crate::schema::{FieldId, KindId, Schema};
use std::path::PathBuf;
use std::sync::Arc;

pub use ir::{Format, Function, VarId};
pub use show::{describe_expr, describe_ratings, describe_rule};

/// Index of an expression in a rule's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(pub u32);

/// A compiled rule pack: the schema and one plan per rule.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The record kinds.
    pub schema: Arc<Schema>,
    /// One plan per rule, in pack order.
    pub rules: Vec<RulePlan>,
    /// The `(kind, field)` pairs some rule groups by; items build these groups once.
    pub groupings: Vec<(KindId, FieldId)>,
    /// The indexes joins probe; each item builds the ones it needs once, for every rule.
    pub indexes: Vec<IndexSpec>,
    /// Rules of the pack left out by `check --select`: a waiver of one is not stale.
    pub unselected: Vec<String>,
    /// How many quantifiers are computed once per record and item for every place that
    /// writes them ([`RulePlan::memos`]).
    pub memo_slots: usize,
    /// Each kind's start and end fields, by kind id: read for every time relation.
    pub spans: Vec<Option<(FieldId, FieldId)>>,
    /// The `ref` fields of the schema (of `list<ref …>` too): the kind that has one, the
    /// field, and the kind it refers to. Each item's references are checked against them.
    pub references: Vec<(KindId, FieldId, KindId)>,
}

impl Plan {
    /// The plan of the rule with this id.
    pub fn rule(&self, id: &str) -> Option<&RulePlan> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// An index over one kind's records in an item: hashed by a key, sorted by start, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    /// The kind indexed.
    pub kind: KindId,
    /// What records are hashed by, for an equality join.
    pub key: Option<IndexKey>,
    /// Whether each bucket is sorted by start time, for an interval join.
    pub by_start: bool,
    /// A shape field each bucket is sorted by the left edge of, for a spatial join (when
    /// not sorted by start).
    pub by_x: Option<crate::schema::FieldId>,
}

/// What an index hashes records by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKey {
    /// A scalar field.
    Field(FieldId),
    /// The record's id.
    Id,
}

/// How a loop or quantifier finds its candidates.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Every element of the source, in order.
    Scan,
    /// The records an index gives for a key and a time window. The conjuncts that chose
    /// the index stay in the filter, so an index only ever narrows the candidates.
    Probe {
        /// Index into [`Plan::indexes`].
        index: usize,
        /// The value to look up, for a hashed index.
        key: Option<ExprId>,
        /// The time window, for a sorted index.
        window: Option<Window>,
        /// The bound record's shape whose horizontal extent the candidates' shapes must
        /// meet, for an index sorted by a shape's left edge (a spatial join).
        region: Option<(VarId, crate::schema::FieldId)>,
        /// The filter conjunct the hashed key makes true of every candidate (an equality
        /// between key and probe). It stays in the filter, so the plan still says in full
        /// what a candidate must satisfy; the evaluator skips it.
        implies: Option<ExprId>,
    },
}

impl Access {
    /// The filter conjunct the access makes true of every candidate, if any.
    pub fn implied(&self) -> Option<ExprId> {
        match self {
            Access::Probe { implies, .. } => *implies,
            Access::Scan => None,
        }
    }

    /// Whether every conjunct of `filter` is one the access makes true: then its candidates
    /// are exactly the elements that pass, and `some`, `no` and `count` follow from their
    /// number alone.
    pub fn leaves_no_filter(&self, filter: &[ExprId]) -> bool {
        filter.iter().all(|f| Some(*f) == self.implied())
    }
}

/// A time relation between the record being looked up and a record already bound, used to
/// narrow a sorted index to a range of start times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// The relation, read as "candidate `rel` other".
    pub rel: Relation,
    /// The bound record.
    pub other: VarId,
    /// The tolerance in seconds, when the relation has a constant one.
    pub tolerance: Option<f64>,
}

impl Window {
    /// Any overlap with `other`'s extent, touching included: what a spatial join looks up
    /// along the axis its index is sorted by.
    pub fn meeting(other: VarId) -> Window {
        Window {
            rel: Relation::Intersects,
            other,
            tolerance: None,
        }
    }
}

/// Where a rule is written, for "defined here" labels and SARIF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLocation {
    /// The rule file.
    pub file: PathBuf,
    /// 1-based line of the `rule` keyword (or its doc comment).
    pub line: usize,
    /// Byte range of the rule in the file.
    pub range: std::ops::Range<usize>,
}

/// What a variable holds at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum VarKind {
    /// A record of a kind.
    Record(KindId),
    /// A group of a kind's records.
    Group(KindId),
    /// A plain value (a list element).
    Value,
}

/// One rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct RulePlan {
    /// Kebab-case id.
    pub id: String,
    /// Doc comment.
    pub doc: Vec<String>,
    /// Severity of its findings.
    pub severity: Severity,
    /// Item or dataset scope.
    pub scope: Scope,
    /// Require or forbid.
    pub mode: Mode,
    /// Every variable's name and run-time kind, by [`VarId`].
    pub vars: Vec<(String, VarKind)>,
    /// The `for` bindings, outermost first, each with the filters that run at its level.
    pub loops: Vec<Loop>,
    /// The condition, evaluated once every loop has bound its variable.
    pub condition: ExprId,
    /// The message template.
    pub message: Vec<MessagePart>,
    /// The expression table.
    pub exprs: Vec<Node>,
    /// Its quantifiers that the pack writes alike in more than one place, over one record
    /// variable: each is computed once per record and item and remembered in a slot
    /// shared by those places.
    pub memos: Vec<(ExprId, Memo)>,
    /// Where the rule is written.
    pub location: RuleLocation,
}

impl RulePlan {
    /// The expression with this id.
    pub fn expr(&self, id: ExprId) -> &Node {
        &self.exprs[id.0 as usize]
    }

    /// The slot that remembers a quantifier's value, if it is shared.
    pub fn memo(&self, id: ExprId) -> Option<Memo> {
        (self.memos.iter()).find_map(|&(e, memo)| (e == id).then_some(memo))
    }
}

/// Where a shared quantifier's value is remembered: a slot of [`Plan::memo_slots`], per
/// record of the variable it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memo {
    /// The slot.
    pub slot: usize,
    /// The one (record) variable the quantifier reads.
    pub over: VarId,
}

/// A `for` binding at run time.
#[derive(Debug, Clone)]
pub struct Loop {
    /// The variable it binds.
    pub var: VarId,
    /// What it ranges over.
    pub source: LoopSource,
    /// How candidates are found.
    pub access: Access,
    /// Conjuncts of the `where` filter that read only this and outer variables.
    pub filters: Vec<ExprId>,
    /// The `let` slots to forget when this loop binds: those whose value reads this loop's
    /// variable or an inner one.
    pub resets: Vec<VarId>,
}

/// What a loop or quantifier ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopSource {
    /// The groups of a kind's records by a key the rule computes from each (`var` bound to
    /// the record while `key` is evaluated).
    GroupsBy {
        /// The kind.
        kind: KindId,
        /// The record's variable.
        var: VarId,
        /// The key.
        key: ExprId,
    },
    /// The item's records of a kind, in input order.
    Kind(KindId),
    /// The elements of a list value.
    List(ExprId),
    /// The item's groups of a kind by a field (an index into [`Plan::groupings`]), in key
    /// order.
    Groups(usize),
    /// The records of a group variable.
    Members(VarId),
    /// The records of either side that a one-to-one matching leaves without a partner.
    Unmatched(Box<Matching>),
    /// The left records of a matching's pairs; binding one binds its partner to `partner`
    /// too.
    Matched {
        /// The matching.
        matching: Box<Matching>,
        /// The right side's variable.
        partner: VarId,
    },
    /// The one record the `Matched` loop before it bound to this loop's variable.
    Partner,
}

/// Two sides' records matched one to one by a score (`unmatched(…)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// The two sides (their `label` is the value `match_alpha` compares).
    pub sides: [Side; 2],
    /// The score of a pair.
    pub score: ExprId,
    /// The least score of a pair that may match.
    pub threshold: ExprId,
    /// What a pair must also meet.
    pub pair: Option<ExprId>,
    /// Greedy or optimal.
    pub method: crate::metrics::matching::Method,
    /// When the score is an overlap of a left and a right region at a constant threshold
    /// above 0, only pairs whose regions meet can match: pairs are then found by a sweep over
    /// the regions' bounds and scored from regions read once per record.
    pub overlap: Option<OverlapScore>,
}

/// A matching's score when it is `iou`, `ioa` or `ios` of a left region and a right one.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlapScore {
    /// The left side's region (reads only the left variable).
    pub left: ExprId,
    /// The right side's region (reads only the right variable).
    pub right: ExprId,
    /// Which overlap.
    pub measure: crate::ops::space::Overlap,
    /// The least score of a pair that may match.
    pub threshold: f64,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// An interpolated value.
    Value(ExprId, Format),
}

/// One operation in a rule's expression table. Children are [`ExprId`]s into the same table.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A constant.
    Const(Value),
    /// A list built from element expressions.
    List(Vec<ExprId>),
    /// The value bound to a list-element variable.
    Var(VarId),
    /// A field of a record variable.
    Field(VarId, FieldId),
    /// A record variable's id.
    RecordId(VarId),
    /// A record variable's item.
    RecordItem(VarId),
    /// A group variable's key.
    GroupKey(VarId),
    /// A field's values over a group's records.
    GroupColumn(VarId, FieldId),
    /// A group's number of records.
    GroupSize(VarId),
    /// Logical negation.
    Not(ExprId),
    /// All true, evaluated left to right, stopping at the first false.
    All(Vec<ExprId>),
    /// Any true, evaluated left to right, stopping at the first true.
    Any(Vec<ExprId>),
    /// A comparison.
    Compare(CompareOp, ExprId, ExprId),
    /// Arithmetic.
    Arith(ArithOp, ExprId, ExprId),
    /// Numeric negation.
    Neg(ExprId),
    /// Membership of a value in a list.
    In(ExprId, ExprId),
    /// The first value unless it is missing.
    Default(ExprId, ExprId),
    /// Whether a value is present.
    Has(ExprId),
    /// The element of a list at a position (from the end when negative).
    Index(ExprId, ExprId),
    /// A `let` value: computed once per binding and kept in its variable's slot until a
    /// loop it depends on binds again ([`Loop::resets`]).
    Let {
        /// The slot.
        var: VarId,
        /// Its value.
        value: ExprId,
    },
    /// A time relation between two record variables.
    Relation {
        /// Which relation.
        rel: Relation,
        /// Left record.
        left: VarId,
        /// Right record.
        right: VarId,
        /// Tolerance in seconds.
        tolerance: Option<ExprId>,
    },
    /// A built-in function.
    Call(Function, Vec<ExprId>),
    /// An agreement statistic over the ratings (value, unit, rater) of the elements of its
    /// source that pass the filter.
    Agreement {
        /// Which statistic.
        statistic: crate::metrics::Statistic,
        /// The variable it binds.
        var: VarId,
        /// What it ranges over.
        source: LoopSource,
        /// How candidates are found.
        access: Access,
        /// `where` conjuncts.
        filter: Vec<ExprId>,
        /// The rating, unit and rater of an element.
        rating: [ExprId; 3],
        /// The rater of a one-rater statistic (`disagreement(… for r)`).
        target: Option<ExprId>,
        /// The gold rater `target` is compared with (`against g`), instead of the majority.
        gold: Option<ExprId>,
        /// Whether it ranges over a kind and reads no variable but its own: its ratings are
        /// then the same wherever the rule evaluates it, and are gathered once per run of
        /// the rule (a `for g in group … by annotator` asks one rater at a time of them).
        closed: bool,
    },
    /// A temporal agreement function of two segmentations of the item.
    Temporal {
        /// Which function.
        function: crate::metrics::temporal::TemporalFn,
        /// The reference, then the other.
        sides: Box<[Side; 2]>,
        /// The temporal-IoU threshold of matching (0.5 when not given).
        threshold: Option<ExprId>,
    },
    /// A statistic of a one-to-one matching of two sides' records in the item.
    Matched {
        /// Which statistic.
        function: crate::metrics::matching::MatchFn,
        /// The sides, score and threshold.
        matching: Box<Matching>,
    },
    /// A quantifier: a semi-join (`some`), an anti-join (`no`), a universal check (`all`) or
    /// a count, each over the records or values of its source.
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The variable it binds.
        var: VarId,
        /// What it ranges over.
        source: LoopSource,
        /// How candidates are found.
        access: Access,
        /// `where` and `satisfy` conjuncts: an element counts when all are true, except for
        /// `all`, where the last one is the condition the others select for.
        filter: Vec<ExprId>,
        /// For `all`: the condition every selected element must satisfy.
        condition: Option<ExprId>,
    },
}

/// Compiles a checked pack. `files` maps rule spans to file paths and line numbers.
pub fn compile(checked: &Checked, sources: &crate::span::SourceMap) -> Plan {
    let mut shared = lower::Shared::default();
    let rules = checked
        .rules
        .iter()
        .map(|rule| lower::lower_rule(rule, &checked.schema, sources, &mut shared))
        .collect();
    let mut plan = Plan {
        schema: Arc::new(checked.schema.clone()),
        rules,
        groupings: shared.groupings,
        indexes: shared.indexes,
        unselected: Vec::new(),
        memo_slots: 0,
        spans: (0..checked.schema.len())
            .map(|k| checked.schema.kind(KindId(k as u32)).interval)
            .collect(),
        references: references(&checked.schema),
    };
    share::share_sorted_indexes(&mut plan);
    share::share_quantifiers(&mut plan);
    plan
}

/// Every `ref` field of the schema: (its kind, the field, the kind it names).
fn references(schema: &crate::schema::Schema) -> Vec<(KindId, FieldId, KindId)> {
    let mut out = Vec::new();
    for (kind, decl) in schema.kinds() {
        for (i, field) in decl.fields.values().enumerate() {
            let target = match &field.ty {
                crate::schema::Type::Ref(target) => *target,
                crate::schema::Type::List(inner) => match **inner {
                    crate::schema::Type::Ref(target) => target,
                    _ => continue,
                },
                _ => continue,
            };
            out.push((kind, FieldId(i as u32), target));
        }
    }
    out
}

impl RulePlan {
    /// The statistics (agreement, temporal agreement, `share`) a rule without `for` reads
    /// in its condition and message, each once: what `--metrics` reports per item.
    pub fn statistics(&self) -> Vec<ExprId> {
        if !self.loops.is_empty() {
            return Vec::new();
        }
        let mut roots = vec![self.condition];
        roots.extend(self.message.iter().filter_map(|p| match p {
            MessagePart::Value(e, _) => Some(*e),
            MessagePart::Text(_) => None,
        }));
        let mut found: Vec<ExprId> = Vec::new();
        let mut seen = Vec::new();
        while let Some(id) = roots.pop() {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            match self.expr(id) {
                Node::Agreement { .. } | Node::Temporal { .. } | Node::Matched { .. } => {
                    found.push(id)
                }
                Node::Call(f, _) if f.is_share() => found.push(id),
                Node::List(items) | Node::All(items) | Node::Any(items) | Node::Call(_, items) => {
                    roots.extend(items.iter().copied())
                }
                Node::Not(a) | Node::Neg(a) | Node::Has(a) | Node::Let { value: a, .. } => {
                    roots.push(*a)
                }
                Node::Compare(_, a, b)
                | Node::Index(a, b)
                | Node::Arith(_, a, b)
                | Node::In(a, b)
                | Node::Default(a, b) => roots.extend([*a, *b]),
                // Statistics inside a quantifier are computed per element, not per item.
                Node::Quantified { .. } => {}
                Node::Const(_)
                | Node::Var(_)
                | Node::Field(..)
                | Node::RecordId(_)
                | Node::RecordItem(_)
                | Node::GroupKey(_)
                | Node::GroupColumn(..)
                | Node::GroupSize(_)
                | Node::Relation { .. } => {}
            }
        }
        found.sort_by_key(|id| id.0);
        found
    }

    /// The agreement statistics a `per dataset` rule without `for` reads, when nothing else
    /// in it needs the data set's records: such a rule is computed item by item from partial
    /// statistics that merge, instead of from every record. `None` for any other rule.
    pub fn streamed_statistics(&self) -> Option<Vec<ExprId>> {
        if self.scope != crate::ops::Scope::Dataset || !self.loops.is_empty() {
            return None;
        }
        let mut roots = vec![self.condition];
        roots.extend(self.message.iter().filter_map(|p| match p {
            MessagePart::Value(e, _) => Some(*e),
            MessagePart::Text(_) => None,
        }));
        let mut found = Vec::new();
        while let Some(id) = roots.pop() {
            match self.expr(id) {
                Node::Agreement { source, target, .. } => {
                    if !matches!(source, LoopSource::Kind(_)) || target.is_some() {
                        return None;
                    }
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
                Node::Call(f, _) if f.is_share() => {
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
                Node::Temporal {
                    sides, threshold, ..
                } => {
                    let kinds = sides
                        .iter()
                        .all(|s| matches!(s.source, LoopSource::Kind(_)));
                    let constant = threshold.is_none_or(|t| matches!(self.expr(t), Node::Const(_)));
                    if !kinds || !constant {
                        return None;
                    }
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
                // Matched per item, so a pair never spans two items.
                Node::Matched { matching, .. } => {
                    let kinds =
                        (matching.sides.iter()).all(|s| matches!(s.source, LoopSource::Kind(_)));
                    if !kinds {
                        return None;
                    }
                    if !found.contains(&id) {
                        found.push(id);
                    }
                }
                Node::Quantified { .. } => return None,
                Node::List(items) | Node::All(items) | Node::Any(items) | Node::Call(_, items) => {
                    roots.extend(items.iter().copied())
                }
                Node::Not(a) | Node::Neg(a) | Node::Has(a) | Node::Let { value: a, .. } => {
                    roots.push(*a)
                }
                Node::Compare(_, a, b)
                | Node::Index(a, b)
                | Node::Arith(_, a, b)
                | Node::In(a, b)
                | Node::Default(a, b) => roots.extend([*a, *b]),
                Node::Const(_) => {}
                // Anything that reads a record needs the data set's records.
                Node::Var(_)
                | Node::Field(..)
                | Node::RecordId(_)
                | Node::RecordItem(_)
                | Node::GroupKey(_)
                | Node::GroupColumn(..)
                | Node::GroupSize(_)
                | Node::Relation { .. } => return None,
            }
        }
        (!found.is_empty()).then_some(found)
    }
}

/// One segmentation of a temporal agreement function: its records and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// The variable it binds.
    pub var: VarId,
    /// What it ranges over.
    pub source: LoopSource,
    /// How candidates are found.
    pub access: Access,
    /// `where` conjuncts.
    pub filter: Vec<ExprId>,
    /// `by`: a segment's label.
    pub label: Option<ExprId>,
}
