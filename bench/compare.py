#!/usr/bin/env python3
"""Concordant against the DuckDB and polars peers, side by side in one run.

For each size, every command runs --runs times, interleaved, under /usr/bin/time -v:
Concordant with every pack in rules/ (JSON Lines output to a file), Concordant with only
the six rules of the benchmark checks (`--select`, the same work as the peers), Concordant's
parse-only pass (read and validate every record, run no rule), and the peers' six
benchmark checks. Reports the median wall time and the largest peak RSS of each, the
ratios Concordant/DuckDB, Concordant's total over its parse-only time, and checks that
Concordant's counts for the six benchmark rules equal DuckDB's.

Each size runs in every layout asked for: `grouped` (one file, each item's records together),
`per-kind` (one file per kind, each in item order, as an ASR system, a tracker and an
annotation tool would hand them over; DuckDB reads them through a glob) and `shuffled` (one
file, every line in a random place). Concordant's findings must be the same in every layout
of a size: the report says whether they are, byte for byte once the places records were read
from (file and line) are left out.

Run it through bench/run.sh, which builds the binary and the peers' venv.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

CHECKS = {
    "B1": "transcript-needs-speech",
    "B2": "speech-needs-transcript",
    "B3": "sentiment-face-contradiction",
    "B4": "caption-mentions-visible",
    "B5": "speaker-self-overlap",
    "B6": "label-disagreement",
}


def timed(cmd, stdout=subprocess.PIPE):
    """Runs cmd under /usr/bin/time -v: (wall seconds, peak RSS in MB, stdout). The wall time is
    taken here, to the microsecond: /usr/bin/time shows it in hundredths of a second, too coarse
    for a run of 30 ms (the 100k-record size), whose time the growth check scales up 30 times."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=stdout, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if p.returncode not in (0, 1):  # concordant exits 1 when it finds errors
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return wall, rss / 1024, p.stdout


def concordant_counts(output_path):
    with open(output_path, "rb") as f:
        f.seek(max(0, os.path.getsize(output_path) - 65536))
        summary = json.loads(f.read().splitlines()[-1])
    return {check: summary["per_rule"][rule] for check, rule in CHECKS.items()}


def generated(args, items, shuffle):
    """The file gen.py writes for this size (made once, kept in --data-dir)."""
    os.makedirs(args.data_dir, exist_ok=True)
    tag = "-shuffled" if shuffle else ""
    path = os.path.join(args.data_dir, f"items{items}-seed{args.seed}{tag}.jsonl")
    if not os.path.exists(path):
        print(f"generating {path}", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(args.peers_dir, "gen.py"), "--items", str(items),
                        "--seed", str(args.seed), "--out", path] + (["--shuffle"] if shuffle else []),
                       check=True, stdout=subprocess.DEVNULL)
    return path


def split_per_kind(path):
    """The grouped file split into one file per kind (lines in their order), in a folder beside it."""
    folder = path[:-len(".jsonl")] + "-per-kind"
    if not os.path.isdir(folder):
        os.makedirs(folder + ".partial", exist_ok=True)
        files = {}
        with open(path, "rb") as f:
            for line in f:
                kind = json.loads(line)["kind"]
                if kind not in files:
                    files[kind] = open(os.path.join(folder + ".partial", f"{kind}.jsonl"), "wb")
                files[kind].write(line)
        for out in files.values():
            out.close()
        os.rename(folder + ".partial", folder)
    return sorted(os.path.join(folder, name) for name in os.listdir(folder))


def data_files(args, items, layout):
    """(the files Concordant reads, the path or glob DuckDB reads, the number of records)."""
    path = generated(args, items, layout == "shuffled")
    files = split_per_kind(path) if layout == "per-kind" else [path]
    records = 0
    for name in files:
        with open(name, "rb") as f:  # warms the page cache
            records += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    glob = os.path.join(os.path.dirname(files[0]), "*.jsonl") if layout == "per-kind" else path
    return files, glob, records


def findings_digest(output_path):
    """A digest of the findings with the places records were read from left out."""
    import hashlib
    digest = hashlib.sha256()
    with open(output_path, "rb") as f:
        for line in f:
            entry = json.loads(line)
            if entry.get("type") == "finding":
                for record in entry["records"]:
                    record.pop("file", None)
                    record.pop("line", None)
                    record.pop("column", None)
            if entry.get("type") in ("finding", "summary"):
                digest.update(json.dumps(entry, sort_keys=True).encode() + b"\n")
    return digest.hexdigest()


