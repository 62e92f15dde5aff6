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
from fractions import Fraction

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
        # A cue that ends before it starts is a data error and still a cue: every check
        # below counts it as written.
        errors["cord::data::reversed-interval"] += sum(s > e for s, e, _ in cues)
        kept = [(index, s, e, t) for index, (s, e, t) in enumerate(cues, 1)]
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


def elan_file(path):
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    order = [(s.get("TIME_SLOT_ID"), s.get("TIME_VALUE")) for s in root.iter("TIME_SLOT")]
    own = {sid: float(v) / 1000 for sid, v in order if v is not None}
    time = {}
    # slots without a value: first between their neighbours with values in document order ...
    known = [(i, own[sid]) for i, (sid, _) in enumerate(order) if sid in own]
    for i, (sid, _) in enumerate(order):
        if sid in own:
            time[sid] = own[sid]
            continue
        before = [k for k in known if k[0] < i]
        after = [k for k in known if k[0] > i]
        if before and after:
            (a, ta), (b, tb) = before[-1], after[0]
            time[sid] = ta + (tb - ta) * (i - a) / (b - a)
    # ... then, along chains of annotations, equal shares between the chain's aligned ends
    nxt = {}
    for a in root.iter("ALIGNABLE_ANNOTATION"):
        nxt[a.get("TIME_SLOT_REF1")] = a.get("TIME_SLOT_REF2")
    for first, second in nxt.items():
        if first not in own or second in own:
            continue
        chain, end = [second], None
        while chain[-1] in nxt:
            after = nxt[chain[-1]]
            if after in own:
                end = own[after]
                break
            chain.append(after)
        if end is not None:
            for k, slot in enumerate(chain, 1):
                time[slot] = own[first] + (end - own[first]) * k / (len(chain) + 1)
    types = {t.get("LINGUISTIC_TYPE_ID"): t for t in root.iter("LINGUISTIC_TYPE")}
    tiers, notes = [], {}
    for tier in root.iter("TIER"):
        tiers.append(tier)
        for a in tier.iter():
            if a.tag in ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
                notes[a.get("ANNOTATION_ID")] = (a, tier)

    def span(aid, depth=0):
        a, _ = notes[aid]
        if a.tag == "ALIGNABLE_ANNOTATION":
            return time.get(a.get("TIME_SLOT_REF1")), time.get(a.get("TIME_SLOT_REF2"))
        parent = a.get("ANNOTATION_REF")
        return span(parent, depth + 1) if parent in notes and depth < 64 else (None, None)

    return root, types, tiers, notes, own, span


def elan(folder):
    rules, errors, checked = Counter(), Counter(), Counter()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eaf"):
            continue
        root, types, tiers, notes, own, span = elan_file(os.path.join(folder, name))
        tier_ids = {t.get("TIER_ID") for t in tiers}
        checked["tier"] += len(tiers)
        checked["annotation"] += len(notes)
        cv = {}
        for v in root.iter("CONTROLLED_VOCABULARY"):
            for value in v.iter("CVE_VALUE"):
                cv.setdefault(v.get("CV_ID"), set()).add(value.text or "")
                checked["cv_entry"] += 1
        by_tier = {}
        for aid, (a, tier) in notes.items():
            by_tier.setdefault(tier.get("TIER_ID"), []).append(aid)
        for tier in tiers:
            if tier.get("PARENT_REF") and tier.get("PARENT_REF") not in tier_ids:
                rules["tier-parent-exists"] += 1
        for aid, (a, tier) in notes.items():
            s, e = span(aid)
            parent_ref = a.get("ANNOTATION_REF")
            if parent_ref is not None and parent_ref not in notes:
                rules["reference-has-parent"] += 1
            vocabulary = types.get(tier.get("LINGUISTIC_TYPE_REF"))
            vocabulary = vocabulary.get("CONTROLLED_VOCABULARY_REF") if vocabulary is not None else None
            value = (a.findtext("ANNOTATION_VALUE") or "")
            if vocabulary and value and value not in cv.get(vocabulary, set()):
                rules["value-in-vocabulary"] += 1
            if parent_ref is not None:
                continue
            rules["annotation-has-length"] += not (e - s > 0)
            aligned = a.get("TIME_SLOT_REF1") in own and a.get("TIME_SLOT_REF2") in own
            rules["time-slot-aligned"] += not aligned
            parent_tier = tier.get("PARENT_REF")
            if parent_tier:
                inside = any(
                    span(p)[0] <= s and e <= span(p)[1] for p in by_tier.get(parent_tier, [])
                )
                rules["child-inside-parent"] += not inside
        for tid, ids in by_tier.items():
            spans = sorted(span(i) + (i,) for i in ids if notes[i][0].get("ANNOTATION_REF") is None)
            for n, (s, e, i) in enumerate(spans):
                for s2, e2, j in spans[n + 1:]:
                    if s2 >= e and not (s2 == e == s):
                        break
                    # the language's `intersects`: shared time, touching excluded
                    shared = max(s, s2) < min(e, e2) or (s == e and s2 < s < e2) or (s2 == e2 and s < s2 < e)
                    rules["annotations-do-not-overlap"] += shared
    return rules, errors, checked


