#!/usr/bin/env python3
"""Independent counts of the defects the dataset packs find in ../shared/data.

For each data set with a pack in rules/datasets/, this script reads the files with its own
small parsers (standard library only) and counts, per rule and per data diagnostic, what a
careful script finds. The counts are the expected values in tests/fixtures/real/counts.json,
which tests/real_data.rs compares with Concordant's own output.

    python3 tests/real_data/crosscheck.py --check   # recount and compare with counts.json
    python3 tests/real_data/crosscheck.py --write   # recount and rewrite counts.json
"""
import argparse
import json
import os
import re
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data")
COUNTS = os.path.join(ROOT, "tests", "fixtures", "real", "counts.json")


def text_of(path):
    raw = open(path, "rb").read()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8")


def blocks(text):
    out, cur = [], []
    for line in text.splitlines():
        if line.strip() == "":
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        out.append(cur)
    return out


def ms(h, m, s, f):
    if int(m) >= 60 or int(s) >= 60:
        return None
    return ((int(h or 0) * 3600 + int(m) * 60 + int(s)) * 1000 + int(f)) / 1000


VTT_TIME = re.compile(r"^(?:(\d+):)?(\d\d):(\d\d)\.(\d{3})$")
SRT_TIME = re.compile(r"^(\d+):(\d\d):(\d\d),(\d{3})$")
SBV_TIME = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3})$")


def clock(pattern, text):
    m = pattern.match(text.strip())
    return ms(*m.groups()) if m else None


def vtt_cues(text, bad):
    lines = text.splitlines()
    header = bool(lines) and re.match(r"^WEBVTT([ \t].*)?$", lines[0]) is not None
    if not header:
        bad.append("malformed")
    bl = blocks(text)
    if header:
        bl = bl[1:]
    cues = []
    for b in bl:
        if re.match(r"^(NOTE|STYLE|REGION)([ \t]|$)", b[0]):
            continue
        if "-->" not in b[0]:
            if len(b) < 2 or "-->" not in b[1]:
                bad.append("malformed")
                continue
            b = b[1:]
        # a timing line inside the text starts a new cue
        starts = [i for i, l in enumerate(b) if "-->" in l]
        for n, i in enumerate(starts):
            end_at = starts[n + 1] if n + 1 < len(starts) else len(b)
            start_text, rest = b[i].split("-->", 1)
            end_text = rest.split()[0] if rest.split() else ""
            s, e = clock(VTT_TIME, start_text), clock(VTT_TIME, end_text)
            if s is None or e is None:
                bad.append("malformed")
                continue
            text_lines = b[i + 1:end_at]
            plain = re.sub(r"<[^>]*>", "", "\n".join(text_lines))
            cues.append((s, e, plain))
    return cues


def srt_cues(text, bad):
    cues = []
    for b in blocks(text):
        at = 1 if re.match(r"^\d+$", b[0].strip()) else 0
        if len(b) <= at or "-->" not in b[at]:
            bad.append("malformed")
            continue
        start_text, rest = b[at].split("-->", 1)
        s, e = clock(SRT_TIME, start_text), clock(SRT_TIME, (rest.split() or [""])[0])
        if s is None or e is None:
            bad.append("malformed")
            continue
        cues.append((s, e, "\n".join(b[at + 1:])))
    return cues


def sbv_cues(text, bad):
    cues = []
    for b in blocks(text):
        parts = b[0].strip().split(",", 1)
        if len(parts) != 2:
            bad.append("malformed")
            continue
        s, e = clock(SBV_TIME, parts[0]), clock(SBV_TIME, parts[1])
        if s is None or e is None:
            bad.append("malformed")
            continue
        cues.append((s, e, "\n".join(b[1:])))
    return cues


def subtitles(folder):
    rules, errors, checked = Counter(), Counter(), Counter()
    readers = {".vtt": vtt_cues, ".srt": srt_cues, ".sbv": sbv_cues}
    for name in sorted(os.listdir(folder)):
        reader = readers.get(os.path.splitext(name)[1])
        if reader is None:
            continue
        bad = []
        text = text_of(os.path.join(folder, name))
        cues = reader(text, bad)
        errors["cord::data::malformed"] += len(bad)
        kept = []  # (index, start, end, text) of cues that are not reversed
        for index, (s, e, t) in enumerate(cues, 1):
            if s > e:
                errors["cord::data::reversed-interval"] += 1
            else:
                kept.append((index, s, e, t))
        checked["cue"] += len(kept)
        by_index = {k[0]: k for k in kept}
        for index, s, e, t in kept:
            rules["cue-has-text"] += not re.search(r"[^ \t\n]", t)
            rules["cue-has-length"] += not (e - s > 0)
            rules["cue-not-too-long"] += e - s > 10
            prev = by_index.get(index - 1)
            if prev:
                rules["cues-in-time-order"] += s < prev[1]
                rules["cues-do-not-overlap"] += s >= prev[1] and s < prev[2]
    return rules, errors, checked


