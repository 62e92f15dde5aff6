"""The Python package against the command line: the bundled example checked through every
input type gives exactly the diagnostics of ``concordant check --format json``, positions
aside (records given in memory are numbered by their place in the input, not by a file's
lines)."""

import json
import os
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import concordant

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "clips.jsonl"
RULES = ROOT / "rules"


def cli_json(*args):
    binary = os.environ.get("CONCORDANT", str(ROOT / "target" / "debug" / "concordant"))
    out = subprocess.run([binary, "check", "--format", "json", *args], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.fixture(scope="module")
def cli():
    entries = cli_json("--rules", "rules", "examples/data/clips.jsonl")
    return {
        "findings": [e for e in entries if e["type"] == "finding"],
        "data_errors": [e for e in entries if e["type"] == "data-error"],
        "summary": next(e for e in entries if e["type"] == "summary"),
    }


@pytest.fixture(scope="module")
def pack():
    os.chdir(ROOT)
    return concordant.compile("rules")


def example_rows():
    """The example's records that are JSON objects, each with the file line it came from."""
    rows, lines = [], []
    for number, text in enumerate(EXAMPLE.read_text().splitlines(), start=1):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            continue  # the example's broken line: only a file can hold it
        rows.append(value)
        lines.append(number)
    return rows, lines


def renumbered(findings, lines):
    """CLI findings with each record's file line replaced by its place among the rows."""
    place = {line: i + 1 for i, line in enumerate(lines)}
    out = []
    for f in findings:
        f = json.loads(json.dumps(f))
        for r in f["records"]:
            r["file"], r["line"] = "<values>", place[r["line"]]
        out.append(f)
    return out


def test_a_path_gives_exactly_the_command_lines_output(pack, cli):
    result = pack.check("examples/data/clips.jsonl")
    assert result.findings == cli["findings"]
    assert result.data_errors == cli["data_errors"]
    assert result.summary == cli["summary"]


def test_dicts_give_the_command_lines_findings_and_data_errors(pack, cli):
    rows, lines = example_rows()
    result = pack.check(iter(rows))
    assert result.findings == renumbered(cli["findings"], lines)
    wrong_type = [e for e in cli["data_errors"] if e["code"] != "cord::data::invalid-json"]
    assert [(e["code"], e["message"]) for e in result.data_errors] == [(e["code"], e["message"]) for e in wrong_type]
    assert [e["line"] for e in result.data_errors] == [lines.index(e["line"]) + 1 for e in wrong_type]
    summary = result.summary["records"]
    assert summary["read"] == summary["checked"] + summary["rejected"] == len(rows)


def test_a_dataframe_gives_the_same_as_its_dicts(pack):
    rows, _ = example_rows()
    from_dicts = pack.check(rows)
    from_frame = pack.check(pd.DataFrame(rows))
    assert from_frame.findings == from_dicts.findings
    assert from_frame.data_errors == from_dicts.data_errors


def test_arrow_tables_and_batches_give_the_same_as_their_dicts(pack):
    # Arrow columns have one type: the example's record with a text `end` is left out.
    rows = [r for r in example_rows()[0] if not isinstance(r.get("end"), str)]
    from_dicts = pack.check(rows)
    # (from_pylist would take its columns from the first row alone)
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    assert pack.check(table).findings == from_dicts.findings
    assert pack.check(table.to_batches(max_chunksize=1000)[0]).findings == from_dicts.findings


def test_results_as_tables(pack, cli):
    result = pack.check("examples/data/clips.jsonl")
    frame = result.to_pandas()
    assert len(frame) == len(cli["findings"])
    assert list(frame["rule"]) == [f["rule"] for f in cli["findings"]]
    table = result.to_arrow()
    assert table.num_rows == len(cli["findings"])
    assert table.column("records").to_pylist()[0][0]["id"] == cli["findings"][0]["records"][0]["id"]


def test_metrics_of_data_set_rules(pack):
    metrics = pack.check("examples/data/clips.jsonl").metrics
    names = {m["rule"] for m in metrics["metrics"]}
    assert {"sentiment-labels-reliable", "sentiment-labels-kappa"} <= names


def test_a_rule_file_mistake_raises_with_its_diagnostic():
    with pytest.raises(concordant.RuleError) as caught:
        concordant.compile(ROOT / "tests" / "fixtures" / "cli" / "misspelled-field.cord")
    error = caught.value
    assert "did you mean `speaker`?" in str(error)
    assert error.code == "cord::check::unknown-field"
    assert error.line == 5 and error.file.endswith("misspelled-field.cord")
    assert error.help and "speaker" in error.help
    assert error.diagnostics[0]["span"][1] > error.diagnostics[0]["span"][0]


def test_source_text_compiles_and_bad_records_are_reported_not_raised():
    pack = concordant.compile_source_text(
        'schema { kind speech { start: time, end: time, speaker: str } }\n'
        'rule short: warning { for s in speech require duration(s) >= 1s message "{s.id} is short" }\n'
    )
    result = pack.check([
        {"item": "c", "kind": "speech", "id": "s1", "start": 0, "end": 0.5, "speaker": "a"},
        {"item": "c", "kind": "speech", "id": "s2", "start": 3, "end": 1, "speaker": "a"},
    ])
    # The reversed record is reported and still checked: it lasts -2 s.
    assert [f["message"] for f in result.findings] == ["s1 is short", "s2 is short"]
    assert [(e["code"], e["line"]) for e in result.data_errors] == [("cord::data::reversed-interval", 2)]
    assert result.summary["records"]["with_data_errors"] == 1
    with pytest.raises(TypeError):
        pack.check([1, 2])


def test_checks_run_in_parallel_threads(pack):
    results = [None] * 4

    def run(i):
        results[i] = pack.check("examples/data/clips.jsonl").findings

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == results[0] for r in results) and results[0]
