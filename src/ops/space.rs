//! The meaning of the geometry built-ins: boxes, points and polygons, as the values a record
//! holds them in (see [`Shape`]): a box `[x, y, width, height]` or
//! `[x, y, width, height, rotation]`, a point `[x, y]`, a polygon as rings of points
//! `[[[x, y], …], …]` (the outline, then its holes). Coordinates are pixels, `y` downwards.
//!
//! Boxes without rotation are computed directly (most checks are of those, millions at a
//! time); rotated boxes and polygons go through `geo`'s polygon clipping.

use crate::value::Value;
use geo::{Area, Validation};
use std::sync::Arc;

/// The geometry types. At run time each is a list of numbers (or of points), in pixels, as
/// this module describes: made once when the record is read, so a rule
/// compares and computes on them without converting again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `[x, y, width, height]` (or with a fifth number, the rotation in degrees clockwise
    /// about the top-left corner, as Label Studio gives it).
    Box,
    /// `[x, y]`.
    Point,
    /// Rings of points `[[[x, y], …], …]`: the outline first, then its holes.
    Polygon,
}

impl Shape {
    /// Its name in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Box => "box",
            Shape::Point => "point",
            Shape::Polygon => "polygon",
        }
    }
}

/// An axis-aligned box: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// An unrotated box's rectangle (a negative width or height spans to the left or up).
    fn of_box(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x0: x.min(x + w),
            y0: y.min(y + h),
            x1: x.max(x + w),
            y1: y.max(y + h),
        }
    }

    fn area(self) -> f64 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    fn intersection(self, other: Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        (r.x0 <= r.x1 && r.y0 <= r.y1).then_some(r)
    }

    /// Whether the two share any point, edges touching included.
    pub fn meets(self, other: Rect) -> bool {
        self.intersection(other).is_some()
    }

    fn contains(self, inner: Rect) -> bool {
        inner.x0 >= self.x0 && inner.y0 >= self.y0 && inner.x1 <= self.x1 && inner.y1 <= self.y1
    }
}

/// The most edge pairs two polygons are clipped exactly for ([`Region::intersection_area`]).
const EXACT_CLIP_PAIRS: usize = 4_000_000;

/// A region as the built-ins compute on it.
#[derive(Debug, Clone)]
pub enum Region {
    /// A box without rotation.
    Rect(Rect),
    /// A rotated box or a polygon.
    Polygon(geo::Polygon<f64>),
}

/// A box's numbers, when the value is one (four or five finite numbers). Read without
/// allocating: IoU reads two boxes, millions of times.
pub fn box_numbers(value: &Value) -> Option<[f64; 5]> {
    let Value::List(items) = value else {
        return None;
    };
    let at = |i: usize| -> Option<f64> {
        items
            .get(i)
            .map_or(Some(0.0), |v| v.as_num().filter(|x| x.is_finite()))
    };
    match items.len() {
        4 | 5 => Some([at(0)?, at(1)?, at(2)?, at(3)?, at(4)?]),
        _ => None,
    }
}

/// A point's coordinates, when the value is one.
pub fn point(value: &Value) -> Option<(f64, f64)> {
    let Value::List(items) = value else {
        return None;
    };
    let at = |i: usize| items[i].as_num().filter(|x| x.is_finite());
    match items.len() {
        2 => Some((at(0)?, at(1)?)),
        _ => None,
    }
}