def cvat(folder):
    import xml.etree.ElementTree as ET

    rules, errors, checked = Counter(), Counter(), Counter()
    shapes_tags = {"box", "polygon", "polyline", "points", "skeleton", "ellipse", "cuboid", "mask"}
    for dirpath, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            if not name.endswith(".xml"):
                continue
            root = ET.parse(os.path.join(dirpath, name)).getroot()
            task = root.find("meta/task")
            checked["task"] += task is not None
            width = float(task.findtext("original_size/width"))
            height = float(task.findtext("original_size/height"))
            first, last = float(task.findtext("start_frame")), float(task.findtext("stop_frame"))

            def walk(track, parent):
                tid = track.get("id") if parent is None else f"{parent}.{track.get('id')}"
                shapes = [s for s in track if s.tag in shapes_tags]
                checked["track"] += 1
                checked["shape"] += len(shapes)
                for a, b in zip(shapes, shapes[1:]):
                    rules["frames-increase"] += not int(b.get("frame")) > int(a.get("frame"))
                    rules["outside-once"] += a.get("outside") == "1" and b.get("outside") == "1"
                    rules["track-reappears"] += a.get("outside") == "1" and b.get("outside") == "0"
                    if a.tag == b.tag == "box" and a.get("outside") == b.get("outside") == "0":
                        ca = [(float(a.get("xtl")) + float(a.get("xbr"))) / 2, (float(a.get("ytl")) + float(a.get("ybr"))) / 2]
                        cb = [(float(b.get("xtl")) + float(b.get("xbr"))) / 2, (float(b.get("ytl")) + float(b.get("ybr"))) / 2]
                        size = max(float(a.get("xbr")) - float(a.get("xtl")), float(a.get("ybr")) - float(a.get("ytl")))
                        rules["track-jumps"] += ((ca[0] - cb[0]) ** 2 + (ca[1] - cb[1]) ** 2) ** 0.5 > size
                for s in shapes:
                    frame = float(s.get("frame"))
                    rules["frame-in-task"] += not first <= frame <= last
                    if s.tag == "box":
                        xs = [float(s.get("xtl")), float(s.get("xbr"))]
                        ys = [float(s.get("ytl")), float(s.get("ybr"))]
                        rules["box-has-area"] += not (xs[0] < xs[1] and ys[0] < ys[1])
                    else:
                        pts = [p.split(",") for p in s.get("points", "").split(";") if "," in p]
                        xs, ys = [float(x) for x, _ in pts], [float(y) for _, y in pts]
                    if xs:
                        inside = min(xs) >= 0 and min(ys) >= 0 and max(xs) <= width and max(ys) <= height
                        rules["shape-inside-frame"] += not inside
                subs = track.findall("track")
                frames = [s.get("frame") for s in shapes]
                for sub in subs:
                    sub_frames = {s.get("frame") for s in sub if s.tag in shapes_tags}
                    rules["sub-track-follows-skeleton"] += sum(1 for f in frames if f not in sub_frames)
                    walk(sub, tid)

            for track in root.findall("track"):
                walk(track, None)
    return rules, errors, checked


def meld_clock(text):
    m = re.match(r"^(\d+):(\d\d):(\d\d)(?:[,.](\d{1,3}))?$", text.strip())
    h, mi, se, frac = m.groups()
    return ((int(h) * 3600 + int(mi) * 60 + int(se)) * 1000 + int((frac or "").ljust(3, "0"))) / 1000


