"""The served-list log: every list the API serves and every interaction, through a Redis stream.

The API appends one entry per served list (its id, user, endpoint, model version, experiment
variant and the shown titles with their candidate source, in rank order) and one per interaction
(``XADD``, trimmed to about ``MAX_ENTRIES``: raw entries expire). An ``Aggregator`` in each API
process reads the stream in one consumer group (each entry is counted once, whichever process
reads it; entries a stopped process left pending are claimed by another after ``CLAIM_AFTER_MS``)
and:

- remembers, per user, which list showed each title at which rank (``attr:<user>``, a hash kept
  a day): an interaction with that title is **attributed** to that list;
- counts impressions (one per shown title), clicks (a click, view or play of a shown title, once
  per list and title), conversions (a watch, completion, purchase or like, once) and engagement
  (the positive weight of every attributed interaction) per day, experiment variant, endpoint,
  source and model version, and records each user's variant;
- adds each positive interaction to the trending windows (``learning.trending``);
- adds those counts to the graph (``graph.served``) about once a second, with the popularity of
  the titles engaged with, and acknowledges the entries only then, so an API restart loses
  nothing that was not yet counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
import redis.asyncio as aioredis
import redis.exceptions

from graph.errors import GraphError
from graph.served import Assignment, Counts
from graph.signals import Action, weight
from learning.trending import Trending

if TYPE_CHECKING:
    from graph.store import Store

__all__ = [
    "CLAIM_AFTER_MS",
    "GROUP",
    "MAX_ENTRIES",
    "STREAM",
    "Aggregator",
    "Attribution",
    "Interaction",
    "ServedList",
    "attribution",
    "log_interaction",
    "log_served",
]

log = logging.getLogger("graphrec.served")

STREAM = "graphrec:served"
GROUP = "graphrec-aggregator"
#: Raw entries kept (approximately): a bound on the stream's memory, not a retention promise.
MAX_ENTRIES = 500_000
#: How long a user's shown titles stay attributable.
ATTRIBUTION_SECONDS = 86_400
#: Shown titles remembered per user; past it the user's oldest record is dropped whole.
MAX_SHOWN_PER_USER = 2_000
#: How long a stopping consumer tries to add its last counts (the rest stay pending, claimed
#: by another consumer or by this one's successor).
FINAL_FLUSH_SECONDS = 3.0
#: Entries pending this long in a consumer that stopped are claimed by another.
CLAIM_AFTER_MS = 30_000

CLICKS = frozenset({Action.CLICK, Action.VIEW, Action.PLAY})
CONVERSIONS = frozenset({Action.WATCH, Action.COMPLETE, Action.PURCHASE, Action.LIKE})


class ServedList(msgspec.Struct, array_like=True, kw_only=True):
    """One served list: ``items`` are ``(title id, candidate source)`` in rank order."""

    list_id: str
    user: str
    endpoint: str
    items: list[tuple[str, str]]
    model_version: str = ""
    experiment: str = ""
    variant: str = ""
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
    experiment: str
    variant: str
    endpoint: str
    day: str
    clicked: bool = False
    converted: bool = False


_KINDS = {b"s": ServedList, b"i": Interaction}
_encode = msgspec.msgpack.Encoder().encode
_attr_decoder = msgspec.msgpack.Decoder(Attribution)


async def _append(client: aioredis.Redis, kind: str, entry: msgspec.Struct) -> None:
    fields: Any = {"k": kind, "d": _encode(entry)}
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


def _attr_key(user: str) -> str:
    return f"attr:{user}"


async def attribution(client: aioredis.Redis, user: str, item: str) -> Attribution | None:
    """The served list a title was last shown to ``user`` in (``None``: not shown in a day)."""
    raw: Any = await client.hget(_attr_key(user), item)  # type: ignore[misc]
    return _attr_decoder.decode(raw) if raw else None


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).date().isoformat()


class _Tally:
    """Counts and assignments gathered since the last flush."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, ...], Counts] = {}
        self.assignments: set[tuple[str, str, str]] = set()
        self.engaged: set[str] = set()

    def at(self, a: Attribution) -> Counts:
        key = (a.day, a.experiment, a.variant, a.endpoint, a.source, a.model_version)
        if key not in self.counts:
            self.counts[key] = Counts(
                day=a.day,
                experiment=a.experiment,
                variant=a.variant,
                endpoint=a.endpoint,
                source=a.source,
                model_version=a.model_version,
            )
        return self.counts[key]

    def __bool__(self) -> bool:
        return bool(self.counts or self.assignments or self.engaged)


