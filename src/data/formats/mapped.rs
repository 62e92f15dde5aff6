//! Turning one row, cell or JSON element into records, as a [`RecordSpec`] says: templates
//! are filled from a [`Scope`] and converted to the types the spec names.

use super::mapping::{As, Each, InputSpec, RecordSpec, TimeUnit, Typed, ValueSpec};
use super::{number, Out, Rec};
use crate::data::Lite;
use std::borrow::Cow;

/// What a reference in a template finds.
pub(super) enum Found<'a> {
    /// Nothing: an empty cell, an absent JSON key, `null`.
    Missing,
    /// Text (a CSV cell, a piece of one).
    Text(Cow<'a, str>),
    /// A JSON value.
    Json(&'a serde_json::Value),
}

/// Where references are looked up: a row's columns, a JSON element's paths.
pub(super) trait Scope {
    /// The value of a reference, or why the name means nothing here.
    fn get(&self, name: &str) -> Result<Found<'_>, String>;
}

/// A template's parts.
enum Part<'t> {
    Literal(&'t str),
    Reference(&'t str),
}

fn parts(template: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            parts.push(Part::Literal(&rest[..open]));
        }
        parts.push(Part::Reference(rest[open + 1..open + close].trim()));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest));
    }
    parts
}

/// Fills a template: a lone reference gives its value as it is; otherwise the parts are
/// joined as text, and a missing reference makes the whole value missing.
pub(super) fn fill<'a>(template: &str, scope: &'a dyn Scope) -> Result<Found<'a>, String> {
    let parts = parts(template);
    if let [Part::Reference(name)] = parts.as_slice() {
        return scope.get(name);
    }
    let mut text = String::new();
    for part in parts {
        match part {
            Part::Literal(l) => text.push_str(l),
            Part::Reference(name) => match as_text(scope.get(name)?) {
                Some(t) => text.push_str(&t),
                None => return Ok(Found::Missing),
            },
        }
    }
    Ok(Found::Text(Cow::Owned(text)))
}

/// A found value as text; `None` when missing.
pub(super) fn as_text(found: Found) -> Option<String> {
    match found {
        Found::Missing | Found::Json(serde_json::Value::Null) => None,
        Found::Text(t) => Some(t.into_owned()),
        Found::Json(serde_json::Value::String(s)) => Some(s.clone()),
        Found::Json(other) => Some(other.to_string()),
    }
}

/// A JSON value as a record value.
fn lite_of_json(value: &serde_json::Value) -> Option<Lite<'static>> {
    use serde_json::Value as J;
    Some(match value {
        J::Null => return None,
        J::Bool(b) => Lite::Bool(*b),
        J::Number(n) => number(n.as_f64()?),
        J::String(s) => Lite::Str(Cow::Owned(s.clone())),
        J::Array(items) => Lite::Array(items.iter().filter_map(lite_of_json).collect()),
        object @ J::Object(_) => Lite::from_json(object).into_owned(),
    })
}