def meld(folder):
    import csv

    rules, errors, checked = Counter(), Counter(), Counter()
    negative = {"anger", "sadness", "disgust", "fear"}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        dialogues = {}
        with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                s, e = meld_clock(row["StartTime"]), meld_clock(row["EndTime"])
                errors["cord::data::reversed-interval"] += s > e
                row["s"], row["e"], row["i"] = s, e, int(row["Utterance_ID"])
                dialogues.setdefault(row["Dialogue_ID"], []).append(row)
        for rows in dialogues.values():
            checked["utterance"] += len(rows)
            for r in rows:
                rules["utterance-has-length"] += not r["e"] - r["s"] > 0
                rules["utterance-not-too-long"] += r["e"] - r["s"] > 60
                three = lambda t: re.search(r",\d{3}$", t) is not None
                rules["timestamps-have-milliseconds"] += not (three(r["StartTime"]) and three(r["EndTime"]))
                emo, sent = r["Emotion"], r["Sentiment"]
                clash = (emo == "joy" and sent == "negative") or (emo in negative and sent == "positive") \
                    or ((emo == "neutral") != (sent == "neutral"))
                rules["emotion-agrees-with-sentiment"] += clash
            ids = [r["i"] for r in rows]
            rules["utterance-ids-without-gaps"] += len(rows) != max(ids) + 1
            rules["dialogue-in-one-episode"] += len({(r["Season"], r["Episode"]) for r in rows}) > 1
            ordered = sorted(rows, key=lambda r: r["i"])
            for a, b in zip(ordered, ordered[1:]):
                rules["overlaps-previous-utterance"] += b["s"] < a["e"]
                rules["time-goes-back"] += b["s"] < a["s"]
                rules["long-pause"] += b["s"] - a["e"] > 60
    return rules, errors, checked


def emorynlp(folder):
    import csv

    rules, errors, checked = Counter(), Counter(), Counter()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        scenes = {}
        with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                row["s"], row["e"] = meld_clock(row["Start_Time"]), meld_clock(row["End_Time"])
                row["i"] = int(row["Utterance_ID"])
                scenes.setdefault((row["Season"], row["Episode"], row["Scene_ID"]), []).append(row)
        for rows in scenes.values():
            checked["utterance"] += len(rows)
            rules["utterance-ids-without-gaps"] += len(rows) != max(r["i"] for r in rows)
            for r in rows:
                rules["one-speaker"] += "', '" in r["Speaker"]
                rules["utterance-has-length"] += not r["e"] - r["s"] > 0
            ordered = sorted(rows, key=lambda r: r["i"])
            for a, b in zip(ordered, ordered[1:]):
                rules["overlaps-previous-utterance"] += b["s"] < a["e"]
    return rules, errors, checked


def mosei(folder):
    import csv

    rules, errors, checked = Counter(), Counter(), Counter()
    videos = {}
    with open(os.path.join(folder, "CMU_MOSEI_Labels.csv"), newline="") as f:
        for row in csv.DictReader(f):
            r = {k: float(row[k]) for k in ("start", "end", "index", "label2a", "label2b", "label6", "label7", "split")}
            videos.setdefault(row["file"], []).append(r)
    for segs in videos.values():
        checked["segment"] += len(segs)
        for r in segs:
            rules["segment-starts-in-the-video"] += r["start"] < 0
            rules["segment-not-too-long"] += r["end"] - r["start"] > 60
            consistent = (r["label2a"] == 1) == (r["label2b"] >= 0) and (r["label7"] > 0) == (r["label2b"] > 0) \
                and (r["label7"] < 0) == (r["label2b"] < 0)
            rules["sentiment-labels-agree"] += not consistent
            rules["happy-is-not-negative"] += r["label6"] == 0 and r["label2b"] < 0
            rules["negative-emotion-is-not-positive"] += r["label6"] in (1, 2, 4, 5) and r["label2b"] > 0
            rules["segment-in-a-fold"] += r["split"] == 3
        by_time = sorted(segs, key=lambda r: (r["start"], r["index"]))
        for a, b in zip(by_time, by_time[1:]):
            rules["segments-overlap-the-next"] += b["start"] < a["end"]
        by_index = sorted(segs, key=lambda r: r["index"])
        rules["index-follows-time"] += [r["index"] for r in by_index] != [r["index"] for r in by_time]
    return rules, errors, checked


