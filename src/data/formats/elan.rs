//! ELAN annotation documents (`.eaf`): one item per file.
//!
//! Gives a `tier` record per tier (id: the tier id; `linguistic_type`, `constraint`,
//! `time_alignable`, and `parent`, `participant`, `annotator`, `vocabulary` when set), an
//! `annotation` record per annotation (id: the annotation id; `tier`, `value`, `start`, `end`,
//! `aligned`, `linguistic_type`, and `parent` (the annotation a reference annotation refers
//! to), `previous`, `participant`, `annotator`, `vocabulary`, `cve_ref` when set), and a
//! `cv_entry` record per value of a controlled vocabulary entry (id `CV/ENTRY/LANG`:
//! `vocabulary`, `entry`, `value`, `lang`, `description`).
//!
//! Times are seconds. A time slot without a value (legal in ELAN: the annotations of a time
//! subdivision share out their parent's time) takes a time interpolated between the nearest
//! slots with values, in the document's slot order, and the annotation has `aligned: false`.
//! A reference annotation takes the time of the annotation it refers to.

use super::{InputFormat, LineIndex, Out, Rec};
use roxmltree::{Document, Node};
use std::collections::HashMap;

pub(super) fn read(text: &str, out: &mut Out) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = match Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.pos().row as usize;
            out.malformed(
                InputFormat::Elan,
                line,
                format!("not well-formed XML: {e}"),
                None,
            );
            return;
        }
    };
    let lines = LineIndex::new(text);
    let lines = &lines;
    let root = doc.root_element();
    if root.tag_name().name() != "ANNOTATION_DOCUMENT" {
        let line = line_of(lines, root);
        out.malformed(
            InputFormat::Elan,
            line,
            format!(
                "an ELAN file's root element is ANNOTATION_DOCUMENT, found {}",
                root.tag_name().name()
            ),
            None,
        );
        return;
    }
    let milliseconds = unit_factor(root);
    let slots = time_slots(root, milliseconds);
    let types = linguistic_types(root);
    let mut annotations = Vec::new();
    for tier in children(root, "TIER") {
        let info = tier_record(lines, tier, &types, out);
        for annotation in tier.descendants().filter(|n| is_annotation(n)) {
            annotations.push((annotation, info.clone()));
        }
    }
    let slots = share_out_chains(&annotations, slots);
    let times = annotation_times(&annotations, &slots);
    for (node, tier) in &annotations {
        annotation_record(lines, *node, tier, &times, out);
    }
    vocabularies(lines, root, out);
}

