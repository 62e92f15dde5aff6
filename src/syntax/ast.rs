//! The typed syntax tree of one rule file. Every node that a diagnostic can point at is
//! [`Spanned`]; nothing here knows about schemas or types.

pub use crate::ops::{Mode, Quantifier, Relation, Scope, Severity};
use crate::span::{Span, Spanned};

/// A name as written, with its span.
pub type Name = Spanned<String>;

/// One parsed rule file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    /// `import "path"` declarations, in order.
    pub imports: Vec<Spanned<String>>,
    /// Record kinds from all `schema` blocks.
    pub kinds: Vec<KindDecl>,
    /// `const` declarations.
    pub consts: Vec<ConstDecl>,
    /// `fn` declarations.
    pub fns: Vec<FnDecl>,
    /// Rules, in order of appearance.
    pub rules: Vec<Rule>,
    /// `test` blocks.
    pub tests: Vec<Test>,
}

/// `kind speech { start: time, … }`
#[derive(Debug, Clone, PartialEq)]
pub struct KindDecl {
    /// Doc comment lines without the `///`.
    pub doc: Vec<String>,
    /// The kind's name, as records give it in their `kind` field.
    pub name: Name,
    /// Declared fields.
    pub fields: Vec<FieldDecl>,
}

/// `speaker: str?`
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Field name.
    pub name: Name,
    /// Declared type.
    pub ty: Spanned<TypeExpr>,
}

/// A type as written in a schema.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `str`, `num`, `bool`, `time`, `duration` (or a misspelling the checker reports).
    Named(Name),
    /// `list<T>`
    List(Box<Spanned<TypeExpr>>),
    /// `enum { a, b }`
    Enum(Vec<Name>),
    /// `ref kind`: the id of a record of another kind in the same item.
    Ref(Name),
    /// `T?`: the field may be absent or null.
    Optional(Box<Spanned<TypeExpr>>),
}

/// `const sync_tolerance = 200ms`
#[derive(Debug, Clone, PartialEq)]
pub struct ConstDecl {
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Constant name.
    pub name: Name,
    /// Its value; the checker requires it to be constant.
    pub value: Expr,
}

/// `fn iou(a: boxes, b: boxes) -> num = …`
#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The function's name.
    pub name: Name,
    /// Parameters and their types, in order.
    pub params: Vec<(Name, Spanned<TypeExpr>)>,
    /// The declared result type, when written.
    pub returns: Option<Spanned<TypeExpr>>,
    /// The body.
    pub body: Expr,
    /// The whole declaration.
    pub span: Span,
}

/// `let d = a.end - a.start`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// The name it gives.
    pub name: Name,
    /// Its value.
    pub value: Expr,
    /// Whether it is written after the `where` filter (and may rely on what it proves).
    pub after_filter: bool,
}

/// `rule id: severity { for … where … require … message "…" }`
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// Kebab-case rule id.
    pub id: Name,
    /// Severity of its findings.
    pub severity: Spanned<Severity>,
    /// Item or dataset scope.
    pub scope: Scope,
    /// `for` bindings, outermost first.
    pub bindings: Vec<Binding>,
    /// `let` values, in order.
    pub lets: Vec<Let>,
    /// The `where` filter.
    pub filter: Option<Expr>,
    /// `require` or `forbid`.
    pub mode: Spanned<Mode>,
    /// The condition.
    pub condition: Expr,
    /// The message template.
    pub message: Template,
    /// The whole rule, for "defined here" labels.
    pub span: Span,
}

/// `x in source`
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The bound variable.
    pub var: Name,
    /// What it ranges over.
    pub source: Source,
    /// The whole binding.
    pub span: Span,
}

/// What a binding ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A kind name or a list-valued expression; the checker decides which.
    Expr(Expr),
    /// `group kind by field` or `group x in kind by expression`
    Group {
        /// The variable the key expression reads, when written.
        var: Option<Name>,
        /// The kind whose records are grouped.
        kind: Name,
        /// The group key: a field's name, `item`, or (with a variable) any expression.
        by: Expr,
    },
    /// `unmatched(r in K where …, s in K where … by score >= threshold and pair, method)`
    Unmatched(Box<Matching>),
    /// `matched(…)`, with the same arguments: the pairs, binding both sides' variables.
    Matched(Box<Matching>),
}

/// Two sets of records matched one to one by a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// The two sides (their `by` is unused).
    pub sides: [Segments; 2],
    /// The score of a pair (`iou(r.box, s.box)`), higher is better.
    pub score: Expr,
    /// The least score of a pair that may match.
    pub threshold: Expr,
    /// A condition a pair must also meet (`r.labels == s.labels`).
    pub pair: Option<Expr>,
    /// `greedy` (the default) or `optimal`.
    pub method: Option<Name>,
    /// The whole source.
    pub span: Span,
}

