//! What `/validate` checks and answers: a Label Studio task (with its annotations), an
//! annotation with its task (a webhook's payload), a list of tasks, or canonical records in;
//! findings out in the shape Label Studio users ask for (label-studio#8065), keyed by the id
//! of the result each finding points at.

use crate::data::formats::{self, InputFormat, ReadOptions};
use crate::run::{Input, RunOptions};
use crate::{Outcome, Pack};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// A body `/validate` cannot check, and why: answered with 422.
#[derive(Debug)]
pub struct UnknownShape(pub String);

/// What is checked.
#[derive(Debug)]
pub enum Checked {
    /// Label Studio tasks, as an export lists them.
    Tasks(Vec<Value>),
    /// Canonical records.
    Records(Vec<Value>),
}

impl Checked {
    /// Recognises what a body holds (`bytes`, parsed as `body`).
    pub fn of(body: Value, bytes: &[u8]) -> Result<Checked, UnknownShape> {
        match body {
            Value::Object(mut object) => {
                if object.contains_key("data") {
                    return Ok(Checked::Tasks(vec![Value::Object(object)]));
                }
                match (object.remove("annotation"), object.remove("task")) {
                    (Some(annotation), Some(task)) => {
                        Ok(Checked::Tasks(vec![with(task, annotation)?]))
                    }
                    (None, Some(task)) if object.contains_key("result") => {
                        Ok(Checked::Tasks(vec![with(task, Value::Object(object))?]))
                    }
                    _ => Err(unknown(
                        "an object without `data` (a task) or `task` (an annotation)",
                    )),
                }
            }
            // An export, as `check` tells one: the same reader reads it.
            Value::Array(values) if is_export(bytes) => Ok(Checked::Tasks(values)),
            Value::Array(values) if values.iter().all(is_record) => Ok(Checked::Records(values)),
            Value::Array(_) => Err(unknown(
                "an array that is neither tasks nor canonical records",
            )),
            other => Err(unknown(kind_of(&other))),
        }
    }
}

fn unknown(found: &str) -> UnknownShape {
    UnknownShape(format!(
        "expected a Label Studio task (an object with `data` and `annotations`), an annotation with its `task`, an array of tasks, or an array of canonical records (objects with `item`, `kind` and `id`); found {found}"
    ))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_export(bytes: &[u8]) -> bool {
    let prefix = &bytes[..bytes.len().min(64 * 1024)];
    InputFormat::of_content(std::path::Path::new(TASKS), prefix) == InputFormat::LabelStudio
}

fn is_record(value: &Value) -> bool {
    value.get("item").is_some() && value.get("kind").is_some()
}

/// A task with `annotation` in its annotations (replacing one of the same id).
fn with(task: Value, annotation: Value) -> Result<Value, UnknownShape> {
    let Value::Object(mut task) = task else {
        return Err(unknown("a `task` that is not an object"));
    };
    let id = annotation.get("id").cloned();
    let annotations = task.entry("annotations").or_insert_with(|| json!([]));
    if let Value::Array(list) = annotations {
        list.retain(|a| id.is_none() || a.get("id") != id.as_ref());
        list.push(annotation);
    }
    Ok(Value::Object(task))
}

/// One message about a result or the task.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Message {
    /// The rule, or the data error's code.
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The finding's message.
    pub message: String,
}

/// The answer: label-studio#8065's shape.
#[derive(Debug, Default, Serialize)]
pub struct Validation {
    /// Findings about no one result (about a task, an annotation, or between annotations
    /// with no result id), and data errors.
    #[serde(rename = "global-errors")]
    pub global: Vec<Message>,
    /// Findings by the id of each result they point at.
    #[serde(rename = "per-result-errors")]
    pub per_result: BTreeMap<String, Vec<Message>>,
}

/// Checks what a body holds; gives the run's outcome (for canonical findings and counts)
/// and the answer.
pub fn validate(pack: &Pack, checked: &Checked, options: &RunOptions) -> (Outcome, Validation) {
    match checked {
        Checked::Records(records) => {
            let outcome = pack.check_values_with(records.iter().cloned(), options);
            let validation = shape(pack, &outcome, &HashMap::new());
            (outcome, validation)
        }
        Checked::Tasks(tasks) => {
            let bytes = serde_json::to_vec(tasks).unwrap_or_default();
            let results = result_ids(&bytes);
            let options = RunOptions {
                input_format: Some(InputFormat::LabelStudio),
                ..options.clone()
            };
            let input = Input::Bytes {
                name: TASKS.into(),
                bytes: bytes.into(),
            };
            let outcome = pack.check(&[input], &options);
            let validation = shape(pack, &outcome, &results);
            (outcome, validation)
        }
    }
}

/// The name the tasks of a request are read under (items are `tasks.json task 12`).
pub const TASKS: &str = "tasks.json";

/// The result id of each record the Label Studio reader gives for these tasks.
fn result_ids(bytes: &[u8]) -> HashMap<String, String> {
    let read = ReadOptions::default();
    let (records, _) = formats::to_json_lines(InputFormat::LabelStudio, bytes, TASKS, &read);
    let mut ids = HashMap::new();
    for (_, line) in records {
        let Ok(Value::Object(record)) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let (Some(Value::String(id)), Some(Value::String(result))) =
            (record.get("id"), record.get("result_id"))
        {
            ids.insert(id.clone(), result.clone());
        }
    }
    ids
}

/// Puts each finding under the results its records are, or with the global errors.
fn shape(pack: &Pack, outcome: &Outcome, results: &HashMap<String, String>) -> Validation {
    let mut validation = Validation::default();
    for finding in &outcome.findings {
        let rule = pack.rule(finding);
        let message = Message {
            rule: rule.id.clone(),
            severity: rule.severity.as_str().to_string(),
            message: finding.message.clone(),
        };
        let mut ids: Vec<&String> = (finding.records.iter())
            .filter_map(|r| results.get(r.id.as_str()))
            .collect();
        ids.dedup();
        if ids.is_empty() {
            validation.global.push(message);
            continue;
        }
        for id in ids {
            let list = validation.per_result.entry(id.clone()).or_default();
            if !list.contains(&message) {
                list.push(message.clone());
            }
        }
    }
    for error in &outcome.data_errors {
        validation.global.push(Message {
            rule: error.code_str(),
            severity: "error".into(),
            message: error.to_string(),
        });
    }
    validation
}

/// The results of a task's annotations that findings point at, each copied with the
/// messages about it in `meta.text`: the regions of a prediction that shows them in the
/// labeling UI.
pub fn flagged_regions(task: &Value, validation: &Validation) -> Vec<Value> {
    let mut regions = Vec::new();
    let annotations = task.get("annotations").and_then(Value::as_array);
    for result in annotations
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("result")?.as_array())
    {
        for region in result {
            let Some(id) = region.get("id").and_then(Value::as_str) else {
                continue;
            };
            let Some(messages) = validation.per_result.get(id) else {
                continue;
            };
            if regions
                .iter()
                .any(|r: &Value| r.get("id").and_then(Value::as_str) == Some(id))
            {
                continue;
            }
            let mut copy: Map<String, Value> = region.as_object().cloned().unwrap_or_default();
            let text: Vec<String> = messages
                .iter()
                .map(|m| format!("{}: {}", m.rule, m.message))
                .collect();
            copy.insert("meta".into(), json!({ "text": text }));
            regions.push(Value::Object(copy));
        }
    }
    regions
}
