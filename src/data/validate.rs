//! JSON records → [`Record`]s that follow the schema.

use super::lite::{Line, Lite};
use super::{DataError, Origin, Record, Value};
use crate::schema::{Kind, KindId, Schema, Shape, Type};
use crate::suggest::did_you_mean;
use crate::value::same_short_text;
use smallvec::{smallvec, SmallVec};
use std::sync::Arc;

/// Validates records against a schema. Built once per run; kind and field names are looked
/// up by a short linear scan, which beats hashing for the handful of names a schema has.
#[derive(Debug, Clone)]
pub struct Validator {
    schema: Arc<Schema>,
    max_fields: usize,
    max_list_len: usize,
    /// Per kind, a bit for each required field among its first 64 (the fast path's reach).
    required: Vec<u64>,
}

impl Validator {
    /// A validator for `schema`.
    pub fn new(schema: Arc<Schema>) -> Self {
        let required = schema
            .kinds()
            .map(|(_, kind)| {
                kind.fields
                    .values()
                    .take(64)
                    .enumerate()
                    .filter(|(_, field)| !field.optional)
                    .fold(0, |mask, (i, _)| mask | 1 << i)
            })
            .collect();
        Validator {
            schema,
            max_fields: 0,
            max_list_len: 0,
            required,
        }
        .within(&crate::Limits::default())
    }

    /// The bits of a kind's required fields, by field index (its first 64 fields).
    pub(crate) fn required_mask(&self, kind: KindId) -> u64 {
        self.required[kind.0 as usize]
    }

    /// The same validator, holding records to `limits` (fields per record, list length).
    pub fn within(self, limits: &crate::Limits) -> Self {
        Validator {
            max_fields: limits.max_fields,
            max_list_len: limits.max_list_len,
            ..self
        }
    }

    pub(crate) fn max_fields(&self) -> usize {
        self.max_fields
    }

    pub(crate) fn max_list_len(&self) -> usize {
        self.max_list_len
    }

    /// The schema records are validated against.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Validates a parsed line: the declared kind it names, if any (for counting lines per
    /// kind), and its record or why it is rejected.
    pub fn check_line(
        &self,
        line: &Line,
        origin: Origin,
        fallback_id: impl FnOnce() -> String,
        shared: &mut Shared,
    ) -> (Option<KindId>, Result<Record, Box<DataError>>) {
        (
            self.kind_of(line),
            self.record(line, origin, fallback_id, shared),
        )
    }

    /// The declared kind a line names, if any (for counting lines per kind).
    pub fn kind_of(&self, line: &Line) -> Option<KindId> {
        match line.get("kind")? {
            Lite::Str(name) => self.find_kind(name),
            _ => None,
        }
    }

    /// The id of a declared kind.
    pub fn kind_id(&self, name: &str) -> Option<KindId> {
        self.find_kind(name)
    }

    fn find_kind(&self, name: &str) -> Option<KindId> {
        self.schema
            .kinds()
            .find(|(_, k)| k.name == name)
            .map(|(id, _)| id)
    }

