//! Temporal agreement between two segmentations of the same item: matched segments at a
//! temporal-IoU threshold, how far matched boundaries lie apart, and a diarization-style
//! error rate.

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
    let inter = (a.end.min(b.end) - a.start.max(b.start)).max(0.0);
    let union = a.end.max(b.end) - a.start.min(b.start);
    if union == 0.0 {
        1.0
    } else {
        inter / union
    }
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

/// Matches segments one to one, greedily by descending temporal IoU (ties: reference order,
/// then hypothesis order), keeping pairs at or above `threshold`.
pub fn match_segments(reference: &[Segment], hypothesis: &[Segment], threshold: f64) -> Matching {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, r) in reference.iter().enumerate() {
        for (j, h) in hypothesis.iter().enumerate() {
            let iou = tiou(r, h);
            if iou >= threshold {
                pairs.push((iou, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_r = vec![false; reference.len()];
    let mut used_h = vec![false; hypothesis.len()];
    let mut matching = Matching {
        matched: 0,
        reference: reference.len(),
        hypothesis: hypothesis.len(),
        boundary_sum: 0.0,
    };
    for (_, i, j) in pairs {
        if used_r[i] || used_h[j] {
            continue;
        }
        used_r[i] = true;
        used_h[j] = true;
        matching.matched += 1;
        let (r, h) = (&reference[i], &hypothesis[j]);
        matching.boundary_sum += ((r.start - h.start).abs() + (r.end - h.end).abs()) / 2.0;
    }
    matching
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

/// The diarization error of `hypothesis` against `reference` for one item: hypothesis
/// speakers are mapped one to one onto reference speakers so as to maximise the time they
/// share, then every stretch between boundaries is scored by how many speakers each side
/// has there and how many of them agree.
pub fn diarization_error(reference: &[Segment], hypothesis: &[Segment]) -> DiarizationError {
    let ref_labels = labels(reference);
    let hyp_labels = labels(hypothesis);
    let mapping = best_mapping(reference, hypothesis, &ref_labels, &hyp_labels);
    let mut bounds: Vec<f64> = reference
        .iter()
        .chain(hypothesis)
        .flat_map(|s| [s.start, s.end])
        .collect();
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    let mut error = DiarizationError::default();
    for w in bounds.windows(2) {
        let (from, to) = (w[0], w[1]);
        let duration = to - from;
        if duration <= 0.0 {
            continue;
        }
        // Speakers active here, with multiplicity: a label's overlapping turns count twice,
        // as pyannote counts tracks.
        let active = |segments: &[Segment], names: &[String]| -> Vec<usize> {
            let mut counts = vec![0usize; names.len()];
            for s in segments.iter().filter(|s| s.start <= from && to <= s.end) {
                if let Ok(i) = names.binary_search(&s.label) {
                    counts[i] += 1;
                }
            }
            counts
        };
        let r = active(reference, &ref_labels);
        let h = active(hypothesis, &hyp_labels);
        let correct: usize = h
            .iter()
            .enumerate()
            .filter_map(|(j, &n)| mapping[j].map(|i| n.min(r[i])))
            .sum();
        let (nr, nh) = (
            r.iter().sum::<usize>() as f64,
            h.iter().sum::<usize>() as f64,
        );
        error.total += duration * nr;
        error.missed += duration * (nr - nh).max(0.0);
        error.false_alarm += duration * (nh - nr).max(0.0);
        error.confusion += duration * (nr.min(nh) - correct as f64);
    }
    error
}

/// The distinct labels of segments, sorted.
fn labels(segments: &[Segment]) -> Vec<String> {
    let mut labels: Vec<String> = segments.iter().map(|s| s.label.clone()).collect();
    labels.sort();
    labels.dedup();
    labels
}

/// For each hypothesis label, the reference label it maps to (or none), maximising the
/// total time mapped labels share.
fn best_mapping(
    reference: &[Segment],
    hypothesis: &[Segment],
    ref_labels: &[String],
    hyp_labels: &[String],
) -> Vec<Option<usize>> {
    let shared = |i: usize, j: usize| -> f64 {
        let mut total = 0.0;
        for r in reference.iter().filter(|s| s.label == ref_labels[i]) {
            for h in hypothesis.iter().filter(|s| s.label == hyp_labels[j]) {
                total += (r.end.min(h.end) - r.start.max(h.start)).max(0.0);
            }
        }
        total
    };
    let weights: Vec<Vec<f64>> = (0..hyp_labels.len())
        .map(|j| (0..ref_labels.len()).map(|i| shared(i, j)).collect())
        .collect();
    let assignment = max_weight_assignment(&weights);
    assignment
        .into_iter()
        .enumerate()
        .map(|(j, i)| i.filter(|&i| weights[j][i] > 0.0))
        .collect()
}

/// A one-to-one assignment of rows to columns maximising the total weight (the Hungarian
/// method on a square matrix padded with zeros); rows left without a real column get `None`.
fn max_weight_assignment(weights: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = weights.len();
    let columns = weights.iter().map(Vec::len).max().unwrap_or(0);
    let n = rows.max(columns);
    if n == 0 {
        return Vec::new();
    }
    let big = weights.iter().flatten().fold(0.0f64, |m, &w| m.max(w));
    // Minimise cost = big - weight on the padded square matrix.
    let cost = |i: usize, j: usize| -> f64 {
        let w = weights
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or(0.0);
        big - w
    };
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut assignment = vec![None; rows];
    for (j, &i) in p.iter().enumerate().skip(1) {
        if (1..=rows).contains(&i) && j <= columns {
            assignment[i - 1] = Some(j - 1);
        }
    }
    assignment
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
        let mut matching = Matching::default();
        let mut error = DiarizationError::default();
        if self == TemporalFn::DiarizationError {
            error = diarization_error(reference, other);
        } else {
            matching = match_segments(reference, other, threshold);
        }
        (matching, error)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, end: f64, label: &str) -> Segment {
        Segment {
            start,
            end,
            label: label.into(),
        }
    }

    #[test]
    fn swapped_speaker_names_cost_nothing() {
        let reference = [seg(0.0, 2.0, "A"), seg(2.0, 5.0, "B")];
        let hypothesis = [seg(0.0, 2.0, "y"), seg(2.0, 5.0, "x")];
        assert_eq!(diarization_error(&reference, &hypothesis).rate(), Some(0.0));
    }

    #[test]
    fn missed_false_alarm_and_confusion_add_up() {
        let reference = [seg(0.0, 4.0, "A"), seg(4.0, 6.0, "B")];
        let hypothesis = [seg(1.0, 4.0, "x"), seg(4.0, 5.0, "x"), seg(6.0, 7.0, "y")];
        let e = diarization_error(&reference, &hypothesis);
        assert_eq!(
            (e.total, e.missed, e.false_alarm, e.confusion),
            (6.0, 2.0, 1.0, 1.0)
        );
    }

    #[test]
    fn overlapping_turns_of_one_speaker_count_twice_as_in_pyannote() {
        // pyannote.metrics gives missed 3, false alarm 1, confusion 2, total 11.
        let reference = [seg(0.0, 4.0, "A"), seg(2.0, 6.0, "A"), seg(5.0, 8.0, "B")];
        let hypothesis = [seg(0.0, 3.0, "x"), seg(3.0, 8.0, "y"), seg(1.0, 2.0, "y")];
        let e = diarization_error(&reference, &hypothesis);
        assert_eq!(
            (e.total, e.missed, e.false_alarm, e.confusion),
            (11.0, 3.0, 1.0, 2.0)
        );
    }

    #[test]
    fn greedy_matching_takes_the_best_pairs_first() {
        let reference = [seg(0.0, 10.0, ""), seg(10.0, 20.0, "")];
        let hypothesis = [seg(1.0, 10.0, ""), seg(9.0, 21.0, ""), seg(30.0, 31.0, "")];
        let m = match_segments(&reference, &hypothesis, 0.5);
        assert_eq!((m.matched, m.reference, m.hypothesis), (2, 2, 3));
        assert_eq!(m.boundary_deviation(), Some(0.75));
    }
}
