//! Mistakes the checker finds in rule files. Each variant's doc shows a tiny input that
//! triggers it; `tests/fixtures/check/err/` holds one fixture per variant.

use crate::span::Span;
use miette::Diagnostic;
use thiserror::Error;

/// A mistake in a rule pack found before any data is read.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum CheckError {
    /// `import "missing.cord"`
    #[error("cannot import `{path}`: {reason}")]
    #[diagnostic(
        code("cord::check::import-not-found"),
        help("paths are relative to the importing file")
    )]
    ImportNotFound {
        /// The path as written.
        path: String,
        /// What the file system said.
        reason: String,
        /// The import.
        #[label("imported here")]
        span: Span,
    },
    /// `import "/etc/passwd"`, `import "../../secrets.cord"` (outside the pack), or
    /// `import "/dev/stdin"`: an import reads only `.cord` files that are regular files under
    /// the pack's root, so a rule file cannot make a diagnostic show another file's content,
    /// nor hang on a pipe or a device.
    #[error("cannot import `{path}`: {reason}")]
    #[diagnostic(code("cord::check::import-refused"), help("{help}"))]
    ImportRefused {
        /// The path as written.
        path: String,
        /// Why it is refused.
        reason: String,
        /// What to do instead.
        help: String,
        /// The import.
        #[label("imported here")]
        span: Span,
    },
    /// `import "self.cord"` inside `self.cord`, or a cycle of imports.
    #[error("`{path}` imports itself")]
    #[diagnostic(
        code("cord::check::import-cycle"),
        help("move the shared declarations to a file that both import")
    )]
    ImportCycle {
        /// The path as written.
        path: String,
        /// The import that closes the cycle.
        #[label("this import leads back to this file")]
        span: Span,
    },
    /// `kind speech { … }` declared twice.
    #[error("kind `{name}` is declared twice")]
    #[diagnostic(
        code("cord::check::duplicate-kind"),
        help("the first declaration is at {first}")
    )]
    DuplicateKind {
        /// The kind.
        name: String,
        /// Where it was first declared.
        first: String,
        /// The second declaration.
        #[label("declared again here")]
        span: Span,
    },
    /// `kind k { a: str, a: num }`
    #[error("field `{name}` is declared twice in kind `{kind}`")]
    #[diagnostic(code("cord::check::duplicate-field"))]
    DuplicateField {
        /// The kind.
        kind: String,
        /// The field.
        name: String,
        /// The second declaration.
        #[label("declared again here")]
        span: Span,
    },
    /// `kind k { id: str }`: `id`, `item` and `kind` belong to every record.
    #[error("field `{name}` is built in and cannot be declared")]
    #[diagnostic(
        code("cord::check::reserved-field"),
        help("every record has `item`, `kind` and `id`; remove this declaration")
    )]
    ReservedField {
        /// The field.
        name: String,
        /// The declaration.
        #[label("built-in field")]
        span: Span,
    },
    /// `kind k { start: tme }`
    #[error("unknown type `{name}`")]
    #[diagnostic(code("cord::check::unknown-type"))]
    UnknownType {
        /// The name as written.
        name: String,
        /// Where.
        #[label("not a type")]
        span: Span,
        /// Did-you-mean, or the list of types.
        #[help]
        help: Option<String>,
    },
    /// `kind k { e: enum { a, a } }`
    #[error("enum value `{name}` is listed twice")]
    #[diagnostic(code("cord::check::duplicate-enum-value"))]
    DuplicateEnumValue {
        /// The value.
        name: String,
        /// The second occurrence.
        #[label("listed again here")]
        span: Span,
    },
    /// `kind k { start: time }` without `end`, or `start: num`.
    #[error("kind `{kind}` has {problem}")]
    #[diagnostic(
        code("cord::check::half-interval"),
        help("a kind is an interval when it declares both `start: time` and `end: time`")
    )]
    HalfInterval {
        /// The kind.
        kind: String,
        /// What is wrong.
        problem: String,
        /// The field.
        #[label("here")]
        span: Span,
    },
    /// `const a = 1` twice.
    #[error("constant `{name}` is declared twice")]
    #[diagnostic(
        code("cord::check::duplicate-constant"),
        help("the first declaration is at {first}")
    )]
    DuplicateConstant {
        /// The constant.
        name: String,
        /// The first declaration.
        first: String,
        /// The second.
        #[label("declared again here")]
        span: Span,
    },
    /// `const a = t.start`
    #[error("the value of {what} must be a constant")]
    #[diagnostic(
        code("cord::check::not-constant"),
        help("use literals, other constants and arithmetic on them")
    )]
    NotConstant {
        /// What needed a constant.
        what: String,
        /// The expression.
        #[label("not known before the data is read")]
        span: Span,
    },
    /// Two rules with one id.
    #[error("rule id `{id}` is used twice")]
    #[diagnostic(
        code("cord::check::duplicate-rule"),
        help("the first rule with this id is at {first}")
    )]
    DuplicateRule {
        /// The id.
        id: String,
        /// The first rule.
        first: String,
        /// The second.
        #[label("used again here")]
        span: Span,
    },
    /// `for t in transcrpt`
    #[error("unknown kind `{name}`")]
    #[diagnostic(code("cord::check::unknown-kind"))]
    UnknownKind {
        /// The name as written.
        name: String,
        /// Where.
        #[label("no kind of this name")]
        span: Span,
        /// Did-you-mean or the declared kinds.
        #[help]
        help: Option<String>,
    },
    /// `for t in transcript` in a pack that declares no kind at all: its schema is in a file
    /// it does not import. Reported once, at the first kind named.
    #[error("this pack declares no kinds, so `{name}` is unknown")]
    #[diagnostic(
        code("cord::check::no-schema"),
        help("kinds are declared in a `schema {{ … }}` block; import the file that has it (`import \"schema.cord\"`) at the top of this file")
    )]
    NoSchema {
        /// The first kind named.
        name: String,
        /// Where.
        #[label("the first kind named")]
        span: Span,
    },
    /// `group label by lower(value)`: a key other than a field names its record.
    #[error("a group key other than a field needs a name for the record it is computed from")]
    #[diagnostic(
        code("cord::check::group-key-needs-variable"),
        help("write `group x in {kind} by …` and read the record as `x` in the key")
    )]
    GroupKeyNeedsVariable {
        /// The kind grouped.
        kind: String,
        /// The key.
        #[label("computed from which record?")]
        span: Span,
    },
    /// `t.speakr`
    #[error("kind `{kind}` has no field `{name}`")]
    #[diagnostic(code("cord::check::unknown-field"))]
    UnknownField {
        /// The kind.
        kind: String,
        /// The field as written.
        name: String,
        /// Where.
        #[label("unknown field")]
        span: Span,
        /// Did-you-mean or the kind's fields.
        #[help]
        help: Option<String>,
    },
    /// `m.length` where `m` is a string.
    #[error("`{expr}` is a `{ty}` and has no fields")]
    #[diagnostic(code("cord::check::no-fields"))]
    NoFields {
        /// The expression.
        expr: String,
        /// Its type.
        ty: String,
        /// The field access.
        #[label("field access on a value that is not a record")]
        span: Span,
    },
    /// `require t.start > sync_tolerence`
    #[error("unknown name `{name}`")]
    #[diagnostic(code("cord::check::unknown-name"))]
    UnknownName {
        /// The name as written.
        name: String,
        /// Where.
        #[label("not a binding, constant or enum value here")]
        span: Span,
        /// Did-you-mean.
        #[help]
        help: Option<String>,
    },
    /// `alpha(…, nominal_ish)`
    #[error("`{statistic}` has no option `{option}`")]
    #[diagnostic(code("cord::check::unknown-statistic-option"))]
    UnknownStatisticOption {
        /// The statistic.
        statistic: String,
        /// The option written.
        option: String,
        /// Where.
        #[label("not an option of `{statistic}`")]
        span: Span,
        /// Did-you-mean, or the options.
        #[help]
        help: Option<String>,
    },
    /// `unmatched(r in region …, s in caption …)`: sides of two kinds, or not of records;
    /// `match_alpha(a in region, b in region by …)`: sides without the values α compares.
    #[error("the sides of `{function}` {problem}")]
    #[diagnostic(code("cord::check::match-sides"))]
    MatchSides {
        /// `unmatched` or the matching statistic.
        function: &'static str,
        /// What is wrong.
        problem: String,
        /// Where.
        #[label("this side")]
        span: Span,
        /// How to write it.
        #[help]
        help: Option<String>,
    },
    /// `disagreement(l in label: l.value per l.segment by l.annotator)` without `for`
    #[error("`{statistic}` {problem}")]
    #[diagnostic(code("cord::check::rater-target"))]
    RaterTarget {
        /// The statistic.
        statistic: String,
        /// What is wrong.
        problem: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// `lowercase(t.text)`
    #[error("unknown function `{name}`")]
    #[diagnostic(code("cord::check::unknown-function"))]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// Where.
        #[label("no function of this name")]
        span: Span,
        /// Did-you-mean.
        #[help]
        help: Option<String>,
    },
    /// `duration(a, b)`
    #[error("`{name}` takes {expected}, but {found} given")]
    #[diagnostic(code("cord::check::wrong-arity"))]
    WrongArity {
        /// The function.
        name: String,
        /// "1 argument", "2 arguments".
        expected: String,
        /// How many were given, in words.
        found: String,
        /// The call.
        #[label("called here")]
        span: Span,
        /// The signature.
        #[help]
        help: Option<String>,
    },
    /// `t.start == t.speaker`
    #[error("{context}: expected {expected}, found `{found}`")]
    #[diagnostic(code("cord::check::type-mismatch"))]
    TypeMismatch {
        /// What was being checked.
        context: String,
        /// What would fit.
        expected: String,
        /// What was found.
        found: String,
        /// Where.
        #[label("this is a `{found}`")]
        span: Span,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// `t.sentiment == postive`
    #[error("`{value}` is not a value of {owner}")]
    #[diagnostic(code("cord::check::unknown-enum-value"))]
    UnknownEnumValue {
        /// The value as written.
        value: String,
        /// The enum's field, `kind.field`.
        owner: String,
        /// Where.
        #[label("not one of the declared values")]
        span: Span,
        /// Did-you-mean or the values.
        #[help]
        help: Option<String>,
    },
    /// `t.annotator == "x"` where `annotator: str?`
    #[error("`{expr}` may be missing")]
    #[diagnostic(code("cord::check::optional-unchecked"))]
    OptionalUnchecked {
        /// The expression.
        expr: String,
        /// Where.
        #[label("optional value used as if always present")]
        span: Span,
        /// How to handle it.
        #[help]
        help: Option<String>,
    },
    /// `for x in t.speaker`
    #[error("`{expr}` is a `{ty}`, not a kind or a list")]
    #[diagnostic(
        code("cord::check::not-iterable"),
        help("a binding ranges over a kind (`x in speech`), a list field (`m in c.mentions`) or a group")
    )]
    NotIterable {
        /// The expression.
        expr: String,
        /// Its type.
        ty: String,
        /// Where.
        #[label("cannot range over this")]
        span: Span,
    },
    /// `t intersects t.speaker`, or a relation on a kind without `start`/`end`.
    #[error("`{expr}` is not an interval")]
    #[diagnostic(code("cord::check::not-an-interval"))]
    NotAnInterval {
        /// The expression.
        expr: String,
        /// Where.
        #[label("expected a record of a kind with `start: time` and `end: time`")]
        span: Span,
        /// More detail.
        #[help]
        help: Option<String>,
    },
    /// `for a in speech, a in transcript`
    #[error("`{name}` is already bound in this rule")]
    #[diagnostic(
        code("cord::check::duplicate-binding"),
        help("give each binding its own name")
    )]
    DuplicateBinding {
        /// The name.
        name: String,
        /// The second binding.
        #[label("bound again here")]
        span: Span,
    },
    /// `matches(t.text, "(")`
    #[error("invalid regular expression")]
    #[diagnostic(code("cord::check::bad-regex"))]
    BadRegex {
        /// What the regex engine said.
        #[help]
        reason: Option<String>,
        /// The pattern.
        #[label("does not compile")]
        span: Span,
    },
    /// `expect transcript-need-speech on t1`
    #[error("unknown rule `{id}`")]
    #[diagnostic(code("cord::check::unknown-rule"))]
    UnknownRule {
        /// The id as written.
        id: String,
        /// Where.
        #[label("no rule with this id")]
        span: Span,
        /// Did-you-mean.
        #[help]
        help: Option<String>,
    },
    /// A test record that lacks a required field.
    #[error("{kind} `{id}` lacks the required field `{field}`")]
    #[diagnostic(code("cord::check::test-record"))]
    MissingTestField {
        /// The record's kind.
        kind: String,
        /// The record's id.
        id: String,
        /// The missing field.
        field: String,
        /// The record.
        #[label("add `{field}: …` here")]
        span: Span,
    },
    /// Two test records with one id in one item.
    #[error("record id `{id}` is used twice in item `{item}`")]
    #[diagnostic(
        code("cord::check::duplicate-record"),
        help("ids are unique within an item")
    )]
    DuplicateRecordId {
        /// The id.
        id: String,
        /// The item.
        item: String,
        /// The second record.
        #[label("used again here")]
        span: Span,
    },
    /// A `for` binding that the rule never uses.
    #[error("binding `{name}` is never used")]
    #[diagnostic(
        code("cord::check::unused-binding"),
        severity(Warning),
        help(
            "an unused binding multiplies the rule's findings; remove it or use it in a condition"
        )
    )]
    UnusedBinding {
        /// The name.
        name: String,
        /// The binding.
        #[label("bound here")]
        span: Span,
    },
    /// `fn a(x: num) = b(x)` and `fn b(x: num) = a(x)`: functions are inlined where they
    /// are called, so they may not call themselves, directly or through others.
    #[error("functions call each other in a cycle: {cycle}")]
    #[diagnostic(
        code("cord::check::function-cycle"),
        help("a function is written out where it is called, so it cannot call itself; compute the value without recursion")
    )]
    FunctionCycle {
        /// `a → b → a`
        cycle: String,
        /// The call that closes the cycle.
        #[label("this call closes the cycle")]
        span: Span,
    },
    /// `fn round(x: num) = x` or a second `fn iou`.
    #[error("function `{name}` is already defined")]
    #[diagnostic(code("cord::check::duplicate-function"))]
    DuplicateFunction {
        /// The name.
        name: String,
        /// The first definition, or "a built-in function".
        #[help]
        first: Option<String>,
        /// The second.
        #[label("defined again here")]
        span: Span,
    },
    /// `fn f(x: num?) = …`
    #[error("a function's parameter cannot be optional")]
    #[diagnostic(
        code("cord::check::optional-parameter"),
        help("declare it without `?` and give the call a value that is always there: `f(x ?? 0)`")
    )]
    OptionalParameter {
        /// The parameter's type.
        #[label("optional here")]
        span: Span,
    },
    /// Functions that call each other so often that written out they would not fit.
    #[error("these function calls written out exceed {limit} calls")]
    #[diagnostic(
        code("cord::check::function-expansion"),
        help("each call is written out where it is made; name a shared value with `let` instead of calling a function many times")
    )]
    FunctionExpansion {
        /// How many calls are allowed in one pack.
        limit: usize,
        /// The call that went over.
        #[label("written out here")]
        span: Span,
    },
    /// Functions and `let`s whose values, written out where they are used, nest deeper than
    /// any rule may (functions calling functions, `let`s built on `let`s).
    #[error(
        "written out, this expression nests {depth} levels deep, more than the {limit} allowed"
    )]
    #[diagnostic(
        code("cord::check::written-out-too-deep"),
        help("each function call and `let` is written out where it is used; build the value from fewer layers")
    )]
    WrittenOutTooDeep {
        /// How deep it nests.
        depth: usize,
        /// The ceiling.
        limit: usize,
        /// Where it is used.
        #[label("written out here")]
        span: Span,
    },
    /// A `let` or a function parameter that nothing reads.
    #[error("{what} `{name}` is never used")]
    #[diagnostic(
        code("cord::check::unused-name"),
        severity(Warning),
        help("remove it, or use it")
    )]
    UnusedName {
        /// "value" or "parameter".
        what: &'static str,
        /// The name.
        name: String,
        /// Where it is given.
        #[label("named here")]
        span: Span,
    },
    /// `for a in speech, b in transcript where a intersects b` in a `per dataset` rule.
    #[error("this time relation may pair records of different items")]
    #[diagnostic(code("cord::check::relation-across-items"), severity(Warning))]
    RelationAcrossItems {
        /// The relation.
        #[label("false for records of different items")]
        span: Span,
        /// The fix.
        #[help]
        help: Option<String>,
    },
    /// `require some s in speech where s intersects t or t.silent`
    #[error("this `or` is part of the quantifier's last clause")]
    #[diagnostic(code("cord::check::trailing-or"), severity(Warning))]
    TrailingOr {
        /// The last alternative.
        #[label("asked of every element the quantifier ranges over")]
        span: Span,
        /// The fix.
        #[help]
        help: Option<String>,
    },
    /// `where 1 > 2`
    #[error("this filter is always false, so the rule can never report anything")]
    #[diagnostic(code("cord::check::constant-filter"), severity(Warning))]
    ConstantFalseFilter {
        /// The filter.
        #[label("always false")]
        span: Span,
        /// Why.
        #[help]
        help: Option<String>,
    },
}

