//! Operations on [`Value`]s shared by constant folding in the checker and by the evaluator,
//! so a constant and a run-time value can never be computed two ways.

use super::{ArithOp, CompareOp};
use crate::value::Value;
use std::cmp::Ordering;

/// Equality: numbers as IEEE doubles (so NaN equals nothing), text byte-wise, lists
/// element-wise. A missing value equals nothing.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => crate::value::same_text(x, y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
        }
        _ => false,
    }
}

/// Ordering of two numbers or two texts; `None` for anything else or NaN.
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Str(x), Value::Str(y)) => Some(crate::value::text_order(x, y)),
        _ => None,
    }
}

/// Whether `needle` equals an element of `list`.
pub fn contains(list: &Value, needle: &Value) -> bool {
    match list {
        Value::List(items) => items.iter().any(|item| equal(item, needle)),
        _ => false,
    }
}

/// The element of `list` at position `at` (from the end when negative): missing when the
/// position is outside the list or not a whole number.
pub fn element(list: &Value, at: &Value) -> Value {
    let (Value::List(items), Some(at)) = (list, at.as_num()) else {
        return Value::Missing;
    };
    if at.fract() != 0.0 || !at.is_finite() {
        return Value::Missing;
    }
    let len = items.len() as f64;
    let position = if at < 0.0 { len + at } else { at };
    if position < 0.0 || position >= len {
        return Value::Missing;
    }
    items[position as usize].clone()
}

/// The left value unless it is missing.
pub fn default(value: Value, fallback: impl FnOnce() -> Value) -> Value {
    match value {
        Value::Missing => fallback(),
        v => v,
    }
}

/// The number of present elements (of a list, or a group's column read in place).
pub fn count_of<'v>(items: impl Iterator<Item = &'v Value>) -> Value {
    Value::Num(items.filter(|v| !matches!(v, Value::Missing)).count() as f64)
}

/// The number of distinct present elements.
pub fn count_distinct_of<'v>(items: impl Iterator<Item = &'v Value>) -> Value {
    let mut seen: smallvec::SmallVec<[&Value; 8]> = smallvec::SmallVec::new();
    for v in items.filter(|v| !matches!(v, Value::Missing)) {
        if !seen.iter().any(|s| equal(s, v)) {
            seen.push(v);
        }
    }
    Value::Num(seen.len() as f64)
}

/// The least (`Ordering::Less`) or greatest present element; missing when there is none.
pub fn extreme_of<'v>(items: impl Iterator<Item = &'v Value>, want: Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for v in items.filter(|v| !matches!(v, Value::Missing)) {
        best = match best {
            Some(b) if order(v, b) != Some(want) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned().unwrap_or(Value::Missing)
}

/// The sum of the numbers (0 when there are none).
pub fn sum_of<'v>(items: impl Iterator<Item = &'v Value>) -> Value {
    Value::Num(items.filter_map(Value::as_num).sum())
}

/// The mean of the numbers; missing when there are none.
pub fn mean_of<'v>(items: impl Iterator<Item = &'v Value>) -> Value {
    let (n, total) = items
        .filter_map(Value::as_num)
        .fold((0usize, 0.0), |(n, t), x| (n + 1, t + x));
    if n == 0 {
        Value::Missing
    } else {
        Value::Num(total / n as f64)
    }
}

/// Arithmetic shared by folding and evaluation.
pub fn arith(op: ArithOp, a: f64, b: f64) -> f64 {
    match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::Rem => a % b,
    }
}

/// Comparison shared by folding and evaluation.
pub fn compare(op: CompareOp, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CompareOp::Eq => equal(a, b),
        CompareOp::Ne => {
            !equal(a, b) && !matches!((a, b), (Value::Missing, _) | (_, Value::Missing))
        }
        CompareOp::Lt => order(a, b) == Some(Less),
        CompareOp::Le => matches!(order(a, b), Some(Less | Equal)),
        CompareOp::Gt => order(a, b) == Some(Greater),
        CompareOp::Ge => matches!(order(a, b), Some(Greater | Equal)),
    }
}
