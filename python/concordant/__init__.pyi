from os import PathLike
from typing import Any, Iterable, Optional, Sequence, Union

from ._concordant import RuleError as RuleError

PathLikeStr = Union[str, PathLike[str]]

def compile(rules: Union[PathLikeStr, Sequence[PathLikeStr]]) -> Pack: ...
def compile_source_text(text: str, name: str = "inline.cord") -> Pack: ...

class Result:
    findings: list[dict[str, Any]]
    data_errors: list[dict[str, Any]]
    summary: dict[str, Any]
    metrics: dict[str, Any]
    parts: Optional[bytes]
    def to_pandas(self) -> Any: ...
    def to_arrow(self) -> Any: ...

class Pack:
    @property
    def rules(self) -> list[str]: ...
    def check(self, data: Any, threads: int = 0, defer_dataset: bool = False) -> Result: ...
    def finish_dataset(self, parts: Iterable[bytes]) -> Result: ...
