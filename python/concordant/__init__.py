"""Concordant: cross-modal consistency rules for multimodal annotation data.

Compile a rule pack once, then check records from files, Python dicts, pandas DataFrames or
Arrow tables. Results carry the fields of ``concordant check --format json``::

    import concordant

    pack = concordant.compile("rules/")
    result = pack.check("examples/data/clips.jsonl")
    for finding in result.findings:
        print(finding["rule"], finding["item"], finding["message"])
    result.to_pandas()          # one row per finding

A rule pack that does not compile raises :class:`RuleError`, whose message is the rendered
diagnostic (as the command line shows it) and whose attributes carry its code, place and help.
Checking releases the interpreter lock, so threads can check in parallel.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from ._concordant import CompiledPack, RuleError, compile_paths, compile_source

__all__ = ["Pack", "Result", "RuleError", "compile", "compile_source_text"]

PathLike = Union[str, "os.PathLike[str]"]


def compile(rules: Union[PathLike, Sequence[PathLike]]) -> "Pack":
    """Compiles rule files or directories of ``*.cord`` files (with their imports).

    Raises :class:`RuleError` when the pack has an error.
    """
    paths = [rules] if isinstance(rules, (str, os.PathLike)) else list(rules)
    return Pack(compile_paths([os.fspath(p) for p in paths]))


def compile_source_text(text: str, name: str = "inline.cord") -> "Pack":
    """Compiles rule-file text. It cannot import (nothing is read from disk); compile a pack
    of files with their imports from paths instead."""
    return Pack(compile_source(text, name))


@dataclass
class Result:
    """What a check found, with the fields of ``concordant check --format json``."""

    findings: list = field(default_factory=list)
    """One dict per finding: rule, severity, message, item, key, records, rule_location."""
    data_errors: list = field(default_factory=list)
    """One dict per rejected record or line: code, severity, message, file, line."""
    summary: dict = field(default_factory=dict)
    """Reconciled counts: records read, checked and rejected, findings per rule."""
    metrics: dict = field(default_factory=dict)
    """Every statistic of the data-set rules, with each rater's counts (``--metrics``)."""

    parts: Optional[bytes] = None
    """With ``defer_dataset``: this part's partial statistics for :meth:`Pack.finish_dataset`."""

    @classmethod
    def _from_json(cls, lines: str, metrics: str, parts: Optional[bytes] = None) -> "Result":
        result = cls(metrics=json.loads(metrics), parts=parts)
        for line in lines.splitlines():
            entry = json.loads(line)
            kind = entry.get("type")
            if kind == "finding":
                result.findings.append(entry)
            elif kind == "data-error":
                result.data_errors.append(entry)
            elif kind == "summary":
                result.summary = entry
        return result

    def to_pandas(self):
        """The findings as a pandas DataFrame, one row per finding."""
        import pandas as pd

        return pd.DataFrame(self.findings, columns=_FINDING_COLUMNS)

    def to_arrow(self):
        """The findings as a pyarrow Table, one row per finding."""
        import pyarrow as pa

        rows = [{c: f.get(c) for c in _FINDING_COLUMNS} for f in self.findings]
        return pa.Table.from_pylist(rows, schema=_arrow_schema(pa))


_FINDING_COLUMNS = ["type", "rule", "severity", "message", "item", "key", "records", "rule_location"]


def _arrow_schema(pa):
    record = pa.struct([("id", pa.string()), ("kind", pa.string()), ("file", pa.string()), ("line", pa.int64())])
    return pa.schema([
        ("type", pa.string()), ("rule", pa.string()), ("severity", pa.string()), ("message", pa.string()),
        ("item", pa.string()), ("key", pa.list_(pa.string())), ("records", pa.list_(record)),
        ("rule_location", pa.string()),
    ])


class Pack:
    """A compiled rule pack. Build one with :func:`compile` or :func:`compile_source_text`."""

    def __init__(self, compiled: CompiledPack):
        self._compiled = compiled

    @property
    def rules(self) -> list:
        """The rule ids, in the pack's order."""
        return self._compiled.rules

    def check(self, data: Any, threads: int = 0, defer_dataset: bool = False) -> Result:
        """Checks data and returns a :class:`Result`.

        ``data`` may be:

        - a path, or a list of paths, to data files (JSON Lines, or any format the command line
          reads, chosen by extension);
        - an iterable of dicts, one record each (``item``, ``kind``, ``id``, and fields);
        - a pandas DataFrame, one record per row;
        - a pyarrow Table or RecordBatch, one record per row.

        Records given in memory are numbered from 1 in the order given: a finding's or data
        error's ``line`` is that number. ``threads`` (0: all cores) applies to files.

        With ``defer_dataset``, the data is one part of a data set: the data-set rules are
        left for :meth:`finish_dataset`, and ``Result.parts`` holds this part's statistics.
        """
        if isinstance(data, (str, os.PathLike)):
            data = [data]
        if isinstance(data, (list, tuple)) and data and all(isinstance(d, (str, os.PathLike)) for d in data):
            paths = [os.fspath(d) for d in data]
            return Result._from_json(*self._compiled.check_paths(paths, threads, defer_dataset))
        lines = list(_json_lines(data))
        return Result._from_json(*self._compiled.check_records(lines, defer_dataset))

    def finish_dataset(self, parts: Iterable[bytes]) -> Result:
        """The data-set rules' findings and metrics from every part's ``Result.parts``, as one
        check over the whole data set gives them."""
        return Result._from_json(*self._compiled.finish_dataset(list(parts)))


def _json_lines(data: Any) -> Iterable[str]:
    """Each record of in-memory data as one line of JSON."""
    module = type(data).__module__
    if module.startswith("pandas"):
        # One line per row, missing values (NaN, None) as absent fields.
        for row in data.to_dict(orient="records"):
            yield json.dumps(_without_missing(row), default=_scalar)
        return
    if module.startswith("pyarrow"):
        for row in data.to_pylist():
            yield json.dumps(_without_missing(row), default=_scalar)
        return
    for row in data:
        if not isinstance(row, Mapping):
            raise TypeError(f"a record must be a dict, got {type(row).__name__}")
        yield json.dumps(dict(row), default=_scalar)


def _without_missing(row: dict) -> dict:
    """A row without its missing cells: a table has every column, a record only its fields."""
    return {k: v for k, v in row.items() if not _missing(v)}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _scalar(value: Any) -> Any:
    """numpy and pandas scalars and arrays as plain Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} to Concordant")