def textgrid_values(text):
    out = []
    for m in re.finditer(r'"((?:[^"]|"")*)"|(\S+)', text):
        if m.group(1) is not None:
            out.append(m.group(1).replace('""', '"'))
        elif m.group(2) == "<exists>":
            out.append(True)
        elif re.match(r"^[-+.\d]", m.group(2)):
            try:
                out.append(float(m.group(2)))
            except ValueError:
                pass
    return out


def textgrid(path):
    v = textgrid_values(text_of(path))
    assert v[0] == "ooTextFile" and v[1] == "TextGrid"
    xmin, xmax, at = v[2], v[3], 4
    assert v[at] is True
    count, at = int(v[at + 1]), at + 2
    tiers = []
    for _ in range(count):
        cls, name, t0, t1, n = v[at:at + 5]
        at += 5
        width = 3 if cls == "IntervalTier" else 2
        entries = [tuple(v[at + k * width: at + (k + 1) * width]) for k in range(int(n))]
        at += width * int(n)
        tiers.append({"class": cls, "name": name, "start": t0, "end": t1, "entries": entries})
    return xmin, xmax, tiers


def textgrids(folder):
    rules, errors, checked = Counter(), Counter(), Counter()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".TextGrid"):
            continue
        xmin, xmax, tiers = textgrid(os.path.join(folder, name))
        checked["grid"] += 1
        checked["tier"] += len(tiers)
        names = [t["name"] for t in tiers]
        rules["tier-names-unique"] += sum(1 for i, n in enumerate(names) if n in names[:i])
        rules["tier-spans-grid"] += sum(1 for t in tiers if (t["start"], t["end"]) != (xmin, xmax))
        phones = [t for t in tiers if t["name"] == "phone" and t["class"] == "IntervalTier"]
        bounds = {x for t in phones for e in t["entries"] for x in e[:2]}
        for t in tiers:
            entries = t["entries"]
            if t["class"] == "IntervalTier":
                checked["interval"] += len(entries)
                for a, b in zip(entries, entries[1:]):
                    rules["intervals-follow-each-other"] += b[0] != a[1]
                for e in entries:
                    rules["intervals-inside-tier"] += not (e[0] >= t["start"] and e[1] <= t["end"])
                if t["name"] == "word" and phones:
                    for e in entries:
                        rules["word-starts-on-a-phone-boundary"] += e[0] not in bounds
                        rules["word-ends-on-a-phone-boundary"] += e[1] not in bounds
            else:
                checked["point"] += len(entries)
                for a, b in zip(entries, entries[1:]):
                    rules["points-in-time-order"] += not (b[0] > a[0])
    return rules, errors, checked


DATASETS = {"webvtt-py": subtitles, "textgrid-praatio": textgrids}


def counts():
    out = {}
    for name, count in DATASETS.items():
        rules, errors, checked = count(os.path.join(DATA, name))
        out[name] = {
            "rules": dict(sorted((k, v) for k, v in rules.items() if v)),
            "data_errors": dict(sorted((k, v) for k, v in errors.items() if v)),
            "checked": dict(sorted((k, v) for k, v in checked.items() if v)),
        }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = ap.parse_args()
    found = counts()
    if args.write:
        with open(COUNTS, "w") as f:
            json.dump(found, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {os.path.relpath(COUNTS, ROOT)}")
        return
    expected = json.load(open(COUNTS))
    if found != expected:
        for name in sorted(set(found) | set(expected)):
            if found.get(name) != expected.get(name):
                print(f"{name}: counted {found.get(name)}\n  expected {expected.get(name)}")
        sys.exit("the independent counts differ from tests/fixtures/real/counts.json")
    print(f"independent counts agree with counts.json for {', '.join(sorted(found))}")


if __name__ == "__main__":
    main()
