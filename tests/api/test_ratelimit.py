"""The rate counter: exact in one process, shared through Redis across processes, kept in the
worker while Redis is down and added once it is back (real Redis; no app)."""

from __future__ import annotations

import pytest
import redis
import redis.asyncio

from api.metrics import Metrics
from api.ratelimit import RateCounter, counter_key
from api.redisguard import RedisGuard
from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _guard(url: str) -> RedisGuard:
    return RedisGuard(redis.asyncio.Redis.from_url(url, socket_timeout=0.5), Metrics())


async def test_workers_share_counts_through_redis(
    services: Settings, redis_client: redis.Redis
) -> None:
    first, second = RateCounter(), RateCounter()
    guard = _guard(services.redis_url)
    try:
        assert [first.count("k", 7) for _ in range(3)] == [1, 2, 3]
        assert second.count("k", 7) == 1  # not flushed yet: the other worker's 3 are unseen
        await first.flush(guard)
        await second.flush(guard)
        assert int(redis_client.get(counter_key("k", 7)) or 0) == 4
        assert 0 < redis_client.ttl(counter_key("k", 7)) <= 65
        # Each judges by the total it last read plus its own new requests: the second flushed
        # last and read 4; the first read 3 (behind by what the other served in one interval).
        assert first.count("k", 7) == 4
        assert second.count("k", 7) == 5
        # Another key starts from its own total.
        assert first.count("other", 7) == 1
        await first.flush(guard)
        assert int(redis_client.get(counter_key("k", 7)) or 0) == 5
        # A flush in a later window forgets the earlier windows' totals (memory stays bounded).
        assert first.count("k", 8) == 1
        await first.flush(guard)
        assert first.count("k", 7) == 1
    finally:
        await guard.client.aclose()


async def test_counts_stay_in_the_worker_while_redis_is_down() -> None:
    counter = RateCounter()
    guard = _guard("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        for _ in range(5):
            counter.count("k", 1)
        await counter.flush(guard)
        assert counter.count("k", 1) == 6
    finally:
        await guard.client.aclose()


async def test_counts_made_while_redis_was_down_reach_it(
    services: Settings, redis_client: redis.Redis
) -> None:
    counter = RateCounter()
    down = _guard("redis://127.0.0.1:1/0")
    up = _guard(services.redis_url)
    try:
        for _ in range(4):
            counter.count("k", 3)
        await counter.flush(down)
        await counter.flush(up)
        assert int(redis_client.get(counter_key("k", 3)) or 0) == 4
        assert counter.count("k", 3) == 5
    finally:
        await down.client.aclose()
        await up.client.aclose()