/// A geometry value from the numbers a file gives, as [`Shape`] holds it: a
/// box from 4 numbers (or 5, the last a rotation, dropped when 0), a point from 2, a polygon
/// from a flat list `[x1, y1, x2, y2, …]` (as COCO writes it), a list of points or a list of
/// rings. `None` when the numbers make no such shape.
pub fn shape_from(shape: Shape, numbers: &Nested) -> Option<Value> {
    let num = |x: f64| x.is_finite().then_some(Value::Num(x));
    let list = |items: Vec<Value>| Value::List(Arc::from(items));
    let flat = |n: &Nested| match n {
        Nested::List(items) => items.iter().map(|i| i.number().and_then(num)).collect(),
        Nested::Number(_) => None,
    };
    let points = |n: &Nested| -> Option<Vec<Value>> {
        let Nested::List(items) = n else { return None };
        if items.iter().all(|i| matches!(i, Nested::Number(_))) {
            let xs: Vec<Value> = flat(n)?;
            return (xs.len() % 2 == 0).then(|| xs.chunks(2).map(|p| list(p.to_vec())).collect());
        }
        items
            .iter()
            .map(|p| flat(p).filter(|xs: &Vec<Value>| xs.len() == 2).map(list))
            .collect()
    };
    match shape {
        Shape::Box => {
            let mut xs: Vec<Value> = flat(numbers)?;
            if xs.len() == 5 && xs[4] == Value::Num(0.0) {
                xs.pop();
            }
            matches!(xs.len(), 4 | 5).then(|| list(xs))
        }
        Shape::Point => flat(numbers)
            .filter(|xs: &Vec<Value>| xs.len() == 2)
            .map(list),
        Shape::Polygon => {
            let Nested::List(items) = numbers else {
                return None;
            };
            let ring_list = items.first().is_some_and(|first| {
                matches!(first, Nested::List(points) if points.first().is_some_and(|p| matches!(p, Nested::List(_))))
            });
            let rings: Vec<Value> = match ring_list {
                true => items
                    .iter()
                    .map(|r| points(r).map(list))
                    .collect::<Option<_>>()?,
                false => vec![list(points(numbers)?)],
            };
            (!rings.is_empty()).then(|| list(rings))
        }
    }
}

/// The most members a box written as an object has (`x`, `y`, `width`, `height`, `rotation`).
pub const BOX_MEMBERS: usize = 5;

/// A box written as a JSON object of numbers: `{x, y, width, height}` (or `w`, `h`, and an
/// optional `rotation` in degrees), or two corners `{x1, y1, x2, y2}` / `{xmin, ymin, xmax,
/// ymax}`. `None` for any other member or a form left incomplete.
pub fn box_from_members<'a>(members: impl IntoIterator<Item = (&'a str, f64)>) -> Option<Value> {
    // x, y, width, height, rotation, then the far corner's x and y.
    let mut at: [Option<f64>; 7] = [None; 7];
    for (name, value) in members {
        let slot = match name {
            "x" | "x1" | "xmin" => 0,
            "y" | "y1" | "ymin" => 1,
            "width" | "w" => 2,
            "height" | "h" => 3,
            "rotation" => 4,
            "x2" | "xmax" => 5,
            "y2" | "ymax" => 6,
            _ => return None,
        };
        at[slot] = Some(value);
    }
    let [x, y, w, h, rotation, x2, y2] = at;
    let (x, y) = (x?, y?);
    let (w, h) = match (w, h, x2, y2) {
        (Some(w), Some(h), None, None) => (w, h),
        (None, None, Some(x2), Some(y2)) if rotation.is_none() => (x2 - x, y2 - y),
        _ => return None,
    };
    let numbers = [x, y, w, h].into_iter().chain(rotation).map(Value::Num);
    checked_shape(Shape::Box, Value::List(numbers.collect()))
}

/// A list of numbers as a box or point, kept as it is when it already is one (4 or 5 finite
/// numbers, 2 for a point), so that reading a box allocates nothing more; the same value
/// [`shape_from`] gives.
pub fn checked_shape(shape: Shape, numbers: Value) -> Option<Value> {
    let Value::List(items) = &numbers else {
        return None;
    };
    let finite = items.iter().all(|v| v.as_num().is_some_and(f64::is_finite));
    match (shape, items.len()) {
        (Shape::Box, 5) if finite && items[4] == Value::Num(0.0) => {
            Some(Value::List(Arc::from(&items[..4])))
        }
        (Shape::Box, 4 | 5) | (Shape::Point, 2) if finite => Some(numbers),
        _ => shape_of_value(shape, &numbers),
    }
}

