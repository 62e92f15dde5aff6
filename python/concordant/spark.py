"""Checking a Spark DataFrame with a rule pack, one item per group.

Spark groups the records by item (``groupBy(item).applyInPandas``), and each group is
checked on an executor with the data-set rules deferred. The driver collects the findings
and merges every group's partial statistics into the data-set rules' findings and metrics
(:meth:`concordant.Pack.finish_dataset`). Concordant runs no distributed code of its own::

    from pyspark.sql import SparkSession
    from concordant.spark import check_dataframe

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    result = check_json_lines(spark, "data.jsonl", rules=["rules/"])
    result.summary["findings"], result.metrics

    # or a DataFrame with one record per row:
    result = check_dataframe(spark.read.parquet("records/"), rules=["rules/"])

Data-set rules whose statistics stream (agreement statistics, shares) are finished this way;
those that need every record at once are not run (:data:`UNSUPPORTED` explains). A record's
``line`` in findings is its place within its item's group.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Optional, Sequence

from . import Pack, Result, compile

UNSUPPORTED = (
    "data-set rules that need every record at once (not computed from partial statistics) "
    "are not run on Spark"
)

_OUTPUT_SCHEMA = "type string, json string, parts binary"
_packs: dict = {}


def _pack(rules: tuple) -> Pack:
    """The pack, compiled once per executor process."""
    if rules not in _packs:
        _packs[rules] = compile(list(rules))
    return _packs[rules]


def _check_group(rules: tuple, line_column: Optional[str]):
    import json

    import pandas as pd

    def check(frame):
        pack = _pack(rules)
        if line_column:
            # Raw JSON Lines: read exactly as a file's lines are, types and broken lines too.
            lines = [str(text) for text in frame[line_column]]
            result = Result._from_json(*pack._compiled.check_records(lines, True))
        else:
            result = pack.check(frame.drop(columns=["__concordant_item"], errors="ignore"), defer_dataset=True)
        rows = [("finding", json.dumps(f), None) for f in result.findings]
        rows += [("data-error", json.dumps(e), None) for e in result.data_errors]
        rows.append(("summary", json.dumps(result.summary), result.parts))
        return pd.DataFrame(rows, columns=["type", "json", "parts"])

    return check


def check_dataframe(df, rules: Sequence[str], item_column: str = "item", line_column: Optional[str] = None) -> Result:
    """Checks every record of a Spark DataFrame and returns one :class:`concordant.Result` for
    the whole data set, with its summary, findings, data errors and the data-set rules'
    metrics.

    Either each row is a record, its columns the fields (grouped by ``item_column``), or, with
    ``line_column``, each row holds one line of JSON Lines text in that column (as
    ``spark.read.text`` gives it), which keeps every record's own types."""
    import json

    paths = tuple(os.path.abspath(os.fspath(p)) for p in rules)
    pack = compile(list(paths))
    if line_column:
        from pyspark.sql import functions as F

        df = df.withColumn("__concordant_item", F.get_json_object(F.col(line_column), "$.item"))
        item_column = "__concordant_item"
    check = _check_group(paths, line_column)
    groups = df.groupBy(item_column).applyInPandas(check, schema=_OUTPUT_SCHEMA)
    findings, errors, summaries, parts = [], [], [], []
    for row in groups.toLocalIterator():
        entry = json.loads(row["json"])
        if row["type"] == "finding":
            findings.append(entry)
        elif row["type"] == "data-error":
            errors.append(entry)
        else:
            summaries.append(entry)
            if row["parts"] is not None:
                parts.append(bytes(row["parts"]))
    dataset = pack.finish_dataset(parts)
    findings.sort(key=lambda f: (f["item"] or "", pack.rules.index(f["rule"]), f["key"]))
    findings += dataset.findings
    return Result(
        findings=findings,
        data_errors=errors,
        summary=_merged_summary(pack, summaries, dataset.findings),
        metrics=dataset.metrics,
    )


def _merged_summary(pack: Pack, summaries: list, dataset_findings: list) -> dict:
    """The groups' summaries added up, with the data-set findings counted in."""
    records: Counter = Counter()
    per_kind: dict = {}
    per_rule: Counter = Counter({rule: 0 for rule in pack.rules})
    findings: Counter = Counter({"error": 0, "warning": 0, "info": 0})
    items = data_errors = 0
    for s in summaries:
        items += s["items"]
        data_errors += s["data_errors"]
        records.update(s["records"])
        for kind, counts in s["per_kind"].items():
            per_kind.setdefault(kind, Counter()).update(counts)
        per_rule.update(s["per_rule"])
        findings.update(s["findings"])
    for f in dataset_findings:
        per_rule[f["rule"]] += 1
        findings[f["severity"]] += 1
    return {
        "type": "summary",
        "items": items,
        "records": dict(records),
        "per_kind": {k: dict(v) for k, v in per_kind.items()},
        "findings": dict(findings),
        "per_rule": dict(per_rule),
        "data_errors": data_errors,
    }


def check_json_lines(spark, path: str, rules: Sequence[str]) -> Result:
    """Reads JSON Lines files with Spark (``spark.read.text``) and checks them as the command
    line does, line by line (:func:`check_dataframe` with ``line_column``). Blank lines are
    skipped; a record's ``line`` is its place within its item's group."""
    from pyspark.sql import functions as F

    df = spark.read.text(path).where(F.trim(F.col("value")) != "")
    return check_dataframe(df, rules, line_column="value")
