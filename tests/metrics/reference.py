"""Reference values of every agreement metric Concordant computes, from the libraries the
field uses, on real and generated data. Run through regenerate.sh, which provides the venv.

Each data set is turned into ratings the same way tests/metrics.rs does it with Concordant's
own readers: units, raters, values, with a rater's first value for a unit kept when there
are several. Values are written with full precision; the Rust test compares to 1e-9.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict

import krippendorff
import numpy as np
from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "..", "shared", "data")
BENCH = os.path.join(ROOT, "..", "shared", "bench")


class Ratings:
    """Units in order of first appearance; per unit, raters in order with their first value."""

    def __init__(self):
        self.units = OrderedDict()

    def add(self, unit, rater, value):
        self.units.setdefault(unit, OrderedDict()).setdefault(rater, value)

    def values(self):
        return [list(r.values()) for r in self.units.values()]

    def raters(self):
        return sorted({r for u in self.units.values() for r in u})


def percent_agreement(ratings):
    shares = []
    for values in ratings.values():
        n = len(values)
        if n < 2:
            continue
        agree = sum(values[i] == values[j] for i in range(n) for j in range(i + 1, n))
        shares.append(agree / (n * (n - 1) / 2))
    return sum(shares) / len(shares)


def fleiss(ratings):
    """Fleiss' kappa needs as many ratings on every unit: it is taken over the units with the
    most common number of ratings among units with two or more (the larger number on a tie)."""
    counts = [len(values) for values in ratings.values() if len(values) >= 2]
    common = max(set(counts), key=lambda n: (counts.count(n), n))
    units = [values for values in ratings.values() if len(values) == common]
    categories = sorted({v for values in units for v in values})
    table = [[values.count(c) for c in categories] for values in units]
    return {"raters": common, "units": len(units), "kappa": float(fleiss_kappa(np.array(table), method="fleiss"))}


def alpha(ratings, level):
    raters = ratings.raters()
    domain = sorted({v for u in ratings.units.values() for v in u.values()})
    numeric = all(isinstance(v, (int, float)) for v in domain)
    code = (lambda v: float(v)) if numeric else (lambda v: float(domain.index(v)))
    data = [[code(ratings.units[u][r]) if r in ratings.units[u] else np.nan for u in ratings.units] for r in raters]
    return float(krippendorff.alpha(reliability_data=np.array(data, dtype=float), level_of_measurement=level))


def busiest_pair(ratings):
    """The two raters (in name order) who rated the most units in common; the first such pair."""
    raters = ratings.raters()
    best = None
    for i, a in enumerate(raters):
        for b in raters[i + 1:]:
            n = sum(1 for u in ratings.units.values() if a in u and b in u)
            if best is None or n > best[0]:
                best = (n, a, b)
    return best[1], best[2]


def cohen(ratings, a, b, weights=None):
    pairs = [(u[a], u[b]) for u in ratings.units.values() if a in u and b in u]
    return float(cohen_kappa_score([p[0] for p in pairs], [p[1] for p in pairs], weights=weights))


def categorical(ratings, levels=("nominal",), weighted=False):
    a, b = busiest_pair(ratings)
    out = {
        "units": len(ratings.units),
        "percent_agreement": percent_agreement(ratings),
        "fleiss_kappa": fleiss(ratings),
        "cohen_kappa": {"raters": [str(a), str(b)], "unweighted": cohen(ratings, a, b)},
    }
    if weighted:
        out["cohen_kappa"]["linear"] = cohen(ratings, a, b, "linear")
        out["cohen_kappa"]["quadratic"] = cohen(ratings, a, b, "quadratic")
    for level in levels:
        out[f"alpha_{level}"] = alpha(ratings, level)
    return out


def generated_records():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gen.jsonl")
        subprocess.run([sys.executable, os.path.join(BENCH, "gen.py"), "--items", "300", "--seed", "11", "--out", path],
                       check=True, stdout=subprocess.DEVNULL)
        return [json.loads(line) for line in open(path) if line.strip()]


def generated(records):
    ratings = Ratings()
    for r in records:
        if r["kind"] == "sentiment_label":
            ratings.add((r["item"], r["segment"]), r["annotator"], r["value"])
    out = categorical(ratings)
    out["disagreement_with_majority"] = majority_disagreement(ratings)
    return out


def majority_disagreement(ratings):
    """Each rater's share of ratings that differ from their unit's majority value (their own
    rating counting), over units with two or more ratings and a single most common value."""
    from collections import Counter

    compared, differ = Counter(), Counter()
    for unit in ratings.units.values():
        if len(unit) < 2:
            continue
        top = Counter(unit.values()).most_common()
        if len(top) > 1 and top[0][1] == top[1][1]:
            continue
        for rater, value in unit.items():
            compared[rater] += 1
            differ[rater] += value != top[0][0]
    return {rater: differ[rater] / compared[rater] for rater in sorted(compared)}


def diarization(records):
    metric = DiarizationErrorRate()
    items = OrderedDict()
    for r in records:
        if r["kind"] in ("speech", "transcript"):
            items.setdefault(r["item"], {"speech": [], "transcript": []})[r["kind"]].append(r)
    for turns in items.values():
        reference, hypothesis = Annotation(), Annotation()
        for n, r in enumerate(turns["speech"]):
            reference[Segment(r["start"], r["end"]), n] = r["speaker"]
        for n, r in enumerate(turns["transcript"]):
            hypothesis[Segment(r["start"], r["end"]), n] = r["speaker"]
        metric(reference, hypothesis)
    return {"items": len(items), "diarization_error_rate": float(abs(metric))}


def mace(name):
    ratings = Ratings()
    with open(os.path.join(DATA, "crowdtruth", "tutorial", "data", name), newline="") as f:
        for row, cells in enumerate(csv.reader(f), 1):
            for column, cell in enumerate(cells, 1):
                if cell.strip():
                    ratings.add(row, column, cell.strip())
    return categorical(ratings)


def qvhighlights():
    ratings = Ratings()
    for line in open(os.path.join(DATA, "qvhighlights", "highlight_val_release.jsonl")):
        if not line.strip():
            continue
        q = json.loads(line)
        for clip, scores in zip(q["relevant_clip_ids"], q["saliency_scores"]):
            for rater, score in enumerate(scores):
                ratings.add((q["qid"], clip), rater, score)
    return categorical(ratings, ("nominal", "ordinal", "interval", "ratio"), weighted=True)


def evalme():
    ratings = Ratings()
    tasks = json.load(open(os.path.join(DATA, "label-studio", "evalme", "tests", "test_data", "test_bbox.json")))
    for task in tasks:
        counts = OrderedDict()
        for annotation in task["annotations"]:
            who = annotation["completed_by"]
            who = who.get("id") if isinstance(who, dict) else who
            counts.setdefault(who, OrderedDict())
            for result in annotation["result"]:
                for label in result["value"].get("rectanglelabels", []):
                    counts[who][label] = counts[who].get(label, 0) + 1
        labels = sorted({l for per in counts.values() for l in per})
        for label in labels:
            for who, per in counts.items():
                ratings.add((task["id"], label), who, per.get(label, 0))
    return {
        "units": len(ratings.units),
        "percent_agreement": percent_agreement(ratings),
        "alpha_interval": alpha(ratings, "interval"),
        "alpha_ordinal": alpha(ratings, "ordinal"),
    }


def didemo():
    first, last = Ratings(), Ratings()
    for entry in json.load(open(os.path.join(DATA, "didemo", "val_data.json"))):
        for rater, (s, e) in enumerate(entry["times"]):
            first.add(entry["annotation_id"], rater, s)
            last.add(entry["annotation_id"], rater, e)
    return {
        "units": len(first.units),
        "first_chunk": {"alpha_interval": alpha(first, "interval"), "alpha_ordinal": alpha(first, "ordinal"),
                        "fleiss_kappa": fleiss(first)},
        "last_chunk": {"alpha_interval": alpha(last, "interval"), "alpha_ordinal": alpha(last, "ordinal")},
    }


def tiou(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return 1.0 if union == 0 else inter / union


def greedy_match(reference, hypothesis, threshold):
    pairs = sorted(((tiou(r, h), i, j) for i, r in enumerate(reference) for j, h in enumerate(hypothesis)
                    if tiou(r, h) >= threshold), key=lambda p: (-p[0], p[1], p[2]))
    used_r, used_h, matched, boundary = set(), set(), 0, 0.0
    for _, i, j in pairs:
        if i in used_r or j in used_h:
            continue
        used_r.add(i)
        used_h.add(j)
        matched += 1
        boundary += (abs(reference[i][0] - hypothesis[j][0]) + abs(reference[i][1] - hypothesis[j][1])) / 2
    return matched, boundary


def activitynet():
    folder = os.path.join(DATA, "activitynet-captions")
    v1, v2 = (json.load(open(os.path.join(folder, f))) for f in ("val_1.json", "val_2.json"))
    common = [v for v in v1 if v in v2]
    out = {"videos": len(common)}
    for threshold in (0.3, 0.5, 0.7):
        matched = n_ref = n_hyp = 0
        boundary = 0.0
        for v in common:
            m, b = greedy_match(v1[v]["timestamps"], v2[v]["timestamps"], threshold)
            matched += m
            boundary += b
            n_ref += len(v1[v]["timestamps"])
            n_hyp += len(v2[v]["timestamps"])
        p, r = matched / n_hyp, matched / n_ref
        out[f"tiou_{threshold}"] = {"precision": p, "recall": r, "f1": 0.0 if p + r == 0 else 2 * p * r / (p + r),
                                    "boundary_deviation": boundary / matched}
    metric = DiarizationErrorRate()
    for v in common:
        reference, hypothesis = Annotation(), Annotation()
        for n, (s, e) in enumerate(v1[v]["timestamps"]):
            reference[Segment(s, e), n] = "event"
        for n, (s, e) in enumerate(v2[v]["timestamps"]):
            hypothesis[Segment(s, e), n] = "event"
        metric(reference, hypothesis)
    out["diarization_error_rate"] = float(abs(metric))
    return out


def undefined_as_none(compute):
    """A reference value, or None where the package gives NaN or refuses the data (the
    statistic is undefined there: Concordant gives a missing value)."""
    try:
        value = float(compute())
    except (ValueError, ZeroDivisionError):
        return None
    return None if np.isnan(value) else value


def edge_case(case):
    ratings = Ratings()
    for unit, rater, value in case["ratings"]:
        ratings.add(unit, rater, value)
    used = sorted({v for u in ratings.units.values() for v in u.values()})
    labels = sorted(set(case.get("declared", [])) | set(used))
    numeric = all(isinstance(v, (int, float)) for v in labels)
    out = {
        "percent_agreement": undefined_as_none(lambda: percent_agreement(ratings)),
        "fleiss_kappa": undefined_as_none(lambda: fleiss_declared(ratings, labels)),
    }
    raters = ratings.raters()
    if len(raters) == 2:
        a, b = raters
        pairs = [(u[a], u[b]) for u in ratings.units.values() if a in u and b in u]
        x, y = [p[0] for p in pairs], [p[1] for p in pairs]
        for weights in (None, "linear", "quadratic"):
            # Weights are positions among the labels the two raters used, as scikit-learn
            # does when it is not given `labels`; unweighted κ is the same either way.
            given = labels if weights is None else None
            out[f"cohen_kappa_{weights or 'unweighted'}"] = undefined_as_none(
                lambda: cohen_kappa_score(x, y, labels=given, weights=weights))
    levels = ("nominal", "ordinal", "interval", "ratio") if numeric else ("nominal",)
    code = (lambda v: float(v)) if numeric else (lambda v: float(labels.index(v)))
    data = [[code(ratings.units[u][r]) if r in ratings.units[u] else np.nan for u in ratings.units] for r in raters]
    domain = [code(v) for v in labels]
    for level in levels:
        out[f"alpha_{level}"] = undefined_as_none(lambda: krippendorff.alpha(
            reliability_data=np.array(data, dtype=float), level_of_measurement=level,
            value_domain=domain if level == "nominal" else None))
    return out


def fleiss_declared(ratings, labels):
    """Fleiss' κ with a column for every declared label, used or not."""
    counts = [len(values) for values in ratings.values() if len(values) >= 2]
    common = max(set(counts), key=lambda n: (counts.count(n), n))
    units = [values for values in ratings.values() if len(values) == common]
    table = [[values.count(c) for c in labels] for values in units]
    return fleiss_kappa(np.array(table), method="fleiss")


def edge_cases():
    with open(os.path.join(HERE, "edge-cases.json")) as f:
        cases = json.load(f)["cases"]
    return OrderedDict((case["name"], edge_case(case)) for case in cases)


def main():
    import warnings

    warnings.filterwarnings("ignore")
    records = generated_records()
    reference = OrderedDict()
    reference["generated sentiment_label (gen.py --items 300 --seed 11)"] = generated(records)
    reference["generated speech vs transcript speakers (gen.py --items 300 --seed 11)"] = diarization(records)
    reference["crowdtruth mace_temp"] = mace("mace_temp.standardized.csv")
    reference["crowdtruth mace_rte"] = mace("mace_rte.standardized.csv")
    reference["qvhighlights saliency"] = qvhighlights()
    reference["label-studio evalme test_bbox boxes per label"] = evalme()
    reference["didemo chunks"] = didemo()
    reference["activitynet-captions val_1 vs val_2"] = activitynet()
    reference["edge cases"] = edge_cases()
    from importlib.metadata import version

    reference["versions"] = {p: version(p) for p in ("scikit-learn", "statsmodels", "krippendorff", "pyannote.metrics")}
    path = os.path.join(HERE, "reference.json")
    with open(path, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
