"""Rate limits counted in the worker and added to Redis in batches, off the request path.

A request is judged against the last total this worker read from Redis for its key and minute
window, plus what the worker counted since. Every ``FLUSH_SECONDS`` one script call adds every
key's new counts to the shared counters and reads the totals back. So a request costs no Redis
round trip (a hit is one ``MGET``; the count was a script call of its own before, ~160 µs of CPU
and a round trip on every request). In one process the count is exact; across processes a key
may pass its limit by what the others served it in one flush interval. While Redis is down the
counts wait in the worker (each worker enforces the limit on its own requests) and are added
once it is back.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.redisguard import RedisGuard

__all__ = ["FLUSH_SECONDS", "WINDOW_SECONDS", "RateCounter"]

#: Length of one counting window.
WINDOW_SECONDS = 60
#: How often the counts are added to Redis.
FLUSH_SECONDS = 0.02
#: Adds ``ARGV[i + 1]`` to counter ``KEYS[i]`` (expiring a little after its window when new) and
#: returns the totals.
_ADD_LUA = """
local totals = {}
for i = 1, #KEYS do
  local added = tonumber(ARGV[i + 1])
  local total = redis.call('INCRBY', KEYS[i], added)
  if total == added then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
  totals[i] = total
end
return totals
"""


def counter_key(key_hash: str, window: int) -> str:
    """The Redis counter of one API key in one window."""
    return f"graphrec:rl:{key_hash}:{window}"


class RateCounter:
    """One process's requests per API key and window, and the totals last read from Redis."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, int], int] = {}
        self._sending: dict[tuple[str, int], int] = {}
        self._totals: dict[tuple[str, int], int] = {}

    def count(self, key_hash: str, window: int) -> int:
        """Count one request; return the key's requests in the window as far as known."""
        slot = (key_hash, window)
        pending = self._pending.get(slot, 0) + 1
        self._pending[slot] = pending
        return self._totals.get(slot, 0) + self._sending.get(slot, 0) + pending

    async def flush(self, redis: RedisGuard) -> None:
        """Add the pending counts to Redis and read the totals back (while Redis is down they
        stay pending here, and count)."""
        if not self._pending:
            return
        pending = self._sending = self._pending
        self._pending = {}
        slots = list(pending)
        keys = [counter_key(*slot) for slot in slots]
        added = [pending[slot] for slot in slots]

        async def add(client: Any) -> list[int]:
            totals = await client.eval(_ADD_LUA, len(keys), *keys, WINDOW_SECONDS + 5, *added)
            return [int(t) for t in totals]

        totals = await redis.run(add, None)
        self._sending = {}
        latest = max(window for _, window in slots)
        if totals is None:  # kept for the next flush: Redis gets them once it is back
            for slot, n in pending.items():
                if slot[1] >= latest:
                    self._pending[slot] = self._pending.get(slot, 0) + n
            return
        self._totals = {s: n for s, n in self._totals.items() if s[1] >= latest}
        self._totals.update(zip(slots, totals, strict=True))

    async def run(self, redis: RedisGuard) -> None:
        """Flush every ``FLUSH_SECONDS`` until cancelled."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush(redis)