def charades(folder):
    import csv

    rules, errors, checked = Counter(), Counter(), Counter()
    with open(os.path.join(folder, "Charades_v1_train.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            checked["video"] += 1
            length = float(row["length"])
            actions = [a.split() for a in row["actions"].split(";") if a.strip()]
            rules["video-has-actions"] += not actions
            rules["video-is-rated"] += not (row["quality"].strip() and row["relevance"].strip())
            rules["video-has-objects"] += not row["objects"].strip()
            rules["video-is-verified"] += row["verified"].strip().lower() != "yes"
            for _, start, end in actions:
                start, end = float(start), float(end)
                errors["cord::data::reversed-interval"] += start > end
                checked["action"] += 1
                rules["action-starts-in-the-video"] += not start < length
                rules["action-ends-in-the-video"] += end > length
                rules["action-ends-near-the-video-end"] += end > length + 1
    return rules, errors, checked


def crowdtruth(folder):
    import csv

    rules, errors, checked = Counter(), Counter(), Counter()
    answer_column = {"relex-binary-choice.csv": "top_member_employee", "relex-multiple-choice.csv": "relations"}
    for dirpath, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            units = {}
            if name.startswith("mace_"):
                with open(path, newline="") as f:
                    for r, row in enumerate(csv.reader(f), 1):
                        for c, cell in enumerate(row, 1):
                            if cell.strip():
                                units.setdefault(r, []).append((f"w{c}", cell.strip()))
            elif name in answer_column or re.match(r".*work_.*\.csv$", name):
                column = answer_column.get(name, "out_col")
                with open(path, newline="") as f:
                    for row in csv.DictReader(f):
                        units.setdefault(row["_unit_id"], []).append((row["_worker_id"], row[column].strip()))
            else:
                continue
            for judgements in units.values():
                answers = Counter(a for _, a in judgements if a)
                checked["judgement"] += len(judgements)
                rules["judgements-unanimous"] += len(answers) > 1
                rules["majority-answer"] += any(n * 2 == len(judgements) for n in answers.values())
                workers = Counter(w for w, _ in judgements)
                rules["worker-judges-once"] += sum(n * (n - 1) // 2 for n in workers.values())
    return rules, errors, checked


def dense_captions(folder, compare_sets):
    import json as js

    rules, errors, checked = Counter(), Counter(), Counter()
    sets = {name: js.load(open(os.path.join(folder, name))) for name in sorted(os.listdir(folder)) if name.endswith(".json")}
    for name, videos in sets.items():
        for video in videos.values():
            ts, sentences, duration = video["timestamps"], video["sentences"], video["duration"]
            checked["video"] += 1
            checked["segment"] += len(ts)
            rules["one-sentence-per-segment"] += len(ts) != len(sentences)
            rules["segments-in-time-order"] += ts != sorted(ts)
            rules["segment-inside-video"] += sum(1 for s, e in ts if s < 0 or e > duration + 0.001)
            ordered = sorted(ts)
            rules["segments-overlap-the-next"] += sum(1 for a, b in zip(ordered, ordered[1:]) if b[0] < a[1])
            rules["sentence-is-trimmed"] += sum(1 for t in sentences[: len(ts)] if t != t.strip())
    if compare_sets:
        names = sorted(sets)
        every = set().union(*(sets[n].keys() for n in names))
        for vid in every:
            present = [n for n in names if vid in sets[n]]
            rules["video-in-every-set"] += len(present) == 1
            for i, a in enumerate(present):
                for b in present[i + 1:]:
                    va, vb = sets[a][vid], sets[b][vid]
                    rules["sets-agree-on-duration"] += va["duration"] != vb["duration"]
                    rules["sets-agree-on-segment-count"] += len(va["timestamps"]) != len(vb["timestamps"])
                    for s1, e1 in va["timestamps"]:
                        rules["segment-matched-in-the-other-set"] += not any(
                            tiou((s1, e1), (s2, e2)) >= 0.3 for s2, e2 in vb["timestamps"])
    return rules, errors, checked


def tiou(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return 1.0 if union == 0 else inter / union


def didemo(folder):
    import json as js

    rules, errors, checked = Counter(), Counter(), Counter()
    for entry in js.load(open(os.path.join(folder, "val_data.json"))):
        times, chunks = entry["times"], entry["num_segments"]
        checked["moment"] += 1
        checked["span"] += len(times)
        rules["four-annotators"] += len(times) != 4
        rules["span-inside-video"] += sum(1 for s, e in times if not (0 <= s <= e <= chunks - 1))
        rules["annotators-overlap"] += any(a[1] < b[0] or b[1] < a[0] for a in times for b in times)
        rules["annotators-agree"] += len({tuple(t) for t in times}) > 1
    return rules, errors, checked


def qvhighlights(folder):
    import json as js

    rules, errors, checked = Counter(), Counter(), Counter()
    for line in open(os.path.join(folder, "highlight_val_release.jsonl")):
        if not line.strip():
            continue
        q = js.loads(line)
        windows, clips, scores = q["relevant_windows"], q["relevant_clip_ids"], q["saliency_scores"]
        checked["query"] += 1
        checked["window"] += len(windows)
        checked["clip"] += len(clips)
        rules["window-inside-video"] += sum(1 for s, e in windows if s < 0 or e > q["duration"])
        rules["windows-apart"] += sum(1 for i, a in enumerate(windows) for b in windows[i + 1:]
                                      if max(a[0], b[0]) < min(a[1], b[1]))
        inside = lambda c, w: c * 2 >= w[0] and c * 2 + 2 <= w[1]
        rules["clip-inside-a-window"] += sum(1 for c in clips if not any(inside(c, w) for w in windows))
        rules["window-clips-listed"] += sum(1 for w in windows if sum(1 for c in clips if inside(c, w)) * 2 != w[1] - w[0])
        rules["clip-has-three-scores"] += sum(1 for i in range(len(clips)) if i >= len(scores) or len(scores[i]) != 3)
        m = re.search(r"_([0-9.]+)_([0-9.]+)$", q["vid"])
        rules["duration-matches-vid"] += m is not None and q["duration"] != float(m.group(2)) - float(m.group(1))
        for sc in scores[: len(clips)]:
            rules["annotators-agree"] += max(sc) - min(sc) >= 3
            rules["relevant-clip-not-rated-bad"] += min(sc) == 0
    return rules, errors, checked


def exact_iou(a, b):
    """IoU of two Label Studio boxes (percentages: IoU does not change when both are scaled
    to pixels), computed exactly on the decimal values the file writes."""
    from fractions import Fraction as F

    ax, ay, aw, ah = (F(str(a[k])) for k in ("x", "y", "width", "height"))
    bx, by, bw, bh = (F(str(b[k])) for k in ("x", "y", "width", "height"))
    iw = max(F(0), min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(F(0), min(ay + ah, by + bh) - max(ay, by))
    union = aw * ah + bw * bh - iw * ih
    return iw * ih / union if union > 0 else F(0)


def unmatched_boxes(annotations):
    """Per pair of annotations by two different annotators, the boxes left unmatched when
    boxes of the same label are matched one to one, greedily by IoU, at IoU >= 0.5."""
    def who(a):
        user = a.get("completed_by")
        return str(user.get("email") or user.get("id")) if isinstance(user, dict) else (None if user is None else str(user))

    def boxes(a):
        return [(r["value"], r["value"].get("rectanglelabels")) for r in a.get("result") or []
                if not isinstance(r, list) and r.get("original_width") and r.get("original_height")
                and all(k in r.get("value", {}) for k in ("x", "y", "width", "height"))]

    count = 0
    for i, a in enumerate(annotations):
        for b in annotations[i + 1:]:
            if who(a) is None or who(b) is None or who(a) == who(b):
                continue
            left, right = boxes(a), boxes(b)
            pairs = sorted((-exact_iou(x, y), m, n) for m, (x, lx) in enumerate(left)
                           for n, (y, ly) in enumerate(right) if lx == ly and exact_iou(x, y) >= 0.5)
            used_left, used_right = set(), set()
            for _, m, n in pairs:
                if m not in used_left and n not in used_right:
                    used_left.add(m)
                    used_right.add(n)
            count += len(left) - len(used_left) + len(right) - len(used_right)
    return count


def outline_valid(points):
    """Whether a closed outline has at least three distinct points and no two of its edges
    cross or touch, other than neighbours at their shared corner."""
    pts = [tuple(p) for p in points]
    if len(set(pts)) < 3:
        return False
    edges = [(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]

    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    def on(a, b, c):
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    def meet(p, q):
        (a, b), (c, d) = p, q
        o = [orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)]
        if o[0] != o[1] and o[2] != o[3]:
            return True
        return any(x == 0 and on(*seg, pt) for x, seg, pt in
                   [(o[0], (a, b), c), (o[1], (a, b), d), (o[2], (c, d), a), (o[3], (c, d), b)])

    n = len(edges)
    return not any(meet(edges[i], edges[j]) for i in range(n) for j in range(i + 1, n)
                   if j != i + 1 and not (i == 0 and j == n - 1))


def nominal_alpha(units):
    """Krippendorff's α (nominal) of units of two values each, exactly, from the coincidence
    matrix written out; None when every value is the same."""
    from fractions import Fraction as F
    from collections import Counter as C

    pairs = C()
    for a, b in units:
        pairs[a, b] += 1
        pairs[b, a] += 1
    totals = C()
    for (a, _), n in pairs.items():
        totals[a] += n
    n = sum(totals.values())
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    if expected == 0:
        return None
    observed = sum(v for (a, b), v in pairs.items() if a != b)
    return 1 - F(n - 1) * observed / expected


def boxes_alpha(tasks):
    """Annotator pairs whose boxes agree with α < 0.667 over the tasks both drew boxes in:
    per task, one annotator's boxes matched one to one with the other's, greedily by IoU at
    IoU >= 0.5 whatever the labels; a unit per pair (the two first labels) and per box left
    over (its label against "nothing")."""
    drawn = {}
    for t, task in enumerate(tasks):
        for a in task.get("annotations", []):
            user = a.get("completed_by")
            who = str(user.get("email") or user.get("id")) if isinstance(user, dict) else (None if user is None else str(user))
            if who is None:
                continue
            for r in a.get("result") or []:
                if isinstance(r, list) or not (r.get("original_width") and r.get("original_height")):
                    continue
                v = r.get("value", {})
                if all(k in v for k in ("x", "y", "width", "height")):
                    labels = v.get("rectanglelabels") or []
                    drawn.setdefault(who, {}).setdefault(t, []).append((v, labels[0] if labels else None))
    reported = 0
    for a in sorted(drawn):
        for b in sorted(drawn):
            if not a < b:
                continue
            units = []
            for t in sorted(set(drawn[a]) & set(drawn[b])):
                left, right = drawn[a][t], drawn[b][t]
                scored = sorted((-exact_iou(x, y), m, n) for m, (x, _) in enumerate(left)
                                for n, (y, _) in enumerate(right) if exact_iou(x, y) >= 0.5)
                used_left, used_right = set(), set()
                for _, m, n in scored:
                    if m not in used_left and n not in used_right:
                        used_left.add(m)
                        used_right.add(n)
                        units.append((left[m][1], right[n][1]))
                units += [(l, "nothing") for m, (_, l) in enumerate(left) if m not in used_left]
                units += [("nothing", l) for n, (_, l) in enumerate(right) if n not in used_right]
            alpha = nominal_alpha([u for u in units if None not in u])
            reported += alpha is not None and alpha < Fraction(667, 1000)
    return reported


def label_studio(folder):
    import json as js

    rules, errors, checked = Counter(), Counter(), Counter()

    def tasks(root):
        if isinstance(root, list) and all("result" in t and "data" not in t for t in root):
            return [{"predictions": root}]
        if isinstance(root, list):
            return [t for t in root if any(k in t for k in ("annotations", "completions", "predictions"))]
        if "annotation" in root:
            return [{"annotations": [root["annotation"]]}]
        return [root]

    def results(a):
        out = []
        for r in a.get("result") or []:
            out.extend(r if isinstance(r, list) else [r])
        return out

    def inside(v):
        return v["x"] >= 0 and v["y"] >= 0 and v["x"] + v["width"] <= 100 and v["y"] + v["height"] <= 100

    every_task = []
    for dirpath, _, names in sorted(os.walk(folder)):
        for name in sorted(n for n in names if n.endswith(".json")):
            for task in tasks(js.load(open(os.path.join(dirpath, name)))):
                checked["task"] += 1
                for key, value in (task.get("data") or {}).items():
                    if isinstance(value, list):
                        people = [d.get("author") for d in value if isinstance(d, dict)]
                        checked["data"] += sum(1 for d in value if isinstance(d, dict))
                        plain = {p for p in people if p and not p.endswith(":")}
                        rules["speaker-written-one-way"] += sum(
                            1 for d in value if isinstance(d, dict) and d.get("author") in plain
                            and d["author"] + ":" in people)
                sources = [("annotation", a) for a in task.get("annotations", [])] + \
                          [("completion", a) for a in task.get("completions", [])] + \
                          [("prediction", a) for a in task.get("predictions", [])]
                predictions = {p.get("id"): p for p in task.get("predictions", [])}
                choices = []
                for n, (source, a) in enumerate(sources):
                    checked["annotation"] += 1
                    rules["reviews-accepted"] += any(r.get("accepted") is False for r in a.get("reviews") or [])
                    parent = predictions.get(a.get("parent_prediction"))
                    parent_boxes = {r.get("id"): r["value"] for r in results(parent)} if parent else {}
                    for r in results(a):
                        checked["region"] += 1
                        v = r.get("value", {})
                        rules["result-has-id"] += "id" not in r
                        rules["prediction-result-from-a-model"] += source == "prediction" and r.get("origin") == "manual"
                        if all(k in v for k in ("x", "y", "width", "height")):
                            rules["box-inside-image"] += not inside(v)
                            p = parent_boxes.get(r.get("id")) if "id" in r else None
                            if p is not None and all(k in p for k in ("x", "y", "width", "height")):
                                rules["annotation-keeps-its-prediction"] += any(
                                    v[k] != p[k] for k in ("x", "y", "width", "height"))
                        if r.get("original_width") and r.get("original_height") and isinstance(v.get("points"), list):
                            rules["polygon-valid"] += not outline_valid(v["points"])
                        if r.get("type") == "choices":
                            choices.append((n, r.get("from_name"), v.get("choices")))
                        timed = r.get("type") in ("labels", "audio") and isinstance(v.get("start"), (int, float))
                        checked["segment"] += timed + len(v.get("ranges", [])) * (r.get("type") == "timelinelabels")
                        seq = v.get("sequence") or []
                        checked["keyframe"] += len(seq)
                        # Label Studio draws a track at every frame from an enabled keyframe to
                        # the next one, and from the last (if enabled) to the video's end.
                        ordered = sorted(seq, key=lambda k: k["frame"])
                        checked["track"] += len(ordered) + sum(
                            (ordered[i + 1]["frame"] - k["frame"] - 1) if i + 1 < len(ordered)
                            else (v.get("framesCount", 0) - k["frame"])
                            for i, k in enumerate(ordered) if k.get("enabled", True))
                        for k in seq:
                            if "framesCount" in v and "duration" in v:
                                fps = v["framesCount"] / v["duration"]
                                rules["keyframe-time-matches-frame"] += abs(k["time"] * fps - k["frame"]) > 0.5
                            if "framesCount" in v:
                                rules["keyframe-in-video"] += not 1 <= k["frame"] <= v["framesCount"]
                            if all(key in k for key in ("x", "y", "width", "height")):
                                rules["keyframe-box-inside-frame"] += not inside(k)
                        rules["keyframes-in-order"] += sum(1 for p, q in zip(seq, seq[1:]) if not q["frame"] > p["frame"])
                        if seq and "enabled" in seq[-1]:
                            rules["track-ends"] += seq[-1]["enabled"] is True
                rules["boxes-agree"] += unmatched_boxes(task.get("annotations", []))
                every_task.append(task)
                # the older format numbers completions without ids: compare every pair once
                for i, (ida, fa, ca) in enumerate(choices):
                    for idb, fb, cb in choices[i + 1:]:
                        rules["choices-agree"] += fa == fb and ida != idb and ca != cb
    rules["boxes-alpha"] += boxes_alpha(every_task)
    return rules, errors, checked


DATASETS = {
    "meld": meld,
    "label-studio": label_studio,
    "activitynet-captions": lambda folder: dense_captions(folder, True),
    "youcook2": lambda folder: dense_captions(folder, False),
    "didemo": didemo,
    "qvhighlights": qvhighlights,
    "crowdtruth": crowdtruth,
    "charades": charades,
    "emorynlp": emorynlp,
    "cmu-mosei": mosei,
    "webvtt-py": subtitles,
    "textgrid-praatio": textgrids,
    "elan-pympi": elan,
    "cvat": cvat,
}


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
