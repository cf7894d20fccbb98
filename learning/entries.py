"""Entries of the served-list log (a Redis stream) and the per-user attribution records.

The API appends a ``ServedList`` for each list it serves and an ``Interaction`` for each
interaction it stores (``log_served``, ``log_interaction``); ``learning.log.Aggregator`` reads
them and keeps, per user, which list showed each title (``attribution`` reads it back).

A user's record is one hash, ``attr:<user>``: ``|<list>`` → the served list as logged
(msgpack), ``<title>`` → the last list showing the title, and ``<title>|<list>`` → what was
counted for the title in that list once it was clicked or converted (``Flags``). Title ids
start with a letter or digit and hold no ``|``, so the three kinds of field never meet.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
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
    "Flags",
    "Interaction",
    "ServedList",
    "append",
    "attr_key",
    "attribution",
    "attribution_of",
    "day_of",
    "decode_interaction",
    "decode_served",
    "encode",
    "log_interaction",
    "log_served",
    "unpack",
]

STREAM = "graphrec:served"
GROUP = "graphrec-aggregator"
#: Stream entries kept (approximately), each a batch of what one process logged in one flush
#: interval (tens of lists under load): a bound on the stream's memory, not a retention promise.
MAX_ENTRIES = 100_000
#: How long a user's shown titles stay attributable.
ATTRIBUTION_SECONDS = 86_400
#: Fields remembered per user (one per served list, per title shown, per title clicked in a
#: list); past it the user's record is dropped whole.
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


class Flags(msgspec.Struct, array_like=True):
    """What was counted for a title in a list: a click, a conversion."""

    clicked: bool = False
    converted: bool = False


ENTRY_TYPES: dict[str, type[ServedList | Interaction]] = {"s": ServedList, "i": Interaction}
encode = msgspec.msgpack.Encoder().encode
decode_served = msgspec.msgpack.Decoder(ServedList).decode
decode_interaction = msgspec.msgpack.Decoder(Interaction).decode
decode_flags = msgspec.msgpack.Decoder(Flags).decode
decode_batch = msgspec.msgpack.Decoder(list[tuple[str, bytes]]).decode


def attribution_of(record: bytes | None, item: str, flags: bytes | None) -> Attribution | None:
    """The attribution of ``item`` in a remembered list (``None``: no such list, or the list did
    not show the title)."""
    if record is None:
        return None
    served = decode_served(record)
    rank = next((r for r, (i, _) in enumerate(served.items, start=1) if i == item), 0)
    if not rank:
        return None
    counted = decode_flags(flags) if flags else Flags()
    return Attribution(
        list_id=served.list_id,
        rank=rank,
        source=served.items[rank - 1][1],
        model_version=served.model_version,
        variants=served.variants,
        endpoint=served.endpoint,
        day=day_of(served.at),
        clicked=counted.clicked,
        converted=counted.converted,
    )


async def append(client: aioredis.Redis, entries: Sequence[ServedList | Interaction]) -> None:
    """Append entries as one stream entry (a batch: one ``XADD``, ~80 µs of client CPU where a
    pipeline of one ``XADD`` per entry took 190-260 µs), each stamped now unless its ``at`` is
    set."""
    if not entries:
        return
    now = time.time()
    batch: list[tuple[str, bytes]] = []
    for entry in entries:
        if not entry.at:
            entry.at = now
        batch.append(("s" if isinstance(entry, ServedList) else "i", encode(entry)))
    fields: Any = {"b": encode(batch)}
    await client.xadd(STREAM, fields, maxlen=MAX_ENTRIES, approximate=True)


def unpack(fields: dict[bytes, bytes]) -> list[tuple[type[ServedList | Interaction], bytes]]:
    """The entries of one stream entry, as ``(type, msgpack)``: a batch (``b``), or one entry
    (``k`` and ``d``) as logged before batches; unknown kinds are skipped."""
    if b"b" in fields:
        pairs = decode_batch(fields[b"b"])
    else:
        pairs = [(fields.get(b"k", b"").decode(), fields.get(b"d", b""))]
    return [(ENTRY_TYPES[kind], raw) for kind, raw in pairs if kind in ENTRY_TYPES]


async def log_served(client: aioredis.Redis, served: ServedList) -> None:
    """Append a served list (stamped now unless ``at`` is set)."""
    await append(client, [served])


async def log_interaction(client: aioredis.Redis, event: Interaction) -> None:
    """Append an interaction to attribute."""
    await append(client, [event])


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
    found: Any = await client.hmget(key, [f"|{list_id}", f"{item}|{list_id}"])  # type: ignore[misc]
    return attribution_of(found[0], item, found[1])


def day_of(at: float) -> str:
    """The UTC day of a Unix time, ISO 8601."""
    return datetime.fromtimestamp(at, UTC).date().isoformat()
