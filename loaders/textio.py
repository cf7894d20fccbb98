"""Reading source files line by line with exact line numbers and strict decoding."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from loaders.errors import LoadError

__all__ = [
    "BadLines",
    "csv_rows",
    "parse_float",
    "parse_int",
    "parse_time",
    "read_lines",
    "require_file",
    "split_lines",
]


class BadLines:
    """Policy for malformed lines: raise (default) or count and skip (``--skip-bad-lines``)."""

    def __init__(self, skip: bool = False) -> None:
        self.skip = skip
        self.count = 0
        self.examples: list[str] = []

    def handle(self, error: LoadError) -> None:
        """Raise ``error``, or record it when skipping bad lines."""
        if not self.skip:
            raise error
        self.count += 1
        if len(self.examples) < 5:
            self.examples.append(str(error))


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file.

    Raises:
        LoadError: The file does not exist or is not a file.
    """
    if not path.is_file():
        raise LoadError(path, "file not found" if not path.exists() else "not a regular file")
    return path


def read_lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for every non-blank line, line endings (LF/CRLF) removed.

    Raises:
        LoadError: The file is missing, or a line holds bytes invalid in ``encoding``.
    """
    require_file(path)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    path,
                    f"bytes invalid in {encoding} at column {exc.start + 1} "
                    f"({raw[exc.start : exc.start + 4]!r}); expected {encoding} text",
                    line=number,
                ) from None
            text = text.rstrip("\r\n")
            if text.strip():
                yield number, text


def split_lines(
    path: Path,
    count: int,
    bad: BadLines,
    *,
    sep: str | None = None,
    header: bool = False,
    encoding: str = "utf-8",
) -> list[tuple[int, list[str]]]:
    """The lines of a delimited text file with exactly ``count`` fields each (``sep`` None:
    whitespace), numbered; the others go to ``bad`` as errors naming the file and line."""
    out = []
    lines = read_lines(path, encoding)
    if header:
        next(lines, None)
    for line, text in lines:
        fields = text.split(sep)
        if len(fields) != count:
            what = "whitespace" if sep is None else repr(sep)
            message = f"expected {count} {what}-separated fields, got {len(fields)}"
            bad.handle(LoadError(path, message, line=line))
            continue
        out.append((line, fields))
    return out


def csv_rows(
    path: Path, *, delimiter: str = ",", encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of a CSV file (quoted fields may hold the delimiter).

    Raises:
        LoadError: As :func:`read_lines`, or a malformed quoted field.
    """
    lines = read_lines(path, encoding)
    numbers: list[int] = [0]

    def texts() -> Iterator[str]:
        for number, text in lines:
            numbers[0] = number
            yield text

    reader = csv.reader(texts(), delimiter=delimiter, strict=True)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LoadError(path, f"malformed CSV ({exc})", line=numbers[0]) from None
        yield numbers[0], fields


def parse_int(value: str, path: Path, line: int, field: str) -> int:
    """Parse an integer field or raise a :class:`LoadError` naming it."""
    try:
        return int(value.strip())
    except ValueError:
        raise LoadError(
            path, f"expected an integer, got {value!r}", line=line, field=field
        ) from None


def parse_float(value: str, path: Path, line: int, field: str) -> float:
    """Parse a finite number field or raise a :class:`LoadError` naming it."""
    try:
        number = float(value.strip())
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise LoadError(path, f"expected a number, got {value!r}", line=line, field=field)
    return number


def parse_time(value: str, path: Path, line: int, field: str) -> int:
    """Parse Unix seconds or an ISO 8601 date/time (UTC when no offset) into Unix seconds."""
    text = value.strip()
    try:
        return int(float(text)) if text.lstrip("-").replace(".", "", 1).isdigit() else _iso(text)
    except ValueError:
        raise LoadError(
            path,
            f"expected Unix seconds or an ISO 8601 time, got {value!r}",
            line=line,
            field=field,
        ) from None


def _iso(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
