"""Validates `concordant check --format sarif` against the SARIF 2.1.0 JSON schema.

Runs the release or debug binary given as the first argument on the bundled example and on a
file with broken lines (data errors), and validates each log with the `jsonschema` package
against ../shared/schemas/sarif-schema-2.1.0.json (draft-04). Run through validate.sh, which
provides the venv.
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHEMA = os.path.join(ROOT, "..", "shared", "schemas", "sarif-schema-2.1.0.json")


def sarif(binary, rules, data):
    out = subprocess.run([binary, "check", "--rules", rules, "--format", "sarif", data],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"concordant exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


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
        for name, rules, data in cases:
            log = sarif(binary, rules, data)
            errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
            for e in errors:
                print(f"{name}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
            results = log["runs"][0]["results"]
            if errors or not results:
                sys.exit(f"{name}: {len(errors)} schema errors, {len(results)} results")
            print(f"{name}: valid SARIF 2.1.0, {len(results)} results")


if __name__ == "__main__":
    main()