/// A shape from a value a rule file writes (`[0, 0, 10, 10]`), as [`shape_from`] reads one
/// from a file.
pub fn shape_of_value(shape: Shape, value: &Value) -> Option<Value> {
    fn nested(value: &Value) -> Option<Nested> {
        match value {
            Value::Num(x) => Some(Nested::Number(*x)),
            Value::List(items) => items
                .iter()
                .map(nested)
                .collect::<Option<_>>()
                .map(Nested::List),
            _ => None,
        }
    }
    shape_from(shape, &nested(value)?)
}

/// Numbers nested in lists, as a file gives a shape's coordinates.
#[derive(Debug, Clone, PartialEq)]
pub enum Nested {
    /// A number.
    Number(f64),
    /// A list.
    List(Vec<Nested>),
}

impl Nested {
    fn number(&self) -> Option<f64> {
        match self {
            Nested::Number(x) => Some(*x),
            Nested::List(_) => None,
        }
    }
}

/// The corners of a box rotated by `degrees` clockwise about its top-left corner (with `y`
/// downwards, as images are drawn), in order.
fn corners([x, y, w, h, degrees]: [f64; 5]) -> [(f64, f64); 4] {
    let (sin, cos) = degrees.to_radians().sin_cos();
    [
        (x, y),
        (x + w * cos, y + w * sin),
        (x + w * cos - h * sin, y + w * sin + h * cos),
        (x - h * sin, y + h * cos),
    ]
}

/// The rings of a polygon value, or `None` when it is not one.
fn rings(value: &Value) -> Option<Vec<Vec<(f64, f64)>>> {
    let Value::List(rings) = value else {
        return None;
    };
    rings
        .iter()
        .map(|ring| match ring {
            Value::List(points) => points.iter().map(point).collect(),
            _ => None,
        })
        .collect()
}

fn polygon_of(rings: Vec<Vec<(f64, f64)>>) -> geo::Polygon<f64> {
    let mut rings = rings.into_iter().map(geo::LineString::from);
    let exterior = rings
        .next()
        .unwrap_or_else(|| geo::LineString::new(Vec::new()));
    geo::Polygon::new(exterior, rings.collect())
}

/// The left and right edges of a shape value (its bounds along x): what spatial joins sort
/// and probe by. `None` for anything that is not a region, or one without bounds.
pub fn horizontal_extent(value: &Value) -> Option<(f64, f64)> {
    bounds(value).map(|b| (b.x0, b.x1))
}

/// The axis-aligned bounds of a box or polygon value. An unrotated box's are its own
/// numbers: no region is built for it (spatial indexes read every record's bounds).
pub fn bounds(value: &Value) -> Option<Rect> {
    match box_numbers(value) {
        Some([x, y, w, h, 0.0]) => Some(Rect::of_box(x, y, w, h)),
        _ => region(value)?.bounds(),
    }
}

/// A box or polygon value as a region; `None` for anything else.
pub fn region(value: &Value) -> Option<Region> {
    if let Some(numbers) = box_numbers(value) {
        let [x, y, w, h, degrees] = numbers;
        if degrees == 0.0 {
            return Some(Region::Rect(Rect::of_box(x, y, w, h)));
        }
        return Some(Region::Polygon(polygon_of(vec![corners(numbers).to_vec()])));
    }
    rings(value).map(|r| Region::Polygon(polygon_of(r)))
}

