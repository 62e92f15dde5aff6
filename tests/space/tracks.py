"""Concordant's frame-by-frame Label Studio video tracks (`track` records) against
label-studio-tools' `extract_key_frames`, the function Label Studio's own tools export them
with, on the real video exports.

    python tracks.py CONCORDANT FILE...

For every file, the frames both give (number, box, rotation) must be the same, the box to
1e-9; times to 0.005 s, since extract_key_frames rounds interpolated times to 2 decimals.
"""
import json
import subprocess
import sys

from label_studio_tools.postprocessing.video import extract_key_frames


def results(root):
    """Every result of every annotation and prediction in an export."""
    tasks = root if isinstance(root, list) else [root]
    for task in tasks:
        if "result" in task and "data" not in task:  # a list of predictions
            yield from task["result"]
            continue
        for key in ("annotations", "predictions", "completions"):
            for a in task.get(key) or []:
                yield from a.get("result") or []
        if "annotation" in task:
            yield from task["annotation"].get("result") or []


def reference(path):
    frames = []
    for result in extract_key_frames([r for r in results(json.load(open(path)))
                                      if r.get("type", "").lower() == "videorectangle"]):
        for f in result["value"]["sequence"]:
            frames.append((f["frame"], f["x"], f["y"], f["width"], f["height"], f["rotation"], f["time"]))
    return sorted(frames)


def concordant(binary, path):
    out = subprocess.run([binary, "convert", path], capture_output=True, text=True, check=True).stdout
    frames = []
    for line in out.splitlines():
        r = json.loads(line)
        if r.get("kind") == "track":
            frames.append((r["frame"], r["x"], r["y"], r["width"], r["height"], r["rotation"], r["time"]))
    return sorted(frames)


def same(a, b):
    return a[0] == b[0] and all(abs(x - y) <= 1e-9 for x, y in zip(a[1:6], b[1:6])) \
        and abs(a[6] - b[6]) <= 0.005 + 1e-9


def main():
    binary, paths = sys.argv[1], sys.argv[2:]
    failed = False
    for path in paths:
        want, have = reference(path), concordant(binary, path)
        bad = [(w, h) for w, h in zip(want, have) if not same(w, h)]
        if len(want) != len(have) or bad:
            failed = True
            print(f"{path}: {len(have)} frames, extract_key_frames {len(want)}; first differences: {bad[:3]}")
        else:
            print(f"{path}: all {len(have)} frames equal extract_key_frames'")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
