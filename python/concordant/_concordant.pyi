"""Type stubs of the Rust extension module (see concordant/__init__.py for the API)."""

from os import PathLike
from typing import Optional, Sequence, Union

class RuleError(Exception):
    """A rule pack that does not compile; the message is the rendered diagnostics."""

    code: Optional[str]
    help: Optional[str]
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    span: Optional[tuple[int, int]]
    diagnostics: list[dict]

class CompiledPack:
    @property
    def rules(self) -> list[str]: ...
    def check_paths(
        self, paths: Sequence[Union[str, PathLike[str]]], threads: int = 0, defer_dataset: bool = False
    ) -> tuple[str, str, Optional[bytes]]: ...
    def check_records(self, lines: list[str], defer_dataset: bool = False) -> tuple[str, str, Optional[bytes]]: ...
    def finish_dataset(self, parts: list[bytes]) -> tuple[str, str]: ...

def compile_paths(paths: Sequence[Union[str, PathLike[str]]]) -> CompiledPack: ...
def compile_source(text: str, name: str = "inline.cord") -> CompiledPack: ...
