//! Segment matching and the diarization error by sweeping over boundaries in time order.
//!
//! Both definitions range over pairs of segments, but only pairs that overlap in time
//! contribute: a pair that shares no time has a temporal IoU of 0 and no shared speech. The
//! sweep visits segments by start, keeps those still running, and so meets exactly the pairs
//! that overlap (and equal zero-length segments, whose IoU is 1).

use super::assignment::best_mapping;
use super::{tiou, DiarizationError, Matching, Segment};
use rustc_hash::FxHashMap;

/// Matches segments one to one, greedily by descending temporal IoU (ties: reference order,
/// then hypothesis order), keeping pairs at or above `threshold`.
pub fn match_segments(reference: &[Segment], hypothesis: &[Segment], threshold: f64) -> Matching {
    match_segments_counted(reference, hypothesis, threshold).0
}

/// [`match_segments`] with the number of pairs it considered.
pub(super) fn match_segments_counted(
    reference: &[Segment],
    hypothesis: &[Segment],
    threshold: f64,
) -> (Matching, u64) {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let mut considered = 0u64;
    let mut consider = |i: usize, j: usize| {
        considered += 1;
        let iou = tiou(&reference[i], &hypothesis[j]);
        if iou >= threshold {
            pairs.push((iou, i, j));
        }
    };
    if threshold > 0.0 {
        overlapping_pairs(reference, hypothesis, &mut consider);
    } else {
        // Every pair reaches a threshold of 0 or less, overlapping or not.
        for i in 0..reference.len() {
            (0..hypothesis.len()).for_each(|j| consider(i, j));
        }
    }
    (greedy(pairs, reference, hypothesis), considered)
}

/// The one-to-one matching that takes `pairs` (temporal IoU, reference, hypothesis) best
/// first (ties: reference order, then hypothesis order), skipping segments already taken.
pub(super) fn greedy(
    mut pairs: Vec<(f64, usize, usize)>,
    reference: &[Segment],
    hypothesis: &[Segment],
) -> Matching {
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

/// Calls `pair(i, j)` for every reference segment `i` and hypothesis segment `j` that share
/// time, or are the same zero-length point: every pair whose temporal IoU can be above 0.
fn overlapping_pairs(
    reference: &[Segment],
    hypothesis: &[Segment],
    pair: &mut impl FnMut(usize, usize),
) {
    let mut order: Vec<(f64, bool, usize)> = (reference.iter().enumerate())
        .map(|(i, s)| (s.start, false, i))
        .chain(
            hypothesis
                .iter()
                .enumerate()
                .map(|(j, s)| (s.start, true, j)),
        )
        .filter(|(start, _, _)| start.is_finite())
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut running_r, mut running_h): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (start, is_hypothesis, k) in order {
        let (mine, theirs, segments) = match is_hypothesis {
            false => (&mut running_r, &mut running_h, hypothesis),
            true => (&mut running_h, &mut running_r, reference),
        };
        // Still running at `start`: ends after it, or is a zero-length segment at it.
        theirs.retain(|&o| {
            let s = &segments[o];
            s.end > start || (s.end == start && s.start == start)
        });
        for &o in theirs.iter() {
            match is_hypothesis {
                false => pair(k, o),
                true => pair(o, k),
            }
        }
        mine.push(k);
    }
}

/// The diarization error of `hypothesis` against `reference` for one item: hypothesis
/// speakers are mapped one to one onto reference speakers so as to maximise the time they
/// share, then every stretch between boundaries is scored by how many speakers each side
/// has there and how many of them agree.
pub fn diarization_error(reference: &[Segment], hypothesis: &[Segment]) -> DiarizationError {
    diarization_error_counted(reference, hypothesis).0
}