class Aggregator:
    """Reads the stream in the consumer group and adds its counts to the graph."""

    def __init__(
        self,
        client: aioredis.Redis,
        store: Store,
        consumer: str,
        *,
        flush_seconds: float = 1.0,
        batch: int = 2_000,
    ) -> None:
        self.client = client
        self.store = store
        self.consumer = consumer
        self.flush_seconds = flush_seconds
        self.batch = batch
        self._tally = _Tally()
        self._unacked: list[bytes] = []
        self._known: set[tuple[str, str]] = set()
        self.trending = Trending(client, store)

    async def ensure_group(self) -> None:
        """Create the stream and the group when missing."""
        try:
            await self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.exceptions.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self) -> None:
        """Consume until cancelled; Redis or Neo4j errors are logged and retried."""
        while True:
            try:
                await self.ensure_group()
                while True:
                    await self.step(block_ms=int(self.flush_seconds * 1000))
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.flush(), FINAL_FLUSH_SECONDS)
                raise
            except (redis.exceptions.RedisError, OSError, GraphError) as exc:
                log.warning("served-list log: %s; retrying in 1 s", exc)
                await asyncio.sleep(1.0)

    async def step(self, block_ms: int = 0) -> int:
        """Read and count one batch (claimed stale entries first), then flush; entries read."""
        claimed: Any = await self.client.xautoclaim(
            STREAM, GROUP, self.consumer, CLAIM_AFTER_MS, "0-0", count=self.batch
        )
        entries = list(claimed[1]) if claimed else []
        if not entries:
            read: Any = await self.client.xreadgroup(
                GROUP, self.consumer, {STREAM: ">"}, count=self.batch, block=block_ms or None
            )
            entries = [e for _, stream_entries in read for e in stream_entries] if read else []
        await self.count(entries)
        await self.flush()
        return len(entries)

    async def count(self, entries: Iterable[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Count entries in stream order: served lists first remember their titles."""
        decoded: list[ServedList | Interaction] = []
        for entry_id, fields in entries:
            self._unacked.append(entry_id)
            kind = _KINDS.get(fields.get(b"k", b""))
            if kind is not None:
                decoded.append(msgspec.msgpack.decode(fields[b"d"], type=kind))
        served = [e for e in decoded if isinstance(e, ServedList)]
        events = [e for e in decoded if isinstance(e, Interaction)]
        await self._remember(served)
        await self._attribute(events)
        await self.trending.add(events)
        self._tally.engaged.update(e.item for e in events)

    async def _remember(self, lists: list[ServedList]) -> None:
        if not lists:
            return
        pipe = self.client.pipeline(transaction=False)
        for s in lists:
            day = _day(s.at)
            shown: dict[Any, Any] = {}
            for rank, (item, source) in enumerate(s.items, start=1):
                a = Attribution(
                    list_id=s.list_id,
                    rank=rank,
                    source=source,
                    model_version=s.model_version,
                    experiment=s.experiment,
                    variant=s.variant,
                    endpoint=s.endpoint,
                    day=day,
                )
                self._tally.at(a).impressions += 1
                shown[item] = _encode(a)
            if s.experiment and (s.user, s.experiment) not in self._known:
                self._tally.assignments.add((s.user, s.experiment, s.variant))
            if shown:
                pipe.hset(_attr_key(s.user), mapping=shown)
                pipe.expire(_attr_key(s.user), ATTRIBUTION_SECONDS)
                pipe.hlen(_attr_key(s.user))
        sizes = await pipe.execute()
        users = [s.user for s in lists if s.items]
        full = [u for u, n in zip(users, sizes[2::3], strict=True) if n > MAX_SHOWN_PER_USER]
        if full:
            await self.client.delete(*{_attr_key(u) for u in full})

    async def _attribute(self, events: list[Interaction]) -> None:
        if not events:
            return
        pipe = self.client.pipeline(transaction=False)
        for e in events:
            pipe.hget(_attr_key(e.user), e.item)
        found = await pipe.execute()
        seen: dict[tuple[str, str], Attribution] = {}
        update = self.client.pipeline(transaction=False)
        for e, raw in zip(events, found, strict=True):
            key = (e.user, e.item)
            if key not in seen and raw is not None:
                seen[key] = _attr_decoder.decode(raw)
            a = seen.get(key)
            if a is None or (e.list_id and e.list_id != a.list_id):
                continue  # never shown in a day, or the client names another list
            counts = self._tally.at(a)
            try:
                action: Action | None = Action(e.action)
            except ValueError:
                action = None
            counts.engagement += max(weight(action, e.value), 0.0) if action else 0.0
            clicked = action in CLICKS and not a.clicked
            converted = action in CONVERSIONS and not a.converted
            if clicked or converted:
                counts.clicks += clicked
                counts.conversions += converted
                a.clicked |= clicked
                a.converted |= converted
                update.hset(_attr_key(e.user), e.item, _encode(a))
        await update.execute()

    async def flush(self) -> None:
        """Add the tally to the graph, then acknowledge the entries it came from."""
        if self._tally:
            assignments = [Assignment(*a) for a in sorted(self._tally.assignments)]
            async with self.store.repositories() as repos:
                await repos.served.flush(
                    list(self._tally.counts.values()), assignments, sorted(self._tally.engaged)
                )
            self._known.update((a.user, a.experiment) for a in assignments)
            if len(self._known) > 1_000_000:
                self._known.clear()
            self._tally = _Tally()
        if self._unacked:
            await self.client.xack(STREAM, GROUP, *self._unacked)
            self._unacked = []
