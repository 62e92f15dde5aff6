"""Runs Concordant (the two checks, and its parse-only pass) and the vectorised reference on
one data file, interleaved, and prints the table bench/space/run.sh documents."""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile


def timed(cmd, stdout):
    """Wall seconds and peak RSS (MB) of a command under /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd], stdout=stdout,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
        seconds, kb = t.read().split()[-2:]
    return float(seconds), int(kb) / 1024


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for flag in ("--concordant", "--rules", "--reference", "--data"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    records = sum(1 for _ in open(args.data))
    out = os.path.join(os.path.dirname(args.data), "findings.jsonl")
    commands = {
        "concordant": [args.concordant, "check", "--rules", args.rules, "--format", "json", args.data],
        "concordant parse-only": [args.concordant, "check", "--rules", args.rules, "--format", "json",
                                  "--parse-only", args.data],
        "reference (polars + numpy)": [sys.executable, args.reference, args.data],
    }
    times = {name: [] for name in commands}
    peak = {name: 0.0 for name in commands}
    counts = {}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            with open(out, "w") as f:
                seconds, mb = timed(cmd, f)
            times[name].append(seconds)
            peak[name] = max(peak[name], mb)
            if name == "concordant":
                with open(out, "rb") as f:
                    f.seek(max(0, os.path.getsize(out) - 100_000))
                    summary = json.loads(f.read().decode().strip().splitlines()[-1])
                counts["concordant"] = {k: summary["per_rule"][k] for k in ("boxes-agree", "box-drawn-twice")}
            elif name.startswith("reference"):
                with open(out) as f:
                    counts["reference"] = json.load(f)
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"CPU: {cpu()}; {records:,} boxes; median of {args.runs} runs, interleaved\n")
    print("| command | wall (s) | peak RSS (MB) |")
    print("|---|---|---|")
    for name in commands:
        print(f"| {name} | {median[name]:.2f} | {peak[name]:.0f} |")
    c, p, r = median["concordant"], median["concordant parse-only"], median["reference (polars + numpy)"]
    print(f"\nConcordant ÷ reference: {c / r:.2f}; Concordant ÷ its parse-only pass: {c / p:.2f}")
    same = counts["concordant"] == counts["reference"]
    print(f"counts {'identical' if same else 'DIFFER'}: concordant {counts['concordant']}, "
          f"reference {counts['reference']}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
