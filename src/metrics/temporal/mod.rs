//! Temporal agreement between two segmentations of the same item: matched segments at a
//! temporal-IoU threshold, how far matched boundaries lie apart, and a diarization-style
//! error rate.
//!
//! Both are computed by sweeping over the segments' boundaries in time order
//! (`sweep`), so their cost grows with the segments and the pairs that overlap, not with
//! every pair: 20,000 segments a side took 56 s pair by pair. The pairwise definitions are
//! kept in the tests as the naive reference the sweeps are held equal to.

mod assignment;
mod sweep;
#[cfg(test)]
mod tests;

pub(crate) use assignment::best_mapping;
pub use sweep::{diarization_error, match_segments};

/// A labelled stretch of time.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Who or what (a speaker, an event class); ignored by segment matching.
    pub label: String,
}

/// Temporal intersection over union; two equal zero-length segments have 1.
pub fn tiou(a: &Segment, b: &Segment) -> f64 {
    let interval = |s: &Segment| crate::ops::time::Interval {
        start: s.start,
        end: s.end,
    };
    crate::ops::time::tiou(interval(a), interval(b))
}

/// How two segmentations match at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Matching {
    /// Matched pairs.
    pub matched: usize,
    /// Segments of the reference.
    pub reference: usize,
    /// Segments of the other segmentation.
    pub hypothesis: usize,
    /// Sum over matched pairs of the mean of |start difference| and |end difference|.
    pub boundary_sum: f64,
}

impl Matching {
    /// Matched share of the other segmentation's segments.
    pub fn precision(&self) -> Option<f64> {
        (self.hypothesis > 0).then(|| self.matched as f64 / self.hypothesis as f64)
    }

    /// Matched share of the reference's segments.
    pub fn recall(&self) -> Option<f64> {
        (self.reference > 0).then(|| self.matched as f64 / self.reference as f64)
    }

    /// Harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        })
    }

    /// Mean boundary deviation of matched pairs, seconds.
    pub fn boundary_deviation(&self) -> Option<f64> {
        (self.matched > 0).then(|| self.boundary_sum / self.matched as f64)
    }

    /// Adds another item's matching (matchings of items add up).
    pub fn merge(&mut self, other: &Matching) {
        self.matched += other.matched;
        self.reference += other.reference;
        self.hypothesis += other.hypothesis;
        self.boundary_sum += other.boundary_sum;
    }
}

/// The parts of a diarization error, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct DiarizationError {
    /// Reference speech (overlapping speakers count once each).
    pub total: f64,
    /// Reference speech with no hypothesis speaker.
    pub missed: f64,
    /// Hypothesis speech where the reference has none.
    pub false_alarm: f64,
    /// Speech attributed to the wrong speaker under the best one-to-one speaker mapping.
    pub confusion: f64,
}

impl DiarizationError {
    /// (missed + false alarm + confusion) / total, as pyannote.metrics'
    /// `DiarizationErrorRate` (no collar, overlaps scored).
    pub fn rate(&self) -> Option<f64> {
        (self.total > 0.0).then(|| (self.missed + self.false_alarm + self.confusion) / self.total)
    }

    /// Adds another item's error (errors of items add up, as pyannote's `abs(metric)`).
    pub fn merge(&mut self, other: &DiarizationError) {
        self.total += other.total;
        self.missed += other.missed;
        self.false_alarm += other.false_alarm;
        self.confusion += other.confusion;
    }
}

/// A temporal agreement function of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TemporalFn {
    /// Matched share of the other segmentation's segments.
    Precision,
    /// Matched share of the reference's segments.
    Recall,
    /// Harmonic mean of the two.
    F1,
    /// Mean boundary deviation of matched pairs, seconds.
    BoundaryDeviation,
    /// Diarization error rate of the other segmentation against the reference.
    DiarizationError,
}

impl TemporalFn {
    /// The function named `name` in the language.
    pub fn from_name(name: &str) -> Option<TemporalFn> {
        Some(match name {
            "segment_precision" => TemporalFn::Precision,
            "segment_recall" => TemporalFn::Recall,
            "segment_f1" => TemporalFn::F1,
            "boundary_deviation" => TemporalFn::BoundaryDeviation,
            "diarization_error" => TemporalFn::DiarizationError,
            _ => return None,
        })
    }

    /// Its name in the language.
    pub fn name(self) -> &'static str {
        match self {
            TemporalFn::Precision => "segment_precision",
            TemporalFn::Recall => "segment_recall",
            TemporalFn::F1 => "segment_f1",
            TemporalFn::BoundaryDeviation => "boundary_deviation",
            TemporalFn::DiarizationError => "diarization_error",
        }
    }

    /// The function of two segmentations; `threshold` is the temporal IoU of matching.
    pub fn compute(self, reference: &[Segment], other: &[Segment], threshold: f64) -> Option<f64> {
        let (matching, error) = self.parts(reference, other, threshold);
        self.of_parts(&matching, &error)
    }

    /// What one item's segmentations add to the function over several items: matchings and
    /// errors of items add up.
    pub fn parts(
        self,
        reference: &[Segment],
        other: &[Segment],
        threshold: f64,
    ) -> (Matching, DiarizationError) {
        let (matching, error, _) = self.parts_counted(reference, other, threshold);
        (matching, error)
    }

    /// [`TemporalFn::parts`] with the work it took (pairs of segments and of labels
    /// considered), which the evaluator counts against a rule's work budget.
    pub fn parts_counted(
        self,
        reference: &[Segment],
        other: &[Segment],
        threshold: f64,
    ) -> (Matching, DiarizationError, u64) {
        let mut matching = Matching::default();
        let mut error = DiarizationError::default();
        let work = if self == TemporalFn::DiarizationError {
            let (e, work) = sweep::diarization_error_counted(reference, other);
            error = e;
            work
        } else {
            let (m, work) = sweep::match_segments_counted(reference, other, threshold);
            matching = m;
            work
        };
        (matching, error, work)
    }

    /// The function from (summed) parts.
    pub fn of_parts(self, matching: &Matching, error: &DiarizationError) -> Option<f64> {
        match self {
            TemporalFn::Precision => matching.precision(),
            TemporalFn::Recall => matching.recall(),
            TemporalFn::F1 => matching.f1(),
            TemporalFn::BoundaryDeviation => matching.boundary_deviation(),
            TemporalFn::DiarizationError => error.rate(),
        }
    }
}
