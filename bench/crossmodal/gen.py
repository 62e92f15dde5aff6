"""Clips whose faces and objects carry boxes, with the cross-modal faults of rules/space.cord
planted, and the counts an independent reading of the records expects.

    python3 bench/crossmodal/gen.py --items 200 --seed 1 --out clips.jsonl --expect expected.json

Records are in the canonical format of ../shared/bench (speech, transcript, face, caption,
object), with two additions: a face has a `box` (where the face is, in fractions of the
frame, as the objects' `bbox` is), and an object's `bbox` may be missing, empty or off the
frame. Each clip has 2-4 speakers taking 8-14 turns; each turn has a transcript and a boxed
face of its speaker over it; each clip has 6-12 objects and 1-3 captions that mention labels
visible in their span. Planted, per turn: the face dropped (2 %), drawn off the frame (1 %),
drawn with no area (1 %); per caption mention: every box of that label in the caption's span
off the frame or empty (3 %). The expected counts are computed from the records written, not
from what was planted, so they hold however faults combine.
"""

import argparse
import json
import random

LABELS = ["dog", "cat", "car", "person", "bicycle", "tv", "cup", "chair", "bird", "phone"]
SPEAKERS = ["ann", "bob", "cy", "dee"]
RATES = {"face_dropped": 0.02, "face_off_frame": 0.01, "face_no_area": 0.01, "mention_unboxed": 0.03}


def r3(x):
    return round(x, 3)


def on_frame_box(rng):
    w, h = rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3)
    return [r3(rng.uniform(0, 1 - w)), r3(rng.uniform(0, 1 - h)), r3(w), r3(h)]


def bad_box(rng):
    if rng.random() < 0.5:
        return [r3(rng.uniform(1.05, 1.5)), r3(rng.uniform(0, 0.5)), 0.1, 0.1]   # off the frame
    return [r3(rng.uniform(0, 0.8)), r3(rng.uniform(0, 0.8)), 0.0, 0.1]       # no area


def clip(index, seed):
    rng = random.Random(f"{seed}:{index}")
    item, records, counters = f"clip{index:06d}", [], {}

    def add(kind, prefix, **fields):
        counters[prefix] = counters.get(prefix, 0) + 1
        record = {"item": item, "kind": kind, "id": f"{prefix}{counters[prefix]}", **fields}
        records.append(record)
        return record

    speakers = rng.sample(SPEAKERS, rng.randint(2, 4))
    t = 0.0
    for _ in range(rng.randint(8, 14)):
        who = rng.choice(speakers)
        start, end = r3(t), r3(t + rng.uniform(1.5, 6))
        add("speech", "s", start=start, end=end, speaker=who, annotator="a1")
        add("transcript", "t", start=start, end=end, speaker=who, text="…", sentiment="neutral", annotator="a1")
        roll = rng.random()
        if roll >= RATES["face_dropped"]:
            box = on_frame_box(rng)
            if roll < RATES["face_dropped"] + RATES["face_off_frame"] + RATES["face_no_area"]:
                box = bad_box(rng)
            add("face", "f", start=r3(start - 0.2), end=r3(end + 0.2), track=who, emotion="neutral",
                annotator="a1", box=box)
        t = end + rng.uniform(0.3, 1.2)
    duration = t
    objects = []
    for _ in range(rng.randint(6, 12)):
        a = rng.uniform(0, max(0.1, duration - 4))
        objects.append(add("object", "o", start=r3(a), end=r3(min(duration, a + rng.uniform(3, 15))),
                           label=rng.choice(LABELS), bbox=on_frame_box(rng)))
    for _ in range(rng.randint(1, 3)):
        anchor = rng.choice(objects)
        c0 = r3(max(0.0, anchor["start"] - 1))
        c1 = r3(c0 + rng.uniform(3, 8))
        visible = sorted({o["label"] for o in objects if o["start"] < c1 and c0 < o["end"]})
        mentions = rng.sample(visible, min(len(visible), rng.randint(1, 3)))
        for m in mentions:
            if rng.random() < RATES["mention_unboxed"]:
                for o in objects:
                    if o["label"] == m and o["start"] < c1 and c0 < o["end"]:
                        o["bbox"] = bad_box(rng)
        add("caption", "c", start=c0, end=c1, text="…", mentions=mentions)
    return records


def visible(box):
    """A box with area, inside the frame [0, 1] × [0, 1]."""
    if box is None:
        return False
    x, y, w, h = box
    return w > 0 and h > 0 and x >= 0 and y >= 0 and x + w <= 1 and y + h <= 1


def expected(records):
    """What rules/space.cord reports, computed from the records by plain loops."""
    counts = {"speaker-face-on-screen": 0, "caption-mention-boxed": 0}
    by_item = {}
    for r in records:
        by_item.setdefault(r["item"], []).append(r)
    for clip_records in by_item.values():
        faces = [r for r in clip_records if r["kind"] == "face"]
        objects = [r for r in clip_records if r["kind"] == "object"]
        if any("box" in f for f in faces):
            for s in (r for r in clip_records if r["kind"] == "speech"):
                seen = any(f["track"] == s["speaker"] and f["start"] < s["end"] and s["start"] < f["end"]
                           and visible(f.get("box")) for f in faces)
                counts["speaker-face-on-screen"] += not seen
        for c in (r for r in clip_records if r["kind"] == "caption"):
            for m in c["mentions"]:
                there = [o for o in objects if o["label"] == m and o["start"] < c["end"] and c["start"] < o["end"]]
                if there and not any(visible(o.get("bbox")) for o in there):
                    counts["caption-mention-boxed"] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect", help="write the expected counts (JSON) here")
    args = ap.parse_args()
    records = [r for i in range(args.items) for r in clip(i, args.seed)]
    with open(args.out, "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    if args.expect:
        with open(args.expect, "w") as f:
            json.dump(expected(records), f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
