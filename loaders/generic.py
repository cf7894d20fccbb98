"""The generic loader: anyone's interactions as a CSV/TSV file with named columns.

The interactions file has a header line. Columns (names configurable): user and item
(required), rating/value, timestamp (Unix seconds or ISO 8601) and type (``view``,
``rating``, ``like``, ``dislike``, ``share``, ``add_to_list``; without a type column a row
with a rating is a ``rating``, otherwise a ``view``). An optional friendships file (same
delimiter, header line) lists two user ids per row, plus an optional ``weight`` column.
"""

from __future__ import annotations

from pathlib import Path

from graph.dataset import INTERACTION_TYPES, Dataset, InteractionType, Title
from loaders.build import DatasetBuilder, ReadReport
from loaders.errors import LoadError
from loaders.textio import BadLines, csv_rows, parse_float, parse_time, require_file

__all__ = ["read_csv"]

_TYPE_ALIASES: dict[str, InteractionType] = {
    "watch": "view",
    "watched": "view",
    "play": "view",
    "rated": "rating",
    "liked": "like",
    "disliked": "dislike",
    "shared": "share",
    "list": "add_to_list",
}


def _delimiter(value: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = named.get(value.lower(), value)
    if len(delimiter) != 1:
        raise ValueError(
            f"--delimiter must be one character (or tab/comma/semicolon/pipe), got {value!r}"
        )
    return delimiter


def read_csv(
    path: Path,
    *,
    id_prefix: str = "",
    dataset_tag: str = "csv",
    delimiter: str = ",",
    user_col: str = "user",
    item_col: str = "item",
    rating_col: str | None = "rating",
    time_col: str | None = "timestamp",
    type_col: str | None = "type",
    friends: Path | None = None,
    encoding: str = "utf-8",
    bad: BadLines | None = None,
) -> tuple[Dataset, ReadReport]:
    """Parse an interactions file (and optionally a friendships file).

    Optional columns that the header lacks are ignored; required ones must be present.

    Raises:
        LoadError: A missing file or column, a malformed line, a bad value or encoding.
    """
    bad = bad or BadLines()
    sep = _delimiter(delimiter)
    b = DatasetBuilder(dataset_tag, id_prefix)
    rows = csv_rows(require_file(path), delimiter=sep, encoding=encoding)
    first = next(rows, None)
    if first is None:
        raise LoadError(path, f"empty file; expected a header with columns {user_col}, {item_col}")
    cols = {name.strip(): i for i, name in enumerate(first[1])}
    for name in (user_col, item_col):
        if name not in cols:
            raise LoadError(
                path, f"expected a column {name!r} in the header, found {list(cols)}", line=first[0]
            )
    ui, ii = cols[user_col], cols[item_col]
    ri, ti, ki = (cols.get(c) if c else None for c in (rating_col, time_col, type_col))
    for line, fields in rows:
        try:
            if len(fields) != len(cols):
                raise LoadError(path, f"expected {len(cols)} fields, got {len(fields)}", line=line)
            user, item = fields[ui].strip(), fields[ii].strip()
            if not user or not item:
                field = user_col if not user else item_col
                raise LoadError(path, "expected a non-empty id", line=line, field=field)
            value = (
                parse_float(fields[ri], path, line, str(rating_col))
                if ri is not None and fields[ri].strip()
                else None
            )
            when = (
                parse_time(fields[ti], path, line, str(time_col))
                if ti is not None and fields[ti].strip()
                else None
            )
            kind = _kind(fields[ki] if ki is not None else "", value, path, line, str(type_col))
        except LoadError as exc:
            bad.handle(exc)
            continue
        title_id = b.uid(item)
        if title_id not in b.titles:
            b.add_title(Title(title_id=title_id, title=item, kind="item"))
        b.add_interaction(b.uid(user), title_id, kind, value=value, timestamp=when)
        b.report.lines += 1
    if friends is not None:
        _friends(friends, b, sep, encoding, bad)
    b.report.skipped = bad.count
    return b.build(), b.report


def _kind(raw: str, value: float | None, path: Path, line: int, field: str) -> InteractionType:
    text = raw.strip().lower()
    if not text:
        return "rating" if value is not None else "view"
    if text in INTERACTION_TYPES:
        return text  # type: ignore[return-value]
    if text in _TYPE_ALIASES:
        return _TYPE_ALIASES[text]
    raise LoadError(
        path, f"expected one of {', '.join(INTERACTION_TYPES)}, got {raw!r}", line=line, field=field
    )


def _friends(path: Path, b: DatasetBuilder, sep: str, encoding: str, bad: BadLines) -> None:
    rows = csv_rows(require_file(path), delimiter=sep, encoding=encoding)
    first = next(rows, None)
    if first is None or len(first[1]) < 2:
        raise LoadError(path, "expected a header with two user columns (and optional weight)")
    cols = {name.strip(): i for i, name in enumerate(first[1])}
    wi = cols.get("weight")
    for line, fields in rows:
        try:
            if len(fields) != len(cols):
                raise LoadError(path, f"expected {len(cols)} fields, got {len(fields)}", line=line)
            if not fields[0].strip() or not fields[1].strip():
                raise LoadError(path, "expected two non-empty user ids", line=line)
            weight = (
                parse_float(fields[wi], path, line, "weight")
                if wi is not None and fields[wi].strip()
                else None
            )
        except LoadError as exc:
            bad.handle(exc)
            continue
        b.add_friendship(b.uid(fields[0]), b.uid(fields[1]), mutual=True, weight=weight)