impl Region {
    /// Its rings (a box's one ring of corners).
    fn rings(&self) -> Vec<Vec<(f64, f64)>> {
        match self {
            Region::Rect(r) => vec![vec![(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)]],
            Region::Polygon(p) => std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|ring| ring.points().map(|pt| (pt.x(), pt.y())).collect())
                .collect(),
        }
    }

    fn polygon(&self) -> geo::Polygon<f64> {
        match self {
            Region::Rect(r) => geo::Rect::new((r.x0, r.y0), (r.x1, r.y1)).to_polygon(),
            Region::Polygon(p) => p.clone(),
        }
    }

    /// The area (a polygon's holes taken out).
    pub fn area(&self) -> f64 {
        match self {
            Region::Rect(r) => r.area(),
            Region::Polygon(p) => p.unsigned_area(),
        }
    }

    /// The area both regions cover.
    pub fn intersection_area(&self, other: &Region) -> f64 {
        match (self, other) {
            (Region::Rect(a), Region::Rect(b)) => a.intersection(*b).map_or(0.0, Rect::area),
            _ => {
                let (a, b) = (self.rings(), other.rings());
                let points = |r: &[Vec<(f64, f64)>]| r.iter().map(Vec::len).sum::<usize>();
                // Exact clipping takes a pair of triangles per pair of edges: past a few
                // million pairs (polygons of thousands of points), a snapping clipper, far
                // faster and about 1e-8 of the area off, keeps a hostile file from stalling.
                if points(&a).saturating_mul(points(&b)) > EXACT_CLIP_PAIRS {
                    use geo::BooleanOps;
                    return self
                        .polygon()
                        .intersection(&other.polygon())
                        .unsigned_area();
                }
                super::clip::shared_area(&a, &b)
            }
        }
    }

    /// The axis-aligned bounds (of a rotated box or polygon, its corners').
    pub fn bounds(&self) -> Option<Rect> {
        use geo::BoundingRect;
        match self {
            Region::Rect(r) => Some(*r),
            Region::Polygon(p) => p.bounding_rect().map(|b| Rect {
                x0: b.min().x,
                y0: b.min().y,
                x1: b.max().x,
                y1: b.max().y,
            }),
        }
    }
}

fn ratio(part: f64, whole: f64) -> Value {
    match whole > 0.0 {
        true => Value::Num(part / whole),
        false => Value::Missing,
    }
}

/// The overlap measures a matching can score pairs by, computed from two regions read once
/// (a matching reads each record's region once and scores many pairs with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// `iou`: intersection over union.
    Iou,
    /// `ioa`: intersection over the first region's area.
    Ioa,
    /// `ios`: intersection over the smaller region's area.
    Ios,
}

impl Overlap {
    /// The measure a built-in of this name computes.
    pub fn named(name: &str) -> Option<Overlap> {
        match name {
            "iou" => Some(Overlap::Iou),
            "ioa" => Some(Overlap::Ioa),
            "ios" => Some(Overlap::Ios),
            _ => None,
        }
    }

    /// The measure of two regions; `None` where the built-in is missing.
    pub fn of(self, a: &Region, b: &Region) -> Option<f64> {
        let shared = a.intersection_area(b);
        let ratio = |whole: f64| (whole > 0.0).then(|| shared / whole);
        match self {
            // Two regions without area share nothing: 0.
            Overlap::Iou => {
                Some(ratio(a.area() + b.area() - shared).map_or(0.0, |x| x.clamp(0.0, 1.0)))
            }
            Overlap::Ioa => ratio(a.area()),
            Overlap::Ios => ratio(a.area().min(b.area())),
        }
    }

    /// The measure of two shape values; missing when either is not a region.
    fn of_values(self, a: &Value, b: &Value) -> Value {
        match (region(a), region(b)) {
            (Some(a), Some(b)) => self.of(&a, &b).map_or(Value::Missing, Value::Num),
            _ => Value::Missing,
        }
    }
}

/// Intersection over union; two regions without area: 0 (nothing to share).
pub fn iou(a: &Value, b: &Value) -> Value {
    Overlap::Iou.of_values(a, b)
}

/// Intersection over the first region's area; missing when it has none.
pub fn ioa(a: &Value, b: &Value) -> Value {
    Overlap::Ioa.of_values(a, b)
}

