//! Label Studio JSON exports: one item per task (`FILE task ID`).
//!
//! Reads the full export (an array of tasks), a single task, a bundle
//! `{annotation, task, …}`, a list of predictions, and the older `completions` format. Gives:
//!
//! - a `task` record (id `task`: `task_id`, and `data_KEY` for each text or number of the
//!   task's data);
//! - an `annotation` record per annotation, prediction or completion (id
//!   `annotation-N`, `prediction-N`, `completion-N`: `source`, and when given `annotator`,
//!   `cancelled`, `ground_truth`, `lead_time`, `model_version`, `score`, `reviews`,
//!   `rejected_reviews`, `parent_prediction`);
//! - a `region` record per result (id `ANNOTATION/N`: `annotation`, `source`, `type`,
//!   `from_name`, `to_name`, `labels`, and when given `annotator`, `result_id`, `origin`,
//!   `text`, `x`, `y`, `width`, `height`, `rotation` (percentages); when the result gives
//!   the image's size, `image_width`, `image_height` and the shape in pixels: a rectangle's
//!   `box`, a polygon's `polygon`, a keypoint's `point`; `span_start`,
//!   `span_end`, `score`);
//! - a `segment` record per time range of a result (audio or video `labels` with `start` and
//!   `end` in seconds; each range of `timelinelabels`, in frames, divided by `--fps`), with
//!   `region`, `labels`, `source`;
//! - a `keyframe` record per element of a video track's `sequence` (`region`, `index` (from
//!   1), `frame`, `time`, `start` = `end` = its time, `x`, `y`, `width`, `height`,
//!   `rotation`, `enabled`, and the track's `frames_count` and `duration`);
//! - a `track` record per frame of a video track (id `REGION:FRAME`: its keyframes and the
//!   frames interpolated between them, `auto`; see `lstrack.rs`);
//! - a `data` record per object of a list in the task's data (a dialogue's turns: id
//!   `KEY[N]`, `key`, `index`, and each text or number of the object).
//!
//! Every record of a task points at the task's place in the file.

use super::jsondoc::entry_offsets;
use super::{number, InputFormat, LineIndex, Out, Rec};
use crate::data::Lite;
use serde_json::Value;
use std::borrow::Cow;

pub(super) fn read(text: &str, out: &mut Out) {
    let root: Value = match serde_json::from_str(text) {
        Ok(root) => root,
        Err(e) => {
            let message = format!("not valid JSON: {e}");
            return out.malformed(InputFormat::LabelStudio, e.line(), message, None);
        }
    };
    let lines = LineIndex::new(text);
    let place = |offset: usize| {
        let line = lines.line(offset);
        (line, offset + 1 - lines.start_of(line))
    };
    let tasks = tasks(&root);
    if tasks.is_empty() {
        let message = "no Label Studio task, annotation or prediction found".to_string();
        let help = "a Label Studio export is a list of tasks with `annotations` or `predictions`"
            .to_string();
        return out.malformed(InputFormat::LabelStudio, 1, message, Some(help));
    }
    let offsets = if root.is_array() {
        entry_offsets(text)
    } else {
        Vec::new()
    };
    for (index, task) in tasks.iter().enumerate() {
        let at = offsets.get(index).map_or((1, 0), |&o| place(o));
        Task {
            task,
            out_item: format!(
                "{} task {}",
                out.item,
                task.id.clone().unwrap_or_else(|| index.to_string())
            ),
            at,
            frames_left: std::cell::Cell::new(MAX_TRACK_FRAMES),
        }
        .emit(out);
    }
}

/// Whether `first`, the first element of an export that is an array, is a task: then the
/// export can be read task by task ([`read_task`]). An array of predictions is one task as a
/// whole, and is read whole.
pub(super) fn is_task(first: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(first) else {
        return false;
    };
    let prediction = value.get("result").is_some() && value.get("data").is_none();
    !prediction && task(&value).is_some()
}

