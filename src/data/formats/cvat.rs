//! CVAT 1.1 XML, for video and for images.
//!
//! **For video**: one item per task (its name).
//!
//! Gives a `task` record (id `task`: `name`, `mode`, `size`, `start_frame`, `stop_frame`,
//! `frame_step`, `width`, `height`, `start`, `end`), a `track` record per track (id: the
//! track id; a skeleton's sub-tracks `P.S`: `label`, `shape`, `first_frame`, `last_frame`,
//! `start`, `end`, and `source`, `parent` when set) and a `shape` record per shape of a track
//! (id `TRACK@FRAME`: `track`, `label`, `shape` (box, polygon, polyline, points, skeleton,
//! ellipse, cuboid, mask), `frame`, `index` (its position in the track, from 1), `start` and
//! `end` (both the frame's time), `outside`, `occluded`, `keyframe`, `z_order`, `xs` and `ys`
//! (its points' coordinates), `xtl`, `ytl`, `xbr`, `ybr` for boxes, the shape as a value
//! (below), and one text field per attribute, named as the attribute). CVAT writes a track's
//! shape at every frame of the task, the frames it interpolates included (`keyframe` false),
//! and marks where the track leaves the picture with `outside`: the shapes are taken as
//! written, so a rule sees the box CVAT shows at each frame.
//!
//! **For images**: one item per `<image>` (its name), with an `image` record (id `image`:
//! `image_id`, `name`, `width`, `height` and `frame`, the box `[0, 0, width, height]`) and an
//! `object` record per shape on it (id: the shape's element and position, `box1`, `points2`:
//! `image_id`, `label`, `shape`, `occluded`, `z_order`, `source`, `group_id`, `xs`, `ys`, the
//! shape as a value, and the attributes).
//!
//! Shapes as values, in pixels: a box's `box` (`[x, y, width, height]`, with CVAT's
//! `rotation`, which turns it clockwise about its centre, moved to the top-left corner the
//! language rotates about), a polygon's `polygon` (one ring) and a one-point `points`'
//! `point`.
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
    // A CVAT-for-images file describes its task too, but its items are the images.
    let images_only =
        children(root, "image").next().is_some() && children(root, "track").next().is_none();
    if let Some(task) = task.filter(|_| !images_only) {
        reader.task(task, out);
    }
    for track in children(root, "track") {
        reader.track(track, None, out);
    }
    for image in children(root, "image") {
        reader.image(image, out);
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
        out.record(line, described(record, shape));
    }

    /// An `<image>` of a CVAT-for-images file: its own item, an `image` record and an
    /// `object` per shape on it.
    fn image(&self, image: Node, out: &mut Out) {
        let image_id = image.attribute("id").unwrap_or_default();
        let name = image.attribute("name").unwrap_or(image_id);
        let item = match name.is_empty() {
            true => format!("image {image_id}"),
            false => name.to_string(),
        };
        let mut record = Rec::new(&item, "image", "image".into())
            .text("image_id", image_id)
            .text("name", name);
        let size = |key| number(image.attribute(key));
        for (key, value) in [("width", size("width")), ("height", size("height"))] {
            if let Some(v) = value {
                record = record.num(key, v);
            }
        }
        if let (Some(w), Some(h)) = (size("width"), size("height")) {
            record = record.nums("frame", vec![0.0, 0.0, w, h]);
        }
        out.record(self.line(image), record);
        let shapes = image
            .children()
            .filter(|c| c.is_element() && SHAPES.contains(&c.tag_name().name()));
        for (index, shape) in shapes.enumerate() {
            let kind = shape.tag_name().name();
            let (xs, ys) = coordinates(shape);
            let mut record = Rec::new(&item, "object", format!("{kind}{}", index + 1))
                .text("image_id", image_id)
                .text("label", shape.attribute("label").unwrap_or_default())
                .text("shape", kind)
                .bool("occluded", shape.attribute("occluded") == Some("1"))
                .text_opt("source", shape.attribute("source").map(str::to_string))
                .text_opt("group_id", shape.attribute("group_id").map(str::to_string))
                .nums("xs", xs)
                .nums("ys", ys);
            if let Some(z) = number(shape.attribute("z_order")) {
                record = record.num("z_order", z);
            }
            out.record(self.line(shape), described(record, shape));
        }
    }
}

/// A shape's geometry as a value (`box`, `polygon` or `point`) and its attributes, added to
/// its record.
fn described(mut record: Rec, shape: Node) -> Rec {
    let (xs, ys) = coordinates(shape);
    match shape.tag_name().name() {
        "box" if xs.len() == 2 && ys.len() == 2 => {
            let rotation = number(shape.attribute("rotation")).unwrap_or(0.0);
            record = record.nums("box", centred_box(xs[0], ys[0], xs[1], ys[1], rotation));
        }
        "polygon" if !xs.is_empty() => {
            let points = xs.iter().zip(&ys).flat_map(|(x, y)| [*x, *y]).collect();
            record = record.nums("polygon", points);
        }
        "points" if xs.len() == 1 => record = record.nums("point", vec![xs[0], ys[0]]),
        _ => {}
    }
    for attribute in children(shape, "attribute") {
        if let Some(name) = attribute.attribute("name") {
            record = record.text_owned_key(name, attribute.text().unwrap_or_default());
        }
    }
    record
}

/// A box from CVAT's corners and its rotation (degrees clockwise about the centre) as the
/// language writes it: `[x, y, width, height]`, or with the rotation about its top-left
/// corner, moved to where that corner turns to.
fn centred_box(xtl: f64, ytl: f64, xbr: f64, ybr: f64, degrees: f64) -> Vec<f64> {
    let (w, h) = (xbr - xtl, ybr - ytl);
    if degrees == 0.0 {
        return vec![xtl, ytl, w, h];
    }
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (xtl + w / 2.0, ytl + h / 2.0);
    let (dx, dy) = (-w / 2.0, -h / 2.0);
    vec![
        cx + dx * cos - dy * sin,
        cy + dx * sin + dy * cos,
        w,
        h,
        degrees,
    ]
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

#[cfg(test)]
mod tests {
    use super::centred_box;

    /// The centre of a box `[x, y, w, h, degrees]` rotated about its top-left corner.
    fn centre(b: &[f64]) -> (f64, f64) {
        let (sin, cos) = b[4].to_radians().sin_cos();
        let (dx, dy) = (b[2] / 2.0, b[3] / 2.0);
        (b[0] + dx * cos - dy * sin, b[1] + dx * sin + dy * cos)
    }

    #[test]
    fn a_box_turned_about_its_centre_keeps_its_centre() {
        for degrees in [15.0, 90.0, -30.0, 180.0] {
            let b = centred_box(200.0, 100.0, 300.0, 140.0, degrees);
            let (x, y) = centre(&b);
            assert!(
                (x - 250.0).abs() < 1e-9 && (y - 120.0).abs() < 1e-9,
                "{degrees}: {b:?}"
            );
            assert_eq!((b[2], b[3], b[4]), (100.0, 40.0, degrees));
        }
        assert_eq!(
            centred_box(1.0, 2.0, 4.0, 6.0, 0.0),
            vec![1.0, 2.0, 3.0, 4.0]
        );
    }
}
