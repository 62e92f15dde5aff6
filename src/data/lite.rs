//! A light, borrowed view of one JSON record: what the validator needs and nothing more.
//!
//! Parsing a line into `serde_json::Value` allocates a map and a `String` for every key and
//! string. [`Line`] instead borrows keys and strings from the input wherever they carry no
//! escape sequences, keeps only the top-level entries, and skips nested objects (no field
//! type can hold one; only their presence matters, for the error message).

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON value as the validator sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Lite<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number written without fraction or exponent that fits in `i64`.
    Int(i64),
    /// A non-negative integer too large for `i64`.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string, borrowed when it has no escapes.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Lite<'a>>),
    /// An object: its members when it is a small object of numbers (a box written
    /// `{"x": …, "y": …, "width": …, "height": …}`), else nothing of it.
    Object(ObjectNumbers),
}

impl Lite<'_> {
    /// The same value, owning its strings.
    pub fn into_owned(self) -> Lite<'static> {
        match self {
            Lite::Null => Lite::Null,
            Lite::Bool(b) => Lite::Bool(b),
            Lite::Int(n) => Lite::Int(n),
            Lite::UInt(n) => Lite::UInt(n),
            Lite::Float(x) => Lite::Float(x),
            Lite::Str(s) => Lite::Str(Cow::Owned(s.into_owned())),
            Lite::Array(items) => Lite::Array(items.into_iter().map(Lite::into_owned).collect()),
            Lite::Object(numbers) => Lite::Object(numbers),
        }
    }

    /// The JSON type in words, for "found …" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Lite::Null => "null",
            Lite::Bool(_) => "a boolean",
            Lite::Int(_) | Lite::UInt(_) | Lite::Float(_) => "a number",
            Lite::Str(_) => "a string",
            Lite::Array(_) => "an array",
            Lite::Object(_) => "an object",
        }
    }

    /// The number, as a double.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Lite::Int(n) => Some(*n as f64),
            Lite::UInt(n) => Some(*n as f64),
            Lite::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// Text, or a number written as text the way JSON writes it (ids are often numbers).
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Lite::Str(s) => Some(Cow::Borrowed(s)),
            Lite::Int(n) => Some(Cow::Owned(n.to_string())),
            Lite::UInt(n) => Some(Cow::Owned(n.to_string())),
            Lite::Float(x) => serde_json::Number::from_f64(*x).map(|n| Cow::Owned(n.to_string())),
            _ => None,
        }
    }

    /// A view of a `serde_json::Value`, borrowing its strings.
    pub fn from_json(v: &serde_json::Value) -> Lite<'_> {
        use serde_json::Value as J;
        match v {
            J::Null => Lite::Null,
            J::Bool(b) => Lite::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Lite::Int(i),
                (None, Some(u), _) => Lite::UInt(u),
                (_, _, Some(x)) => Lite::Float(x),
                _ => Lite::Null,
            },
            J::String(s) => Lite::Str(Cow::Borrowed(s)),
            J::Array(items) => Lite::Array(items.iter().map(Lite::from_json).collect()),
            J::Object(map) => Lite::Object(object_numbers(
                (map.iter()).map(|(k, v)| (Cow::Borrowed(k.as_str()), v.as_f64())),
            )),
        }
    }
}

/// The members of an object kept in [`Lite::Object`]: all of them when every one is a number
/// and there are no more than a box has, else none.
pub type ObjectNumbers = Option<Box<[(Box<str>, f64)]>>;

fn object_numbers<'k>(
    members: impl IntoIterator<Item = (Cow<'k, str>, Option<f64>)>,
) -> ObjectNumbers {
    let members: Option<Vec<(Box<str>, f64)>> = (members.into_iter())
        .take(crate::ops::space::BOX_MEMBERS + 1)
        .map(|(k, v)| Some((Box::from(&*k), v?)))
        .collect();
    members
        .filter(|m| !m.is_empty() && m.len() <= crate::ops::space::BOX_MEMBERS)
        .map(Vec::into_boxed_slice)
}

/// A JSON value read as a number, or as nothing when it is anything else (checked and
/// dropped, as `IgnoredAny` would).
struct MaybeNumber(Option<f64>);

