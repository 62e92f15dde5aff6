//! JSON data sets read through a mapping: one JSON document (`{video: {…}, …}` or `[{…}, …]`)
//! or JSON Lines of objects that are not canonical records. The mapping's `each` paths walk
//! into the document; every element reached gives the records of the spec.

use super::mapped::{emit, Found, Scope};
use super::mapping::{Each, InputSpec, RecordSpec, TableFormat};
use super::{InputFormat, LineIndex, Out};
use serde_json::Value;

pub(super) fn read(text: &str, spec: &InputSpec, out: &mut Out) {
    if spec.format == TableFormat::Jsonl {
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(root) => walk_root(&root, spec, (index + 1, 0), None, out),
                Err(e) => out.malformed(
                    InputFormat::MappedJson,
                    index + 1,
                    format!("not valid JSON: {e}"),
                    None,
                ),
            }
        }
        return;
    }
    let root: Value = match serde_json::from_str(text) {
        Ok(root) => root,
        Err(e) => {
            return out.malformed(
                InputFormat::MappedJson,
                e.line(),
                format!("not valid JSON: {e}"),
                None,
            )
        }
    };
    let lines = LineIndex::new(text);
    let offsets = entry_offsets(text);
    let places: Vec<(usize, usize)> = offsets
        .iter()
        .map(|&o| (lines.line(o), o + 1 - lines.start_of(lines.line(o))))
        .collect();
    walk_root(&root, spec, (1, 0), Some(&places), out);
}

/// Runs every record spec over one document or line. `places` are the lines and columns of
/// the root's entries, in order, for records reached through them.
fn walk_root(
    root: &Value,
    spec: &InputSpec,
    at: (usize, usize),
    places: Option<&[(usize, usize)]>,
    out: &mut Out,
) {
    for record in &spec.records {
        let paths: &[String] = match &record.each {
            Some(Each::Paths(paths)) => paths,
            _ => &[],
        };
        let mut levels = Vec::with_capacity(paths.len());
        walk(root, record, spec, paths, &mut levels, at, places, out);
    }
}

/// One level of the walk: the element reached, its key and its position.
struct Level<'v> {
    element: &'v Value,
    key: Option<&'v str>,
    index: usize,
}

#[allow(clippy::too_many_arguments)]
fn walk<'v>(
    root: &'v Value,
    record: &RecordSpec,
    spec: &InputSpec,
    paths: &[String],
    levels: &mut Vec<Level<'v>>,
    at: (usize, usize),
    places: Option<&[(usize, usize)]>,
    out: &mut Out,
) {
    let depth = levels.len();
    if depth == paths.len() {
        let scope = JsonScope {
            root,
            levels,
            file: out.item,
        };
        return emit(record, spec, &scope, at, out);
    }
    let from = levels.last().map_or(root, |l| l.element);
    let Ok(container) = navigate(root, levels, from, &paths[depth]) else {
        out.malformed(
            InputFormat::MappedJson,
            at.0,
            format!(
                "{} record: each path `{}` is not a path",
                record.kind, paths[depth]
            ),
            None,
        );
        return;
    };
    let entries: Vec<(Option<&str>, &Value)> = match container {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
        Some(Value::Array(items)) => items.iter().map(|v| (None, v)).collect(),
        _ => Vec::new(),
    };
    for (index, (key, element)) in entries.into_iter().enumerate() {
        // The root's entries have places of their own; deeper ones keep their entry's.
        let here = match (depth, places, paths[0].as_str()) {
            (0, Some(places), "*") => places.get(index).copied().unwrap_or(at),
            _ => at,
        };
        levels.push(Level {
            element,
            key,
            index,
        });
        walk(root, record, spec, paths, levels, here, places, out);
        levels.pop();
    }
}

