//! A Label Studio video track (`videorectangle`) frame by frame: the box at every frame the
//! track covers, interpolated between keyframes the way Label Studio draws it (and as
//! `label-studio-tools`' `extract_key_frames` exports it).
//!
//! Keyframes are taken in frame order. From a keyframe that is `enabled`, the box moves
//! linearly (x, y, width, height, rotation and time) to the next keyframe, frame by frame;
//! after the last keyframe, if it is still enabled, it stays as it is to the video's last
//! frame (`framesCount`), its time moving linearly to the video's `duration`. A keyframe with
//! `enabled: false` ends the track there until a later keyframe starts it again. Every
//! keyframe is a frame of the track, whether or not it is enabled.

use serde_json::Value;

/// One frame of a track: its number, time, box (percentages of the frame) and whether it was
/// interpolated rather than drawn.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TrackFrame {
    pub frame: f64,
    pub time: f64,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub rotation: f64,
    pub auto: bool,
}

/// A keyframe's numbers; `None` when it lacks a frame number.
fn keyframe(k: &Value) -> Option<(TrackFrame, bool)> {
    let n = |key: &str| k.get(key).and_then(Value::as_f64);
    let frame = TrackFrame {
        frame: n("frame")?,
        time: n("time").unwrap_or(0.0),
        x: n("x").unwrap_or(0.0),
        y: n("y").unwrap_or(0.0),
        width: n("width").unwrap_or(0.0),
        height: n("height").unwrap_or(0.0),
        rotation: n("rotation").unwrap_or(0.0),
        auto: false,
    };
    Some((
        frame,
        k.get("enabled").and_then(Value::as_bool).unwrap_or(true),
    ))
}

/// Every frame of the track `value` holds, in frame order: its keyframes and the frames
/// interpolated between them; at most `limit` interpolated ones, and whether that cut any
/// (a track that claims a billion frames is cut short rather than made a billion records).
pub(super) fn frames(value: &Value, limit: usize) -> (Vec<TrackFrame>, bool) {
    let mut keys: Vec<(TrackFrame, bool)> = (value.get("sequence").and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(keyframe)
        .collect();
    keys.sort_by(|a, b| a.0.frame.total_cmp(&b.0.frame));
    let frames_count = value
        .get("framesCount")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let duration = value.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
    let mut out: Vec<TrackFrame> = keys.iter().map(|(k, _)| k.clone()).collect();
    let (mut made, mut cut) = (0usize, false);
    for (i, (from, enabled)) in keys.iter().enumerate() {
        if !enabled {
            continue;
        }
        let next = keys.get(i + 1).map(|(k, _)| k);
        let last = next.map_or(frames_count, |n| n.frame);
        let span = (last - from.frame).max(0.0) as usize;
        // Up to the next keyframe, which is a frame of its own; past the last one, up to the
        // video's last frame, which is not.
        let steps = if next.is_some() { span } else { span + 1 };
        for step in 1..steps {
            if made >= limit {
                cut = true;
                break;
            }
            made += 1;
            out.push(between(from, next, (step, span), duration));
        }
    }
    out.sort_by(|a, b| a.frame.total_cmp(&b.frame));
    (out, cut)
}

/// The frame `delta` of the way from `from` to `to` (or, past the last keyframe, to the end
/// of the video: the box still, the time moving to `duration`).
fn between(
    from: &TrackFrame,
    to: Option<&TrackFrame>,
    (step, span): (usize, usize),
    duration: f64,
) -> TrackFrame {
    let delta = step as f64 / span.max(1) as f64;
    let lerp = |a: f64, b: Option<f64>| match b {
        Some(b) if b != a => a + (b - a) * delta,
        _ => a,
    };
    let time = match to {
        Some(t) if t.time != from.time => from.time + (t.time - from.time) * delta,
        _ if duration > 0.0 => from.time + delta * (duration - from.time),
        _ => from.time,
    };
    TrackFrame {
        frame: from.frame + step as f64,
        time,
        x: lerp(from.x, to.map(|t| t.x)),
        y: lerp(from.y, to.map(|t| t.y)),
        width: lerp(from.width, to.map(|t| t.width)),
        height: lerp(from.height, to.map(|t| t.height)),
        rotation: lerp(from.rotation, to.map(|t| t.rotation)),
        auto: true,
    }
}