impl<'de> Deserialize<'de> for MaybeNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeNumber;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(Some(n as f64)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(Some(n as f64)))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(Some(x)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeNumber(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(MaybeNumber(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeNumber(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeNumber(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeNumber(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeNumber(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One line of input: a top-level object's entries in order, or another JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Line<'a> {
    /// An object's entries, in the order written (a repeated key appears twice; the last
    /// one counts, as in every common JSON reader).
    Object(Vec<(Cow<'a, str>, Lite<'a>)>),
    /// Something other than an object.
    Other(Lite<'a>),
}

impl<'a> Line<'a> {
    /// The same line, owning its strings.
    pub fn into_owned(self) -> Line<'static> {
        match self {
            Line::Object(entries) => Line::Object(
                (entries.into_iter())
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
            Line::Other(value) => Line::Other(value.into_owned()),
        }
    }

    /// The last value given for `key`.
    pub fn get(&self, key: &str) -> Option<&Lite<'a>> {
        match self {
            Line::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            Line::Other(_) => None,
        }
    }

    /// A view of a `serde_json::Value`.
    pub fn from_json(v: &'a serde_json::Value) -> Line<'a> {
        match v {
            serde_json::Value::Object(map) => Line::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Lite::from_json(v)))
                    .collect(),
            ),
            other => Line::Other(Lite::from_json(other)),
        }
    }

    /// Parses one JSON text.
    pub fn parse(text: &'a str) -> Result<Line<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Parses one JSON text given as bytes with a SIMD parser, falling back to
    /// `serde_json` only to describe a line that fails (its messages are the ones users see
    /// everywhere else, with a column).
    pub fn parse_bytes(text: &'a [u8]) -> Result<Line<'a>, serde_json::Error> {
        match sonic_rs::from_slice(text) {
            Ok(line) => Ok(line),
            Err(_) => serde_json::from_slice(text),
        }
    }
}

/// A string that borrows from the input when it can.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Visits any JSON value as a [`Lite`]; `top` keeps an object's entries.
struct LiteVisitor;

impl<'de> Visitor<'de> for LiteVisitor {
    type Value = Lite<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Lite::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Lite::Int(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(n).map_or(Lite::UInt(n), Lite::Int))
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Self::Value, E> {
        Ok(Lite::Float(x))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Lite::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Lite::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Lite::Str(Cow::Owned(s)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lite::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lite::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
        while let Some(item) = seq.next_element::<Lite<'de>>()? {
            items.push(item);
        }
        Ok(Lite::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let MaybeNumber(value) = map.next_value()?;
            // Past a box's members, what is kept no longer matters.
            if members.len() <= crate::ops::space::BOX_MEMBERS {
                members.push((key, value));
            }
        }
        Ok(Lite::Object(object_numbers(members)))
    }
}

impl<'de> Deserialize<'de> for Lite<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LiteVisitor)
    }
}

impl<'de> Deserialize<'de> for Line<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Line<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    entries.push((key, map.next_value::<Lite<'de>>()?));
                }
                Ok(Line::Object(entries))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                LiteVisitor.visit_bool(b).map(Line::Other)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                LiteVisitor.visit_i64(n).map(Line::Other)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                LiteVisitor.visit_u64(n).map(Line::Other)
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Self::Value, E> {
                LiteVisitor.visit_f64(x).map(Line::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Line::Other(Lite::Str(Cow::Borrowed(""))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Line::Other(Lite::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Line::Other(Lite::Array(Vec::new())))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_plain_strings_and_keeps_the_last_repeated_key() {
        let line = Line::parse(
            r#"{"id":"a","id":"b\n","n":5,"x":{"y":"1"},"b":{"x":1,"y":2.5},"l":[1,2.5]}"#,
        )
        .expect("valid JSON");
        assert!(matches!(line.get("id"), Some(Lite::Str(Cow::Owned(s))) if s == "b\n"));
        assert_eq!(line.get("n"), Some(&Lite::Int(5)));
        // An object keeps its members only when they are all numbers (a box).
        assert_eq!(line.get("x"), Some(&Lite::Object(None)));
        let numbers = [("x".into(), 1.0), ("y".into(), 2.5)];
        assert_eq!(line.get("b"), Some(&Lite::Object(Some(Box::new(numbers)))));
        assert_eq!(
            line.get("l"),
            Some(&Lite::Array(vec![Lite::Int(1), Lite::Float(2.5)]))
        );
        let Line::Object(entries) = &line else {
            panic!("an object")
        };
        assert!(matches!(entries[0].0, Cow::Borrowed("id")));
    }

    #[test]
    fn a_non_object_says_what_it_is() {
        let line = Line::parse("[1, 2]").expect("valid JSON");
        assert_eq!(
            line,
            Line::Other(Lite::Array(Vec::new())),
            "arrays are kept only as their type"
        );
    }
}
