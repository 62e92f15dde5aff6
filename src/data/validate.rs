//! Raw JSON objects → [`Record`]s that follow the schema.

use super::{DataError, Origin, Record, Value};
use crate::check::did_you_mean;
use crate::schema::{Kind, Schema, Type};
use serde_json::Value as Json;
use std::sync::Arc;

/// Turns one JSON value into a record of a declared kind, or says why it cannot be checked.
/// `fallback_id` names records that carry no `id` (a stable `file:line`). The error is
/// boxed because rejection is the rare path and records are the hot one.
pub fn validate(
    schema: &Schema,
    json: Json,
    origin: Origin,
    fallback_id: impl FnOnce() -> String,
) -> Result<Record, Box<DataError>> {
    let Json::Object(mut map) = json else {
        return Err(Box::new(DataError::NotAnObject {
            found: json_type(&json).into(),
            origin,
        }));
    };
    let item = text_of(map.get("item")).ok_or_else(|| DataError::MissingBuiltIn {
        field: "item".into(),
        origin,
    })?;
    let kind_name = text_of(map.get("kind")).ok_or_else(|| DataError::MissingBuiltIn {
        field: "kind".into(),
        origin,
    })?;
    let Some(kind_id) = schema.kind_id(&kind_name) else {
        let names: Vec<&str> = schema.kinds().map(|(_, k)| k.name.as_str()).collect();
        let help = did_you_mean(&kind_name, "declared kinds", names.iter().copied());
        return Err(Box::new(DataError::UnknownKind {
            kind: kind_name,
            help,
            origin,
        }));
    };
    let id = text_of(map.get("id")).unwrap_or_else(fallback_id);
    let kind = schema.kind(kind_id);
    let mut fields = Vec::with_capacity(kind.fields.len());
    for (name, field) in &kind.fields {
        let value = match map.remove(name) {
            None | Some(Json::Null) if field.optional => Value::Missing,
            None | Some(Json::Null) => {
                return Err(Box::new(DataError::MissingField {
                    kind: kind.name.clone(),
                    id,
                    field: name.clone(),
                    origin,
                }))
            }
            Some(json) => convert(json, &field.ty).map_err(|problem| {
                Box::new(field_error(kind, &id, name, &field.ty, problem, origin))
            })?,
        };
        fields.push(value);
    }
    let record = Record {
        item: Arc::from(item.as_str()),
        kind: kind_id,
        id: Arc::from(id.as_str()),
        fields: fields.into(),
        origin,
    };
    check_interval(kind, record)
}

fn check_interval(kind: &Kind, record: Record) -> Result<Record, Box<DataError>> {
    if let Some((s, e)) = kind.interval {
        let (start, end) = (record.num(s), record.num(e));
        if start > end {
            return Err(Box::new(DataError::ReversedInterval {
                kind: kind.name.clone(),
                id: record.id.to_string(),
                start: super::format_number(start),
                end: super::format_number(end),
                origin: record.origin,
            }));
        }
    }
    Ok(record)
}

/// A text value, or a number given where text is expected (ids are often numbers).
fn text_of(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Why a JSON value does not fit a field type.
enum Problem {
    Type(&'static str),
    NotInEnum(String),
}

fn convert(json: Json, ty: &Type) -> Result<Value, Problem> {
    match (ty, json) {
        (Type::Str | Type::Ref(_), Json::String(s)) => Ok(Value::Str(Arc::from(s.as_str()))),
        (Type::Ref(_), Json::Number(n)) => Ok(Value::Str(Arc::from(n.to_string().as_str()))),
        (Type::Num | Type::Time | Type::Duration, Json::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Value::Num(x)),
            _ => Err(Problem::Type("a finite number")),
        },
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(b)),
        (Type::Enum(e), Json::String(s)) => {
            if e.variants.contains(&s) {
                Ok(Value::Str(Arc::from(s.as_str())))
            } else {
                Err(Problem::NotInEnum(s))
            }
        }
        (Type::List(elem), Json::Array(items)) => {
            let values: Result<Vec<Value>, Problem> =
                items.into_iter().map(|i| convert(i, elem)).collect();
            Ok(Value::List(values?.into()))
        }
        (_, json) => Err(Problem::Type(json_type(&json))),
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
            help: did_you_mean(&value, "values", e.variants.iter().map(String::as_str)),
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
            origin,
        },
    }
}

fn expected_of(ty: &Type) -> String {
    match ty {
        Type::Str | Type::Ref(_) => "a string".into(),
        Type::Num | Type::Time | Type::Duration => "a number".into(),
        Type::Bool => "a boolean".into(),
        Type::Enum(e) => format!("one of {}", e.variants.join(", ")),
        Type::List(elem) => format!("an array of {}", expected_of(elem)),
        _ => "a value".into(),
    }
}
