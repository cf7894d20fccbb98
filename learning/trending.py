"""Live trending: per-title engagement in sliding windows, global, per genre and per platform.

Each positive interaction adds its weight (``graph/signals.py``) to a Redis sorted set of the
current time bucket of each window, for the title's scopes (``all``, ``genre:<name>``,
``platform:<name>``). A window's ranking sums the buckets that overlap it, each weighted by
``0.5 ** (age / half-life)`` with a half-life of half the window: recent engagement counts more,
and an event older than the window is gone (to within one bucket). Buckets expire by themselves,
so the space is bounded by the titles engaged with in the last week.

| window | bucket | buckets |
|---|---|---|
| ``1h`` | 5 min | 12 |
| ``24h`` | 1 h | 24 |
| ``7d`` | 6 h | 28 |
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.signals import Action, weight

if TYPE_CHECKING:
    import redis.asyncio as aioredis

    from graph.store import Store
    from learning.entries import Interaction

__all__ = ["WINDOWS", "Trending", "Window", "scope_key", "top"]


class Window(NamedTuple):
    """A sliding window: its length and bucket, in seconds."""

    seconds: int
    step: int

    @property
    def half_life(self) -> float:
        return self.seconds / 2


WINDOWS: dict[str, Window] = {
    "1h": Window(3_600, 300),
    "24h": Window(86_400, 3_600),
    "7d": Window(604_800, 21_600),
}
#: How long a computed ranking is reused (it is keyed by the current bucket too).
VIEW_SECONDS = 10


def scope_key(genre: str | None = None, platform: str | None = None) -> str:
    """The scope of a query: one genre, one platform, or every title."""
    if genre:
        return f"genre:{genre}"
    if platform:
        return f"platform:{platform}"
    return "all"


def _bucket_key(window: str, scope: str, index: int) -> str:
    return f"trend:{window}:{scope}:{index}"


def _buckets(window: str, now: float) -> list[tuple[int, float]]:
    """``(bucket index, decay weight)`` of every bucket overlapping the window ending ``now``."""
    w = WINDOWS[window]
    last = int(now // w.step)
    first = int((now - w.seconds) // w.step) + 1
    out = []
    for index in range(first, last + 1):
        middle = min(now, (index + 0.5) * w.step)
        out.append((index, 0.5 ** ((now - middle) / w.half_life)))
    return out


async def top(
    client: aioredis.Redis, window: str, scope: str, limit: int, now: float | None = None
) -> list[tuple[str, float]]:
    """The ``limit`` titles trending most in ``scope`` over ``window``, with their scores."""
    now = time.time() if now is None else now
    buckets = _buckets(window, now)
    view = f"trendview:{window}:{scope}:{buckets[-1][0]}"
    if not await client.exists(view):
        keys = {_bucket_key(window, scope, index): w for index, w in buckets}
        pipe = client.pipeline(transaction=False)
        pipe.zunionstore(view, keys, aggregate="SUM")
        pipe.expire(view, VIEW_SECONDS)
        await pipe.execute()
    rows: Any = await client.zrevrange(view, 0, limit - 1, withscores=True)
    return [(member.decode(), float(score)) for member, score in rows]


#: Adds gains to buckets: KEYS are the buckets, ARGV their lifetimes, then (bucket number,
#: title, gain) triples.
_ADD_LUA = """
local n = #KEYS
for i = n + 1, #ARGV, 3 do
  redis.call('ZINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 2], ARGV[i + 1])
end
for i = 1, n do
  redis.call('EXPIRE', KEYS[i], ARGV[i])
end
return n
"""
#: Triples per script call: one call holds Redis for about a millisecond.
_SCRIPT_ROWS = 1_000


class Trending:
    """Adds interactions to the trending buckets (called by the served-list consumer)."""

    def __init__(self, client: aioredis.Redis, store: Store, max_titles: int = 100_000) -> None:
        self.client = client
        self.store = store
        self.max_titles = max_titles
        self._scopes: dict[str, list[str]] = {}

    async def _scopes_of(self, items: set[str]) -> dict[str, list[str]]:
        missing = [i for i in items if i not in self._scopes]
        if missing:
            if len(self._scopes) + len(missing) > self.max_titles:
                self._scopes.clear()
            async with self.store.repositories() as repos:
                found = await repos.served.title_scopes(missing)
            for item in missing:
                genres, platforms = found.get(item, ([], []))
                self._scopes[item] = [
                    "all",
                    *(f"genre:{g}" for g in genres),
                    *(f"platform:{p}" for p in platforms),
                ]
        return {i: self._scopes[i] for i in items}

    async def add(self, events: list[Interaction]) -> None:
        """Count each positive interaction in every window and scope of its title."""
        gains: list[tuple[Interaction, float]] = []
        for e in events:
            try:
                gained = weight(Action(e.action), e.value)
            except ValueError:
                continue
            if gained > 0:
                gains.append((e, gained))
        if not gains:
            return
        scopes = await self._scopes_of({e.item for e, _ in gains})
        # Summed here first: one ZINCRBY per bucket and title, one EXPIRE per bucket (a
        # command per event, window and scope cost the consumer most of its time).
        added: dict[tuple[str, str], float] = {}
        lifetimes: dict[str, int] = {}
        for e, gained in gains:
            for name, w in WINDOWS.items():
                index = int(e.at // w.step)
                for scope in scopes[e.item]:
                    key = _bucket_key(name, scope, index)
                    added[key, e.item] = added.get((key, e.item), 0.0) + gained
                    lifetimes[key] = w.seconds + w.step
        keys = list(lifetimes)
        numbers = {key: i for i, key in enumerate(keys, start=1)}
        rows = [(numbers[key], item, gained) for (key, item), gained in added.items()]
        head: list[Any] = [*keys, *lifetimes.values()]
        for start in range(0, len(rows), _SCRIPT_ROWS):
            args: list[Any] = [x for row in rows[start : start + _SCRIPT_ROWS] for x in row]
            await self.client.eval(_ADD_LUA, len(keys), *head, *args)  # type: ignore[misc]