def bench_one(args, items, layout, out_dir):
    files, glob, records = data_files(args, items, layout)
    shuffle = layout == "shuffled"
    findings = os.path.join(out_dir, "findings.jsonl")
    check = [args.concordant, "check", "--rules", args.rules, "--format", "json"]
    commands = {
        "concordant": [*check, *files],
        "concordant six checks": [*check, "--select", ",".join(CHECKS.values()), *files],
        "concordant parse-only": [*check, "--parse-only", *files],
        "duckdb": [sys.executable, os.path.join(args.peers_dir, "duckdb_ref.py"), glob],
        "polars": [sys.executable, os.path.join(args.peers_dir, "polars_ref.py"), glob],
    }
    if layout == "per-kind":
        del commands["polars"]  # the polars peer reads one file
    runs = {name: [] for name in commands}
    counts = {}
    for r in range(args.runs):
        for name, cmd in commands.items():
            if name in ("concordant", "concordant six checks"):
                with open(findings, "w") as out:
                    wall, rss, _ = timed(cmd, stdout=out)
                counts[name] = concordant_counts(findings)
                if name == "concordant":
                    digest = findings_digest(findings)
            else:
                wall, rss, out = timed(cmd)
                if "RESULT " in out:
                    counts[name] = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])["counts"]
            runs[name].append((wall, rss))
            print(f"{records} records {layout} run {r + 1}: {name} {wall:.3f} s "
                  f"{rss:.0f} MB", file=sys.stderr)
    peers = [counts[name] for name in ("concordant six checks", "duckdb", "polars") if name in counts]
    row = {"items": items, "records": records, "shuffled": shuffle, "layout": layout,
           "file_mb": sum(os.path.getsize(f) for f in files) / 1e6, "counts": counts,
           "counts_agree": all(c == counts["concordant"] for c in peers), "digest": digest}
    for name, v in runs.items():
        row[name] = {"wall_s": statistics.median(w for w, _ in v), "rss_mb": max(m for _, m in v),
                     "all_wall_s": [w for w, _ in v]}
    return row


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def table(rows, runs):
    lines = [f"| records | input | tool | wall (median of {runs}) | peak RSS | wall / DuckDB | RSS / DuckDB |",
             "|---:|---|---|---:|---:|---:|---:|"]
    for row in rows:
        duck = row["duckdb"]
        for name in ("concordant", "concordant six checks", "concordant parse-only", "duckdb", "polars"):
            if name not in row:
                continue
            v = row[name]
            lines.append(f"| {row['records']:,} | {row['layout']} | {name} | "
                         f"{v['wall_s']:.3f} s | {v['rss_mb']:.0f} MB | {v['wall_s'] / duck['wall_s']:.2f} | "
                         f"{v['rss_mb'] / duck['rss_mb']:.2f} |")
    return "\n".join(lines)


def summary(rows):
    lines = []
    for row in rows:
        c, p, d = row["concordant"], row["concordant parse-only"], row["duckdb"]
        six = row["concordant six checks"]
        lines.append(f"- {row['records']:,} records ({row['layout']}): "
                     f"Concordant/DuckDB wall {c['wall_s'] / d['wall_s']:.2f} (six checks only "
                     f"{six['wall_s'] / d['wall_s']:.2f}), RSS {c['rss_mb'] / d['rss_mb']:.3f}; "
                     f"total/parse-only {c['wall_s'] / p['wall_s']:.2f}; counts "
                     f"{'identical' if row['counts_agree'] else 'DIFFER'}: {row['counts']['concordant']}")
    for items in sorted({r["items"] for r in rows}):
        same = [r for r in rows if r["items"] == items]
        if len(same) > 1:
            agree = len({r["digest"] for r in same}) == 1
            lines.append(f"- {same[0]['records']:,} records: findings and summary "
                         f"{'identical' if agree else 'DIFFER'} across layouts "
                         f"({', '.join(r['layout'] for r in same)}), places left out")
    grouped = sorted((r for r in rows if r["layout"] == "grouped"), key=lambda r: r["records"])
    if len(grouped) >= 2:
        small, large = grouped[0], grouped[-1]
        predicted = small["concordant"]["wall_s"] * large["records"] / small["records"]
        lines.append(f"- growth {small['records']:,} → {large['records']:,} records: "
                     f"{large['concordant']['wall_s']:.3f} s against a linear prediction of {predicted:.3f} s "
                     f"({large['concordant']['wall_s'] / predicted:.2f}× the prediction)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concordant", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--peers-dir", required=True)
    ap.add_argument("--items", type=int, nargs="+", default=[1000, 10000, 30000])
    ap.add_argument("--layouts", nargs="+", default=["grouped", "per-kind", "shuffled"],
                    choices=["grouped", "per-kind", "shuffled"])
    ap.add_argument("--layout-items", type=int, nargs="*", default=[10000, 30000],
                    help="the sizes run in every layout (the others run grouped)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "concordant-bench"))
    ap.add_argument("--results", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for items in args.items:
            layouts = args.layouts if items in args.layout_items else ["grouped"]
            for layout in layouts:
                rows.append(bench_one(args, items, layout, out_dir))
    os.makedirs(args.results, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(args.results, f"bench-{stamp}.json"), "w") as f:
        json.dump({"machine": machine(), "runs": args.runs, "rows": rows}, f, indent=1)
    report = f"Machine: {machine()}\n\n{table(rows, args.runs)}\n\n{summary(rows)}\n"
    with open(os.path.join(args.results, f"bench-{stamp}.md"), "w") as f:
        f.write(report)
    print(report, end="")
    if not all(r["counts_agree"] for r in rows):
        sys.exit("counts differ between Concordant and the peers")
    for items in {r["items"] for r in rows}:
        if len({r["digest"] for r in rows if r["items"] == items}) > 1:
            sys.exit(f"Concordant's findings differ across layouts at {items} items")


if __name__ == "__main__":
    main()
