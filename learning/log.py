"""The served-list log: every list the API serves and every interaction, through a Redis stream.

The API logs each served list (its id, user, endpoint, model version, the user's experiment
variants and the shown titles with their candidate source, in rank order) and each interaction,
a batch per process and flush interval in one stream entry (``XADD``, trimmed to about
``MAX_ENTRIES``: raw entries expire). An ``Aggregator`` in each API process reads the stream in
one consumer group (each entry is counted once, whichever process reads it; entries a stopped
process left pending are claimed by another after ``CLAIM_AFTER_MS``) and:

- remembers, per user, which list showed each title at which rank (``attr:<user>``, a hash kept
  a day: ``|<list>`` → the list as logged, ``<title>`` → its last list, written by a script in
  Redis; see ``learning.entries``): an interaction with that title is **attributed** to the list
  the client names (``context.recommendation_id``), else to the last list that showed it;
- counts impressions (one per shown title), clicks (a click, view or play of a shown title, once
  per list and title), conversions (a watch, completion, purchase or like, once) and engagement
  (the positive weight of every attributed interaction) per day, endpoint, source and model
  version — once in the totals (experiment ``""``) and once per experiment variant of the list —
  and records each user's variant;
- adds each positive interaction to the trending windows (``learning.trending``);
- adds those counts to the graph (``graph.served``) about once a second, with the popularity of
  the titles engaged with, and acknowledges the entries only then, so an API restart loses
  nothing that was not yet counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
import redis.exceptions

from graph.errors import GraphError
from graph.served import Assignment, Counts
from graph.signals import Action, weight
from learning.entries import (
    ATTRIBUTION_SECONDS,
    GROUP,
    MAX_SHOWN_PER_USER,
    STREAM,
    Attribution,
    Flags,
    Interaction,
    ServedList,
    attr_key,
    attribution,
    attribution_of,
    day_of,
    decode_interaction,
    decode_served,
    encode,
    log_interaction,
    log_served,
    unpack,
)
from learning.trending import Trending

if TYPE_CHECKING:
    from graph.store import Store

__all__ = [
    "CLAIM_AFTER_MS",
    "GROUP",
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

#: How long a stopping consumer tries to add its last counts (the rest stay pending, claimed
#: by another consumer or by this one's successor).
FINAL_FLUSH_SECONDS = 3.0
#: Entries pending this long in a consumer that stopped are claimed by another.
CLAIM_AFTER_MS = 30_000

CLICKS = frozenset({Action.CLICK, Action.VIEW, Action.PLAY})
CONVERSIONS = frozenset({Action.WATCH, Action.COMPLETE, Action.PURCHASE, Action.LIKE})


#: Remembers served lists: KEYS are users' attribution hashes, ARGV[1] their lifetime, then one
#: served list per hash as logged (msgpack ``ServedList``: list id first, shown titles fourth).
#: Writes ``|<list>`` → the list and ``<title>`` → the list; returns the hashes' sizes.
_REMEMBER_LUA = """
local sizes = {}
for i = 1, #KEYS do
  local raw = ARGV[i + 1]
  local served = cmsgpack.unpack(raw)
  local list_id = served[1]
  local fields = {'|' .. list_id, raw}
  for _, shown in ipairs(served[4]) do
    fields[#fields + 1] = shown[1]
    fields[#fields + 1] = list_id
  end
  redis.call('HSET', KEYS[i], unpack(fields))
  redis.call('EXPIRE', KEYS[i], ARGV[1])
  sizes[i] = redis.call('HLEN', KEYS[i])
end
return sizes
"""
#: Served lists per script call (one call holds Redis for well under a millisecond).
_REMEMBER_LISTS = 50


class _Tally:
    """Counts and assignments gathered since the last flush."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, ...], Counts] = {}
        self.assignments: set[tuple[str, str, str]] = set()
        self.engaged: set[str] = set()

    def at(self, a: Attribution) -> list[Counts]:
        """The aggregates a shown title counts in: the totals (no experiment), then one per
        experiment variant the user was served."""
        return self.where(a.day, a.endpoint, a.source, a)

    def where(
        self, day: str, endpoint: str, source: str, served: Attribution | ServedList
    ) -> list[Counts]:
        """The aggregates of a title shown by ``source`` in a list like ``served``."""
        out = []
        version = served.model_version
        for experiment, variant in [("", ""), *served.variants]:
            key = (experiment, variant, version, day, endpoint, source)
            if key not in self.counts:
                self.counts[key] = Counts(
                    experiment=experiment,
                    variant=variant,
                    model_version=version,
                    day=day,
                    endpoint=endpoint,
                    source=source,
                )
            out.append(self.counts[key])
        return out

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
                    # Never a blocking read: a cancelled XREADGROUP can leave the client's
                    # connection mid-reply, and sleeping is what cancels cleanly. A batch that
                    # was not full means the stream is drained: wait, so the graph gets one
                    # write a ``flush_seconds`` under steady traffic, not one per handful of
                    # lists (each write costs Neo4j CPU the API's requests wait for).
                    if await self.step() < self.batch:
                        await asyncio.sleep(self.flush_seconds)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.flush(), FINAL_FLUSH_SECONDS)
                raise
            except (redis.exceptions.RedisError, OSError, GraphError) as exc:
                log.warning("served-list log: %s; retrying in 1 s", exc)
                await asyncio.sleep(1.0)

    async def step(self) -> int:
        """Read and count one batch (claimed stale entries first), then flush; entries read."""
        claimed: Any = await self.client.xautoclaim(
            STREAM, GROUP, self.consumer, CLAIM_AFTER_MS, "0-0", count=self.batch
        )
        entries = list(claimed[1]) if claimed else []
        if not entries:
            read: Any = await self.client.xreadgroup(
                GROUP, self.consumer, {STREAM: ">"}, count=self.batch
            )
            entries = [e for _, stream_entries in read for e in stream_entries] if read else []
        await self.count(entries)
        await self.flush()
        return len(entries)

    async def count(self, entries: Iterable[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Count entries in stream order: served lists first remember their titles."""
        served: list[tuple[ServedList, bytes]] = []
        events: list[Interaction] = []
        for entry_id, fields in entries:
            self._unacked.append(entry_id)
            for kind, raw in unpack(fields):
                if kind is ServedList:
                    served.append((decode_served(raw), raw))
                else:
                    events.append(decode_interaction(raw))
        await self._remember(served)
        await self._attribute(events)
        await self.trending.add(events)
        self._tally.engaged.update(e.item for e in events)

    async def _remember(self, lists: list[tuple[ServedList, bytes]]) -> None:
        """Count the impressions and assignments; remember each list in its user's record (the
        script writes the fields, from the list as logged)."""
        records: list[tuple[str, bytes]] = []
        for s, raw in lists:
            day = day_of(s.at)
            for source, shown in Counter(source for _, source in s.items).items():
                for counts in self._tally.where(day, s.endpoint, source, s):
                    counts.impressions += shown
            for experiment, variant in s.variants:
                if (s.user, experiment) not in self._known:
                    self._tally.assignments.add((s.user, experiment, variant))
            if s.items:
                records.append((attr_key(s.user), raw))
        full: set[str] = set()
        for start in range(0, len(records), _REMEMBER_LISTS):
            keys = [key for key, _ in records[start : start + _REMEMBER_LISTS]]
            raws = [raw for _, raw in records[start : start + _REMEMBER_LISTS]]
            sizes = await self.client.eval(  # type: ignore[misc]
                _REMEMBER_LUA, len(keys), *keys, ATTRIBUTION_SECONDS, *raws
            )
            full.update(k for k, n in zip(keys, sizes, strict=True) if n > MAX_SHOWN_PER_USER)
        if full:
            await self.client.delete(*full)

    async def _attribute(self, events: list[Interaction]) -> None:
        if not events:
            return
        pipe = self.client.pipeline(transaction=False)
        unnamed = [e for e in events if not e.list_id]
        for e in unnamed:
            pipe.hget(attr_key(e.user), e.item)
        last = dict(zip(((e.user, e.item) for e in unnamed), await pipe.execute(), strict=True))
        lists = [e.list_id or (last[e.user, e.item] or b"").decode() for e in events]
        for e, list_id in zip(events, lists, strict=True):
            pipe.hmget(attr_key(e.user), [f"|{list_id}", f"{e.item}|{list_id}"])
        found = await pipe.execute()
        seen: dict[tuple[str, str], Attribution | None] = {}
        update = self.client.pipeline(transaction=False)
        for e, list_id, (record, flags) in zip(events, lists, found, strict=True):
            field = f"{e.item}|{list_id}"
            key = (e.user, field)
            if key not in seen:
                seen[key] = attribution_of(record, e.item, flags)
            a = seen[key]
            if a is None:
                continue  # not shown to the user in a day (or not in the list the client names)
            try:
                action: Action | None = Action(e.action)
            except ValueError:
                action = None
            gained = max(weight(action, e.value), 0.0) if action else 0.0
            clicked = action in CLICKS and not a.clicked
            converted = action in CONVERSIONS and not a.converted
            for counts in self._tally.at(a):
                counts.engagement += gained
                counts.clicks += clicked
                counts.conversions += converted
            if clicked or converted:
                a.clicked |= clicked
                a.converted |= converted
                update.hset(attr_key(e.user), field, encode(Flags(a.clicked, a.converted)))
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
