//! The temporal agreement functions (`segment_f1`, `diarization_error`, …) in a rule: the
//! segments each side gives, compared per item (`crate::metrics::temporal`).

use super::{Bound, RuleRun};
use crate::data::Value;
use crate::plan::{ExprId, Node};
use std::sync::Arc;

impl<'a, 'r> RuleRun<'a, 'r> {
    /// The segments of one side of a temporal agreement function: its records that pass the
    /// filter, with their labels (missing labels are empty).
    #[inline(never)]
    pub(super) fn segments(
        &self,
        side: &crate::plan::Side,
        env: &mut [Bound<'r>],
    ) -> Vec<(Arc<str>, crate::metrics::temporal::Segment)> {
        let var = side.var.0 as usize;
        let candidates = self.candidates(&side.source, &side.access, env);
        let implied = side.access.implied();
        let mut out = Vec::new();
        if self.spend(candidates.len()) {
            for i in 0..candidates.len() {
                if !self.bind_passing(&candidates, i, var, (&side.filter, implied), env) {
                    continue;
                }
                let Some(span) = self.interval(env, side.var) else {
                    continue;
                };
                let label = side
                    .label
                    .map(|l| self.value(l, env).to_string())
                    .unwrap_or_default();
                let item = match &env[var] {
                    Bound::Record(r) => r.item.clone(),
                    _ => Arc::from(""),
                };
                let segment = crate::metrics::temporal::Segment {
                    start: span.start,
                    end: span.end,
                    label,
                };
                out.push((item, segment));
            }
        }
        env[var] = Bound::Unset;
        out
    }

    /// A temporal agreement function. In a data-set rule each item's segmentations are
    /// compared on their own and the matchings and errors summed: segments of different clips
    /// never match.
    #[inline(never)]
    pub(super) fn temporal(&self, id: ExprId, env: &mut [Bound<'r>]) -> Value {
        let Node::Temporal {
            function,
            sides,
            threshold,
        } = self.rule.expr(id)
        else {
            return Value::Missing;
        };
        let threshold = threshold
            .and_then(|t| self.value(t, env).as_num())
            .unwrap_or(0.5);
        let [a, b] = sides.as_ref();
        let (reference, other) = (self.segments(a, env), self.segments(b, env));
        let value = if self.rule.scope == crate::ops::Scope::Dataset {
            let mut matching = crate::metrics::temporal::Matching::default();
            let mut error = crate::metrics::temporal::DiarizationError::default();
            let mut work = 0;
            for [reference, other] in by_item(reference, other).values() {
                let (m, e, w) = function.parts_counted(reference, other, threshold);
                matching.merge(&m);
                error.merge(&e);
                work += w;
            }
            (function.of_parts(&matching, &error), work)
        } else {
            let (m, e, work) =
                function.parts_counted(&untagged(reference), &untagged(other), threshold);
            (function.of_parts(&m, &e), work)
        };
        // The work counts against the rule's budget once done: the sweeps are near-linear,
        // so it is the pairs that overlap, not every pair, that a pathological item costs.
        let (value, work) = value;
        if !self.spend(work as usize) {
            return Value::Missing;
        }
        value
            .filter(|x| x.is_finite())
            .map_or(Value::Missing, Value::Num)
    }
}

/// Two sides' segments grouped by item, in item order.
fn by_item(
    reference: Vec<(Arc<str>, crate::metrics::temporal::Segment)>,
    other: Vec<(Arc<str>, crate::metrics::temporal::Segment)>,
) -> std::collections::BTreeMap<Arc<str>, [Vec<crate::metrics::temporal::Segment>; 2]> {
    let mut items: std::collections::BTreeMap<_, [Vec<_>; 2]> = Default::default();
    for (side, segments) in [reference, other].into_iter().enumerate() {
        for (item, segment) in segments {
            items.entry(item).or_default()[side].push(segment);
        }
    }
    items
}

/// Segments without the items they came from.
pub(super) fn untagged(
    segments: Vec<(Arc<str>, crate::metrics::temporal::Segment)>,
) -> Vec<crate::metrics::temporal::Segment> {
    segments.into_iter().map(|(_, s)| s).collect()
}