/// Intersection over the smaller region's area; missing when either has none.
pub fn ios(a: &Value, b: &Value) -> Value {
    Overlap::Ios.of_values(a, b)
}

/// The area of a box or polygon.
pub fn area(value: &Value) -> Value {
    region(value).map_or(Value::Missing, |r| Value::Num(r.area()))
}

/// A box value from its numbers.
pub fn make_box(x: f64, y: f64, w: f64, h: f64) -> Value {
    Value::List(Arc::from([
        Value::Num(x),
        Value::Num(y),
        Value::Num(w),
        Value::Num(h),
    ]))
}

/// The box two boxes share (their bounding boxes, when rotated); missing when they do not
/// meet.
pub fn intersection(a: &Value, b: &Value) -> Value {
    let (Some(a), Some(b)) = (
        region(a).and_then(|r| r.bounds()),
        region(b).and_then(|r| r.bounds()),
    ) else {
        return Value::Missing;
    };
    a.intersection(b).map_or(Value::Missing, |r| {
        make_box(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0)
    })
}

/// The centre of a point (itself), a box or a polygon (its centroid).
pub fn center(value: &Value) -> Option<(f64, f64)> {
    use geo::Centroid;
    if let Some(p) = point(value) {
        return Some(p);
    }
    match region(value)? {
        Region::Rect(r) => Some(((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0)),
        Region::Polygon(p) => p.centroid().map(|c| (c.x(), c.y())),
    }
}

/// A point value.
pub fn point_value((x, y): (f64, f64)) -> Value {
    Value::List(Arc::from([Value::Num(x), Value::Num(y)]))
}

/// The distance between two points, or between the centres of two regions.
pub fn distance(a: &Value, b: &Value) -> Value {
    match (center(a), center(b)) {
        (Some((ax, ay)), Some((bx, by))) => Value::Num((ax - bx).hypot(ay - by)),
        _ => Value::Missing,
    }
}

/// Width over height of a box; missing when it has no height.
pub fn aspect(value: &Value) -> Value {
    match box_numbers(value) {
        Some([_, _, w, h, _]) => ratio(w.abs(), h.abs()),
        None => Value::Missing,
    }
}

/// Whether the first (a point, box or polygon) lies wholly inside the second (a box or
/// polygon), edges included.
pub fn inside(inner: &Value, outer: &Value) -> Value {
    let Some(outer) = region(outer) else {
        return Value::Missing;
    };
    if let Some((x, y)) = point(inner) {
        let at = Rect {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        };
        return Value::Bool(covers(&outer, &Region::Rect(at)));
    }
    match region(inner) {
        Some(inner) => Value::Bool(covers(&outer, &inner)),
        None => Value::Missing,
    }
}

fn covers(outer: &Region, inner: &Region) -> bool {
    use geo::Relate;
    match (outer, inner) {
        (Region::Rect(o), Region::Rect(i)) => o.contains(*i),
        _ => outer.polygon().relate(&inner.polygon()).is_covers(),
    }
}

/// Why a polygon is not valid, in words; `None` when it is. A box is always valid.
pub fn invalidity(value: &Value) -> Option<String> {
    if box_numbers(value).is_some() {
        return None;
    }
    let Some(rings) = rings(value) else {
        return Some("not a polygon".into());
    };
    if rings
        .iter()
        .flatten()
        .any(|(x, y)| !x.is_finite() || !y.is_finite())
    {
        return Some("a coordinate is not a finite number".into());
    }
    let polygon = polygon_of(rings);
    let problem = polygon.validation_errors().into_iter().next()?;
    Some(match problem {
        geo::algorithm::validation::InvalidPolygon::TooFewPointsInRing(_) => {
            "a ring has fewer than 3 distinct points".into()
        }
        geo::algorithm::validation::InvalidPolygon::SelfIntersection(_) => {
            "a ring crosses or touches itself".into()
        }
        other => other.to_string(),
    })
}
