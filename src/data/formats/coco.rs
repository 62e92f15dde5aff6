//! COCO JSON (object detection and instance segmentation): one item per image (`FILE image
//! ID`).
//!
//! Gives an `image` record per image (id `image`: `image_id`, `file_name`, `width`,
//! `height`, and `frame`, the box `[0, 0, width, height]`) and an `object` record per
//! annotation (id: the annotation's id; `image_id`, `category_id`, and when given `category`
//! and `supercategory` (the category's names), `box` (the `bbox`, in pixels), `polygon` (the
//! first polygon of the `segmentation`), `parts` (how many polygons it has), `rle` (whether
//! it is a run-length mask instead), `area`, `iscrowd`, `score`, and `annotator` when an
//! annotation says who drew it (an `annotator` or `user_id` key, as multi-annotator exports
//! add)). An annotation that names an
//! image the file does not list is an item of its own without an `image` record, one that
//! names an unlisted category has no `category`: both reach the rules as they are.

use super::jsondoc::entry_offsets;
use super::{number, InputFormat, LineIndex, Out, Rec};
use crate::data::Lite;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// The parts of a COCO file this reader uses, each kept as written so that its entries'
/// places in the file can be found.
#[derive(serde::Deserialize)]
struct Document<'a> {
    #[serde(borrow, default)]
    images: Option<&'a RawValue>,
    #[serde(borrow, default)]
    annotations: Option<&'a RawValue>,
    #[serde(borrow, default)]
    categories: Option<&'a RawValue>,
}

/// Whether a `.json` file's first bytes look like a COCO file: an object with `images` and
/// `annotations` or `categories`.
pub(super) fn looks_like_coco(prefix: &str) -> bool {
    prefix.trim_start().starts_with('{')
        && prefix.contains("\"images\"")
        && (prefix.contains("\"categories\"") || prefix.contains("\"annotations\""))
}

pub(super) fn read(text: &str, out: &mut Out) {
    let document: Document = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            let message = format!("not a COCO file: {e}");
            let help = Some(
                "a COCO file is one object with `images`, `annotations` and `categories` lists"
                    .into(),
            );
            return out.malformed(InputFormat::Coco, e.line(), message, help);
        }
    };
    let lines = LineIndex::new(text);
    let reader = Reader {
        text,
        lines: &lines,
    };
    let categories = reader.categories(document.categories, out);
    let images = reader.entries(document.images, "images", out);
    for (at, image) in &images {
        if let Some(id) = id_text(image.get("id")) {
            out.record_at(*at, image_record(out.item, &id, image));
        }
    }
    for (at, annotation) in reader.entries(document.annotations, "annotations", out) {
        let image = id_text(annotation.get("image_id")).unwrap_or_default();
        let item = format!("{} image {image}", out.item);
        let record = object_record(&item, &annotation, &categories);
        out.record_at(at, record);
    }
}

struct Reader<'t> {
    text: &'t str,
    lines: &'t LineIndex,
}

impl Reader<'_> {
    /// The (line, column) and value of each entry of a top-level list.
    fn entries(
        &self,
        raw: Option<&RawValue>,
        name: &str,
        out: &mut Out,
    ) -> Vec<((usize, usize), Value)> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let base = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
        let values: Vec<Value> = match serde_json::from_str(raw.get()) {
            Ok(Value::Array(values)) => values,
            _ => {
                let at = self.place(base);
                out.malformed_at(
                    InputFormat::Coco,
                    at,
                    format!("`{name}` is not a list"),
                    None,
                );
                return Vec::new();
            }
        };
        let offsets = entry_offsets(raw.get());
        (values.into_iter().enumerate())
            .map(|(i, v)| (self.place(base + offsets.get(i).copied().unwrap_or(0)), v))
            .collect()
    }

    fn place(&self, offset: usize) -> (usize, usize) {
        let line = self.lines.line(offset);
        (line, offset + 1 - self.lines.start_of(line))
    }

    /// Each category's name and supercategory, by id.
    fn categories(
        &self,
        raw: Option<&RawValue>,
        out: &mut Out,
    ) -> HashMap<String, (String, Option<String>)> {
        (self.entries(raw, "categories", out).into_iter())
            .filter_map(|(_, c)| {
                let id = id_text(c.get("id"))?;
                let name = id_text(c.get("name")).unwrap_or_default();
                Some((id, (name, id_text(c.get("supercategory")))))
            })
            .collect()
    }
}

fn image_record(file: &str, id: &str, image: &Value) -> Rec {
    let mut record = Rec::new(&format!("{file} image {id}"), "image", "image".into())
        .text("image_id", id)
        .text_opt("file_name", id_text(image.get("file_name")));
    let size = |key| image.get(key).and_then(Value::as_f64);
    if let Some(w) = size("width") {
        record = record.num("width", w);
    }
    if let Some(h) = size("height") {
        record = record.num("height", h);
    }
    if let (Some(w), Some(h)) = (size("width"), size("height")) {
        record = record.nums("frame", vec![0.0, 0.0, w, h]);
    }
    record
}

fn object_record(
    item: &str,
    annotation: &Value,
    categories: &HashMap<String, (String, Option<String>)>,
) -> Rec {
    let id = id_text(annotation.get("id")).unwrap_or_default();
    let category = id_text(annotation.get("category_id")).unwrap_or_default();
    let mut record = Rec::new(item, "object", id.clone())
        .text(
            "image_id",
            id_text(annotation.get("image_id")).unwrap_or_default(),
        )
        .text("category_id", category.clone());
    if let Some((name, supercategory)) = categories.get(&category) {
        record = record
            .text("category", name.clone())
            .text_opt("supercategory", supercategory.clone());
    }
    if let Some(Value::Array(bbox)) = annotation.get("bbox") {
        record = record.lite("box".into(), numbers(bbox));
    }
    match annotation.get("segmentation") {
        Some(Value::Array(parts)) => {
            if let Some(Value::Array(first)) = parts.first() {
                record = record.lite("polygon".into(), numbers(first));
            }
            record = record.int("parts", parts.len()).bool("rle", false);
        }
        Some(Value::Object(_)) => record = record.int("parts", 0).bool("rle", true),
        _ => {}
    }
    for key in ["area", "score"] {
        if let Some(x) = annotation.get(key).and_then(Value::as_f64) {
            record = record.num(key, x);
        }
    }
    let annotator = (annotation.get("annotator")).or_else(|| annotation.get("user_id"));
    record = record.text_opt("annotator", id_text(annotator));
    if let Some(crowd) = annotation.get("iscrowd").and_then(Value::as_i64) {
        record = record.bool("iscrowd", crowd != 0);
    }
    record
}

/// A JSON list of numbers as the record holds it (anything else in it is kept as written, for
/// the schema to report).
fn numbers(items: &[Value]) -> Lite<'static> {
    Lite::Array(
        items
            .iter()
            .map(|v| match v.as_f64() {
                Some(x) => number(x),
                None => Lite::Str(Cow::Owned(v.to_string())),
            })
            .collect(),
    )
}

/// An id or name as text: COCO writes ids as numbers.
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
