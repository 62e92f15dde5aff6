//! CSV and TSV files, read through a mapping: each row (or, in the `matrix` layout, each
//! non-empty cell) gives the records of the mapping's record specs.

#[cfg(test)]
use super::mapped::fill;
use super::mapped::{emit, split_pieces, Found, Scope};
use super::mapping::{Each, InputSpec, Layout, TableFormat};
use super::{InputFormat, LineIndex, Out};
use std::borrow::Cow;
use std::collections::HashMap;

pub(super) fn read(text: &str, spec: &InputSpec, out: &mut Out) {
    let delimiter = spec
        .delimiter
        .unwrap_or(if spec.format == TableFormat::Tsv {
            '\t'
        } else {
            ','
        });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(spec.header)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = if spec.header {
        match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
            Err(e) => {
                return out.malformed(
                    InputFormat::Csv,
                    1,
                    format!("the header row cannot be read: {e}"),
                    None,
                )
            }
        }
    } else {
        Vec::new()
    };
    let columns: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    if let Err(message) = check_references(spec, &columns) {
        let help = format!("the columns are: {}", headers.join(", "));
        return out.malformed(InputFormat::Csv, 1, message, spec.header.then_some(help));
    }
    let lines = LineIndex::new(text);
    // The csv crate counts a CRLF's line only after it, so lines come from byte offsets,
    // past the terminator a record's position may still point at.
    let line_of = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            let at = p.byte() as usize;
            let skip = text.as_bytes()[at.min(text.len())..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            lines.line(at + skip)
        })
    };
    for (row_index, row) in reader.records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = line_of(e.position());
                out.malformed(
                    InputFormat::Csv,
                    line,
                    format!("the row cannot be read: {e}"),
                    None,
                );
                continue;
            }
        };
        let line = line_of(row.position());
        let base = RowScope {
            columns: &columns,
            row: &row,
            bindings: vec![
                ("$file", out.item.to_string()),
                ("$row", (row_index + 1).to_string()),
                ("$line", line.to_string()),
            ],
        };
        match spec.layout {
            Layout::Rows => {
                for record in &spec.records {
                    each_piece(record, spec, &base, line, out);
                }
            }
            Layout::Matrix => {
                for (column, cell) in row.iter().enumerate() {
                    if cell.trim().is_empty() {
                        continue;
                    }
                    let mut scope = base.with(("$column", (column + 1).to_string()));
                    scope.bindings.push(("$cell", cell.trim().to_string()));
                    if let Some(h) = headers.get(column) {
                        scope.bindings.push(("$header", h.clone()));
                    }
                    for record in &spec.records {
                        each_piece(record, spec, &scope, line, out);
                    }
                }
            }
        }
    }
}

/// The records of one spec for one row or cell: one, or one per piece of an `each` split.
fn each_piece(
    record: &super::mapping::RecordSpec,
    spec: &InputSpec,
    scope: &RowScope,
    line: usize,
    out: &mut Out,
) {
    let Some(each) = &record.each else {
        return emit(record, spec, scope, (line, 0), out);
    };
    let pieces = match split_pieces(each, scope) {
        Ok(pieces) => pieces,
        Err(e) => {
            return out.malformed(
                InputFormat::Csv,
                line,
                format!("{} record: {e}", record.kind),
                None,
            )
        }
    };
    for (index, piece) in pieces.into_iter().enumerate() {
        let mut inner = scope.with(("$index", (index + 1).to_string()));
        for (n, part) in piece.split_whitespace().enumerate() {
            inner.bindings.push((
                PART_NAMES.get(n).copied().unwrap_or("$more"),
                part.to_string(),
            ));
        }
        inner.bindings.push(("$", piece));
        emit(record, spec, &inner, (line, 0), out);
    }
}

/// Names of the whitespace-separated parts of a piece.
const PART_NAMES: [&str; 9] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9"];

/// Every column a mapping names must be in the header: one message for the file, not one
/// per row.
fn check_references(spec: &InputSpec, columns: &HashMap<&str, usize>) -> Result<(), String> {
    if !spec.header {
        return Ok(());
    }
    let mut templates: Vec<&str> = Vec::new();
    for record in &spec.records {
        templates.extend([record.item.as_str(), record.id.as_str()]);
        if let Some(Each::Split { split, .. }) = &record.each {
            templates.push(split);
        }
        let values = record
            .start
            .iter()
            .chain(record.end.iter())
            .chain(record.fields.values());
        templates.extend(values.map(|v| match v {
            super::mapping::ValueSpec::Template(t) => t.as_str(),
            super::mapping::ValueSpec::Typed(t) => t.from.as_str(),
        }));
    }
    for template in templates {
        for name in references(template) {
            if !name.starts_with('$') && !columns.contains_key(name) {
                return Err(format!(
                    "the mapping names the column `{name}`, which the file does not have"
                ));
            }
        }
    }
    Ok(())
}

fn references(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(r, _)| r.trim()))
}

/// A row's cells by column name (or 1-based number without a header), and `$` bindings.
struct RowScope<'a> {
    columns: &'a HashMap<&'a str, usize>,
    row: &'a csv::StringRecord,
    bindings: Vec<(&'static str, String)>,
}

impl<'a> RowScope<'a> {
    fn with(&self, binding: (&'static str, String)) -> RowScope<'a> {
        let mut bindings = self.bindings.clone();
        bindings.push(binding);
        RowScope {
            columns: self.columns,
            row: self.row,
            bindings,
        }
    }
}

impl Scope for RowScope<'_> {
    fn get(&self, name: &str) -> Result<Found<'_>, String> {
        let text = if let Some((_, v)) = self.bindings.iter().rev().find(|(n, _)| *n == name) {
            Some(v.as_str())
        } else if let Some(&i) = self.columns.get(name) {
            self.row.get(i)
        } else if let Ok(n) = name.parse::<usize>() {
            self.row.get(n.wrapping_sub(1))
        } else if name.starts_with('$') {
            None
        } else {
            return Err(format!("no column `{name}`"));
        };
        Ok(match text.map(str::trim) {
            None | Some("") => Found::Missing,
            Some(t) => Found::Text(Cow::Borrowed(t)),
        })
    }
}

/// Fills a template in a row (for tests and callers outside this module).
#[cfg(test)]
fn fill_row(template: &str, headers: &[&str], cells: &[&str]) -> Option<String> {
    let columns: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let row = csv::StringRecord::from(cells.to_vec());
    let scope = RowScope {
        columns: &columns,
        row: &row,
        bindings: Vec::new(),
    };
    super::mapped::as_text(fill(template, &scope).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_from_columns_and_go_missing_with_an_empty_cell() {
        let headers = ["Season", "Episode", "Dialogue_ID"];
        assert_eq!(
            fill_row("s{Season}e{Episode}", &headers, &["4", "7", "0"]).as_deref(),
            Some("s4e7")
        );
        assert_eq!(fill_row("d{Dialogue_ID}", &headers, &["4", "7", " "]), None);
        assert_eq!(
            fill_row("{1}-{3}", &[], &["a", "b", "c"]).as_deref(),
            Some("a-c")
        );
    }
}