/// Seconds per time unit: ELAN writes milliseconds.
fn unit_factor(root: Node) -> f64 {
    let unit = children(root, "HEADER")
        .next()
        .and_then(|h| h.attribute("TIME_UNITS"))
        .unwrap_or("milliseconds");
    if unit == "milliseconds" {
        0.001
    } else {
        1.0
    }
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn is_annotation(node: &Node) -> bool {
    node.is_element()
        && matches!(
            node.tag_name().name(),
            "ALIGNABLE_ANNOTATION" | "REF_ANNOTATION"
        )
}

fn line_of(lines: &LineIndex, node: Node) -> usize {
    lines.line(node.range().start)
}

/// Every time slot's time in seconds, those without a value interpolated between their
/// neighbours with values (in document order); `true` when the slot has its own value.
fn time_slots(root: Node, factor: f64) -> HashMap<String, (f64, bool)> {
    let order: Vec<(String, Option<f64>)> = children(root, "TIME_ORDER")
        .flat_map(|o| children(o, "TIME_SLOT"))
        .filter_map(|s| {
            let id = s.attribute("TIME_SLOT_ID")?.to_string();
            let value = s
                .attribute("TIME_VALUE")
                .and_then(|v| v.trim().parse::<f64>().ok());
            Some((id, value.map(|v| v * factor)))
        })
        .collect();
    let mut slots = HashMap::with_capacity(order.len());
    let mut last: Option<(usize, f64)> = None;
    let next_known: Vec<Option<(usize, f64)>> = {
        let mut next = vec![None; order.len()];
        let mut seen = None;
        for i in (0..order.len()).rev() {
            next[i] = seen;
            if let Some(v) = order[i].1 {
                seen = Some((i, v));
            }
        }
        next
    };
    for (i, (id, value)) in order.iter().enumerate() {
        let time = match (value, last, next_known[i]) {
            (Some(v), _, _) => *v,
            (None, Some((a, ta)), Some((b, tb))) => {
                ta + (tb - ta) * (i - a) as f64 / (b - a) as f64
            }
            (None, Some((_, ta)), None) => ta,
            (None, None, Some((_, tb))) => tb,
            (None, None, None) => f64::NAN,
        };
        if let Some(v) = value {
            last = Some((i, *v));
        }
        slots.insert(id.clone(), (time, value.is_some()));
    }
    slots
}

/// Gives the unaligned slots of a chain of annotations (each starting where the one before
/// ends, as in a time subdivision) equal shares of the time between the aligned slots at the
/// chain's ends, as ELAN shows them. Slots in no such chain keep their interpolated time.
fn share_out_chains(
    annotations: &[(Node, TierInfo)],
    mut slots: HashMap<String, (f64, bool)>,
) -> HashMap<String, (f64, bool)> {
    let next: HashMap<&str, &str> = annotations
        .iter()
        .filter_map(|(n, _)| {
            Some((
                n.attribute("TIME_SLOT_REF1")?,
                n.attribute("TIME_SLOT_REF2")?,
            ))
        })
        .collect();
    let aligned = |slots: &HashMap<String, (f64, bool)>, id: &str| {
        slots.get(id).filter(|(_, own)| *own).map(|(t, _)| *t)
    };
    for (&first, &second) in &next {
        let Some(t0) = aligned(&slots, first) else {
            continue;
        };
        if aligned(&slots, second).is_some() {
            continue;
        }
        let mut chain = vec![second];
        let mut end = None;
        while chain.len() < 100_000 {
            let Some(&after) = next.get(chain[chain.len() - 1]) else {
                break;
            };
            match aligned(&slots, after) {
                Some(t) => {
                    end = Some(t);
                    break;
                }
                None => chain.push(after),
            }
        }
        let Some(t1) = end else { continue };
        let parts = (chain.len() + 1) as f64;
        for (k, slot) in chain.iter().enumerate() {
            let time = t0 + (t1 - t0) * (k + 1) as f64 / parts;
            slots.insert(slot.to_string(), (time, false));
        }
    }
    slots
}

/// A linguistic type: its constraint, whether it is time-alignable, its vocabulary.
#[derive(Clone, Default)]
struct TypeInfo {
    constraint: Option<String>,
    time_alignable: bool,
    vocabulary: Option<String>,
}

fn linguistic_types(root: Node) -> HashMap<String, TypeInfo> {
    children(root, "LINGUISTIC_TYPE")
        .filter_map(|t| {
            let id = t.attribute("LINGUISTIC_TYPE_ID")?.to_string();
            Some((
                id,
                TypeInfo {
                    constraint: t.attribute("CONSTRAINTS").map(str::to_string),
                    time_alignable: t.attribute("TIME_ALIGNABLE") != Some("false"),
                    vocabulary: t.attribute("CONTROLLED_VOCABULARY_REF").map(str::to_string),
                },
            ))
        })
        .collect()
}

/// What an annotation inherits from its tier.
#[derive(Clone)]
struct TierInfo {
    id: String,
    linguistic_type: String,
    participant: Option<String>,
    annotator: Option<String>,
    vocabulary: Option<String>,
}

fn attribute(node: Node, name: &str) -> Option<String> {
    node.attribute(name)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn tier_record(
    lines: &LineIndex,
    tier: Node,
    types: &HashMap<String, TypeInfo>,
    out: &mut Out,
) -> TierInfo {
    let id = tier.attribute("TIER_ID").unwrap_or_default().to_string();
    let linguistic_type = tier
        .attribute("LINGUISTIC_TYPE_REF")
        .unwrap_or_default()
        .to_string();
    let ty = types.get(&linguistic_type).cloned().unwrap_or_default();
    let info = TierInfo {
        id: id.clone(),
        linguistic_type: linguistic_type.clone(),
        participant: attribute(tier, "PARTICIPANT"),
        annotator: attribute(tier, "ANNOTATOR"),
        vocabulary: ty.vocabulary.clone(),
    };
    let record = Rec::new(out.item, "tier", id)
        .text("linguistic_type", linguistic_type)
        .text_opt("constraint", ty.constraint)
        .bool("time_alignable", ty.time_alignable)
        .text_opt("parent", attribute(tier, "PARENT_REF"))
        .text_opt("participant", info.participant.clone())
        .text_opt("annotator", info.annotator.clone())
        .text_opt("vocabulary", ty.vocabulary);
    out.record(line_of(lines, tier), record);
    info
}

/// Start, end and alignment of every annotation: alignable ones from their slots, reference
/// ones from the annotation they refer to (followed up to a depth that no real document
/// reaches, so a cycle cannot loop).
fn annotation_times(
    annotations: &[(Node, TierInfo)],
    slots: &HashMap<String, (f64, bool)>,
) -> HashMap<String, (f64, f64, bool)> {
    let mut own: HashMap<&str, (f64, f64, bool)> = HashMap::new();
    let mut refs: HashMap<&str, &str> = HashMap::new();
    for (node, _) in annotations {
        let Some(id) = node.attribute("ANNOTATION_ID") else {
            continue;
        };
        if node.tag_name().name() == "ALIGNABLE_ANNOTATION" {
            let slot = |name| node.attribute(name).and_then(|s| slots.get(s)).copied();
            let (start, a) = slot("TIME_SLOT_REF1").unwrap_or((f64::NAN, false));
            let (end, b) = slot("TIME_SLOT_REF2").unwrap_or((f64::NAN, false));
            own.insert(id, (start, end, a && b));
        } else if let Some(parent) = node.attribute("ANNOTATION_REF") {
            refs.insert(id, parent);
        }
    }
    let mut times = HashMap::with_capacity(own.len() + refs.len());
    for (id, time) in &own {
        times.insert(id.to_string(), *time);
    }
    for id in refs.keys() {
        let mut at = *id;
        for _ in 0..64 {
            match (own.get(at), refs.get(at)) {
                (Some(time), _) => {
                    times.insert(id.to_string(), *time);
                    break;
                }
                (None, Some(parent)) => at = parent,
                (None, None) => break,
            }
        }
    }
    times
}

fn annotation_record(
    lines: &LineIndex,
    node: Node,
    tier: &TierInfo,
    times: &HashMap<String, (f64, f64, bool)>,
    out: &mut Out,
) {
    let line = line_of(lines, node);
    let Some(id) = node.attribute("ANNOTATION_ID") else {
        out.malformed(
            InputFormat::Elan,
            line,
            "an annotation without ANNOTATION_ID".into(),
            None,
        );
        return;
    };
    let value = children(node, "ANNOTATION_VALUE")
        .next()
        .and_then(|v| v.text())
        .unwrap_or_default()
        .to_string();
    let mut record = Rec::new(out.item, "annotation", id.to_string())
        .text("tier", tier.id.clone())
        .text("value", value);
    if let Some((start, end, aligned)) = times.get(id) {
        if !start.is_nan() {
            record = record.num("start", *start);
        }
        if !end.is_nan() {
            record = record.num("end", *end);
        }
        record = record.bool("aligned", *aligned);
    }
    let record = record
        .text("linguistic_type", tier.linguistic_type.clone())
        .text_opt("parent", attribute(node, "ANNOTATION_REF"))
        .text_opt("previous", attribute(node, "PREVIOUS_ANNOTATION"))
        .text_opt("participant", tier.participant.clone())
        .text_opt("annotator", tier.annotator.clone())
        .text_opt("vocabulary", tier.vocabulary.clone())
        .text_opt("cve_ref", attribute(node, "CVE_REF"));
    out.record(line, record);
}

/// Controlled vocabularies, in the multilingual (`CV_ENTRY_ML`) and the older (`CV_ENTRY`)
/// form.
fn vocabularies(lines: &LineIndex, root: Node, out: &mut Out) {
    for cv in children(root, "CONTROLLED_VOCABULARY") {
        let vocabulary = cv.attribute("CV_ID").unwrap_or_default();
        for entry in cv.children().filter(|c| c.is_element()) {
            let values: Vec<Node> = match entry.tag_name().name() {
                "CV_ENTRY_ML" => children(entry, "CVE_VALUE").collect(),
                "CV_ENTRY" => vec![entry],
                _ => continue,
            };
            let entry_id = entry.attribute("CVE_ID").map_or_else(
                || entry.text().unwrap_or_default().to_string(),
                str::to_string,
            );
            for value in values {
                let lang = value.attribute("LANG_REF").unwrap_or("");
                let record = Rec::new(
                    out.item,
                    "cv_entry",
                    format!("{vocabulary}/{entry_id}/{lang}"),
                )
                .text("vocabulary", vocabulary)
                .text("entry", entry_id.clone())
                .text("value", value.text().unwrap_or_default())
                .text("lang", lang)
                .text(
                    "description",
                    value.attribute("DESCRIPTION").unwrap_or_default(),
                );
                out.record(line_of(lines, value), record);
            }
        }
    }
}
