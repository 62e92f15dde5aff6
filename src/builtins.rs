//! The built-in functions: one entry each in [`BUILTINS`], read by every stage that meets a
//! call. The checker types a call from its entry's parameters and result, the planner and the
//! plan printer see its name and arguments, the evaluator runs its [`Eval`], and the language
//! server (completion, hover, signature help) and `docs/language.md` show its signature, doc
//! and example (a test compares the
//! docs' table with this one).
//!
//! Adding a function is adding an entry (and its tests): every argument is an expression, so
//! the variables a call reads are its arguments' and nothing else needs to know of it. A
//! function whose evaluation fits none of [`Eval`]'s shapes is a new shape, which the
//! compiler then makes the evaluator handle.

use crate::ops;
use crate::ops::space::{self, Shape};
use crate::ops::time::{self, Interval};
use crate::value::Value;
use std::cmp::Ordering;

/// A built-in function or statistic.
#[derive(Debug)]
pub struct Builtin {
    /// Its name in rule files.
    pub name: &'static str,
    /// Its parameters, in order.
    pub params: &'static [Param],
    /// The type of its result.
    pub returns: Returns,
    /// Whether its result can be missing.
    pub missing: Missing,
    /// How it is computed.
    pub eval: Eval,
    /// How it is called, as the language server and the docs show it.
    pub signature: &'static str,
    /// What it gives, in one sentence.
    pub doc: &'static str,
    /// A condition or message part that uses it.
    pub example: &'static str,
}

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A record variable whose kind declares `start: time` and `end: time`.
    Interval,
    /// Text (a `str`, an enum value, an id).
    Text,
    /// Constant text: a regular expression, compiled when the rules are checked.
    Pattern,
    /// A number, time or duration.
    Number,
    /// Text or a list.
    Sized,
    /// A list (a group's field, a list field, a set), whose elements must be `elements`;
    /// with `group_size`, a group too (its number of records).
    List {
        /// What the elements must be.
        elements: Elements,
        /// Whether a group is taken as its size.
        group_size: bool,
    },
    /// A condition.
    Condition,
    /// Any value, present or not.
    Any,
    /// A present value of one of these geometry types.
    Shape(&'static [Shape]),
}

/// What the elements of a list argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elements {
    /// Anything.
    Any,
    /// Numbers, times, durations or text: what `min` and `max` can order.
    Ordered,
    /// Numbers, times or durations.
    Numeric,
}

/// The type of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// A number.
    Num,
    /// A duration.
    Duration,
    /// `true` or `false`.
    Bool,
    /// Text.
    Str,
    /// A list of texts.
    TextList,
    /// The type of the first argument (`abs` of a duration is a duration).
    Argument,
    /// The type of the first argument's elements (`max` of durations is a duration).
    Element,
    /// A geometry value.
    Shape(Shape),
}

/// When a result can be missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Never.
    Never,
    /// When the list is empty (never for a group's column of a required field: a group has
    /// at least one record).
    WhenEmpty,
    /// When the text does not hold what is asked for (`number("n/a")`).
    WhenInvalid,
}

/// How a built-in is computed: the shapes the evaluator knows, each read in place where the
/// arguments allow (a group's column is not copied into a list, a field's text not copied).
#[derive(Debug, Clone, Copy)]
pub enum Eval {
    /// Of the intervals of its record arguments.
    Intervals(fn(&[Interval]) -> f64),
    /// Of one text; missing for anything else.
    Text(fn(&str) -> Value),
    /// A test of a text against another; false when either is not text.
    TextTest(fn(&str, &str) -> bool),
    /// Of a text and another; missing when either is not text.
    TextPair(fn(&str, &str) -> Value),
    /// Whether a text matches the pattern compiled from the constant second argument.
    Pattern,
    /// Of one value.
    Value(fn(&Value) -> Value),
    /// Of every argument's value, in order.
    Values(fn(&[Value]) -> Value),
    /// Of two values, each read in place when it is a field or a constant (two boxes'
    /// IoU, millions of times, copies neither).
    Pair(fn(&Value, &Value) -> Value),
    /// Of the elements of a list, or of a group's column.
    Aggregate(fn(&mut dyn Iterator<Item = &Value>) -> Value),
    /// `has`: the checker reads it as a test of presence, which narrows what follows.
    Has,
    /// `share`: computed over the items of the data set by the evaluator.
    Share,
    /// A statistic with a syntax of its own, which the grammar parses (agreement
    /// statistics, temporal agreement): listed here for the language server and the docs.
    Statistic,
}

