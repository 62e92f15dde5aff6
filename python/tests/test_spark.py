"""Spark in local mode checks the bundled example line by line, grouped by item on the
executors, with the data-set statistics merged on the driver: the same counts, findings,
data errors and metrics as the command line."""

import os
import sys
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")

import concordant  # noqa: E402
from concordant.spark import check_dataframe, check_json_lines  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def essentials(result):
    findings = sorted((f["rule"], f["item"] or "", f["message"]) for f in result.findings)
    errors = sorted((e["code"], e["message"]) for e in result.data_errors)
    metrics = [(m["rule"], round(m["value"], 9)) for m in result.metrics["metrics"]]
    summary = {k: result.summary[k] for k in ("items", "records", "per_kind", "findings", "per_rule", "data_errors")}
    return findings, errors, metrics, summary


def test_spark_gives_what_the_command_line_gives(spark):
    os.chdir(ROOT)
    cli = concordant.compile("rules").check("examples/data/clips.jsonl")
    result = check_json_lines(spark, str(ROOT / "examples/data/clips.jsonl"), ["rules"])
    assert essentials(result) == essentials(cli)
    assert {m["rule"] for m in result.metrics["metrics"]} >= {"sentiment-labels-reliable", "sentiment-labels-kappa"}


def test_a_dataframe_of_records_with_consistent_types(spark):
    os.chdir(ROOT)
    import json

    rows = [json.loads(line) for line in (ROOT / "examples/data/clips.jsonl").read_text().splitlines()
            if line.strip().endswith("}") and '"end": "' not in line and '"end":"' not in line]
    rows = [r for r in rows if not isinstance(r.get("end"), str)]
    pack = concordant.compile("rules")
    expected = pack.check(rows)
    df = spark.createDataFrame([json.dumps(r) for r in rows], "string").toDF("value")
    frame = spark.read.json(df.rdd.map(lambda r: r.value))
    result = check_dataframe(frame, ["rules"])
    got, want = essentials(result), essentials(expected)
    assert got[0] == want[0] and got[2] == want[2]