/// Reads one task of an export read task by task: `index` is its place among the tasks,
/// `at` where it starts. An element that is no task is passed over, as when the file is read
/// whole; one that is not JSON is reported there.
pub(super) fn read_task(bytes: &[u8], index: &mut usize, at: (usize, usize), out: &mut Out) {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            let message = format!("a task that is not valid JSON: {e}");
            return out.malformed_at(InputFormat::LabelStudio, at, message, None);
        }
    };
    let Some(task) = task(&value) else {
        return;
    };
    let number = task.id.clone().unwrap_or_else(|| index.to_string());
    *index += 1;
    Task {
        task: &task,
        out_item: format!("{} task {number}", out.item),
        at,
        frames_left: std::cell::Cell::new(MAX_TRACK_FRAMES),
    }
    .emit(out);
}

/// Where annotations come from.
#[derive(Clone, Copy)]
enum Source {
    Annotation,
    Prediction,
    Completion,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Annotation => "annotation",
            Source::Prediction => "prediction",
            Source::Completion => "completion",
        }
    }
}

/// A task as the export holds it, whatever its shape.
struct TaskView<'v> {
    id: Option<String>,
    data: Option<&'v Value>,
    annotations: Vec<(Source, &'v Value)>,
}

fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The tasks of a document: an array of tasks or of predictions, one task, or a bundle.
fn tasks(root: &Value) -> Vec<TaskView<'_>> {
    match root {
        Value::Array(items)
            if items
                .iter()
                .all(|i| i.get("result").is_some() && i.get("data").is_none()) =>
        {
            vec![TaskView {
                id: None,
                data: None,
                annotations: items.iter().map(|p| (Source::Prediction, p)).collect(),
            }]
        }
        Value::Array(items) => items.iter().filter_map(task).collect(),
        Value::Object(map) if map.contains_key("annotation") => {
            let annotation = map.get("annotation");
            let task_id = map
                .get("task")
                .and_then(|t| id_text(t.get("id")).or_else(|| id_text(Some(t))));
            let task_id = task_id.or_else(|| annotation.and_then(|a| id_text(a.get("task"))));
            vec![TaskView {
                id: task_id,
                data: map.get("task").and_then(|t| t.get("data")),
                annotations: annotation
                    .map(|a| (Source::Annotation, a))
                    .into_iter()
                    .collect(),
            }]
        }
        single => task(single).into_iter().collect(),
    }
}

fn task(value: &Value) -> Option<TaskView<'_>> {
    let map = value.as_object()?;
    let list = |key: &str, source: Source| {
        map.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(move |a| (source, a))
    };
    let annotations: Vec<(Source, &Value)> = list("annotations", Source::Annotation)
        .chain(list("completions", Source::Completion))
        .chain(list("predictions", Source::Prediction))
        .collect();
    let known = ["annotations", "completions", "predictions"];
    if annotations.is_empty() && !known.iter().any(|k| map.contains_key(*k)) {
        return None;
    }
    Some(TaskView {
        id: id_text(map.get("id")),
        data: map.get("data"),
        annotations,
    })
}

struct Task<'t, 'v> {
    task: &'t TaskView<'v>,
    out_item: String,
    at: (usize, usize),
    /// How many more interpolated track frames the task may give ([`MAX_TRACK_FRAMES`]).
    frames_left: std::cell::Cell<usize>,
}

impl Task<'_, '_> {
    fn rec(&self, kind: &'static str, id: String) -> Rec {
        Rec::new(&self.out_item, kind, id)
    }

    fn emit(&self, out: &mut Out) {
        let mut record = self.rec("task", "task".into());
        if let Some(id) = &self.task.id {
            record = record.text("task_id", id.clone());
        }
        let data = self.task.data.and_then(Value::as_object);
        for (key, value) in data.into_iter().flatten() {
            if let Some(v) = scalar(value) {
                record = record.lite(Cow::Owned(format!("data_{key}")), v);
            }
        }
        out.record_at(self.at, record);
        for (key, value) in data.into_iter().flatten() {
            self.data_items(key, value, out);
        }
        let mut counts = [0usize; 3];
        for (source, annotation) in &self.task.annotations {
            let n = &mut counts[*source as usize];
            *n += 1;
            let id = match id_text(annotation.get("id")) {
                Some(id) => format!("{}-{id}", source.name()),
                None => format!("{}-{n}", source.name()),
            };
            self.annotation(*source, annotation, &id, out);
        }
    }