    /// Turns one line into a record of a declared kind, or says why it cannot be checked.
    /// `fallback_id` names records that carry no `id` (a stable `file:line`). `shared` lets
    /// records read together share their item name and short repeated texts. The error is
    /// boxed because rejection is the rare path and records are the hot one.
    pub fn record<'l>(
        &self,
        line: &Line<'l>,
        origin: Origin,
        fallback_id: impl FnOnce() -> String,
        shared: &mut Shared,
    ) -> Result<Record, Box<DataError>> {
        let Line::Object(entries) = line else {
            let found = match line {
                Line::Other(v) => v.type_name(),
                Line::Object(_) => "an object",
            };
            return Err(Box::new(DataError::NotAnObject {
                found: found.into(),
                origin,
            }));
        };
        if entries.len() > self.max_fields {
            return Err(Box::new(DataError::TooManyFields {
                count: entries.len(),
                limit: self.max_fields,
                origin,
            }));
        }
        let missing = |field: &str| DataError::MissingBuiltIn {
            field: field.into(),
            origin,
        };
        let item = line
            .get("item")
            .and_then(Lite::to_text)
            .ok_or_else(|| missing("item"))?;
        let kind_name = line
            .get("kind")
            .and_then(Lite::to_text)
            .ok_or_else(|| missing("kind"))?;
        let Some(kind_id) = self.find_kind(&kind_name) else {
            return Err(Box::new(self.unknown_kind(&kind_name, origin)));
        };
        let id: smol_str::SmolStr = match line.get("id").and_then(Lite::to_text) {
            Some(id) => super::small_text(&id),
            None => super::small_text(&fallback_id()),
        };
        let kind = self.schema.kind(kind_id);
        let mut slots: SmallVec<[Option<&Lite<'l>>; 16]> = smallvec![None; kind.fields.len()];
        for (key, value) in entries {
            if let Some(i) = kind.fields.keys().position(|name| name == key) {
                slots[i] = Some(value);
            }
        }
        let mut fields = Vec::with_capacity(slots.len());
        let mut defects = Vec::new();
        for ((name, field), slot) in kind.fields.iter().zip(slots) {
            let value = match slot {
                None | Some(Lite::Null) if field.optional => Value::Missing,
                None | Some(Lite::Null) => {
                    return Err(Box::new(DataError::MissingField {
                        kind: kind.name.clone(),
                        id: id.to_string(),
                        field: name.clone(),
                        origin,
                    }))
                }
                Some(Lite::Array(items)) if items.len() > self.max_list_len => {
                    return Err(Box::new(DataError::ListTooLong {
                        kind: kind.name.clone(),
                        id: id.to_string(),
                        field: name.clone(),
                        len: items.len(),
                        limit: self.max_list_len,
                        origin,
                    }))
                }
                Some(json) => match convert(json, &field.ty) {
                    Ok(value) => value,
                    Err(problem) => {
                        let error = field_error(kind, &id, name, &field.ty, problem, origin);
                        let readable =
                            read_anyway(json, &field.ty).ok_or(Box::new(error.clone()))?;
                        defects.push(error.read_as(&readable));
                        readable
                    }
                },
            };
            fields.push(value);
        }
        let item = shared.item(&item);
        let waivers = match line.get("waive") {
            None | Some(Lite::Null) => Box::default(),
            Some(waive) => waivers(waive),
        };
        let mut record = Record {
            item,
            kind: kind_id,
            id,
            fields: fields.into(),
            origin,
            extras: None,
        };
        defects.extend(interval_defect(kind, &record));
        if !defects.is_empty() || !waivers.is_empty() {
            record.extras = Some(Box::new(super::Extras { waivers, defects }));
        }
        Ok(record)
    }

    fn unknown_kind(&self, kind: &str, origin: Origin) -> DataError {
        let names: Vec<&str> = self.schema.kinds().map(|(_, k)| k.name.as_str()).collect();
        DataError::UnknownKind {
            kind: kind.to_string(),
            help: did_you_mean(kind, "declared kinds", names.iter().copied()),
            origin,
        }
    }
}

/// Validates one `serde_json::Value` (for records that arrive as values rather than text).
pub fn validate(
    schema: &Arc<Schema>,
    json: &serde_json::Value,
    origin: Origin,
    fallback_id: impl FnOnce() -> String,
) -> Result<Record, Box<DataError>> {
    let line = Line::from_json(json);
    Validator::new(schema.clone()).record(&line, origin, fallback_id, &mut Shared::default())
}

/// What records read together (one batch of lines, on one thread) share: the item name of
/// the previous record, which nearly every record repeats. (Short texts — names, labels,
/// enum values, ids — need no sharing: a [`Value::Str`] holds up to 23 bytes in itself.)
#[derive(Debug, Default)]
pub struct Shared {
    last_item: Option<Arc<str>>,
    /// The elements of the lists being read (see `fast::Scan::list`).
    pub(crate) list_items: Vec<Value>,
}

impl Shared {
    /// The item name, shared with the previous record's when equal.
    pub(crate) fn item(&mut self, item: &str) -> Arc<str> {
        match &self.last_item {
            Some(last) if same_short_text(last.as_bytes(), item.as_bytes()) => last.clone(),
            _ => {
                let fresh: Arc<str> = Arc::from(item);
                self.last_item = Some(fresh.clone());
                fresh
            }
        }
    }
}

/// A record's `"waive"`: one `"rule: reason"` text or a list of them. One without a reason
/// (or that is no text) keeps what was written, with no reason, to be reported where the
/// item's waivers are applied; the record itself is still checked.
fn waivers(waive: &Lite) -> Box<[super::Waiver]> {
    let one = |item: &Lite| match item {
        Lite::Str(text) => match text.split_once(':') {
            Some((rule, reason)) if !rule.trim().is_empty() && !reason.trim().is_empty() => {
                super::Waiver {
                    rule: Arc::from(rule.trim()),
                    reason: Some(Arc::from(reason.trim())),
                }
            }
            _ => super::Waiver {
                rule: Arc::from(text.as_ref()),
                reason: None,
            },
        },
        other => super::Waiver {
            rule: Arc::from(other.type_name()),
            reason: None,
        },
    };
    match waive {
        Lite::Array(items) => items.iter().map(one).collect(),
        single => Box::new([one(single)]),
    }
}

/// The diagnostic of an interval that ends before it starts. The record keeps it and is
/// checked as read: its other defects reach the rules (and it takes part in no time
/// relation; see `docs/language.md#reversed-intervals`).
fn interval_defect(kind: &Kind, record: &Record) -> Option<DataError> {
    let (s, e) = kind.interval?;
    let (start, end) = (record.num(s), record.num(e));
    (start > end).then(|| DataError::ReversedInterval {
        kind: kind.name.clone(),
        id: record.id.to_string(),
        start: super::format_number(start),
        end: super::format_number(end),
        origin: record.origin,
    })
}

