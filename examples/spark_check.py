"""Checks a JSON Lines file with Spark in local mode and with the command line, and compares.

    python examples/spark_check.py DATA.jsonl [RULES...]   (default rules: rules/)

Spark reads the file line by line (``spark.read.text``), groups the lines by item, checks
each item on an executor with the data-set rules deferred, and merges the data-set
statistics on the driver (``concordant.spark``). The script prints both runs' times and
whether their counts per rule, records per kind and data-set metrics agree; it exits 1 if
they do not. It needs the package (``pip install ./python``), pyspark and Java.
"""

import json
import os
import subprocess
import sys
import time

from pyspark.sql import SparkSession

from concordant.spark import check_json_lines


def main():
    data = sys.argv[1]
    rules = sys.argv[2:] or ["rules/"]
    binary = os.environ.get("CONCORDANT", "target/release/concordant")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    started = time.perf_counter()
    metrics_file = "/tmp/concordant-spark-check-metrics.json"
    out = subprocess.run([binary, "check", "--format", "json", "--metrics", metrics_file, "--rules", ",".join(rules), data],
                         capture_output=True, text=True)
    cli_seconds = time.perf_counter() - started
    if out.returncode not in (0, 1):
        sys.exit(out.stderr)
    summary = json.loads(out.stdout.splitlines()[-1])
    with open(metrics_file) as f:
        cli_metrics = json.load(f)["metrics"]

    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "8").config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter()
    result = check_json_lines(spark, data, rules)
    spark_seconds = time.perf_counter() - started
    spark.stop()

    same = {
        "findings per rule": result.summary["per_rule"] == summary["per_rule"],
        "records per kind": result.summary["per_kind"] == summary["per_kind"],
        "items": result.summary["items"] == summary["items"],
        "data-set metrics (1e-9)": len(result.metrics["metrics"]) == len(cli_metrics) and all(
            a["rule"] == b["rule"] and abs(a["value"] - b["value"]) < 1e-9
            for a, b in zip(result.metrics["metrics"], cli_metrics)),
    }
    print(f"records: {summary['records']['read']}, findings: {sum(summary['per_rule'].values())}")
    for m in result.metrics["metrics"]:
        print(f"  {m['rule']}: {m['value']}")
    print(f"command line: {cli_seconds:.2f} s   spark local[2]: {spark_seconds:.2f} s")
    for what, ok in same.items():
        print(f"{'same' if ok else 'DIFFERENT'}: {what}")
    sys.exit(0 if all(same.values()) else 1)


if __name__ == "__main__":
    main()
