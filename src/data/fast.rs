//! The fast path for the common line: one pass over its JSON straight into a [`Record`],
//! each field parsed as the type the schema declares, with no intermediate tree.
//!
//! Anything unusual (a wrong type, a missing field, a value outside its enum, an unknown
//! kind, an id given as a number, `null` for a required field, invalid UTF-8 …) makes the
//! fast path give up, and the line goes through the general path ([`super::Line`] then
//! [`super::Validator::record`]), which produces the diagnostic. The fast path therefore
//! returns only records the general path would return, equal in every field; the
//! differential and data tests hold both to that.

use super::lite::Lite;
use super::validate::{convert_lite, Shared};
use super::{Origin, Record, Validator, Value};
use crate::schema::{Kind, KindId, Type};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Why the fast path gave up; the general path says what is wrong.
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not a plain record")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

/// Reads a line into a record, or `None` when the general path must look at it.
pub(crate) fn record(
    validator: &Validator,
    bytes: &[u8],
    origin: Origin,
    shared: &mut Shared,
) -> Option<Record> {
    let text = simdutf8::basic::from_utf8(bytes).ok()?;
    let mut de = sonic_rs::Deserializer::from_str(text);
    let seed = RecordSeed { validator, shared };
    let parts = seed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    parts.finish(validator, origin)
}

/// What the one pass collected. Kept small: it is returned through every layer of the
/// parser.
struct Parts<'l> {
    item: Option<Arc<str>>,
    kind: Option<KindId>,
    id: Option<Cow<'l, str>>,
    /// The kind's fields, `Missing` until given.
    fields: Vec<Value>,
    /// Which fields were given (a kind has at most 64 for the fast path).
    given: u64,
}

impl Parts<'_> {
    fn finish(self, validator: &Validator, origin: Origin) -> Option<Record> {
        let kind_id = self.kind?;
        let kind = validator.schema().kind(kind_id);
        let all_required_given = kind
            .fields
            .values()
            .enumerate()
            .all(|(i, field)| field.optional || self.given & (1 << i) != 0);
        if !all_required_given {
            return None;
        }
        let record = Record {
            item: self.item?,
            kind: kind_id,
            id: Arc::from(&*self.id?),
            fields: self.fields.into_boxed_slice(),
            origin,
        };
        match kind.interval {
            Some((s, e)) if record.num(s) > record.num(e) => None,
            _ => Some(record),
        }
    }
}

struct RecordSeed<'v, 's> {
    validator: &'v Validator,
    shared: &'s mut Shared,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = Parts<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = Parts<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = Parts {
            item: None,
            kind: None,
            id: None,
            fields: Vec::new(),
            given: 0,
        };
        let mut early: SmallVec<[(Cow<'de, str>, Lite<'de>); 4]> = SmallVec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match &*key.0 {
                "item" => {
                    let item = map.next_value::<Key<'de>>()?.0;
                    parts.item = Some(self.shared.item(&item));
                }
                "kind" => {
                    let name = map.next_value::<Key<'de>>()?.0;
                    if parts.kind.is_some() {
                        return Err(de::Error::custom(GiveUp));
                    }
                    let id = self
                        .validator
                        .kind_id(&name)
                        .ok_or_else(|| de::Error::custom(GiveUp))?;
                    let kind = self.validator.schema().kind(id);
                    if kind.fields.len() > 64 {
                        return Err(de::Error::custom(GiveUp));
                    }
                    parts.kind = Some(id);
                    parts.fields = vec![Value::Missing; kind.fields.len()];
                    for (key, value) in early.drain(..) {
                        if let Some(i) = field_index(kind, &key) {
                            let field = kind.field(crate::schema::FieldId(i as u32));
                            let v = convert_lite(&value, &field.ty, field.optional, self.shared)
                                .ok_or_else(|| de::Error::custom(GiveUp))?;
                            parts.fields[i] = v;
                            parts.given |= 1 << i;
                        }
                    }
                }
                "id" => parts.id = Some(map.next_value::<Key<'de>>()?.0),
                name => match parts.kind {
                    Some(id) => {
                        let kind = self.validator.schema().kind(id);
                        match field_index(kind, name) {
                            Some(i) => {
                                let field = kind.field(crate::schema::FieldId(i as u32));
                                let seed = Typed {
                                    ty: &field.ty,
                                    optional: field.optional,
                                    shared: &mut *self.shared,
                                };
                                parts.fields[i] = map.next_value_seed(seed)?;
                                parts.given |= 1 << i;
                            }
                            None => {
                                map.next_value::<Lite<'de>>()?;
                            }
                        }
                    }
                    None => {
                        let value = map.next_value::<Lite<'de>>()?;
                        early.push((key.0, value));
                    }
                },
            }
        }
        Ok(parts)
    }
}

fn field_index(kind: &Kind, name: &str) -> Option<usize> {
    kind.fields.keys().position(|k| k == name)
}