/// Converts a field's value; `Ok(None)` when it is missing.
fn convert(
    spec: &ValueSpec,
    default_time: bool,
    scope: &dyn Scope,
) -> Result<Option<Lite<'static>>, String> {
    let typed;
    let spec = match spec {
        ValueSpec::Template(template) if default_time => {
            typed = Typed {
                from: template.clone(),
                as_: As::Time,
                unit: None,
                fps: None,
                by: None,
                pattern: None,
                group: None,
                corners: false,
                percent_of: None,
            };
            &typed
        }
        ValueSpec::Template(template) => {
            return Ok(match fill(template, scope)? {
                Found::Missing => None,
                Found::Text(t) => Some(Lite::Str(Cow::Owned(t.into_owned()))),
                Found::Json(v) => lite_of_json(v),
            })
        }
        ValueSpec::Typed(typed) => typed,
    };
    let mut found = fill(&spec.from, scope)?;
    if let Some(pattern) = &spec.pattern {
        let text = as_text(found).unwrap_or_default();
        let captured = pattern
            .captures(&text)
            .and_then(|c| c.get(spec.group.unwrap_or(1)))
            .map(|m| m.as_str().to_string());
        found = captured.map_or(Found::Missing, |t| Found::Text(Cow::Owned(t)));
    }
    if let Found::Json(serde_json::Value::Array(items)) = &found {
        if matches!(spec.as_, As::List | As::Numbers | As::Box) {
            let items = items
                .iter()
                .map(|item| typed_item(spec, item))
                .collect::<Result<Vec<_>, _>>()?;
            return boxed(spec, Lite::Array(items), scope).map(Some);
        }
    }
    let json_number = match &found {
        Found::Json(serde_json::Value::Number(n)) => n.as_f64(),
        _ => None,
    };
    let Some(text) = as_text(found) else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value = match spec.as_ {
        As::Text => Lite::Str(Cow::Owned(text.to_string())),
        As::Number => number(json_number.map_or_else(|| parse_number(text), Ok)?),
        As::Time => number(time(text, json_number, spec)?),
        As::Bool => Lite::Bool(parse_bool(text)?),
        As::List | As::Numbers | As::Box => {
            let by = spec.by.as_deref().unwrap_or(",");
            let items = text.split(by).map(str::trim).filter(|p| !p.is_empty());
            let items: Result<Vec<_>, String> = items
                .map(|p| match spec.as_ {
                    As::Numbers | As::Box => parse_number(p).map(number),
                    _ => Ok(Lite::Str(Cow::Owned(p.to_string()))),
                })
                .collect();
            boxed(spec, Lite::Array(items?), scope)?
        }
    };
    Ok(Some(value))
}

/// A list of numbers as the box a typed value asks for: corners made width and height, and
/// percentages of a frame made pixels. Anything but a box passes through.
fn boxed(spec: &Typed, numbers: Lite<'static>, scope: &dyn Scope) -> Result<Lite<'static>, String> {
    if spec.as_ != As::Box {
        return Ok(numbers);
    }
    let Lite::Array(items) = &numbers else {
        return Ok(numbers);
    };
    let mut b: Vec<f64> = items.iter().filter_map(Lite::as_f64).collect();
    if !matches!(b.len(), 4 | 5) {
        return Err(format!(
            "a box is 4 numbers (or 5 with a rotation), found {}",
            b.len()
        ));
    }
    if spec.corners {
        b[2] -= b[0];
        b[3] -= b[1];
    }
    if let Some(size) = &spec.percent_of {
        let text = as_text(fill(size, scope)?).unwrap_or_default();
        if text.trim().is_empty() {
            return Err(format!(
                "the box is in percent of a frame, and `percent_of = \"{size}\"` gives no width and height here"
            ));
        }
        let frame: Vec<f64> = text
            .split(',')
            .map(|p| parse_number(p.trim()))
            .collect::<Result<_, _>>()?;
        let [w, h] = frame[..] else {
            return Err(format!(
                "`percent_of` gives `{text}`, not a width and a height"
            ));
        };
        for (i, scale) in [w, h, w, h].into_iter().enumerate() {
            b[i] *= scale / 100.0;
        }
    }
    Ok(Lite::Array(b.into_iter().map(number).collect()))
}

/// One element of a JSON array given to a list.
fn typed_item(spec: &Typed, item: &serde_json::Value) -> Result<Lite<'static>, String> {
    match (spec.as_, item) {
        (As::Numbers | As::Box, serde_json::Value::Number(n)) => n
            .as_f64()
            .map(number)
            .ok_or_else(|| format!("{n} is not a number")),
        (As::Numbers | As::Box, other) => {
            parse_number(&as_text(Found::Json(other)).unwrap_or_default()).map(number)
        }
        (_, other) => Ok(Lite::Str(Cow::Owned(
            as_text(Found::Json(other)).unwrap_or_default(),
        ))),
    }
}

fn parse_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(format!("`{text}` is not a number")),
    }
}

fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("`{text}` is not true or false")),
    }
}

/// A time in seconds from its text, as the spec's unit counts it.
fn time(text: &str, json_number: Option<f64>, spec: &Typed) -> Result<f64, String> {
    let unit = spec.unit.unwrap_or(TimeUnit::Seconds);
    let count = || json_number.map_or_else(|| parse_number(text), Ok);
    match unit {
        TimeUnit::Seconds => count(),
        TimeUnit::Milliseconds => Ok(count()? / 1000.0),
        TimeUnit::Frames => match spec.fps {
            Some(fps) if fps > 0.0 => Ok(count()? / fps),
            _ => Err("times in frames need `fps` in the mapping".into()),
        },
        TimeUnit::Clock => clock(text),
    }
}