impl CheckError {
    /// Whether the error stops the pack from being used (warnings do not).
    pub fn is_error(&self) -> bool {
        !matches!(
            self,
            CheckError::UnusedBinding { .. }
                | CheckError::UnusedName { .. }
                | CheckError::ConstantFalseFilter { .. }
                | CheckError::RelationAcrossItems { .. }
                | CheckError::TrailingOr { .. }
        )
    }

    /// Where the error is.
    pub fn span(&self) -> &Span {
        use CheckError::*;
        match self {
            ImportNotFound { span, .. }
            | ImportRefused { span, .. }
            | ImportCycle { span, .. }
            | DuplicateKind { span, .. }
            | DuplicateField { span, .. }
            | ReservedField { span, .. }
            | UnknownType { span, .. }
            | DuplicateEnumValue { span, .. }
            | HalfInterval { span, .. }
            | DuplicateConstant { span, .. }
            | NotConstant { span, .. }
            | DuplicateRule { span, .. }
            | UnknownKind { span, .. }
            | NoSchema { span, .. }
            | GroupKeyNeedsVariable { span, .. }
            | UnknownField { span, .. }
            | NoFields { span, .. }
            | UnknownName { span, .. }
            | UnknownFunction { span, .. }
            | UnknownStatisticOption { span, .. }
            | MatchSides { span, .. }
            | RaterTarget { span, .. }
            | WrongArity { span, .. }
            | FunctionCycle { span, .. }
            | DuplicateFunction { span, .. }
            | OptionalParameter { span, .. }
            | FunctionExpansion { span, .. }
            | WrittenOutTooDeep { span, .. }
            | UnusedName { span, .. }
            | RelationAcrossItems { span, .. }
            | TrailingOr { span, .. }
            | TypeMismatch { span, .. }
            | UnknownEnumValue { span, .. }
            | OptionalUnchecked { span, .. }
            | NotIterable { span, .. }
            | NotAnInterval { span, .. }
            | DuplicateBinding { span, .. }
            | BadRegex { span, .. }
            | UnknownRule { span, .. }
            | MissingTestField { span, .. }
            | DuplicateRecordId { span, .. }
            | UnusedBinding { span, .. }
            | ConstantFalseFilter { span, .. } => span,
        }
    }
}
