"""The workers' local copies of cached answers: kept, bounded, and dropped per user by the
generation channel, across apps that share one Redis."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.cache import CachedBody
from api.localcache import LOCAL_SECONDS, LocalTier, _RespReader

from .api_keys import PRO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import neo4j
    import redis

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _live(max_bytes: int = 10_000) -> LocalTier:
    tier = LocalTier("redis://127.0.0.1:1/3", max_bytes)
    tier.live = True
    return tier


def _entry(body: bytes = b"x" * 100, age: float = 0.0) -> CachedBody:
    return CachedBody(time.time() - age, body, 1)


def test_an_answer_is_kept_until_its_user_is_dropped() -> None:
    tier = _live()
    assert tier.channel == "graphrec:recgen:3"
    entry = _entry()
    assert tier.put("u1", "k1", entry, tier.mark(), ttl=60)
    assert tier.put("u1", "k2", entry, tier.mark(), ttl=60)
    assert tier.put("u2", "k3", entry, tier.mark(), ttl=60)
    assert tier.get("k1") is entry
    tier.drop("u1")
    assert tier.get("k1") is None and tier.get("k2") is None
    assert tier.get("k3") is entry  # other users keep theirs


def test_a_fill_read_before_a_drop_is_refused() -> None:
    tier = _live()
    mark = tier.mark()  # taken before reading Redis
    tier.drop("u1")  # the user's answers changed meanwhile
    assert not tier.put("u1", "k1", _entry(), mark, ttl=60)
    assert tier.get("k1") is None
    assert tier.put("u2", "k2", _entry(), mark, ttl=60)  # another user's fill is fine
    assert tier.put("u1", "k1", _entry(), tier.mark(), ttl=60)  # read after the drop: kept


def test_nothing_is_kept_or_served_while_the_subscription_is_down() -> None:
    tier = _live()
    mark = tier.mark()
    assert tier.put("u1", "k1", _entry(), mark, ttl=60)
    tier.go_dark()
    assert tier.get("k1") is None and len(tier) == 0
    tier.live = True  # subscribed again: a fill read before it missed the messages since
    assert not tier.put("u1", "k1", _entry(), mark, ttl=60)
    assert tier.put("u1", "k1", _entry(), tier.mark(), ttl=60)


def test_the_copy_expires_with_the_ttl_and_within_local_seconds() -> None:
    tier = _live()
    assert tier.put("u1", "old", _entry(age=59.9), tier.mark(), ttl=60)
    time.sleep(0.15)
    assert tier.get("old") is None  # past the cache TTL
    assert tier.put("u1", "new", _entry(), tier.mark(), ttl=3600)
    until = tier._entries["new"][2]
    assert until == pytest.approx(time.time() + LOCAL_SECONDS, abs=0.5)


def test_the_least_recently_used_copies_go_past_the_byte_bound() -> None:
    tier = _live(max_bytes=350)  # three 100-byte bodies with their keys, not four
    for key in ("a", "b", "c"):
        assert tier.put("u1", key, _entry(), tier.mark(), ttl=60)
    assert tier.get("a") is not None  # "b" is now the least recently used
    assert tier.put("u2", "d", _entry(), tier.mark(), ttl=60)
    assert tier.get("b") is None
    assert all(tier.get(k) is not None for k in ("a", "c", "d"))
    assert not tier.put("u3", "big", _entry(b"x" * 400), tier.mark(), ttl=60)


def test_the_reply_reader_waits_for_whole_replies() -> None:
    reader = _RespReader()
    wire = b"*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nu1\r\n+OK\r\n:5\r\n$-1\r\n-ERR no\r\n"
    got = []
    for i in range(0, len(wire), 3):  # in small pieces, cut anywhere
        reader.feed(wire[i : i + 3])
        got.extend(reader.replies())
    assert got == [[b"message", b"chan", b"u1"], "OK", 5, None, "ERR no"]
    reader.feed(b"!weird\r\n")
    with pytest.raises(ValueError, match="unexpected reply type"):
        list(reader.replies())


async def _until(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_the_subscription_drops_users_published_on_the_channel(
    services: Settings, redis_client: redis.Redis
) -> None:
    tier = LocalTier(services.redis_url, 1 << 20)
    task = asyncio.create_task(tier.run())
    try:
        await _until(lambda: tier.live)
        assert tier.put("u1", "k1", _entry(), tier.mark(), ttl=60)
        assert tier.put("u2", "k2", _entry(), tier.mark(), ttl=60)
        redis_client.publish(tier.channel, "u1")
        await _until(lambda: tier.get("k1") is None)
        assert tier.get("k2") is not None
        # A lost subscription empties the tier; it subscribes again by itself.
        redis_client.client_kill_filter(_type="pubsub")
        await _until(lambda: not tier.live)
        assert len(tier) == 0
        await _until(lambda: tier.live)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
async def two_apps(
    seeded: neo4j.Driver, api_settings: Settings
) -> AsyncIterator[tuple[AsyncTestClient, AsyncTestClient]]:
    """Two apps (two workers, or two hosts) on the same graph and Redis."""
    from api.app import create_app

    async with (
        AsyncTestClient(app=create_app(api_settings)) as first,
        AsyncTestClient(app=create_app(api_settings)) as second,
    ):
        for client in (first, second):
            tier = client.app.state.graphrec.local
            await _until(lambda tier=tier: tier.live)
        yield first, second


async def _home(client: AsyncTestClient, user_id: str = "u1") -> tuple[str, dict]:
    r = await client.get("/v1/recommendations", params={"user_id": user_id}, headers=PRO)
    assert r.status_code == 200, r.text
    return r.headers["X-Cache"], msgspec.json.decode(r.content)


def _local_hits(client: AsyncTestClient) -> float:
    return (
        client.app.state.graphrec.metrics.registry.get_sample_value(
            "graphrec_cache_local_hits_total", {"route": "recommendations"}
        )
        or 0.0
    )


async def test_a_change_in_one_app_drops_the_copies_of_the_other(
    two_apps: tuple[AsyncTestClient, AsyncTestClient], redis_client: redis.Redis
) -> None:
    first, second = two_apps
    assert (await _home(first))[0] == "miss"
    await _until(lambda: len(first.app.state.graphrec.local) == 1)  # stored after sending
    assert (await _home(second))[0] == "hit"  # from Redis, and kept by the second app
    for client in (first, second):
        cached, body = await _home(client)
        assert cached == "hit" and body["cached"] is True
        assert _local_hits(client) == 1
    # Each app now answers u1 without reading Redis: the entry there is no longer needed.
    redis_client.delete(*redis_client.keys("graphrec:rec:u1:*"))
    assert (await _home(first))[0] == "hit" and _local_hits(first) == 2
    # An interaction through the second app: the first app's next answer reflects it.
    event = {"user_id": "u1", "item_id": "t8", "action": "click"}
    posted = await second.post("/v1/interactions", json=event, headers=PRO)
    assert posted.status_code == 202, posted.text
    await asyncio.sleep(0)  # one turn of the loop, as between two requests
    cached, after = await _home(first)
    assert cached == "miss"
    # The second app's own copy went too: it answers from what the first just stored.
    cached, again = await _home(second)
    assert _local_hits(first) == 2 and _local_hits(second) == 1
    assert again["recommendations"] == after["recommendations"]