/// `[h…:]mm:ss[.,]f`: hours of any number of digits, minutes and seconds two digits below
/// 60, and a decimal fraction of one to three digits (or none). `,28` is read as 0.28 s, as
/// a decimal; a rule can flag such times from the text itself when the format wants three
/// digits.
pub(super) fn clock(text: &str) -> Result<f64, String> {
    let bad = || {
        Err(format!(
            "`{text}` is not a clock time: expected h:mm:ss,mmm"
        ))
    };
    let (clock, fraction) = match text.rfind([',', '.']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return bad();
    }
    let fields: Vec<&str> = clock.split(':').collect();
    let (h, m, s) = match fields.as_slice() {
        [h, m, s] => (*h, *m, *s),
        [m, s] => ("0", *m, *s),
        _ => return bad(),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || !digits(s) || m.len() != 2 || s.len() != 2 {
        return bad();
    }
    let (Ok(h), Ok(m), Ok(s)) = (h.parse::<u64>(), m.parse::<u64>(), s.parse::<u64>()) else {
        return bad();
    };
    if m >= 60 || s >= 60 {
        return bad();
    }
    let millis = format!("{fraction:0<3}").parse::<u64>().unwrap_or(0);
    Ok(((h * 3600 + m * 60 + s) * 1000 + millis) as f64 / 1000.0)
}

/// Builds the records of one spec in one scope, writing them (or why one cannot be built)
/// at `at` (line, column).
pub(super) fn emit(
    spec: &RecordSpec,
    input: &InputSpec,
    scope: &dyn Scope,
    at: (usize, usize),
    out: &mut Out,
) {
    if let Err(message) = record(spec, scope, at, out) {
        out.malformed_at(
            input.format.input_format(),
            at,
            format!("{} record: {message}", spec.kind),
            None,
        );
    }
}

fn record(
    spec: &RecordSpec,
    scope: &dyn Scope,
    at: (usize, usize),
    out: &mut Out,
) -> Result<(), String> {
    let item = as_text(fill(&spec.item, scope)?).ok_or("its item is empty")?;
    let id = as_text(fill(&spec.id, scope)?).ok_or("its id is empty")?;
    let mut rec = Rec::new(&item, Cow::Owned(spec.kind.clone()), id.clone());
    let times = [("start", &spec.start), ("end", &spec.end)];
    for (name, value) in times {
        if let Some(value) = value {
            if let Some(v) =
                convert(value, true, scope).map_err(|e| format!("`{id}`, {name}: {e}"))?
            {
                rec = rec.lite(Cow::Borrowed(name), v);
            }
        }
    }
    for (name, value) in &spec.fields {
        if let Some(v) =
            convert(value, false, scope).map_err(|e| format!("`{id}`, field `{name}`: {e}"))?
        {
            rec = rec.lite(Cow::Owned(name.clone()), v);
        }
    }
    out.record_at(at, rec);
    Ok(())
}

/// The pieces a CSV `each = { split, by }` iterates over.
pub(super) fn split_pieces(each: &Each, scope: &dyn Scope) -> Result<Vec<String>, String> {
    let Each::Split { split, by } = each else {
        return Ok(Vec::new());
    };
    let text = as_text(fill(split, scope)?).unwrap_or_default();
    let by = by.as_deref().unwrap_or(";");
    Ok(text
        .split(by)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_read_their_fraction_as_a_decimal() {
        assert_eq!(clock("00:20:57,256"), Ok(1257.256));
        assert_eq!(clock("0:10:44,769"), Ok(644.769));
        assert_eq!(clock("00:00:03.795"), Ok(3.795));
        assert_eq!(clock("00:06:47,28"), Ok(407.28));
        assert_eq!(clock("01:00:00"), Ok(3600.0));
        assert!(clock("00:61:00,000").is_err());
        assert!(clock("00:1d:00,000").is_err());
        assert!(clock("00:01:00,1234").is_err());
    }
}