/// A message template: text with `{expr}` holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Text and holes in order.
    pub parts: Vec<TemplatePart>,
    /// The whole string literal.
    pub span: Span,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes resolved.
    Text(String),
    /// An interpolated expression, and how many decimals to show a number with (`{x:.3}`).
    Hole(Box<Expr>, Option<u8>),
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// Expression forms.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `12`, `0.5`
    Number(f64),
    /// `150ms`, `2s`: the value in seconds.
    Duration(f64),
    /// `"text"`
    Str(String),
    /// `true`, `false`
    Bool(bool),
    /// A binding, a constant or an enum value.
    Name(String),
    /// `{a, b}`: a set, for membership tests.
    Set(Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `x.field`
    Field(Box<Expr>, Name),
    /// `x[i]`: the element at a position of a list (from the end when negative).
    Index(Box<Expr>, Box<Expr>),
    /// `f(a, b)`
    Call(Name, Vec<Expr>),
    /// `not x`, `-x`
    Unary(UnaryOp, Box<Expr>),
    /// `a + b`, `a and b`, `a == b`, `a in b`, `a ?? b`, …
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a during b within 100ms`
    Relation {
        /// Which relation.
        rel: Spanned<Relation>,
        /// Left interval.
        left: Box<Expr>,
        /// Right interval.
        right: Box<Expr>,
        /// The `within` tolerance.
        tolerance: Option<Box<Expr>>,
    },
    /// `alpha(l in s where f: l.value per l.unit by l.rater, level)`
    Agreement {
        /// `alpha`, `kappa`, `fleiss` or `agreement`.
        statistic: Name,
        /// The bound variable.
        var: Name,
        /// What it ranges over.
        source: Box<Expr>,
        /// The `where` filter.
        filter: Option<Box<Expr>>,
        /// The rating each record gives.
        value: Box<Expr>,
        /// The unit it rates.
        unit: Box<Expr>,
        /// Who rates.
        rater: Box<Expr>,
        /// `for r`: the rater whose statistic `disagreement` and `label_distance` give.
        target: Option<Box<Expr>>,
        /// The gold rater the target is compared with (`against "expert"`), instead of the
        /// majority.
        gold: Option<Box<Expr>>,
        /// `nominal`, `ordinal`, `interval`, `ratio` for `alpha`; `linear`, `quadratic` for
        /// `kappa`.
        option: Option<Name>,
    },
    /// `segment_f1(a in s where f by l, b in t where g by m, threshold)`
    Temporal {
        /// `segment_precision`, `segment_recall`, `segment_f1`, `boundary_deviation` or
        /// `diarization_error`.
        function: Name,
        /// The reference segmentation, then the other.
        sides: Box<[Segments; 2]>,
        /// The temporal-IoU threshold of matching.
        threshold: Option<Box<Expr>>,
    },
    /// `match_f1(a in K where …, b in K where … by score >= threshold and pair, method)`
    Matched {
        /// `match_precision`, `match_recall`, `match_f1`, `match_score` or `match_alpha`.
        function: Name,
        /// The two sides, the score and the threshold.
        matching: Box<Matching>,
    },
    /// `some x in s where f satisfy c`, `count(x in s where f)`
    Quantified {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The bound variable.
        var: Name,
        /// What it ranges over: a kind name or a list.
        source: Box<Expr>,
        /// The `where` filter.
        filter: Option<Box<Expr>>,
        /// The `satisfy` condition (required for `all`).
        condition: Option<Box<Expr>>,
    },
}

/// One segmentation of a temporal agreement function: `a in speech where f by a.speaker`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segments {
    /// The bound variable.
    pub var: Name,
    /// What it ranges over.
    pub source: Expr,
    /// The `where` filter.
    pub filter: Option<Expr>,
    /// The label (`by`), for the diarization error; a matching side's value (`: a.label`),
    /// for `match_alpha`.
    pub label: Option<Expr>,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators other than temporal relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`: the left value, or the right one where the left is missing
    Default,
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

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Default => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}

/// `test "name" { given { … } expect … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Doc comment lines.
    pub doc: Vec<String>,
    /// The test's name.
    pub name: Spanned<String>,
    /// Record blocks, each for one item.
    pub givens: Vec<Given>,
    /// What the rules must report.
    pub expectations: Vec<Expectation>,
    /// The whole test.
    pub span: Span,
}

/// `given item "clip" { speech s1 { … } … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// The item the records belong to (`test` when not written).
    pub item: Option<Spanned<String>>,
    /// The records.
    pub records: Vec<RecordLit>,
}

/// `speech s1 { start: 0s, end: 2s, speaker: "A" }`
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLit {
    /// The record's kind.
    pub kind: Name,
    /// The record's id.
    pub id: Name,
    /// Field values.
    pub fields: Vec<(Name, Expr)>,
    /// The whole literal.
    pub span: Span,
}

/// One `expect` line.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// `expect nothing`: no rule reports anything.
    Nothing(Span),
    /// `expect no rule-id`: this rule reports nothing.
    None(Name),
    /// `expect rule-id on t1, "dog" [in item "clip"]`: one finding with this key.
    Finding {
        /// The rule.
        rule: Name,
        /// The finding's key: ids of bound records, values of bound list elements.
        key: Vec<Spanned<String>>,
        /// The item, when the test has several.
        item: Option<Spanned<String>>,
        /// The whole line.
        span: Span,
    },
}
