"""Annotated request parameters shared by the controllers (limits and patterns in the types)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter, PathParameter, QueryParameter

from api.schemas.common import ID_PATTERN

__all__ = [
    "ContextQuery",
    "EventIdHeader",
    "IdempotencyKeyHeader",
    "ItemIdPath",
    "KindQuery",
    "LimitQuery",
    "UserIdPath",
    "UserIdQuery",
]

_ID = {"pattern": ID_PATTERN, "min_length": 1, "max_length": 128}

UserIdQuery = Annotated[str, QueryParameter(description="The user", **_ID)]  # type: ignore[arg-type]
UserIdPath = Annotated[str, PathParameter(description="The user", **_ID)]  # type: ignore[arg-type]
ItemIdPath = Annotated[str, PathParameter(description="The title", **_ID)]  # type: ignore[arg-type]
LimitQuery = Annotated[int, QueryParameter(ge=1, le=100, description="How many (1–100)")]
ContextQuery = Annotated[
    str,
    QueryParameter(
        pattern=r"^(home|because_you_watched|social|genre:[^,]{1,100})$",
        description="home, because_you_watched, social or genre:<name>",
    ),
]
KindQuery = Annotated[
    str | None,
    QueryParameter(
        name="category", pattern=r"^(movie|show|artist|item)$", description="Only this kind"
    ),
]
EventIdHeader = Annotated[
    str | None,
    HeaderParameter(name="X-Event-ID", description="Makes retries exactly-once", **_ID),  # type: ignore[arg-type]
]
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", description="Same as X-Event-ID", **_ID),  # type: ignore[arg-type]
]