/// A JSON string, borrowed when it has no escapes; anything else gives up.
struct Key<'l>(Cow<'l, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A field value parsed as its declared type.
struct Typed<'t, 's> {
    ty: &'t Type,
    optional: bool,
    shared: &'s mut Shared,
}

impl<'de> DeserializeSeed<'de> for Typed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Typed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field value")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.text(s)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.number(n as f64)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.number(n as f64)
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        self.number(x)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.ty {
            Type::Bool => Ok(Value::Bool(b)),
            _ => Err(E::custom(GiveUp)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        if self.optional {
            Ok(Value::Missing)
        } else {
            Err(E::custom(GiveUp))
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Type::List(elem) = self.ty else {
            return Err(de::Error::custom(GiveUp));
        };
        let mut items: SmallVec<[Value; 8]> = SmallVec::new();
        loop {
            let seed = Typed {
                ty: elem,
                optional: false,
                shared: &mut *self.shared,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::List(items.into_iter().collect()))
    }
}

impl Typed<'_, '_> {
    fn text<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match self.ty {
            Type::Str | Type::Ref(_) => Ok(self.shared.text(s)),
            Type::Enum(e) if e.variants.iter().any(|v| v == s) => Ok(self.shared.text(s)),
            _ => Err(E::custom(GiveUp)),
        }
    }

    fn number<E: de::Error>(self, x: f64) -> Result<Value, E> {
        match self.ty {
            Type::Num | Type::Time | Type::Duration if x.is_finite() => Ok(Value::Num(x)),
            _ => Err(E::custom(GiveUp)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{parse_line, SourceId};
    use crate::schema::{FieldId, Schema};

    fn schema() -> Arc<Schema> {
        let pack = crate::Pack::from_source(
            "schema.cord",
            "schema { kind s { start: time, end: time, who: str, tags: list<str>?, \
             mood: enum { up, down }, ok: bool? } }",
        )
        .expect("schema compiles");
        pack.plan.schema.clone()
    }

    /// The fast path gives the general path's record, or gives up; returns whether it read
    /// the line itself.
    fn agree(line: &str) -> bool {
        let validator = Validator::new(schema());
        let origin = Origin {
            source: SourceId(0),
            line: 1,
        };
        let fast = record(&validator, line.as_bytes(), origin, &mut Shared::default());
        let general = parse_line(line.as_bytes(), origin).ok().and_then(|l| {
            validator
                .record(&l, origin, String::new, &mut Shared::default())
                .ok()
        });
        if let Some(fast) = &fast {
            assert_eq!(Some(fast), general.as_ref(), "{line}");
        }
        fast.is_some()
    }

    #[test]
    fn plain_lines_take_the_fast_path_and_agree_with_the_general_path() {
        let plain = [
            r#"{"item":"a","kind":"s","id":"1","start":0.1,"end":2,"who":"x","mood":"up"}"#,
            r#"{"kind":"s","who":"x\ny","item":"a","id":"1","start":0,"end":1e2,"mood":"down","tags":["a","b"],"ok":true}"#,
            r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"up","who":"z","extra":{"n":[1,{}]}}"#,
            r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"up","tags":null,"ok":null}"#,
            r#" {"item":"a","kind":"s","id":"1","start":0.30000000000000004,"end":0.7,"who":"x","mood":"up"} "#,
        ];
        for line in plain {
            assert!(agree(line), "the fast path should read {line}");
        }
    }

    #[test]
    fn unusual_lines_are_left_to_the_general_path() {
        let unusual = [
            r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":"x","mood":"sideways"}"#,
            r#"{"item":"a","kind":"s","id":7,"start":0,"end":1,"who":"x","mood":"up"}"#,
            r#"{"item":"a","kind":"s","id":"1","start":2,"end":1,"who":"x","mood":"up"}"#,
            r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"who":null,"mood":"up"}"#,
            r#"{"item":"a","kind":"s","id":"1","start":0,"end":1,"mood":"up"}"#,
            r#"{"item":"a","kind":"t","id":"1"}"#,
            r#"{"item":"a","kind":"s"} trailing"#,
            "[1, 2]",
        ];
        for line in unusual {
            assert!(!agree(line), "the fast path should give up on {line}");
        }
    }

    #[test]
    fn numbers_read_exactly_as_serde_json_reads_them() {
        let validator = Validator::new(schema());
        for text in [
            "0.1",
            "0.2000000001",
            "1.2",
            "59.99999999999999",
            "1e-7",
            "123.456789012345678",
        ] {
            let line = format!(
                r#"{{"item":"a","kind":"s","id":"1","start":{text},"end":1e9,"who":"x","mood":"up"}}"#
            );
            let fast = record(
                &validator,
                line.as_bytes(),
                Origin::default(),
                &mut Shared::default(),
            )
            .expect("a plain line");
            let expected: f64 = serde_json::from_str(text).expect("a number");
            assert_eq!(fast.num(FieldId(0)).to_bits(), expected.to_bits(), "{text}");
        }
    }
}
