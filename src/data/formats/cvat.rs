//! CVAT for video 1.1 XML: one item per task (its name).
//!
//! Gives a `task` record (id `task`: `name`, `mode`, `size`, `start_frame`, `stop_frame`,
//! `frame_step`, `width`, `height`, `start`, `end`), a `track` record per track (id: the
//! track id; a skeleton's sub-tracks `P.S`: `label`, `shape`, `first_frame`, `last_frame`,
//! `start`, `end`, and `source`, `parent` when set) and a `shape` record per shape of a track
//! (id `TRACK@FRAME`: `track`, `label`, `shape` (box, polygon, polyline, points, skeleton,
//! ellipse, cuboid, mask), `frame`, `index` (its position in the track, from 1), `start` and
//! `end` (both the frame's time), `outside`, `occluded`, `keyframe`, `z_order`, `xs` and `ys`
//! (its points' coordinates), `xtl`, `ytl`, `xbr`, `ybr` for boxes, and one text field per
//! attribute, named as the attribute).
//!
//! CVAT does not record the video's frame rate: times are `frame / fps` with `--fps`, and
//! frame numbers without it.

use super::{InputFormat, LineIndex, Out, Rec};
use roxmltree::{Document, Node};

pub(super) fn read(text: &str, out: &mut Out) {
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let line = e.pos().row as usize;
            out.malformed(
                InputFormat::Cvat,
                line,
                format!("not well-formed XML: {e}"),
                None,
            );
            return;
        }
    };
    let lines = LineIndex::new(text);
    let root = doc.root_element();
    if root.tag_name().name() != "annotations" {
        out.malformed(
            InputFormat::Cvat,
            lines.line(root.range().start),
            format!(
                "a CVAT file's root element is <annotations>, found <{}>",
                root.tag_name().name()
            ),
            None,
        );
        return;
    }
    let fps = out.fps.unwrap_or(1.0);
    if !(FPS_RANGE.contains(&fps)) {
        let message = format!(
            "{fps} frames per second is not a frame rate (from {} to {}); times would not be \
             numbers",
            FPS_RANGE.start(),
            FPS_RANGE.end()
        );
        out.malformed(InputFormat::Cvat, 1, message, None);
        return;
    }
    let task = root
        .descendants()
        .find(|n| n.has_tag_name("task") && n.parent().is_some_and(|p| p.has_tag_name("meta")));
    let item = task
        .and_then(|t| child_text(t, "name"))
        .filter(|n| !n.is_empty())
        .map_or_else(|| out.item.to_string(), str::to_string);
    let reader = Reader {
        lines: &lines,
        item,
        fps,
    };
    if let Some(task) = task {
        reader.task(task, out);
    }
    for track in children(root, "track") {
        reader.track(track, None, out);
    }
}

/// The frame rates a reader accepts: beyond them a frame number divided by the rate is no
/// longer a usable time (`1e-320` makes every time infinite).
pub const FPS_RANGE: std::ops::RangeInclusive<f64> = 1e-3..=1e6;

struct Reader<'l> {
    lines: &'l LineIndex,
    item: String,
    fps: f64,
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.has_tag_name(name))
}

fn child_text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(str::trim)
}

fn number(text: Option<&str>) -> Option<f64> {
    text?.trim().parse().ok()
}

/// The element names of shapes in a track.
const SHAPES: [&str; 8] = [
    "box", "polygon", "polyline", "points", "skeleton", "ellipse", "cuboid", "mask",
];

