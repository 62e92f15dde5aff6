//! Interval relations and functions: what `before`, `overlaps`, `within`, `duration`, `gap`
//! and `tiou` mean, for the evaluator, the built-ins and the temporal statistics alike.
//!
//! Boundary convention (see docs/language.md#time): without a tolerance, endpoints compare
//! exactly, and `intersects` needs shared time of positive length *or* a zero-length interval
//! strictly inside the other (`a.start < b.end and b.start < a.end`), so touching intervals do
//! not intersect. With `within d`, two endpoints closer than or exactly `d` apart count as
//! equal, "before" means "earlier by more than `d`", and `intersects` admits gaps up to and
//! including `d` (`a.start <= b.end + d and b.start <= a.end + d`).

use crate::ops::Relation;

/// A closed interval `[start, end]` in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
}

/// Endpoint comparisons under a tolerance.
#[derive(Debug, Clone, Copy)]
struct Slack(Option<f64>);

impl Slack {
    /// `x` equals `y`: `|x - y| <= d`, computed as two additions so the boundary is exact.
    fn eq(self, x: f64, y: f64) -> bool {
        match self.0 {
            None => x == y,
            Some(d) => x <= y + d && y <= x + d,
        }
    }

    /// `x` is before `y`: by more than `d`.
    fn lt(self, x: f64, y: f64) -> bool {
        match self.0 {
            None => x < y,
            Some(d) => x + d < y,
        }
    }
}

/// Whether `rel` holds between `a` and `b`, with an optional tolerance in seconds.
pub fn holds(rel: Relation, a: Interval, b: Interval, tolerance: Option<f64>) -> bool {
    let s = Slack(tolerance);
    match rel {
        Relation::Before => s.lt(a.end, b.start),
        Relation::After => s.lt(b.end, a.start),
        Relation::Meets => s.eq(a.end, b.start),
        Relation::MetBy => s.eq(b.end, a.start),
        Relation::Overlaps => s.lt(a.start, b.start) && s.lt(b.start, a.end) && s.lt(a.end, b.end),
        Relation::OverlappedBy => {
            s.lt(b.start, a.start) && s.lt(a.start, b.end) && s.lt(b.end, a.end)
        }
        Relation::Starts => s.eq(a.start, b.start) && s.lt(a.end, b.end),
        Relation::StartedBy => s.eq(a.start, b.start) && s.lt(b.end, a.end),
        Relation::During => s.lt(b.start, a.start) && s.lt(a.end, b.end),
        Relation::Contains => s.lt(a.start, b.start) && s.lt(b.end, a.end),
        Relation::Finishes => s.eq(a.end, b.end) && s.lt(b.start, a.start),
        Relation::FinishedBy => s.eq(a.end, b.end) && s.lt(a.start, b.start),
        Relation::Equals => s.eq(a.start, b.start) && s.eq(a.end, b.end),
        Relation::Intersects => match tolerance {
            None => a.start < b.end && b.start < a.end,
            Some(d) => a.start <= b.end + d && b.start <= a.end + d,
        },
    }
}

/// `end - start`.
pub fn duration(a: Interval) -> f64 {
    a.end - a.start
}

/// The time between two intervals; 0 when they touch or share time.
pub fn gap(a: Interval, b: Interval) -> f64 {
    (a.start.max(b.start) - a.end.min(b.end)).max(0.0)
}

/// Temporal intersection over union: the shared time over the time either covers (for
/// intervals that share time, the span from the first start to the last end; for any
/// other pair the intersection is 0). Two equal zero-length intervals have 1; a zero-length
/// interval and anything else have 0. The one formula of the crate: the `tiou` built-in and
/// the temporal statistics' matching both use it.
pub fn tiou(a: Interval, b: Interval) -> f64 {
    let inter = (a.end.min(b.end) - a.start.max(b.start)).max(0.0);
    let union = a.end.max(b.end) - a.start.min(b.start);
    if union == 0.0 {
        1.0
    } else {
        inter / union
    }
}