/// A value that does not fit its field but can still be read: a value outside its enum as
/// the text it is, a number written as text as the number, a number where text is declared
/// as its text. `None` for anything else, which rejects the record.
fn read_anyway(json: &Lite, ty: &Type) -> Option<Value> {
    match (ty, json) {
        (Type::Enum(_), Lite::Str(s)) => Some(Value::str(s)),
        (Type::Num | Type::Time | Type::Duration, Lite::Str(s)) => {
            let n: f64 = s.trim().parse().ok()?;
            n.is_finite().then_some(Value::Num(n))
        }
        (Type::Str, number @ (Lite::Int(_) | Lite::UInt(_) | Lite::Float(_))) => {
            number.to_text().map(|t| Value::str(&t))
        }
        _ => None,
    }
}

/// Why a JSON value does not fit a field type.
enum Problem {
    Type(&'static str),
    NotInEnum(String),
}

fn convert(json: &Lite, ty: &Type) -> Result<Value, Problem> {
    match (ty, json) {
        (Type::Str | Type::Ref(_), Lite::Str(s)) => Ok(Value::str(s)),
        (Type::Ref(_), number @ (Lite::Int(_) | Lite::UInt(_) | Lite::Float(_))) => {
            Ok(number.to_text().map_or(Value::Missing, |t| Value::str(&t)))
        }
        (Type::Num | Type::Time | Type::Duration, number) if number.as_f64().is_some() => {
            match number.as_f64() {
                Some(x) if x.is_finite() => Ok(Value::Num(x)),
                _ => Err(Problem::Type("a finite number")),
            }
        }
        (Type::Bool, Lite::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Enum(e), Lite::Str(s)) => match e.value(s) {
            Some(value) => Ok(value.clone()),
            None => Err(Problem::NotInEnum(s.to_string())),
        },
        (Type::List(elem), Lite::Array(items)) => {
            let values: Result<Vec<Value>, Problem> =
                items.iter().map(|i| convert(i, elem)).collect();
            Ok(Value::List(values?.into()))
        }
        (Type::Shape(Shape::Box), Lite::Object(members)) => (members.as_deref())
            .and_then(|m| crate::ops::space::box_from_members(m.iter().map(|(k, v)| (&**k, *v))))
            .ok_or(Problem::Type("an object that makes no box")),
        (Type::Shape(shape), json @ Lite::Array(_)) => nested(json)
            .and_then(|n| crate::ops::space::shape_from(*shape, &n))
            .ok_or(Problem::Type("an array that makes no such shape")),
        (_, json) => Err(Problem::Type(json.type_name())),
    }
}

/// The numbers of a JSON array, nested as they are; `None` when anything else is in it.
fn nested(json: &Lite) -> Option<crate::ops::space::Nested> {
    use crate::ops::space::Nested;
    match json {
        Lite::Array(items) => items
            .iter()
            .map(nested)
            .collect::<Option<_>>()
            .map(Nested::List),
        number => number.as_f64().map(Nested::Number),
    }
}

fn field_error(
    kind: &Kind,
    id: &str,
    field: &str,
    ty: &Type,
    problem: Problem,
    origin: Origin,
) -> DataError {
    match (problem, ty) {
        (Problem::NotInEnum(value), Type::Enum(e)) => DataError::NotInEnum {
            kind: kind.name.clone(),
            field: field.to_string(),
            help: did_you_mean(&value, "values", e.variants().iter().map(|v| &**v)),
            value,
            origin,
        },
        (problem, _) => DataError::WrongType {
            kind: kind.name.clone(),
            id: id.to_string(),
            field: field.to_string(),
            expected: expected_of(ty),
            found: match problem {
                Problem::Type(found) => found.to_string(),
                Problem::NotInEnum(v) => format!("`{v}`"),
            },
            read_as: None,
            origin,
        },
    }
}

fn expected_of(ty: &Type) -> String {
    match ty {
        Type::Str | Type::Ref(_) => "a string".into(),
        Type::Num | Type::Time | Type::Duration => "a number".into(),
        Type::Bool => "a boolean".into(),
        Type::Enum(e) => format!("one of {}", e.variants().join(", ")),
        Type::List(elem) => format!("an array of {}", expected_of(elem)),
        Type::Shape(Shape::Box) => {
            "a box `[x, y, width, height]` (and a rotation), `{x, y, width, height}` or \
             `{x1, y1, x2, y2}`"
                .into()
        }
        Type::Shape(Shape::Point) => "a point `[x, y]`".into(),
        Type::Shape(Shape::Polygon) => {
            "a polygon `[[x, y], …]`, `[x1, y1, x2, y2, …]` or rings `[[[x, y], …], …]`".into()
        }
        _ => "a value".into(),
    }
}
