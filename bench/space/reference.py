"""The spatial benchmark's two checks, vectorised with polars and numpy (the way a data team
would write them): box agreement between each pair of annotators (greedy one-to-one matching
of boxes of one label at IoU >= 0.5; the unmatched boxes are counted) and duplicates (two boxes
of one label by one annotator at IoU >= 0.9).

    python reference.py boxes.jsonl      # prints {"boxes-agree": N, "box-drawn-twice": M}

Candidate pairs come from joins on (image, label) and IoU is computed column-wise; only the
greedy pass over the candidate pairs, best first, is a Python loop, since each choice depends
on the ones before it.
"""
import json
import sys

import numpy as np
import polars as pl


def iou(left, right):
    """IoU of matching rows of two (n, 4) arrays of [x, y, w, h] boxes."""
    x0 = np.maximum(left[:, 0], right[:, 0])
    y0 = np.maximum(left[:, 1], right[:, 1])
    x1 = np.minimum(left[:, 0] + left[:, 2], right[:, 0] + right[:, 2])
    y1 = np.minimum(left[:, 1] + left[:, 3], right[:, 1] + right[:, 3])
    shared = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    union = left[:, 2] * left[:, 3] + right[:, 2] * right[:, 3] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, shared / union, 0.0)


def boxes(path):
    frame = pl.read_ndjson(path, schema={"item": pl.Utf8, "kind": pl.Utf8, "id": pl.Utf8,
                                         "box": pl.List(pl.Float64), "label": pl.Utf8,
                                         "annotator": pl.Utf8})
    frame = frame.with_row_index("pos")
    coords = frame["box"].list.to_array(4).to_numpy()
    return frame.drop("box").with_columns(
        x=coords[:, 0], y=coords[:, 1], w=coords[:, 2], h=coords[:, 3])


def pairs(frame, on, where):
    joined = frame.join(frame, on=on, suffix="_b").filter(where)
    left = joined.select("x", "y", "w", "h").to_numpy()
    right = joined.select("x_b", "y_b", "w_b", "h_b").to_numpy()
    return joined.with_columns(iou=iou(left, right))


def duplicates(frame):
    candidates = pairs(frame, ["item", "annotator", "label"], pl.col("id") < pl.col("id_b"))
    return int((candidates["iou"] >= 0.9).sum())


def unmatched(frame):
    candidates = pairs(frame, ["item", "label"], pl.col("annotator") < pl.col("annotator_b"))
    candidates = candidates.filter(pl.col("iou") >= 0.5).sort(
        ["item", "annotator", "annotator_b", "iou", "pos", "pos_b"],
        descending=[False, False, False, True, False, False])
    matched = 0
    used, group = set(), None
    for item, a, b, pos, pos_b in candidates.select(
            "item", "annotator", "annotator_b", "pos", "pos_b").iter_rows():
        if (item, a, b) != group:
            group, used = (item, a, b), set()
        if ("l", pos) not in used and ("r", pos_b) not in used:
            used.add(("l", pos))
            used.add(("r", pos_b))
            matched += 1
    # Every box takes part in one matching per other annotator, whether or not that one drew
    # anything on the image.
    annotators = frame["annotator"].n_unique()
    return (annotators - 1) * frame.height - 2 * matched


def main():
    frame = boxes(sys.argv[1])
    print(json.dumps({"boxes-agree": unmatched(frame), "box-drawn-twice": duplicates(frame)}))


if __name__ == "__main__":
    main()