/// [`diarization_error`] with the work it took.
pub(super) fn diarization_error_counted(
    reference: &[Segment],
    hypothesis: &[Segment],
) -> (DiarizationError, u64) {
    let sides = [Side::of(reference), Side::of(hypothesis)];
    let events = events(&sides);
    let mut shared: FxHashMap<(u32, u32), f64> = FxHashMap::default();
    let mut work = events.len() as u64;
    sweep(&events, |duration, active| {
        for &(i, ni) in &active[0].running {
            for &(j, nj) in &active[1].running {
                *shared.entry((j, i)).or_default() += duration * (ni * nj) as f64;
                work += 1;
            }
        }
    });
    let (rows, columns) = (sides[1].labels.len(), sides[0].labels.len());
    let (mapping, assigning) = best_mapping(rows, columns, &shared);
    work += assigning;
    let mut error = DiarizationError::default();
    sweep(&events, |duration, active| {
        let (nr, nh) = (active[0].total as f64, active[1].total as f64);
        let correct: usize = (active[1].running.iter())
            .filter_map(|&(j, nh)| {
                let i = mapping[j as usize]?;
                Some(nh.min(active[0].count(i as u32)))
            })
            .sum();
        error.total += duration * nr;
        error.missed += duration * (nr - nh).max(0.0);
        error.false_alarm += duration * (nh - nr).max(0.0);
        error.confusion += duration * (nr.min(nh) - correct as f64);
        work += active[1].running.len() as u64;
    });
    (error, work)
}

/// One side's segments with their labels numbered (in sorted label order).
struct Side<'s> {
    segments: &'s [Segment],
    labels: Vec<&'s str>,
    codes: Vec<u32>,
}

impl<'s> Side<'s> {
    fn of(segments: &'s [Segment]) -> Self {
        let mut labels: Vec<&str> = segments.iter().map(|s| s.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        let codes = (segments.iter())
            .map(|s| labels.binary_search(&s.label.as_str()).unwrap_or(0) as u32)
            .collect();
        Side {
            segments,
            labels,
            codes,
        }
    }
}

/// A segment starting (+1) or ending (-1) on a side, at a time.
#[derive(Clone, Copy)]
struct Event {
    time: f64,
    side: u8,
    label: u32,
    delta: i8,
}

/// Every start and end of a segment with length, in time order. A segment of no length (or
/// with times that are not numbers) has no stretch of time in which it is active.
fn events(sides: &[Side; 2]) -> Vec<Event> {
    let mut events = Vec::new();
    for (side, s) in sides.iter().enumerate() {
        for (segment, &label) in s.segments.iter().zip(&s.codes) {
            if segment.start < segment.end {
                let at = |time, delta| Event {
                    time,
                    side: side as u8,
                    label,
                    delta,
                };
                events.push(at(segment.start, 1));
                events.push(at(segment.end, -1));
            }
        }
    }
    events.sort_by(|a, b| a.time.total_cmp(&b.time));
    events
}

/// The labels active on one side, with how many of their segments are.
#[derive(Default)]
struct Active {
    /// (label, segments) for each label with at least one active segment.
    running: Vec<(u32, usize)>,
    /// Where each label is in `running`.
    place: FxHashMap<u32, usize>,
    /// Active segments in all.
    total: usize,
}

impl Active {
    fn count(&self, label: u32) -> usize {
        self.place.get(&label).map_or(0, |&at| self.running[at].1)
    }

    fn change(&mut self, label: u32, delta: i8) {
        self.total = self.total.saturating_add_signed(delta as isize);
        match (self.place.get(&label).copied(), delta > 0) {
            (Some(at), true) => self.running[at].1 += 1,
            (None, true) => {
                self.place.insert(label, self.running.len());
                self.running.push((label, 1));
            }
            (Some(at), false) if self.running[at].1 > 1 => self.running[at].1 -= 1,
            (Some(at), false) => {
                self.place.remove(&label);
                self.running.swap_remove(at);
                if let Some(&(moved, _)) = self.running.get(at) {
                    self.place.insert(moved, at);
                }
            }
            (None, false) => {}
        }
    }
}

/// Calls `stretch(duration, [reference, hypothesis])` for every stretch of time between
/// consecutive boundaries, with the labels active on each side throughout it.
fn sweep(events: &[Event], mut stretch: impl FnMut(f64, &[Active; 2])) {
    let mut active: [Active; 2] = Default::default();
    let mut at = 0;
    while at < events.len() {
        let time = events[at].time;
        while at < events.len() && events[at].time == time {
            let e = events[at];
            active[e.side as usize].change(e.label, e.delta);
            at += 1;
        }
        if let Some(next) = events.get(at) {
            stretch(next.time - time, &active);
        }
    }
}
