"""The import tool's CSV layout of the graph model: the files, their header columns and how a
value is written (``graph.bulk_import`` writes them).

Strings are always quoted (an inner quote doubled), so commas, quotes and semicolons in values
need no care; an empty unquoted field is a missing property. Unix seconds are written as UTC
``datetime`` values, floats as Java spells them; interactions are formatted straight from the
record, the hot path of a large load, with the values ``graph.bulk._interaction_row`` gives.
"""

from __future__ import annotations

import math
import time
from typing import IO, TYPE_CHECKING, Any

from graph.bulk import _INTERACTION_QUERY

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from graph.dataset import Interaction

__all__ = [
    "INTERACTION_FIELDS",
    "INTERACTION_TYPE",
    "NODES",
    "RELATIONSHIPS",
    "TITLE_PROPERTIES",
    "Columns",
    "CsvFile",
    "header_of",
    "text",
]

#: Column kinds: how a value is written, and the import tool's type suffix.
_SUFFIX = {"str": "", "int": ":long", "float": ":double", "time": ":datetime", "bool": ":boolean"}
Columns = tuple[tuple[str, str, str], ...]
"""``(header name, row key, kind)`` per property column."""


def columns(spec: str) -> Columns:
    """Columns from ``"name[=key][:kind] ..."``: the key defaults to the name, the kind to str."""
    out = []
    for field in spec.split():
        named, _, kind = field.partition(":")
        name, _, key = named.partition("=")
        out.append((name, key or name, kind or "str"))
    return tuple(out)


NODES: dict[str, tuple[str, Columns]] = {
    "Person": ("personId", columns("name dataset")),
    "Title": ("titleId", columns("title year:int kind dataset imdbId tmdbId popularity:int")),
    "User": ("userId", columns("name age:int gender occupation dataset createdAt:time")),
    "Genre": ("name", columns("unknown:bool")),
    "Keyword": ("name", ()),
    "Platform": ("name", ()),
}
TITLE_PROPERTIES = ("id", "title", "year", "kind", "imdbId", "tmdbId")
_AT = "at:time"
#: Relationship type: (start label, end label, property columns).
RELATIONSHIPS: dict[str, tuple[str, str, Columns]] = {
    "IN_GENRE": ("Title", "Genre", ()),
    "HAS_KEYWORD": ("Title", "Keyword", columns("count:int")),
    "AVAILABLE_ON": ("Title", "Platform", ()),
    "ACTED_IN": ("Person", "Title", columns("order:int")),
    "DIRECTED": ("Person", "Title", ()),
    "FRIENDS_WITH": ("User", "User", columns("weight:float since:time")),
    "TRUSTS": ("User", "User", columns("weight:float")),
    "WATCHED": (
        "User",
        "Title",
        columns("count:int completion:float sessionId=session firstAt=first:time lastAt=last:time"),
    ),
    "RATED": ("User", "Title", columns(f"rating:float {_AT}")),
    "LIKED": ("User", "Title", columns(_AT)),
    "DISLIKED": ("User", "Title", columns(_AT)),
    "SHARED": ("User", "Title", columns(f"count:int {_AT}")),
    "ADDED_TO_LIST": ("User", "Title", columns(_AT)),
}
#: Interaction type -> relationship type, as the transactional writer's statements name them.
INTERACTION_TYPE = {
    kind: query.removeprefix("load_merge_").upper() for kind, query in _INTERACTION_QUERY.items()
}


def text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _float(value: float) -> str:
    text = repr(float(value))
    if text[-1].isdigit():
        return text
    # nan, inf, -inf: Java's spelling.
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _time(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


_FORMAT: dict[str, Callable[[Any], str]] = {
    "str": text,
    "int": lambda v: str(int(v)),
    "float": _float,
    "time": _time,
    "bool": lambda v: "true" if v else "false",
}


class CsvFile:
    """One CSV file being written: header first, then one line per record."""

    def __init__(self, path: Path, header: list[str], columns: Columns) -> None:
        self.path = path
        self.handle: IO[str] = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
        self.handle.write(",".join(header) + "\n")
        self.columns = tuple((key, _FORMAT[kind]) for _, key, kind in columns)
        self.multiline = False

    def write(self, ends: str, row: dict[str, Any]) -> None:
        """Write the id columns ``ends`` (already formatted) and the row's properties."""
        fields = [ends]
        for key, fmt in self.columns:
            value = row.get(key)
            fields.append("" if value is None else fmt(value))
        line = ",".join(fields)
        if "\n" in line or "\r" in line:
            self.multiline = True
        self.handle.write(line + "\n")


def header_of(columns: Columns) -> list[str]:
    return [name + _SUFFIX[kind] for name, _, kind in columns]


def _opt(value: Any, fmt: Callable[[Any], str]) -> str:
    return "" if value is None else fmt(value)


def _view(i: Interaction) -> str:
    first = i.first_timestamp if i.first_timestamp is not None else i.timestamp
    return (
        f"{int(i.value) if i.value is not None else 1},{_opt(i.completion, _float)},"
        f"{_opt(i.session_id, text)},{_opt(first, _time)},{_opt(i.timestamp, _time)}"
    )


def _count_at(i: Interaction) -> str:
    return f"{int(i.value) if i.value is not None else 1},{_opt(i.timestamp, _time)}"


#: An interaction's property columns per type, as ``graph.bulk._interaction_row`` has them
#: (formatted straight from the record: the hot path of a large load).
INTERACTION_FIELDS: dict[str, Callable[[Interaction], str]] = {
    "view": _view,
    "rating": lambda i: f"{_opt(i.value, _float)},{_opt(i.timestamp, _time)}",
    "share": _count_at,
    "like": lambda i: _opt(i.timestamp, _time),
    "dislike": lambda i: _opt(i.timestamp, _time),
    "add_to_list": lambda i: _opt(i.timestamp, _time),
}