impl Builtin {
    /// Whether rule files call it as `name(arguments)` (statistics have their own syntax).
    pub fn is_call(&self) -> bool {
        !matches!(self.eval, Eval::Statistic)
    }
}

/// The built-in called `name` (a function or a statistic).
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The built-in functions called as `name(arguments)`.
pub fn functions() -> impl Iterator<Item = &'static Builtin> + Clone {
    BUILTINS.iter().filter(|b| b.is_call())
}

const INTERVAL: &[Param] = &[Param::Interval];
const TWO_INTERVALS: &[Param] = &[Param::Interval, Param::Interval];
const TEXT: &[Param] = &[Param::Text];
const TWO_TEXTS: &[Param] = &[Param::Text, Param::Text];
/// A box or a polygon: what has an area.
const REGION: &[Shape] = &[Shape::Box, Shape::Polygon];
/// A point, a box or a polygon.
const ANY_SHAPE: &[Shape] = &[Shape::Point, Shape::Box, Shape::Polygon];
const TWO_REGIONS: &[Param] = &[Param::Shape(REGION), Param::Shape(REGION)];
const ANY_LIST: &[Param] = &[Param::List {
    elements: Elements::Any,
    group_size: false,
}];
const ORDERED_LIST: &[Param] = &[Param::List {
    elements: Elements::Ordered,
    group_size: false,
}];
const NUMERIC_LIST: &[Param] = &[Param::List {
    elements: Elements::Numeric,
    group_size: false,
}];

