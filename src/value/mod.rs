//! Run-time values: what a record's fields hold and expressions compute, and the comparison of
//! short texts they rely on. At the bottom of the crate: the schema caches values, the data
//! layer builds them, every stage computes with them.

mod text;

pub(crate) use text::{same_short_text, same_text, text_order};

use smol_str::SmolStr;
use std::fmt;
use std::sync::Arc;

/// A value of a record field or of an expression.
///
/// Enum values and references are text at run time; the checker has already made sure they
/// are compared only with what they can equal. Times and durations are seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An optional field that the record leaves out (or gives as `null`).
    Missing,
    /// `true` or `false`.
    Bool(bool),
    /// A number, time or duration.
    Num(f64),
    /// Text, an enum value or a record id: held in the value itself up to 23 bytes, so
    /// that names, labels and ids take no allocation and no reference count.
    Str(SmolStr),
    /// A list.
    List(Arc<[Value]>),
}

/// A text as a [`SmolStr`]: held in line up to 23 bytes, else allocated. A short text is
/// copied with `SmolStr::new_inline`, byte by byte; `SmolStr::new` copies it through a call
/// to `memcpy`, which costs more for texts this short (5 % of the parse-only pass). Always
/// inlined, so that the text is built where the caller keeps it: built here and copied
/// there, it would be read back whole right after being written a few bytes at a time, a
/// read the processor cannot forward from the writes in flight (3 % of the parse-only pass).
#[inline(always)]
pub fn small_text(text: &str) -> SmolStr {
    if text.len() <= 23 {
        SmolStr::new_inline(text)
    } else {
        SmolStr::new(text)
    }
}

impl Value {
    /// A text value (inlined, as [`small_text`] is).
    #[inline(always)]
    pub fn str(text: &str) -> Value {
        Value::Str(small_text(text))
    }

    /// The number, if this is one.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A total order for sorting and grouping: numbers by value (NaN last), then text,
    /// lists element-wise.
    pub fn total_cmp(&self, other: &Value) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Missing => 0,
                Value::Bool(_) => 1,
                Value::Num(_) => 2,
                Value::Str(_) => 3,
                Value::List(_) => 4,
            }
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Num(a), Value::Num(b)) => a.total_cmp(b),
            (Value::Str(a), Value::Str(b)) => text_order(a, b),
            (Value::List(a), Value::List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let o = x.total_cmp(y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

/// Formats a number the way messages show it: the shortest text that reads back as the same
/// double, without a trailing `.0`.
pub fn format_number(n: f64) -> String {
    let mut text = String::new();
    let _ = write_number(&mut text, n);
    text
}

/// Writes a number as [`format_number`] formats it, without a `String` of its own.
pub fn write_number(out: &mut impl fmt::Write, n: f64) -> fmt::Result {
    if n.is_finite() && n == n.trunc() && n.abs() < 1e15 {
        write!(out, "{}", n as i64)
    } else if n.abs() >= 1e15 || (n != 0.0 && n.abs() < 1e-6) {
        // `1e300` is printed by `{}` as three hundred digits.
        write!(out, "{n:e}")
    } else {
        write!(out, "{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Missing => write!(f, "missing"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Num(n) => write_number(f, *n),
            Value::Str(s) => write!(f, "{s}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
        }
    }
}
