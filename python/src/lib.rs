//! `concordant._concordant`: the Rust side of the Python package. It compiles rule packs and
//! runs checks with the interpreter lock released; results cross into Python as the JSON
//! Lines of `concordant check --format json`, so both give the same fields. The Python side
//! (`concordant/__init__.py`) turns records, DataFrames and Arrow tables into input and the
//! output into lists, DataFrames and Arrow tables.

use concordant::diag::{json, render_pack_error, Color};
use concordant::{DatasetParts, Input, Pack, PackError, RunOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;

create_exception!(
    _concordant,
    RuleError,
    PyException,
    "A rule pack that does not compile. The message is the rendered diagnostics; `code`, \
     `help`, `file`, `line`, `column` and `span` (byte offsets) describe the first error, and \
     `diagnostics` lists every one."
);

/// A compiled rule pack.
#[pyclass(module = "concordant._concordant", frozen)]
struct CompiledPack {
    pack: Pack,
}

#[pymethods]
impl CompiledPack {
    /// The rule ids, in the pack's order.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.pack
            .plan()
            .rules
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }

    /// Checks data files (JSON Lines, or any format `concordant check` reads, by extension);
    /// returns `(json_lines, metrics_json, parts)` — `parts` (bytes) only with `defer_dataset`.
    #[pyo3(signature = (paths, threads = 0, defer_dataset = false))]
    fn check_paths<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        threads: usize,
        defer_dataset: bool,
    ) -> Checked<'py> {
        let inputs: Vec<Input> = paths.into_iter().map(Input::Path).collect();
        let options = RunOptions {
            threads,
            item_metrics: true,
            defer_dataset,
            ..RunOptions::default()
        };
        let (lines, metrics, parts) = py.detach(|| {
            let outcome = self.pack.check(&inputs, &options);
            output(&self.pack, &outcome)
        });
        (lines, metrics, parts.map(|p| PyBytes::new(py, &p)))
    }

    /// Checks lines of JSON Lines, one record each (a record's "line" is its place, from 1;
    /// a line that is not a JSON record is a data error); returns
    /// `(json_lines, metrics_json, parts)`.
    #[pyo3(signature = (lines, defer_dataset = false))]
    fn check_records<'py>(
        &self,
        py: Python<'py>,
        lines: Vec<String>,
        defer_dataset: bool,
    ) -> Checked<'py> {
        let (lines, metrics, parts) = py.detach(|| {
            let options = RunOptions {
                defer_dataset,
                ..RunOptions::default()
            };
            let outcome = self.pack.check_json_lines(&lines, &options);
            output(&self.pack, &outcome)
        });
        (lines, metrics, parts.map(|p| PyBytes::new(py, &p)))
    }

    /// Finishes the data-set rules from the parts of every part of the data set (each from a
    /// check with `defer_dataset`); returns `(json_lines of their findings, metrics_json)`.
    fn finish_dataset(&self, py: Python<'_>, parts: Vec<Vec<u8>>) -> PyResult<(String, String)> {
        py.detach(|| {
            let parts = parts
                .iter()
                .map(|b| DatasetParts::from_bytes(b))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            let (findings, metrics) = self.pack.finish_dataset(parts);
            let lines: String = findings
                .iter()
                .map(|f| {
                    serde_json::to_string(&json::finding(&self.pack, &[], f)).unwrap_or_default()
                        + "\n"
                })
                .collect();
            let mut outcome = concordant::Outcome::default();
            outcome.metrics = metrics;
            Ok((lines, json::metrics(&outcome).to_string()))
        })
    }
}

/// A check's JSON Lines, metrics document and (when deferred) data-set parts.
type Checked<'py> = (String, String, Option<Bound<'py, PyBytes>>);

/// The run's JSON Lines, its metrics document, and its data-set parts when deferred.
fn output(pack: &Pack, outcome: &concordant::Outcome) -> (String, String, Option<Vec<u8>>) {
    (
        json::render(pack, outcome),
        json::metrics(outcome).to_string(),
        outcome.dataset_parts.as_ref().map(DatasetParts::to_bytes),
    )
}

/// Compiles the rule files and directories at `paths`.
#[pyfunction]
fn compile_paths(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<CompiledPack> {
    let compiled = py.detach(|| Pack::from_paths(&paths));
    compiled
        .map(|pack| CompiledPack { pack })
        .map_err(|e| rule_error(py, &e))
}

/// Compiles rule-file text (it cannot import: nothing is read from disk; `compile_paths`
/// compiles files with their imports).
#[pyfunction]
#[pyo3(signature = (text, name = "inline.cord"))]
fn compile_source(py: Python<'_>, text: &str, name: &str) -> PyResult<CompiledPack> {
    Pack::from_source(name, text)
        .map(|pack| CompiledPack { pack })
        .map_err(|e| rule_error(py, &e))
}

/// A `RuleError` carrying the rendered diagnostics and the first error's details.
fn rule_error(py: Python<'_>, error: &PackError) -> PyErr {
    let message = render_pack_error(error, Color::Never);
    let err = RuleError::new_err(message.trim_end().to_string());
    if let Err(e) = describe(py, &err, error) {
        return e;
    }
    err
}

fn describe(py: Python<'_>, err: &PyErr, error: &PackError) -> PyResult<()> {
    let value = err.value(py);
    let mut all = Vec::new();
    for d in &error.diagnostics {
        let file = error.sources.get(d.span().file);
        let (line, column) = file.line_col(d.span().range.start);
        let entry = PyDict::new(py);
        entry.set_item("code", miette::Diagnostic::code(d).map(|c| c.to_string()))?;
        entry.set_item("message", d.to_string())?;
        entry.set_item("help", miette::Diagnostic::help(d).map(|h| h.to_string()))?;
        entry.set_item("file", file.display_name())?;
        entry.set_item("line", line)?;
        entry.set_item("column", column)?;
        entry.set_item("span", (d.span().range.start, d.span().range.end))?;
        entry.set_item("error", d.is_error())?;
        all.push(entry);
    }
    for (path, reason) in &error.unreadable {
        let entry = PyDict::new(py);
        entry.set_item("code", "cord::unreadable")?;
        entry.set_item(
            "message",
            format!("cannot read `{}`: {reason}", path.display()),
        )?;
        entry.set_item("file", path.display().to_string())?;
        entry.set_item("error", true)?;
        all.push(entry);
    }
    let first = all
        .iter()
        .find(|d| {
            d.get_item("error")
                .ok()
                .flatten()
                .is_some_and(|e| e.is_truthy().unwrap_or(false))
        })
        .or(all.first());
    for key in ["code", "help", "file", "line", "column", "span"] {
        let item = first.and_then(|d| d.get_item(key).ok().flatten());
        value.setattr(key, item)?;
    }
    value.setattr("diagnostics", all)?;
    Ok(())
}

/// The module.
#[pymodule]
fn _concordant(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CompiledPack>()?;
    m.add_function(wrap_pyfunction!(compile_paths, m)?)?;
    m.add_function(wrap_pyfunction!(compile_source, m)?)?;
    m.add("RuleError", m.py().get_type::<RuleError>())?;
    Ok(())
}