    /// A list of objects in the task's data (a dialogue's turns) as records.
    fn data_items(&self, key: &str, value: &Value, out: &mut Out) {
        let Some(items) = value.as_array() else {
            return;
        };
        for (index, item) in items.iter().enumerate() {
            let Some(map) = item.as_object() else {
                continue;
            };
            let mut record = self
                .rec("data", format!("{key}[{index}]"))
                .text("key", key)
                .int("index", index);
            for (field, value) in map {
                if let Some(v) = scalar(value) {
                    record = record.lite(Cow::Owned(field.clone()), v);
                }
            }
            out.record_at(self.at, record);
        }
    }

    fn annotation(&self, source: Source, annotation: &Value, id: &str, out: &mut Out) {
        let annotator = annotator(annotation);
        let reviews = annotation.get("reviews").and_then(Value::as_array);
        let rejected = reviews.map(|r| {
            r.iter()
                .filter(|r| r.get("accepted") == Some(&Value::Bool(false)))
                .count()
        });
        let mut record = self
            .rec("annotation", id.to_string())
            .text("source", source.name())
            .text_opt("annotator", annotator.clone())
            .text_opt("model_version", id_text(annotation.get("model_version")))
            .text_opt(
                "parent_prediction",
                id_text(annotation.get("parent_prediction")).map(|p| format!("prediction-{p}")),
            );
        for (key, field) in [
            ("was_cancelled", "cancelled"),
            ("ground_truth", "ground_truth"),
        ] {
            if let Some(b) = annotation.get(key).and_then(Value::as_bool) {
                record = record.bool(field, b);
            }
        }
        for (key, field) in [("lead_time", "lead_time"), ("score", "score")] {
            if let Some(n) = annotation.get(key).and_then(Value::as_f64) {
                record = record.num(field, n);
            }
        }
        if let (Some(reviews), Some(rejected)) = (reviews, rejected) {
            record = record
                .int("reviews", reviews.len())
                .int("rejected_reviews", rejected);
        }
        out.record_at(self.at, record);
        let results = flatten(annotation.get("result"));
        for (n, result) in results.into_iter().enumerate() {
            self.region(source, id, annotator.as_deref(), result, n, out);
        }
    }

