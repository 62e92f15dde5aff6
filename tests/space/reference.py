"""Concordant's geometry built-ins against shapely, its one-to-one box matching against a plain
greedy matcher, and its matching statistics (α over matched objects among them) against that
matcher and the `krippendorff` package, on randomised inputs.

Writes the cases as JSON lines, runs `concordant check` with rules whose messages print each
value, and compares every printed value with the reference to 1e-9. Exits 1 naming the first
cases that differ (with the seed that makes them again).
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

from shapely import affinity
from shapely.geometry import Point, Polygon, box as shapely_box

RULES = """
schema {
  kind case { x: box?, y: box?, a: polygon?, b: polygon?, p: point? }
  kind obj { box: box, label: str, annotator: str }
}
rule unmatched-boxes: info {
  for u in unmatched(a in obj where a.annotator == "A", b in obj where b.annotator == "B"
                     by iou(a.box, b.box) >= 0.5 and a.label == b.label)
  require false
  message "{u.id}"
}
rule box-agreement: info per dataset {
  require false
  message "{match_precision(a in obj where a.annotator == "A", b in obj where b.annotator == "B" by iou(a.box, b.box) >= 0.5)} {match_recall(a in obj where a.annotator == "A", b in obj where b.annotator == "B" by iou(a.box, b.box) >= 0.5)} {match_f1(a in obj where a.annotator == "A", b in obj where b.annotator == "B" by iou(a.box, b.box) >= 0.5)} {match_score(a in obj where a.annotator == "A", b in obj where b.annotator == "B" by iou(a.box, b.box) >= 0.5)} {match_alpha(a in obj where a.annotator == "A": a.label, b in obj where b.annotator == "B": b.label by iou(a.box, b.box) >= 0.5)}"
}
rule boxes: info {
  for c in case
  where has(c.x) and has(c.y)
  require false
  message "{iou(c.x, c.y)} {ioa(c.x, c.y) ?? -1} {ios(c.x, c.y) ?? -1} {area(c.x)} {inside(c.x, c.y)}"
}
rule point-in-box: info {
  for c in case
  where has(c.p) and has(c.x)
  require false
  message "{inside(c.p, c.x)}"
}
rule polygons: info {
  for c in case
  where has(c.a)
  require false
  message "{valid(c.a)} {area(c.a)}"
}
rule polygon-pairs: info {
  for c in case
  where has(c.a) and has(c.b) and valid(c.a) and valid(c.b)
  require false
  message "{iou(c.a, c.b)} {ioa(c.a, c.b) ?? -1}"
}
"""


def shapely_of_box(b):
    """A box [x, y, w, h] or [x, y, w, h, degrees] as shapely draws it: rotated clockwise
    on screen (y down) about its top-left corner, which is counter-clockwise in y-up axes."""
    x, y, w, h = b[:4]
    shape = shapely_box(min(x, x + w), min(y, y + h), max(x, x + w), max(y, y + h))
    if len(b) == 5 and b[4] != 0:
        shape = affinity.rotate(shape, b[4], origin=(x, y))
    return shape


def random_box(rng, rotated):
    x, y = rng.uniform(0, 100), rng.uniform(0, 100)
    w, h = rng.uniform(0, 60), rng.uniform(0, 60)
    choice = rng.random()
    if choice < 0.05:
        w = 0.0  # no area
    b = [round(x, 3), round(y, 3), round(w, 3), round(h, 3)]
    if rotated:
        b.append(round(rng.uniform(-180, 180), 2))
    return b


def near_box(rng, b):
    """A box close to `b`, so that many pairs overlap (some exactly, some inside)."""
    kind = rng.random()
    if kind < 0.1:
        return list(b)
    if kind < 0.2:
        x, y, w, h = b[:4]
        return [x + w / 4, y + h / 4, w / 2, h / 2] + b[4:]
    return [v + rng.uniform(-8, 8) for v in b[:4]] + b[4:]


def star_polygon(rng, holes):
    """A simple polygon: points at increasing angles around a centre (valid), with an
    optional hole well inside it."""
    cx, cy = rng.uniform(20, 80), rng.uniform(20, 80)
    n = rng.randint(3, 9)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
    outer = [[cx + r * math.cos(t), cy + r * math.sin(t)]
             for t, r in zip(angles, (rng.uniform(10, 30) for _ in range(n)))]
    rings = [outer]
    if holes:
        r = 3.0
        rings.append([[cx - r, cy - r], [cx + r, cy - r], [cx + r, cy + r], [cx - r, cy + r]])
    return rings


def scribble(rng):
    """Random points: often a ring that crosses itself."""
    n = rng.randint(3, 7)
    return [[[rng.uniform(0, 50), rng.uniform(0, 50)] for _ in range(n)]]


def shapely_polygon(rings):
    return Polygon(rings[0], rings[1:])


def cases(rng, count):
    for i in range(count):
        case = {"item": f"i{i // 100}", "kind": "case", "id": f"c{i}"}
        shape = rng.random()
        if shape < 0.45:
            x = random_box(rng, rotated=rng.random() < 0.3)
            case["x"], case["y"] = x, near_box(rng, x) if rng.random() < 0.7 else random_box(rng, len(x) == 5)
            if len(x) == 4 and rng.random() < 0.5:
                case["p"] = [rng.uniform(0, 120), rng.uniform(0, 120)]
        elif shape < 0.85:
            case["a"] = star_polygon(rng, holes=rng.random() < 0.3)
            case["b"] = star_polygon(rng, holes=False)
        else:
            case["a"] = scribble(rng)
        yield case


def annotated_images(rng, count):
    """Images with two annotators' boxes: B's copy A's, moved a little or a lot, some
    dropped, some added, some relabelled, so that many pairs are near the threshold and
    several compete for one partner."""
    for i in range(count):
        item, boxes = f"img{i}", []
        for n in range(rng.randint(0, 8)):
            x, y = rng.uniform(0, 90), rng.uniform(0, 90)
            w, h = rng.uniform(2, 20), rng.uniform(2, 20)
            label = rng.choice(["car", "person"])
            boxes.append({"item": item, "kind": "obj", "id": f"a{n}", "box": [x, y, w, h], "label": label, "annotator": "A"})
            for copy in range(rng.choice([0, 1, 1, 1, 2])):
                shift = rng.choice([0.5, 2, 5])
                moved = [x + rng.uniform(-shift, shift), y + rng.uniform(-shift, shift), w, h]
                relabel = label if rng.random() < 0.9 else "dog"
                boxes.append({"item": item, "kind": "obj", "id": f"b{n}.{copy}", "box": moved, "label": relabel, "annotator": "B"})
        yield boxes


def box_iou(p, q):
    ax0, ay0, aw, ah = p
    bx0, by0, bw, bh = q
    iw = max(0.0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    ih = max(0.0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    union = aw * ah + bw * bh - iw * ih
    return iw * ih / union if union > 0 else 0.0


def greedy_pairs(boxes, same_label):
    """A's boxes, B's boxes and the pairs plain greedy matching takes among them: every
    pair at IoU >= 0.5 (of the same label when asked), best first (ties by input order),
    each box used once."""
    left = [b for b in boxes if b["annotator"] == "A"]
    right = [b for b in boxes if b["annotator"] == "B"]
    scored = sorted((-box_iou(a["box"], b["box"]), i, j) for i, a in enumerate(left) for j, b in enumerate(right)
                    if (a["label"] == b["label"] or not same_label) and box_iou(a["box"], b["box"]) >= 0.5)
    used_left, used_right, pairs = set(), set(), []
    for score, i, j in scored:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j, -score))
    return left, right, pairs


def greedy_unmatched(boxes):
    """The ids plain greedy matching of the same labels leaves."""
    left, right, pairs = greedy_pairs(boxes, same_label=True)
    used_left, used_right = {p[0] for p in pairs}, {p[1] for p in pairs}
    return {b["id"] for i, b in enumerate(left) if i not in used_left} | \
           {b["id"] for j, b in enumerate(right) if j not in used_right}


def box_agreement(images):
    """Precision, recall, F1, mean IoU and α over matched objects of the images both annotators
    drew on, each matched on its own: α by the `krippendorff` package over a two-row table (A, B) with a column per
    matched pair and per unmatched box, whose missing partner is the value "none"."""
    import krippendorff
    import numpy as np
    matched, lefts, rights, scores, columns = 0, 0, 0, 0.0, []
    for boxes in images:
        left, right, pairs = greedy_pairs(boxes, same_label=False)
        if not left or not right:
            continue  # only images both annotators drew on are compared
        matched, lefts, rights = matched + len(pairs), lefts + len(left), rights + len(right)
        scores += sum(p[2] for p in pairs)
        columns += [(left[i]["label"], right[j]["label"]) for i, j, _ in pairs]
        columns += [(b["label"], "none") for i, b in enumerate(left) if i not in {p[0] for p in pairs}]
        columns += [("none", b["label"]) for j, b in enumerate(right) if j not in {p[1] for p in pairs}]
    codes = {v: n for n, v in enumerate(sorted({v for c in columns for v in c}))}
    table = np.array([[codes[c[0]] for c in columns], [codes[c[1]] for c in columns]], dtype=float)
    alpha = krippendorff.alpha(reliability_data=table, level_of_measurement="nominal")
    return [matched / rights, matched / lefts, 2 * matched / (lefts + rights), scores / matched, alpha]


def expected(case):
    """What each rule should print for a case, by rule."""
    out = {}
    if "x" in case:
        x, y = shapely_of_box(case["x"]), shapely_of_box(case["y"])
        shared = x.intersection(y).area
        union = x.area + y.area - shared
        out["boxes"] = [
            shared / union if union > 0 else 0.0,
            shared / x.area if x.area > 0 else -1,
            shared / min(x.area, y.area) if min(x.area, y.area) > 0 else -1,
            x.area,
            y.covers(x),
        ]
        if "p" in case:
            out["point-in-box"] = [x.covers(Point(case["p"]))]
    if "a" in case:
        a = shapely_polygon(case["a"])
        # The area of an invalid polygon has no agreed meaning (shapely's can be negative):
        # only its verdict is compared.
        out["polygons"] = [a.is_valid, a.area] if a.is_valid else [False]
        if "b" in case:
            b = shapely_polygon(case["b"])
            if a.is_valid and b.is_valid:
                shared = a.intersection(b).area
                union = a.area + b.area - shared
                out["polygon-pairs"] = [shared / union if union > 0 else 0.0,
                                        shared / a.area if a.area > 0 else -1]
    return out


def parse(word):
    if word in ("true", "false"):
        return word == "true"
    return float(word)


def same(got, want):
    if isinstance(want, bool):
        return got == want
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concordant", required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cases", type=int, default=3000)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    print(f"geometry against shapely: {args.cases} cases, seed {seed}")
    rng = random.Random(seed)
    all_cases = list(cases(rng, args.cases))
    images = list(annotated_images(rng, args.cases // 5))
    with tempfile.TemporaryDirectory() as tmp:
        rules, data = os.path.join(tmp, "space.cord"), os.path.join(tmp, "cases.jsonl")
        with open(rules, "w") as f:
            f.write(RULES)
        with open(data, "w") as f:
            for case in all_cases:
                f.write(json.dumps(case) + "\n")
            for image in images:
                for box in image:
                    f.write(json.dumps(box) + "\n")
        run = subprocess.run([args.concordant, "check", "--rules", rules, "--format", "json", data],
                             capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"concordant failed ({run.returncode}):\n{run.stderr[-3000:]}")
    got, unmatched, agreement = {}, {}, None
    for line in run.stdout.splitlines():
        finding = json.loads(line)
        if finding.get("rule") == "unmatched-boxes":
            unmatched.setdefault(finding["item"], set()).add(finding["message"])
        elif finding.get("rule") == "box-agreement":
            agreement = [parse(w) for w in finding["message"].split()]
        elif finding.get("type") == "finding":
            got[(finding["rule"], finding["key"][0])] = [parse(w) for w in finding["message"].split()]
        elif finding.get("type") == "data_error":
            sys.exit(f"a case was not read: {finding}")
    differ, compared = [], 0
    for case in all_cases:
        for rule, want in expected(case).items():
            have = got.pop((rule, case["id"]), None)
            compared += 1
            if have is not None and len(want) < len(have):
                have = have[:len(want)]
            if have is None or len(have) != len(want) or not all(map(same, have, want)):
                differ.append(f"{rule} {case['id']}: concordant {have}, reference {want}\n    {json.dumps(case)}")
    differ += [f"{rule} {key}: concordant printed {v}, the reference expects nothing" for (rule, key), v in got.items()]
    for image in images:
        if not image:
            continue
        item, compared = image[0]["item"], compared + 1
        want, have = greedy_unmatched(image), unmatched.get(image[0]["item"], set())
        if want != have:
            differ.append(f"unmatched boxes of {item}: concordant {sorted(have)}, plain greedy {sorted(want)}")
    want = box_agreement(images)
    compared += len(want)
    if agreement is None or not all(map(same, agreement, want)):
        differ.append(f"box agreement (precision, recall, F1, mean IoU, α): concordant {agreement}, "
                      f"plain greedy and the krippendorff package {want}")
    if differ:
        print(f"{len(differ)} of {compared} values differ (seed {seed}):")
        print("\n".join(differ[:20]))
        sys.exit(1)
    print(f"all {compared} values equal shapely's to 1e-9, the unmatched boxes of "
          f"{sum(1 for i in images if i)} images a plain greedy matcher's, and box agreement "
          f"over them the krippendorff package's (α = {want[4]:.4f}, F1 = {want[2]:.4f})")


if __name__ == "__main__":
    main()
