#!/usr/bin/env python3
"""Concordant against the DuckDB and polars peers, side by side in one run.

For each size, every command runs --runs times, interleaved, under /usr/bin/time -v:
Concordant with every pack in rules/ (JSON Lines output to a file), Concordant with only
the six rules of the benchmark checks (`--select`, the same work as the peers), Concordant's
parse-only pass (read and validate every record, run no rule), and the peers' six
benchmark checks. Reports the median wall time and the largest peak RSS of each, the
ratios Concordant/DuckDB, Concordant's total over its parse-only time, and checks that
Concordant's counts for the six benchmark rules equal DuckDB's.

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


def data_file(args, items, shuffle):
    os.makedirs(args.data_dir, exist_ok=True)
    tag = "-shuffled" if shuffle else ""
    path = os.path.join(args.data_dir, f"items{items}-seed{args.seed}{tag}.jsonl")
    if not os.path.exists(path):
        print(f"generating {path}", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(args.peers_dir, "gen.py"), "--items", str(items),
                        "--seed", str(args.seed), "--out", path] + (["--shuffle"] if shuffle else []),
                       check=True, stdout=subprocess.DEVNULL)
    with open(path, "rb") as f:  # warms the page cache
        records = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    return path, records


def bench_one(args, items, shuffle, out_dir):
    path, records = data_file(args, items, shuffle)
    findings = os.path.join(out_dir, "findings.jsonl")
    commands = {
        "concordant": [args.concordant, "check", "--rules", args.rules, "--format", "json", path],
        "concordant six checks": [args.concordant, "check", "--rules", args.rules, "--format", "json",
                                  "--select", ",".join(CHECKS.values()), path],
        "concordant parse-only": [args.concordant, "check", "--rules", args.rules, "--format", "json",
                                  "--parse-only", path],
        "duckdb": [sys.executable, os.path.join(args.peers_dir, "duckdb_ref.py"), path],
        "polars": [sys.executable, os.path.join(args.peers_dir, "polars_ref.py"), path],
    }
    runs = {name: [] for name in commands}
    counts = {}
    for r in range(args.runs):
        for name, cmd in commands.items():
            if name in ("concordant", "concordant six checks"):
                with open(findings, "w") as out:
                    wall, rss, _ = timed(cmd, stdout=out)
                counts[name] = concordant_counts(findings)
            else:
                wall, rss, out = timed(cmd)
                if "RESULT " in out:
                    counts[name] = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])["counts"]
            runs[name].append((wall, rss))
            print(f"{records} records{' shuffled' if shuffle else ''} run {r + 1}: {name} {wall:.3f} s "
                  f"{rss:.0f} MB", file=sys.stderr)
    row = {"items": items, "records": records, "shuffled": shuffle,
           "file_mb": os.path.getsize(path) / 1e6, "counts": counts,
           "counts_agree": counts["concordant"] == counts["concordant six checks"] == counts["duckdb"]
           == counts["polars"]}
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
            v = row[name]
            lines.append(f"| {row['records']:,} | {'shuffled' if row['shuffled'] else 'grouped'} | {name} | "
                         f"{v['wall_s']:.3f} s | {v['rss_mb']:.0f} MB | {v['wall_s'] / duck['wall_s']:.2f} | "
                         f"{v['rss_mb'] / duck['rss_mb']:.2f} |")
    return "\n".join(lines)


def summary(rows):
    lines = []
    for row in rows:
        c, p, d = row["concordant"], row["concordant parse-only"], row["duckdb"]
        six = row["concordant six checks"]
        lines.append(f"- {row['records']:,} records ({'shuffled' if row['shuffled'] else 'grouped'}): "
                     f"Concordant/DuckDB wall {c['wall_s'] / d['wall_s']:.2f} (six checks only "
                     f"{six['wall_s'] / d['wall_s']:.2f}), RSS {c['rss_mb'] / d['rss_mb']:.3f}; "
                     f"total/parse-only {c['wall_s'] / p['wall_s']:.2f}; counts "
                     f"{'identical' if row['counts_agree'] else 'DIFFER'}: {row['counts']['concordant']}")
    grouped = sorted((r for r in rows if not r["shuffled"]), key=lambda r: r["records"])
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
    ap.add_argument("--shuffled-items", type=int, nargs="*", default=[10000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "concordant-bench"))
    ap.add_argument("--results", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as out_dir:
        for items in args.items:
            rows.append(bench_one(args, items, False, out_dir))
        for items in args.shuffled_items:
            rows.append(bench_one(args, items, True, out_dir))
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


if __name__ == "__main__":
    main()
