"""Entries of the served-list log (a Redis stream) and the per-user attribution records.

The API appends a ``ServedList`` for each list it serves and an ``Interaction`` for each
interaction it stores (``log_served``, ``log_interaction``); ``learning.log.Aggregator`` reads
them and keeps, per user, which list showed each title (``attribution`` reads it back).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis

__all__ = [
    "ATTRIBUTION_SECONDS",
    "ENTRY_TYPES",
    "GROUP",
    "MAX_ENTRIES",
    "MAX_SHOWN_PER_USER",
    "STREAM",
    "Attribution",
    "Interaction",
    "ServedList",
    "attr_key",
    "attribution",
    "day_of",
    "decode_attribution",
    "encode",
    "log_interaction",
    "log_served",
]

STREAM = "graphrec:served"
GROUP = "graphrec-aggregator"
#: Raw entries kept (approximately): a bound on the stream's memory, not a retention promise.
MAX_ENTRIES = 500_000
#: How long a user's shown titles stay attributable.
ATTRIBUTION_SECONDS = 86_400
#: Shown titles remembered per user (two fields each: the title's last list, and the title in
#: its list); past it the user's record is dropped whole.
MAX_SHOWN_PER_USER = 4_000


class ServedList(msgspec.Struct, array_like=True, kw_only=True):
    """One served list: ``items`` are ``(title id, candidate source)`` in rank order."""

    list_id: str
    user: str
    endpoint: str
    items: list[tuple[str, str]]
    model_version: str = ""
    variants: list[tuple[str, str]] = msgspec.field(default_factory=list)
    at: float = 0.0


class Interaction(msgspec.Struct, array_like=True, kw_only=True):
    """One stored interaction, to attribute: ``list_id`` / ``position`` as the client sent them."""

    user: str
    item: str
    action: str
    value: float | None = None
    list_id: str = ""
    position: int | None = None
    at: float = 0.0


class Attribution(msgspec.Struct, array_like=True, kw_only=True):
    """Which served list showed a title to a user, and what was counted for it."""

    list_id: str
    rank: int
    source: str
    model_version: str
    variants: list[tuple[str, str]]
    endpoint: str
    day: str
    clicked: bool = False
    converted: bool = False


ENTRY_TYPES = {b"s": ServedList, b"i": Interaction}
encode = msgspec.msgpack.Encoder().encode
decode_attribution = msgspec.msgpack.Decoder(Attribution).decode


async def _append(client: aioredis.Redis, kind: str, entry: msgspec.Struct) -> None:
    fields: Any = {"k": kind, "d": encode(entry)}
    await client.xadd(STREAM, fields, maxlen=MAX_ENTRIES, approximate=True)


async def log_served(client: aioredis.Redis, served: ServedList) -> None:
    """Append a served list (stamped now unless ``at`` is set)."""
    if not served.at:
        served.at = time.time()
    await _append(client, "s", served)


async def log_interaction(client: aioredis.Redis, event: Interaction) -> None:
    """Append an interaction to attribute."""
    if not event.at:
        event.at = time.time()
    await _append(client, "i", event)


def attr_key(user: str) -> str:
    """The Redis hash of a user's shown titles."""
    return f"attr:{user}"


async def attribution(
    client: aioredis.Redis, user: str, item: str, list_id: str = ""
) -> Attribution | None:
    """The served list (``list_id``, else the last one) that showed a title to ``user``, with
    what was counted for it (``None``: not shown in a day)."""
    key = attr_key(user)
    if not list_id:
        last: Any = await client.hget(key, item)  # type: ignore[misc]
        if not last:
            return None
        list_id = last.decode()
    raw: Any = await client.hget(key, f"{item}|{list_id}")  # type: ignore[misc]
    return decode_attribution(raw) if raw else None


def day_of(at: float) -> str:
    """The UTC day of a Unix time, ISO 8601."""
    return datetime.fromtimestamp(at, UTC).date().isoformat()
