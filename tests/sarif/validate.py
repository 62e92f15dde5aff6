"""Validates `concordant check --format sarif` against the SARIF 2.1.0 JSON schema.

Runs the binary given as the first argument on the bundled example, on a file with broken
lines (data errors), on a copy of the example whose name has a space, `#` and non-ASCII
letters (its URI must resolve back to the file), and on the 1M-record benchmark data
(../shared/bench/gen.py): each log must validate with the `jsonschema` package against
../shared/schemas/sarif-schema-2.1.0.json (draft-04) and keep to GitHub code scanning's
upload limits (25,000 results a run, 1,000 locations a result, 10 MB gzipped). Run through
validate.sh, which provides the venv.
"""
import json
import os
import subprocess
import sys
import gzip
import tempfile
import urllib.parse
import urllib.request

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHEMA = os.path.join(ROOT, "..", "shared", "schemas", "sarif-schema-2.1.0.json")


def sarif(binary, rules, data, cwd=ROOT):
    out = subprocess.run([binary, "check", "--isolated", "--rules", rules, "--format", "sarif", data],
                         cwd=cwd, capture_output=True)
    if out.returncode not in (0, 1):
        sys.exit(f"concordant exited {out.returncode}: {out.stderr.decode()}")
    return out.stdout


def within_limits(name, text):
    """GitHub code scanning's hard limits on one upload."""
    log = json.loads(text)
    run = log["runs"][0]
    results = run["results"]
    assert len(log["runs"]) <= 20, name
    assert len(results) <= 25_000, f"{name}: {len(results)} results"
    assert len(run["tool"]["driver"]["rules"]) <= 25_000, name
    most = max((len(r.get("locations", [])) + len(r.get("relatedLocations", [])) for r in results), default=0)
    assert most <= 1_000, f"{name}: a result with {most} locations"
    packed = len(gzip.compress(text))
    assert packed <= 10 * 1024 * 1024, f"{name}: {packed} bytes gzipped"
    print(f"{name}: {len(results)} results, at most {most} locations a result, {packed / 1e6:.2f} MB gzipped")
    return log


def resolves_to(log, path):
    """The first result's file URI, resolved against its base, names `path`."""
    run = log["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    base = run["originalUriBaseIds"][location["uriBaseId"]]["uri"]
    absolute = urllib.parse.urljoin(base, location["uri"])
    found = urllib.request.url2pathname(urllib.parse.urlparse(absolute).path)
    assert os.path.samefile(found, path), f"{location} resolves to {found}, not {path}"
    assert "#" not in location["uri"] and " " not in location["uri"], location


def main():
    binary = sys.argv[1]
    with open(SCHEMA) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    with tempfile.TemporaryDirectory() as tmp:
        broken = os.path.join(tmp, "broken.jsonl")
        with open(os.path.join(ROOT, "examples", "data", "clips.jsonl")) as f:
            lines = f.read().splitlines()
        lines.insert(2, '{"item": "clip_001", "kind": "speech", "id": ')
        lines.insert(5, '{"item": "clip_001", "kind": "speech", "id": "s9", "start": 4, "end": 1, "speaker": "x"}')
        with open(broken, "w") as f:
            f.write("\n".join(lines) + "\n")
        cases = [
            ("the bundled example", "rules/", "examples/data/clips.jsonl"),
            ("broken lines", "rules/", broken),
            ("data-set statistics", "rules/,rules/reliability/", "examples/data/clips.jsonl"),
        ]
        odd = os.path.join(tmp, "clip#1 ü.jsonl")
        with open(odd, "w") as f:
            f.write("\n".join(lines) + "\n")
        cases.append(("a file named `clip#1 ü.jsonl`", os.path.join(ROOT, "rules"), "clip#1 ü.jsonl"))
        gen = os.path.join(ROOT, "..", "shared", "bench", "gen.py")
        if os.path.exists(gen):
            big = os.path.join(tmp, "bench.jsonl")
            subprocess.run([sys.executable, gen, "--items", "10000", "--seed", "1", "--out", big], check=True)
            cases.append(("the 1M-record benchmark data", os.path.join(ROOT, "rules"), big))
        else:
            print("skipped the 1M-record SARIF case: ../shared/bench is not beside the repository")
        for name, rules, data in cases:
            cwd = tmp if data == "clip#1 ü.jsonl" else ROOT
            text = sarif(binary, rules, data, cwd)
            log = within_limits(name, text)
            if cwd == tmp:
                resolves_to(log, odd)
            errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
            for e in errors:
                print(f"{name}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
            results = log["runs"][0]["results"]
            if errors or not results:
                sys.exit(f"{name}: {len(errors)} schema errors, {len(results)} results")
            print(f"{name}: valid SARIF 2.1.0, {len(results)} results")


if __name__ == "__main__":
    main()