    fn region(
        &self,
        source: Source,
        annotation: &str,
        annotator: Option<&str>,
        result: &Value,
        n: usize,
        out: &mut Out,
    ) {
        let region_id = format!("{annotation}/{n}");
        let kind = result
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = result.get("value").unwrap_or(&Value::Null);
        let labels = labels(kind, value);
        let mut record = self
            .rec("region", region_id.clone())
            .text("annotation", annotation)
            .text("source", source.name())
            .text_opt("annotator", annotator.map(str::to_string))
            .text_opt("result_id", id_text(result.get("id")))
            .text("type", kind)
            .text(
                "from_name",
                result
                    .get("from_name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .text(
                "to_name",
                result
                    .get("to_name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .text_opt("origin", id_text(result.get("origin")))
            .texts("labels", &labels);
        if let Some(text) = value.get("text") {
            let joined = match text {
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => id_text(Some(other)).unwrap_or_default(),
            };
            record = record.text("text", joined);
        }
        record = with_box(record, value);
        record = with_pixel_box(record, result, value);
        if let Some(score) = result.get("score").and_then(Value::as_f64) {
            record = record.num("score", score);
        }
        let timed =
            matches!(kind, "labels" | "audio") && value.get("start").is_some_and(Value::is_number);
        if !timed {
            for (key, field) in [("start", "span_start"), ("end", "span_end")] {
                if let Some(v) = id_text(value.get(key)) {
                    record = record.text(field, v);
                }
            }
        }
        out.record_at(self.at, record);
        if timed {
            let (start, end) = (
                value.get("start").and_then(Value::as_f64),
                value.get("end").and_then(Value::as_f64),
            );
            if let (Some(start), Some(end)) = (start, end) {
                self.segment(&region_id, source, &labels, (start, end), None, 0, out);
            }
        }
        if kind == "timelinelabels" {
            let fps = out.fps.unwrap_or(1.0);
            let ranges = value
                .get("ranges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for (i, range) in ranges.enumerate() {
                let (start, end) = (
                    range.get("start").and_then(Value::as_f64),
                    range.get("end").and_then(Value::as_f64),
                );
                if let (Some(start), Some(end)) = (start, end) {
                    self.segment(
                        &region_id,
                        source,
                        &labels,
                        (start / fps, end / fps),
                        Some((start, end)),
                        i,
                        out,
                    );
                }
            }
        }
        if let Some(sequence) = value.get("sequence").and_then(Value::as_array) {
            for (index, frame) in sequence.iter().enumerate() {
                self.keyframe(&region_id, value, (index + 1, frame), out);
            }
            self.track_frames(&region_id, value, out);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn segment(
        &self,
        region: &str,
        source: Source,
        labels: &[String],
        (start, end): (f64, f64),
        frames: Option<(f64, f64)>,
        n: usize,
        out: &mut Out,
    ) {
        let mut record = self
            .rec("segment", format!("{region}#{n}"))
            .num("start", start)
            .num("end", end)
            .text("region", region)
            .text("source", source.name())
            .texts("labels", labels);
        if let Some((first, last)) = frames {
            record = record.num("first_frame", first).num("last_frame", last);
        }
        out.record_at(self.at, record);
    }

    /// A `track` record per frame of a video track: its keyframes and the frames Label
    /// Studio interpolates between them (`auto`), so that a rule can ask where a box is at
    /// any frame or time.
    fn track_frames(&self, region: &str, value: &Value, out: &mut Out) {
        let (frames, cut) = super::lstrack::frames(value, self.frames_left.get());
        self.frames_left
            .set(self.frames_left.get().saturating_sub(frames.len()));
        if cut {
            let message = format!(
                "the video tracks of this task cover more than {MAX_TRACK_FRAMES} frames; frames of track {region} past that are not given (its keyframes are)"
            );
            out.malformed_at(InputFormat::LabelStudio, self.at, message, None);
        }
        for f in frames {
            let record = self
                .rec("track", format!("{region}:{}", f.frame))
                .num("start", f.time)
                .num("end", f.time)
                .text("region", region)
                .num("frame", f.frame)
                .num("time", f.time)
                .num("x", f.x)
                .num("y", f.y)
                .num("width", f.width)
                .num("height", f.height)
                .num("rotation", f.rotation)
                .bool("auto", f.auto);
            out.record_at(self.at, record);
        }
    }

    fn keyframe(
        &self,
        region: &str,
        value: &Value,
        (position, frame): (usize, &Value),
        out: &mut Out,
    ) {
        let number_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64);
        let (Some(index), Some(time)) = (number_of(frame, "frame"), number_of(frame, "time"))
        else {
            let message = format!("a keyframe of region {region} has no `frame` or `time`");
            return out.malformed_at(InputFormat::LabelStudio, self.at, message, None);
        };
        let mut record = self
            .rec("keyframe", format!("{region}@{index}"))
            .num("start", time)
            .num("end", time)
            .text("region", region)
            .int("index", position)
            .num("frame", index)
            .num("time", time);
        record = with_box(record, frame);
        if let Some(enabled) = frame.get("enabled").and_then(Value::as_bool) {
            record = record.bool("enabled", enabled);
        }
        if let Some(n) = number_of(value, "framesCount") {
            record = record.num("frames_count", n);
        }
        if let Some(d) = number_of(value, "duration") {
            record = record.num("duration", d);
        }
        out.record_at(self.at, record);
    }
}

/// The most track frames one task gives (an hour at 60 frames per second): a `framesCount`
/// of a billion, or thousands of tracks, would otherwise make one task billions of records.
const MAX_TRACK_FRAMES: usize = 216_000;

/// A record with the box of a result or keyframe: `x`, `y`, `width`, `height` and
/// `rotation`, those given.
fn with_box(mut record: Rec, value: &Value) -> Rec {
    for key in ["x", "y", "width", "height", "rotation"] {
        if let Some(v) = value.get(key).and_then(Value::as_f64) {
            record = record.num(key, v);
        }
    }
    record
}

/// A record with the result's shape in pixels and the image's size (`image_width`,
/// `image_height`), when the result gives `original_width` and `original_height`: Label
/// Studio stores percentages of the image, which IoU and sizes must not be computed on when
/// width and height differ. A polygon gives `polygon` (its points), a keypoint `point`, a
/// rectangle `box` (`[x, y, width, height]`, and the rotation when not 0).
fn with_pixel_box(mut record: Rec, result: &Value, value: &Value) -> Rec {
    let size = |key| result.get(key).and_then(Value::as_f64).filter(|s| *s > 0.0);
    let (Some(w), Some(h)) = (size("original_width"), size("original_height")) else {
        return record;
    };
    record = record.num("image_width", w).num("image_height", h);
    let part = |key| value.get(key).and_then(Value::as_f64);
    let numbers =
        |xs: Vec<f64>| crate::data::Lite::Array(xs.into_iter().map(super::number).collect());
    if let Some(Value::Array(points)) = value.get("points") {
        let pixels: Option<Vec<f64>> = (points.iter())
            .map(|p| {
                Some([
                    p.get(0)?.as_f64()? * w / 100.0,
                    p.get(1)?.as_f64()? * h / 100.0,
                ])
            })
            .collect::<Option<Vec<[f64; 2]>>>()
            .map(|ps| ps.concat());
        // Points that are not pairs of numbers stay as written, for the schema to report.
        let written =
            || crate::data::Lite::Str(std::borrow::Cow::Owned(value["points"].to_string()));
        return match pixels {
            Some(pixels) => record.lite("polygon".into(), numbers(pixels)),
            None => record.lite("polygon".into(), written()),
        };
    }
    let kind = result
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind.starts_with("keypoint") {
        return match (part("x"), part("y")) {
            (Some(x), Some(y)) => {
                record.lite("point".into(), numbers(vec![x * w / 100.0, y * h / 100.0]))
            }
            _ => record,
        };
    }
    let (Some(x), Some(y), Some(bw), Some(bh)) =
        (part("x"), part("y"), part("width"), part("height"))
    else {
        return record;
    };
    let mut numbers = vec![x * w / 100.0, y * h / 100.0, bw * w / 100.0, bh * h / 100.0];
    if let Some(rotation) = part("rotation").filter(|r| *r != 0.0) {
        numbers.push(rotation);
    }
    let numbers = numbers.into_iter().map(super::number).collect();
    record.lite("box".into(), crate::data::Lite::Array(numbers))
}

/// Who made an annotation: `completed_by`'s e-mail (or id), or an aggregated completion's
/// annotators.
fn annotator(annotation: &Value) -> Option<String> {
    match annotation.get("completed_by") {
        Some(Value::Object(user)) => id_text(user.get("email"))
            .filter(|e| !e.is_empty())
            .or_else(|| id_text(user.get("id"))),
        Some(other) => id_text(Some(other)),
        None => annotation
            .get("aggregated_completed_by")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(|i| id_text(Some(i)))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
    }
}

/// The results of an annotation, flattening the older format's list of lists.
fn flatten(result: Option<&Value>) -> Vec<&Value> {
    let mut out = Vec::new();
    for item in result.and_then(Value::as_array).into_iter().flatten() {
        match item {
            Value::Array(inner) => out.extend(inner.iter()),
            other => out.push(other),
        }
    }
    out
}

/// The labels a result gives: its type's list (`choices`, `labels`, `rectanglelabels`, …),
/// and taxonomy paths joined with `/`.
fn labels(kind: &str, value: &Value) -> Vec<String> {
    let listed = value
        .get(kind)
        .or_else(|| value.get("labels"))
        .or_else(|| value.get("choices"));
    match listed {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::Array(path) => Some(
                    path.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("/"),
                ),
                other => id_text(Some(other)),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A text, number or boolean of the task's data as a record value.
fn scalar(value: &Value) -> Option<Lite<'static>> {
    match value {
        Value::String(s) => Some(Lite::Str(Cow::Owned(s.clone()))),
        Value::Number(n) => n.as_f64().map(number),
        Value::Bool(b) => Some(Lite::Bool(*b)),
        _ => None,
    }
}

/// Whether a JSON document looks like a Label Studio export rather than canonical records:
/// its first object has Label Studio's keys and no `kind`.
pub(super) fn looks_like_export(prefix: &str) -> bool {
    let markers = [
        "\"annotations\"",
        "\"completions\"",
        "\"predictions\"",
        "\"model_version\"",
        "\"annotation\"",
    ];
    markers.iter().any(|m| prefix.contains(m)) && !prefix.contains("\"kind\"")
}
