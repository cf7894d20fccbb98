"""The loaders' error: names the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path

__all__ = ["LoadError"]


class LoadError(ValueError):
    """Bad input: a missing file, a wrong format, a malformed line, an unknown encoding.

    Attributes:
        path: The file at fault (or the directory, for a missing file set).
        line: The 1-based line number, when the fault is on one line.
        field: The field (column) at fault, when known.
        reason: What was expected.
    """

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.reason = reason
        where = str(self.path) if line is None else f"{self.path}, line {line}"
        what = f"field {field!r}: {reason}" if field else reason
        super().__init__(f"{where}: {what}")