/// Every built-in, in the order the docs list them.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "duration",
        params: INTERVAL,
        returns: Returns::Duration,
        missing: Missing::Never,
        eval: Eval::Intervals(|x| time::duration(x[0])),
        signature: "duration(x)",
        doc: "`x.end - x.start` of an interval record.",
        example: "duration(a) > 30s",
    },
    Builtin {
        name: "gap",
        params: TWO_INTERVALS,
        returns: Returns::Duration,
        missing: Missing::Never,
        eval: Eval::Intervals(|x| time::gap(x[0], x[1])),
        signature: "gap(a, b)",
        doc: "The time between two interval records, 0 when they touch or share time.",
        example: "gap(a, b) < 200ms",
    },
    Builtin {
        name: "tiou",
        params: TWO_INTERVALS,
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Intervals(|x| time::tiou(x[0], x[1])),
        signature: "tiou(a, b)",
        doc: "Temporal intersection over union of two interval records (two equal \
              zero-length intervals: 1).",
        example: "tiou(a, b) >= 0.5",
    },
    Builtin {
        name: "lower",
        params: TEXT,
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Text(|s| Value::str(&s.to_lowercase())),
        signature: "lower(s)",
        doc: "Text in lower case.",
        example: "lower(t.text) == \"yes\"",
    },
    Builtin {
        name: "upper",
        params: TEXT,
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Text(|s| Value::str(&s.to_uppercase())),
        signature: "upper(s)",
        doc: "Text in upper case.",
        example: "upper(a.label) == a.label",
    },
    Builtin {
        name: "contains",
        params: TWO_TEXTS,
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::TextTest(|s, part| s.contains(part)),
        signature: "contains(s, part)",
        doc: "Whether text contains another.",
        example: "contains(t.text, a.label)",
    },
    Builtin {
        name: "starts_with",
        params: TWO_TEXTS,
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::TextTest(|s, prefix| s.starts_with(prefix)),
        signature: "starts_with(s, prefix)",
        doc: "Whether text starts with a prefix.",
        example: "starts_with(t.id, \"tr\")",
    },
    Builtin {
        name: "ends_with",
        params: TWO_TEXTS,
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::TextTest(|s, suffix| s.ends_with(suffix)),
        signature: "ends_with(s, suffix)",
        doc: "Whether text ends with a suffix.",
        example: "ends_with(t.text, \".\")",
    },
    Builtin {
        name: "matches",
        params: &[Param::Text, Param::Pattern],
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::Pattern,
        signature: "matches(s, \"regex\")",
        doc: "Regular-expression match; the pattern is a constant, compiled when the rules \
              are checked.",
        example: "matches(t.text, \"^[A-Z]\")",
    },
    Builtin {
        name: "len",
        params: &[Param::Sized],
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Value(|v| match v {
            Value::Str(s) => Value::Num(s.chars().count() as f64),
            Value::List(items) => Value::Num(items.len() as f64),
            _ => Value::Missing,
        }),
        signature: "len(x)",
        doc: "Characters of text, or elements of a list.",
        example: "len(t.text) > 0",
    },
    Builtin {
        name: "abs",
        params: &[Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Value(|v| v.as_num().map_or(Value::Missing, |x| Value::Num(x.abs()))),
        signature: "abs(x)",
        doc: "Absolute value.",
        example: "abs(a.start - b.start) <= 1s",
    },
    Builtin {
        name: "round",
        params: &[Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Value(|v| v.as_num().map_or(Value::Missing, |x| Value::Num(x.round()))),
        signature: "round(x)",
        doc: "The nearest whole number (halves away from zero); of a time or duration, whole \
              seconds.",
        example: "round(duration(a)) == 95s",
    },
    Builtin {
        name: "round",
        params: &[Param::Number, Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Values(|v| match (v[0].as_num(), v[1].as_num()) {
            (Some(x), Some(digits)) => Value::Num(round_to(x, digits)),
            _ => Value::Missing,
        }),
        signature: "round(x, digits)",
        doc: "Rounded to so many decimal places (halves away from zero; negative places round \
              to tens, hundreds …).",
        example: "round(a.end - a.start, 2) == 95.04s",
    },
    Builtin {
        name: "floor",
        params: &[Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Value(|v| v.as_num().map_or(Value::Missing, |x| Value::Num(x.floor()))),
        signature: "floor(x)",
        doc: "The greatest whole number not above it; of a time or duration, whole seconds.",
        example: "floor(a.start) == 0s",
    },
    Builtin {
        name: "ceil",
        params: &[Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Value(|v| v.as_num().map_or(Value::Missing, |x| Value::Num(x.ceil()))),
        signature: "ceil(x)",
        doc: "The least whole number not below it; of a time or duration, whole seconds.",
        example: "ceil(a.end) <= 600s",
    },
    Builtin {
        name: "trim",
        params: TEXT,
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Text(|s| Value::str(s.trim())),
        signature: "trim(s)",
        doc: "Text without the white space at either end.",
        example: "trim(t.text) != \"\"",
    },
    Builtin {
        name: "number",
        params: TEXT,
        returns: Returns::Num,
        missing: Missing::WhenInvalid,
        eval: Eval::Text(parse_number),
        signature: "number(s)",
        doc: "The number a text writes (`\"510.0\"`, `\" 3 \"`, `\"1e3\"`); missing when it \
              writes none.",
        example: "number(t.text) ?? 0 > 1",
    },
    Builtin {
        name: "split",
        params: TWO_TEXTS,
        returns: Returns::TextList,
        missing: Missing::Never,
        eval: Eval::TextPair(|s, separator| match separator {
            "" => Value::List(std::sync::Arc::from([Value::str(s)])),
            _ => Value::List(s.split(separator).map(Value::str).collect()),
        }),
        signature: "split(s, separator)",
        doc: "The parts of a text between separators, as a list (the whole text when the \
              separator is empty).",
        example: "count(split(t.text, \" \")) <= 40",
    },
    Builtin {
        name: "replace",
        params: &[Param::Text, Param::Text, Param::Text],
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Values(|v| match (v[0].as_str(), v[1].as_str(), v[2].as_str()) {
            (Some(s), Some(""), Some(_)) => Value::str(s),
            (Some(s), Some(from), Some(to)) => Value::str(&s.replace(from, to)),
            _ => Value::Missing,
        }),
        signature: "replace(s, from, to)",
        doc: "Text with every `from` replaced by `to` (unchanged when `from` is empty).",
        example: "replace(t.text, \"_\", \" \") == a.label",
    },
    Builtin {
        name: "substring",
        params: &[Param::Text, Param::Number, Param::Number],
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Values(|v| match (v[0].as_str(), v[1].as_num(), v[2].as_num()) {
            (Some(s), Some(from), Some(to)) => Value::str(&characters(s, from, to)),
            _ => Value::Missing,
        }),
        signature: "substring(s, from, to)",
        doc: "The characters of a text from position `from` up to `to` (from 0, `to` not \
              included; clamped to the text).",
        example: "substring(t.id, 0, 2) == \"tr\"",
    },
    Builtin {
        name: "str",
        params: &[Param::Any],
        returns: Returns::Str,
        missing: Missing::Never,
        eval: Eval::Value(|v| match v {
            Value::Missing => Value::Missing,
            Value::Str(s) => Value::Str(s.clone()),
            other => Value::str(&other.to_string()),
        }),
        signature: "str(x)",
        doc: "A value as text (`2.5`, `true`; a time or duration as its seconds, without a unit).",
        example: "str(a.speaker) != \"\"",
    },
    Builtin {
        name: "box",
        params: &[Param::Number, Param::Number, Param::Number, Param::Number],
        returns: Returns::Shape(Shape::Box),
        missing: Missing::Never,
        eval: Eval::Values(|v| {
            match (v[0].as_num(), v[1].as_num(), v[2].as_num(), v[3].as_num()) {
                (Some(x), Some(y), Some(w), Some(h)) => space::make_box(x, y, w, h),
                _ => Value::Missing,
            }
        }),
        signature: "box(x, y, width, height)",
        doc: "A box from its left, top, width and height (a frame: `box(0, 0, w, h)`).",
        example: "inside(a.box, box(0, 0, 1920, 1080))",
    },
    Builtin {
        name: "area",
        params: &[Param::Shape(REGION)],
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Value(space::area),
        signature: "area(r)",
        doc: "The area of a box or polygon (a polygon's holes taken out), in square pixels.",
        example: "area(a.box) >= 16",
    },
    Builtin {
        name: "iou",
        params: TWO_REGIONS,
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Pair(space::iou),
        signature: "iou(a, b)",
        doc: "Intersection over union of two boxes or polygons, 0 to 1 (two regions without \
              area: 0).",
        example: "iou(a.box, b.box) >= 0.5",
    },
    Builtin {
        name: "ioa",
        params: TWO_REGIONS,
        returns: Returns::Num,
        missing: Missing::WhenInvalid,
        eval: Eval::Pair(space::ioa),
        signature: "ioa(a, b)",
        doc: "The share of the first region's area that the second covers; missing when the \
              first has no area.",
        example: "ioa(a.box, b.box) ?? 0 >= 0.9",
    },
    Builtin {
        name: "ios",
        params: TWO_REGIONS,
        returns: Returns::Num,
        missing: Missing::WhenInvalid,
        eval: Eval::Pair(space::ios),
        signature: "ios(a, b)",
        doc: "Intersection over the smaller region's area: 1 when one lies inside the other; \
              missing when either has no area.",
        example: "ios(a.box, b.box) ?? 0 < 0.8",
    },
    Builtin {
        name: "intersection",
        params: TWO_REGIONS,
        returns: Returns::Shape(Shape::Box),
        missing: Missing::WhenInvalid,
        eval: Eval::Pair(space::intersection),
        signature: "intersection(a, b)",
        doc: "The box two regions' bounding boxes share; missing when they do not meet.",
        example: "area(intersection(a.box, b.box) ?? box(0, 0, 0, 0)) < 100",
    },
    Builtin {
        name: "inside",
        params: &[Param::Shape(ANY_SHAPE), Param::Shape(REGION)],
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::Pair(space::inside),
        signature: "inside(x, region)",
        doc: "Whether a point, box or polygon lies wholly inside a box or polygon, edges \
              included.",
        example: "inside(a.at, a.box)",
    },
    Builtin {
        name: "center",
        params: &[Param::Shape(ANY_SHAPE)],
        returns: Returns::Shape(Shape::Point),
        missing: Missing::Never,
        eval: Eval::Value(|v| space::center(v).map_or(Value::Missing, space::point_value)),
        signature: "center(x)",
        doc: "The centre of a box, the centroid of a polygon, a point itself.",
        example: "center(a.box)[0] < 960",
    },
    Builtin {
        name: "distance",
        params: &[Param::Shape(ANY_SHAPE), Param::Shape(ANY_SHAPE)],
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Pair(space::distance),
        signature: "distance(a, b)",
        doc: "The distance between two points, or between the centres of boxes or polygons, \
              in pixels.",
        example: "distance(a.box, b.box) < 50",
    },
    Builtin {
        name: "aspect",
        params: &[Param::Shape(&[Shape::Box])],
        returns: Returns::Num,
        missing: Missing::WhenInvalid,
        eval: Eval::Value(space::aspect),
        signature: "aspect(b)",
        doc: "A box's width over its height; missing when it has no height.",
        example: "aspect(a.box) ?? 0 < 10",
    },
    Builtin {
        name: "valid",
        params: &[Param::Shape(REGION)],
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::Value(|v| Value::Bool(space::invalidity(v).is_none())),
        signature: "valid(p)",
        doc: "Whether a polygon is valid: at least 3 distinct points per ring, no ring \
              crossing or touching itself, finite coordinates, holes inside the outline and \
              apart from it (a box is always valid).",
        example: "valid(a.polygon)",
    },
    Builtin {
        name: "validity",
        params: &[Param::Shape(REGION)],
        returns: Returns::Str,
        missing: Missing::WhenInvalid,
        eval: Eval::Value(|v| space::invalidity(v).map_or(Value::Missing, |why| Value::str(&why))),
        signature: "validity(p)",
        doc: "Why a polygon is not valid, in words; missing when it is.",
        example: "has(validity(a.polygon))",
    },
    Builtin {
        name: "has",
        params: &[Param::Any],
        returns: Returns::Bool,
        missing: Missing::Never,
        eval: Eval::Has,
        signature: "has(x)",
        doc: "Whether a value is present (an optional field, an aggregate of an empty list).",
        example: "has(a.speaker) and a.speaker != \"\"",
    },
    Builtin {
        name: "count",
        params: &[Param::List {
            elements: Elements::Any,
            group_size: true,
        }],
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Aggregate(|items| ops::count_of(items)),
        signature: "count(list) | count(g) | count(x in S where F)",
        doc: "How many present elements; the size of a group; how many records pass.",
        example: "count(g) >= 3",
    },
    Builtin {
        name: "count_distinct",
        params: ANY_LIST,
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Aggregate(|items| ops::count_distinct_of(items)),
        signature: "count_distinct(list)",
        doc: "How many different present values.",
        example: "count_distinct(g.speaker) == 1",
    },
    Builtin {
        name: "min",
        params: ORDERED_LIST,
        returns: Returns::Element,
        missing: Missing::WhenEmpty,
        eval: Eval::Aggregate(|items| ops::extreme_of(items, Ordering::Less)),
        signature: "min(list)",
        doc: "The least value; missing for an empty list.",
        example: "min(g.start) >= 0s",
    },
    Builtin {
        name: "min",
        params: &[Param::Number, Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Values(|v| extreme_of_two(v, Ordering::Less)),
        signature: "min(a, b)",
        doc: "The lesser of two numbers, times or durations.",
        example: "min(a.end, b.end) - max(a.start, b.start) > 1s",
    },
    Builtin {
        name: "max",
        params: ORDERED_LIST,
        returns: Returns::Element,
        missing: Missing::WhenEmpty,
        eval: Eval::Aggregate(|items| ops::extreme_of(items, Ordering::Greater)),
        signature: "max(list)",
        doc: "The greatest value; missing for an empty list.",
        example: "max(g.end) <= 600s",
    },
    Builtin {
        name: "max",
        params: &[Param::Number, Param::Number],
        returns: Returns::Argument,
        missing: Missing::Never,
        eval: Eval::Values(|v| extreme_of_two(v, Ordering::Greater)),
        signature: "max(a, b)",
        doc: "The greater of two numbers, times or durations.",
        example: "max(a.start, b.start) < min(a.end, b.end)",
    },
    Builtin {
        name: "sum",
        params: NUMERIC_LIST,
        returns: Returns::Element,
        missing: Missing::Never,
        eval: Eval::Aggregate(|items| ops::sum_of(items)),
        signature: "sum(list)",
        doc: "The sum of the numbers (0 for an empty list).",
        example: "sum(g.score) <= 10",
    },
    Builtin {
        name: "mean",
        params: NUMERIC_LIST,
        returns: Returns::Element,
        missing: Missing::WhenEmpty,
        eval: Eval::Aggregate(|items| ops::mean_of(items)),
        signature: "mean(list)",
        doc: "The mean of the numbers; missing for an empty list.",
        example: "mean(g.score) >= 0.5",
    },
    Builtin {
        name: "share",
        params: &[Param::Condition],
        returns: Returns::Num,
        missing: Missing::Never,
        eval: Eval::Share,
        signature: "share(condition)",
        doc: "The share of items for which a condition holds (`per dataset` rules).",
        example: "share(some t in transcript where t.text != \"\") >= 0.95",
    },
    statistic(
        "alpha",
        "alpha(x in S: VALUE per UNIT by RATER, nominal|ordinal|interval|ratio)",
        "Krippendorff's α, with missing ratings (the `krippendorff` package).",
    ),
    statistic(
        "kappa",
        "kappa(x in S: VALUE per UNIT by RATER, unweighted|linear|quadratic)",
        "Cohen's κ of exactly two raters (scikit-learn's `cohen_kappa_score`).",
    ),
    statistic(
        "fleiss",
        "fleiss(x in S: VALUE per UNIT by RATER)",
        "Fleiss' κ over the units with the most common number of ratings (statsmodels).",
    ),
    statistic(
        "agreement",
        "agreement(x in S: VALUE per UNIT by RATER)",
        "Percent agreement: agreeing pairs per unit, averaged.",
    ),
    statistic(
        "disagreement",
        "disagreement(x in S: VALUE per UNIT by RATER for R [against G])",
        "Rater R's share of ratings that differ from the majority (or gold rater G).",
    ),
    statistic(
        "label_distance",
        "label_distance(x in S: VALUE per UNIT by RATER for R)",
        "Total variation distance of R's labels from the pool's.",
    ),
    statistic(
        "segment_precision",
        "segment_precision(a in S by L, b in T by L, threshold)",
        "Matched share of the second segmentation at a tIoU threshold.",
    ),
    statistic(
        "segment_recall",
        "segment_recall(a in S by L, b in T by L, threshold)",
        "Matched share of the reference segmentation.",
    ),
    statistic(
        "segment_f1",
        "segment_f1(a in S by L, b in T by L, threshold)",
        "Harmonic mean of segment precision and recall.",
    ),
    statistic(
        "boundary_deviation",
        "boundary_deviation(a in S, b in T, threshold)",
        "Mean distance of matched segments' boundaries, seconds.",
    ),
    statistic(
        "diarization_error",
        "diarization_error(a in S by L, b in T by L)",
        "Missed, false alarm and confused time over reference time (pyannote.metrics).",
    ),
    statistic(
        "match_precision",
        "match_precision(a in S where F, b in S where G by SCORE >= T [and PAIR][, optimal])",
        "Matched share of the second side's records, each item matched one to one.",
    ),
    statistic(
        "match_recall",
        "match_recall(a in S where F, b in S where G by SCORE >= T [and PAIR][, optimal])",
        "Matched share of the first (reference) side's records.",
    ),
    statistic(
        "match_f1",
        "match_f1(a in S where F, b in S where G by SCORE >= T [and PAIR][, optimal])",
        "Twice the matched pairs over both sides' records.",
    ),
    statistic(
        "match_score",
        "match_score(a in S where F, b in S where G by SCORE >= T [and PAIR][, optimal])",
        "Mean score of the matched pairs (mean IoU when the score is `iou`).",
    ),
    statistic(
        "match_alpha",
        "match_alpha(a in S where F: VALUE, b in S where G: VALUE by SCORE >= T …)",
        "Krippendorff's α (nominal) of the values over matched objects; unmatched is `∅`.",
    ),
];

/// An entry for a statistic with a syntax of its own.
const fn statistic(name: &'static str, signature: &'static str, doc: &'static str) -> Builtin {
    Builtin {
        name,
        params: &[],
        returns: Returns::Num,
        missing: Missing::WhenEmpty,
        eval: Eval::Statistic,
        signature,
        doc,
        example: "",
    }
}

/// The number a text writes, surrounding white space aside; missing for anything else
/// (`NaN` and infinities included, which are not data).
fn parse_number(text: &str) -> Value {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Value::Num(x),
        _ => Value::Missing,
    }
}

/// The characters of `text` from `from` up to `to` (positions in characters, from 0),
/// clamped to the text; empty when `to` is not after `from`.
fn characters(text: &str, from: f64, to: f64) -> String {
    let clamp = |x: f64| x.max(0.0).min(usize::MAX as f64) as usize;
    let (from, to) = (clamp(from), clamp(to));
    text.chars()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

/// `x` rounded to `digits` decimal places (whole places; negative ones round to tens, …).
fn round_to(x: f64, digits: f64) -> f64 {
    let scale = 10f64.powi(digits.round().clamp(-308.0, 308.0) as i32);
    let rounded = (x * scale).round() / scale;
    if rounded.is_finite() {
        rounded
    } else {
        x
    }
}

/// The lesser (`Less`) or greater of two numbers; the first when they are equal.
fn extreme_of_two(values: &[Value], want: Ordering) -> Value {
    match (values[0].as_num(), values[1].as_num()) {
        (Some(a), Some(b)) if b.partial_cmp(&a) == Some(want) => Value::Num(b),
        (Some(a), Some(_)) => Value::Num(a),
        _ => Value::Missing,
    }
}