/// The value a path leads to from `from`: `*` is `from` itself; `@N` starts at level N's
/// element (`@` alone at the root); then `.name`, `[n]` and `[#N]` (level N's index) steps.
/// `Ok(None)` when the path leads nowhere in this element.
fn navigate<'v>(
    root: &'v Value,
    levels: &[Level<'v>],
    from: &'v Value,
    path: &str,
) -> Result<Option<&'v Value>, ()> {
    let path = path.trim();
    if path == "*" {
        return Ok(Some(from));
    }
    let (mut current, rest) = match path.strip_prefix('@') {
        Some(rest) => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let start = match &rest[..digits] {
                "" => root,
                n => {
                    levels
                        .get(n.parse::<usize>().map_err(|_| ())?.wrapping_sub(1))
                        .ok_or(())?
                        .element
                }
            };
            (start, &rest[digits..])
        }
        None => (from, path),
    };
    let mut rest = rest;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (inside, after) = after.split_once(']').ok_or(())?;
            let index = match inside.strip_prefix('#') {
                Some(level) => {
                    levels
                        .get(level.parse::<usize>().map_err(|_| ())?.wrapping_sub(1))
                        .ok_or(())?
                        .index
                }
                None => inside.trim().parse::<usize>().map_err(|_| ())?,
            };
            let Some(next) = current.get(index) else {
                return Ok(None);
            };
            current = next;
            rest = after;
        } else {
            let after = rest.strip_prefix('.').unwrap_or(rest);
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() {
                return Err(());
            }
            let Some(next) = current.get(name) else {
                return Ok(None);
            };
            current = next;
            rest = &after[end..];
        }
    }
    Ok(Some(current))
}

/// References in a JSON mapping: `%N` (level N's key), `#N` (its index, from 0), or a path
/// (from the deepest level's element unless it starts with `@`).
struct JsonScope<'a, 'v> {
    root: &'v Value,
    levels: &'a [Level<'v>],
    /// The file's name, `{$file}`.
    file: &'a str,
}

impl Scope for JsonScope<'_, '_> {
    fn get(&self, name: &str) -> Result<Found<'_>, String> {
        let level = |digits: &str| -> Result<&Level, String> {
            digits
                .parse::<usize>()
                .ok()
                .and_then(|n| self.levels.get(n.wrapping_sub(1)))
                .ok_or_else(|| {
                    format!(
                        "`{name}`: there is no level {digits} (each has {})",
                        self.levels.len()
                    )
                })
        };
        if name == "$file" {
            return Ok(Found::Text(self.file.into()));
        }
        if let Some(digits) = name.strip_prefix('%') {
            return Ok(match level(digits)?.key {
                Some(key) => Found::Text(key.into()),
                None => Found::Missing,
            });
        }
        if let Some(digits) = name.strip_prefix('#') {
            return Ok(Found::Text(level(digits)?.index.to_string().into()));
        }
        let from = self.levels.last().map_or(self.root, |l| l.element);
        match navigate(self.root, self.levels, from, name) {
            Ok(Some(value)) => Ok(Found::Json(value)),
            Ok(None) => Ok(Found::Missing),
            Err(()) => Err(format!("`{name}` is not a path")),
        }
    }
}

/// The byte offsets where the entries of the document's outermost object or array begin (a
/// key's opening quote, or an element's first byte), found by a shallow scan, so that records
/// of a one-line document point at their entry.
pub(super) fn entry_offsets(text: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut expecting) = (0usize, false, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        let starts_entry =
            depth == 1 && expecting && !b.is_ascii_whitespace() && b != b']' && b != b'}';
        if starts_entry {
            offsets.push(i);
            expecting = false;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                expecting = depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_of_a_one_line_document_are_found() {
        let text = r#"{"a": {"x": [1, "}"]}, "b\"": 2}"#;
        let offsets = entry_offsets(text);
        assert_eq!(offsets, vec![1, 23]);
        assert_eq!(&text[23..26], "\"b\\");
        assert_eq!(entry_offsets("[ {\"k\": 1},\n 2 ]"), vec![2, 13]);
    }

    #[test]
    fn paths_walk_keys_indexes_and_level_indexes() {
        let root: Value =
            serde_json::from_str(r#"{"v": {"t": [[0, 1], [2, 3]], "s": ["a", "b"]}}"#)
                .unwrap_or_default();
        let video = &root["v"];
        let levels = vec![
            Level {
                element: video,
                key: Some("v"),
                index: 0,
            },
            Level {
                element: &video["t"][1],
                key: None,
                index: 1,
            },
        ];
        let found = navigate(&root, &levels, levels[1].element, "@1.s[#2]");
        assert_eq!(found, Ok(Some(&Value::from("b"))));
        assert_eq!(
            navigate(&root, &levels, levels[1].element, "[0]"),
            Ok(Some(&Value::from(2)))
        );
        assert_eq!(
            navigate(&root, &levels, levels[1].element, "missing"),
            Ok(None)
        );
    }
}