impl Reader<'_> {
    fn line(&self, node: Node) -> usize {
        self.lines.line(node.range().start)
    }

    fn rec(&self, kind: &'static str, id: String) -> Rec {
        Rec::new(&self.item, kind, id)
    }

    fn task(&self, task: Node, out: &mut Out) {
        let start_frame = number(child_text(task, "start_frame")).unwrap_or(0.0);
        let stop_frame = number(child_text(task, "stop_frame")).unwrap_or(start_frame);
        let step = child_text(task, "frame_filter")
            .and_then(|f| f.strip_prefix("step="))
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        let size = task.children().find(|c| c.has_tag_name("original_size"));
        let mut record = self
            .rec("task", "task".into())
            .text("name", child_text(task, "name").unwrap_or_default())
            .text("mode", child_text(task, "mode").unwrap_or_default())
            .num("start_frame", start_frame)
            .num("stop_frame", stop_frame)
            .num("frame_step", step)
            .num("start", start_frame / self.fps)
            .num("end", stop_frame / self.fps);
        if let Some(n) = number(child_text(task, "size")) {
            record = record.num("size", n);
        }
        if let Some(size) = size {
            if let Some(w) = number(child_text(size, "width")) {
                record = record.num("width", w);
            }
            if let Some(h) = number(child_text(size, "height")) {
                record = record.num("height", h);
            }
        }
        out.record(self.line(task), record);
    }

    fn track(&self, track: Node, parent: Option<&str>, out: &mut Out) {
        let own = track.attribute("id").unwrap_or_default();
        let id = match parent {
            Some(p) => format!("{p}.{own}"),
            None => own.to_string(),
        };
        let label = track.attribute("label").unwrap_or_default();
        let shapes: Vec<Node> = track
            .children()
            .filter(|c| c.is_element() && SHAPES.contains(&c.tag_name().name()))
            .collect();
        let frames: Vec<f64> = shapes
            .iter()
            .filter_map(|s| number(s.attribute("frame")))
            .collect();
        let first = frames.iter().copied().fold(f64::INFINITY, f64::min);
        let last = frames.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut record = self
            .rec("track", id.clone())
            .text("label", label)
            .text("shape", shapes.first().map_or("", |s| s.tag_name().name()))
            .text_opt("source", track.attribute("source").map(str::to_string))
            .text_opt("parent", parent.map(str::to_string));
        if first.is_finite() {
            record = record
                .num("first_frame", first)
                .num("last_frame", last)
                .num("start", first / self.fps)
                .num("end", last / self.fps);
        }
        out.record(self.line(track), record);
        for (index, shape) in shapes.iter().enumerate() {
            self.shape(*shape, &id, label, index + 1, out);
        }
        for sub in children(track, "track") {
            self.track(sub, Some(&id), out);
        }
    }

    fn shape(&self, shape: Node, track: &str, label: &str, index: usize, out: &mut Out) {
        let line = self.line(shape);
        let Some(frame) = number(shape.attribute("frame")) else {
            out.malformed(
                InputFormat::Cvat,
                line,
                format!(
                    "a <{}> of track {track} has no frame number",
                    shape.tag_name().name()
                ),
                None,
            );
            return;
        };
        let flag = |name| shape.attribute(name) == Some("1");
        let (xs, ys) = coordinates(shape);
        let mut record = self
            .rec("shape", format!("{track}@{frame}"))
            .text("track", track)
            .text("label", label)
            .text("shape", shape.tag_name().name())
            .num("frame", frame)
            .int("index", index)
            .num("start", frame / self.fps)
            .num("end", frame / self.fps)
            .bool("outside", flag("outside"))
            .bool("occluded", flag("occluded"))
            .bool("keyframe", flag("keyframe"))
            .nums("xs", xs)
            .nums("ys", ys);
        if let Some(z) = number(shape.attribute("z_order")) {
            record = record.num("z_order", z);
        }
        if shape.has_tag_name("box") {
            for corner in ["xtl", "ytl", "xbr", "ybr"] {
                if let Some(v) = number(shape.attribute(corner)) {
                    record = record.num(corner, v);
                }
            }
        }
        for attribute in children(shape, "attribute") {
            if let Some(name) = attribute.attribute("name") {
                record = record.text_owned_key(name, attribute.text().unwrap_or_default());
            }
        }
        out.record(line, record);
    }
}

/// A shape's x and y coordinates: a box's corners, an ellipse's centre and radii ends, or
/// the `points` list `x1,y1;x2,y2;…`.
fn coordinates(shape: Node) -> (Vec<f64>, Vec<f64>) {
    let attr = |name| number(shape.attribute(name));
    match shape.tag_name().name() {
        "box" => (
            [attr("xtl"), attr("xbr")].into_iter().flatten().collect(),
            [attr("ytl"), attr("ybr")].into_iter().flatten().collect(),
        ),
        "ellipse" => match (attr("cx"), attr("cy"), attr("rx"), attr("ry")) {
            (Some(cx), Some(cy), Some(rx), Some(ry)) => {
                (vec![cx - rx, cx + rx], vec![cy - ry, cy + ry])
            }
            _ => (Vec::new(), Vec::new()),
        },
        _ => {
            let mut xs = Vec::new();
            let mut ys = Vec::new();
            for pair in shape.attribute("points").unwrap_or_default().split(';') {
                if let Some((x, y)) = pair.split_once(',') {
                    if let (Ok(x), Ok(y)) = (x.trim().parse(), y.trim().parse()) {
                        xs.push(x);
                        ys.push(y);
                    }
                }
            }
            (xs, ys)
        }
    }
}
