//! The sweeps against the pairwise definitions they replace, and worked examples.

use super::*;
use proptest::prelude::*;

/// The definitions pair by pair: obviously right, quadratic.
mod naive {
    use super::super::{tiou, DiarizationError, Matching, Segment};

    /// Matches segments one to one, greedily by descending temporal IoU (ties: reference order,
    /// then hypothesis order), keeping pairs at or above `threshold`.
    pub(super) fn match_segments(
        reference: &[Segment],
        hypothesis: &[Segment],
        threshold: f64,
    ) -> Matching {
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (i, r) in reference.iter().enumerate() {
            for (j, h) in hypothesis.iter().enumerate() {
                let iou = tiou(r, h);
                if iou >= threshold {
                    pairs.push((iou, i, j));
                }
            }
        }
        // Which pairs a matching takes is the same definition either way; only how the
        // pairs are found differs.
        super::super::sweep::greedy(pairs, reference, hypothesis)
    }

    /// The diarization error of `hypothesis` against `reference` for one item: hypothesis
    /// speakers are mapped one to one onto reference speakers so as to maximise the time they
    /// share, then every stretch between boundaries is scored by how many speakers each side
    /// has there and how many of them agree.
    pub(super) fn diarization_error(
        reference: &[Segment],
        hypothesis: &[Segment],
    ) -> DiarizationError {
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
        let assignment = super::super::assignment::max_weight_assignment(&weights);
        assignment
            .into_iter()
            .enumerate()
            .map(|(j, i)| i.filter(|&i| weights[j][i] > 0.0))
            .collect()
    }
}

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

/// Segments on whole and half seconds: touching and equal boundaries, and zero lengths, are
/// common.
fn segments(labels: &'static [&'static str]) -> impl Strategy<Value = Vec<Segment>> {
    let segment =
        (0u32..40, 0u32..12, 0..labels.len()).prop_map(move |(start, length, label)| Segment {
            start: f64::from(start),
            end: f64::from(start) + f64::from(length) * 0.5,
            label: labels[label].into(),
        });
    prop::collection::vec(segment, 0..14)
}

/// Segments at arbitrary times: shared times, and so the best speaker mapping, never tie.
fn untied_segments(labels: &'static [&'static str]) -> impl Strategy<Value = Vec<Segment>> {
    let segment =
        (0.0..20.0f64, 0.01..6.0f64, 0..labels.len()).prop_map(move |(start, length, label)| {
            Segment {
                start,
                end: start + length,
                label: labels[label].into(),
            }
        });
    prop::collection::vec(segment, 0..14)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(crate::proptest_config(3000))]

    #[test]
    fn the_matching_sweep_equals_the_pairwise_matching(
        reference in segments(&[""]),
        hypothesis in segments(&[""]),
        threshold in prop::sample::select(vec![0.0, 0.1, 0.5, 0.9, 1.0]),
    ) {
        let fast = match_segments(&reference, &hypothesis, threshold);
        let slow = naive::match_segments(&reference, &hypothesis, threshold);
        prop_assert_eq!(fast, slow);
    }

    /// Where speakers tie for the best mapping, either choice is the definition's (as with
    /// pyannote's assignment); what does not depend on the mapping must agree exactly.
    #[test]
    fn the_diarization_sweep_scores_time_as_the_pairwise_error(
        reference in segments(&["A", "B", "C"]),
        hypothesis in segments(&["x", "y", "z", "w"]),
    ) {
        let fast = diarization_error(&reference, &hypothesis);
        let slow = naive::diarization_error(&reference, &hypothesis);
        prop_assert!(close(fast.total, slow.total), "{:?} {:?}", fast, slow);
        prop_assert!(close(fast.missed, slow.missed), "{:?} {:?}", fast, slow);
        prop_assert!(close(fast.false_alarm, slow.false_alarm), "{:?} {:?}", fast, slow);
    }

    #[test]
    fn the_diarization_sweep_equals_the_pairwise_error(
        reference in untied_segments(&["A", "B", "C"]),
        hypothesis in untied_segments(&["x", "y", "z", "w"]),
    ) {
        let fast = diarization_error(&reference, &hypothesis);
        let slow = naive::diarization_error(&reference, &hypothesis);
        prop_assert!(close(fast.total, slow.total), "{:?} {:?}", fast, slow);
        prop_assert!(close(fast.missed, slow.missed), "{:?} {:?}", fast, slow);
        prop_assert!(close(fast.false_alarm, slow.false_alarm), "{:?} {:?}", fast, slow);
        prop_assert!(close(fast.confusion, slow.confusion), "{:?} {:?}", fast, slow);
    }
}
