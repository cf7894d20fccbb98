"""Types shared by the resources: ids, limits, title metadata, people."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec
from msgspec import Meta

__all__ = [
    "ID_PATTERN",
    "PRINTABLE",
    "Id",
    "Limit",
    "PersonRef",
    "TitleMetadata",
    "TitleRef",
    "view",
]

T = TypeVar("T")

#: User, title and event ids: letters, digits and ``_ . : @ -``, 1–128 characters. The pattern
#: matches the whole string: ``(?![\s\S])`` is the end of the string in Python and ECMAScript
#: alike (``$`` would also match before a trailing newline).
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}(?![\s\S])"
Id = Annotated[
    str,
    Meta(pattern=ID_PATTERN, min_length=1, max_length=128, description="An id", examples=["42"]),
]
Limit = Annotated[int, Meta(ge=1, le=100, description="How many results (1–100)")]
#: Printable text: no control character (a name, a title, a genre).
PRINTABLE = r"^[^\x00-\x1f\x7f]*(?![\s\S])"


class TitleMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """What a client shows for a title: ``category`` is its first genre (by name), ``rating``
    the mean of its ratings (0.5–5, null when unrated), ``thumbnail_url`` as set on the title."""

    title: str | None = None
    category: str | None = None
    rating: float | None = None
    thumbnail_url: str | None = None
    genres: list[str] = msgspec.field(default_factory=list)
    year: int | None = None
    kind: str | None = None
    popularity: float | None = None


class TitleRef(msgspec.Struct, frozen=True, kw_only=True):
    """A title named in an explanation (an anchor)."""

    item_id: str
    title: str | None = None


class PersonRef(msgspec.Struct, frozen=True, kw_only=True):
    """A friend or similar user named in an explanation, and what they did."""

    user_id: str
    name: str | None = None
    relation: str = "friend"
    how: list[str] = msgspec.field(default_factory=list)
    score: float | None = None


def view(record: Any, as_type: type[T]) -> T:
    """A record (of ``graph/``, or a request body) as the API struct of the same fields."""
    return msgspec.convert(record, as_type, from_attributes=True)
