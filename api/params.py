"""Annotated request parameters shared by the controllers (limits and patterns in the types)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter, PathParameter, QueryParameter

from api.schemas.common import ID_PATTERN

__all__ = [
    "GENRE_PATTERN",
    "CategoryQuery",
    "ContextQuery",
    "DeviceHeader",
    "EventIdHeader",
    "IdempotencyKeyHeader",
    "ItemIdPath",
    "KindQuery",
    "LimitQuery",
    "SessionHeader",
    "UserIdPath",
    "UserIdQuery",
    "XIdempotencyKeyHeader",
]

_ID = {"pattern": ID_PATTERN, "min_length": 1, "max_length": 128}

UserIdQuery = Annotated[str, QueryParameter(description="The user", **_ID)]  # type: ignore[arg-type]
UserIdPath = Annotated[str, PathParameter(description="The user", **_ID)]  # type: ignore[arg-type]
ItemIdPath = Annotated[str, PathParameter(description="The title", **_ID)]  # type: ignore[arg-type]
LimitQuery = Annotated[int, QueryParameter(ge=1, le=100, description="How many (1–100)")]
#: A genre name as a filter: 1–100 characters, no comma, no control character.
GENRE_PATTERN = r"[^,\x00-\x1f\x7f]{1,100}"
_END = r"(?![\s\S])"
ContextQuery = Annotated[
    str,
    QueryParameter(
        pattern=rf"^(homepage|home|because_you_watched|social|genre:{GENRE_PATTERN}){_END}",
        description="Where the list is shown: homepage (default; home is the same), "
        "because_you_watched, social or genre:<name>",
    ),
]
CategoryQuery = Annotated[
    str,
    QueryParameter(
        pattern=rf"^{GENRE_PATTERN}{_END}",
        description="Only titles of this genre (category); all: no filter",
    ),
]
KindQuery = Annotated[
    str | None,
    QueryParameter(pattern=rf"^(movie|show|artist|item){_END}", description="Only this kind"),
]
SessionHeader = Annotated[
    str | None,
    HeaderParameter(
        name="X-Session-Id",
        pattern=rf"^[\x21-\x7e]{{1,128}}{_END}",
        description="The client's session (stored with the interactions it sends)",
    ),
]
DeviceHeader = Annotated[
    str | None,
    HeaderParameter(
        name="X-Device-Type",
        pattern=rf"^[A-Za-z0-9_.-]{{1,32}}{_END}",
        description="mobile, web, tv ... (stored with the interactions it sends)",
    ),
]
EventIdHeader = Annotated[
    str | None,
    HeaderParameter(name="X-Event-ID", description="Makes retries exactly-once", **_ID),  # type: ignore[arg-type]
]
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="A retry with the same key gets the first answer (interactions: the event id)",
        **_ID,  # type: ignore[arg-type]
    ),
]
XIdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(name="X-Idempotency-Key", description="Same as Idempotency-Key", **_ID),  # type: ignore[arg-type]
]
