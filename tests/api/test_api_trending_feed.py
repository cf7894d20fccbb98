"""The trending candidate source of the home feed: titles made trending through interactions
(counted by the app's own consumer) enter the feed, filtered like every source, and explained
"Trending now" or "Trending this week"."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio
import pytest
import redis.asyncio as aioredis

from graph.store import Store
from learning.entries import GROUP, STREAM, unpack
from learning.log import Interaction
from learning.trending import Trending

from .api_keys import PRO

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


async def _counted(redis_url: str, entries: int, seconds: float = 15.0) -> None:
    """Wait until ``entries`` logged entries are in the stream (the API appends them in
    batches, each one stream entry) and the app's consumer has read and acknowledged every
    one."""
    client = aioredis.Redis.from_url(redis_url)
    deadline = time.monotonic() + seconds
    try:
        while True:
            if await client.exists(STREAM):
                stream: Any = await client.xinfo_stream(STREAM)
                groups: Any = await client.xinfo_groups(STREAM)
                group = next((g for g in groups if g["name"].decode() == GROUP), None)
                logged = sum(len(unpack(fields)) for _, fields in await client.xrange(STREAM))
                if (
                    group is not None
                    and logged >= entries
                    and group["pending"] == 0
                    and group["last-delivered-id"] == stream["last-generated-id"]
                ):
                    return
            assert time.monotonic() < deadline, "the consumer did not count in time"
            await anyio.sleep(0.2)
    finally:
        await client.aclose()


async def _week_old(redis_url: str, settings: Settings, item: str) -> None:
    """Two complete watches two days ago: in the week's window, not in the last hour's."""
    client = aioredis.Redis.from_url(redis_url)
    store = Store(settings)
    at = time.time() - 2 * 86_400
    try:
        events = [Interaction(user=u, item=item, action="complete", at=at) for u in ("u4", "u5")]
        await Trending(client, store).add(events)
    finally:
        await client.aclose()
        await store.close()


async def _home(client: AsyncTestClient, user: str, **params: str) -> dict[str, dict]:
    answer = await client.get(
        "/v1/recommendations", params={"user_id": user, **params}, headers=PRO
    )
    assert answer.status_code == 200, answer.text
    return {r["item_id"]: r for r in answer.json()["recommendations"]}


async def test_trending_titles_enter_the_home_feed_filtered_and_explained(
    client: AsyncTestClient, services: Settings
) -> None:
    # Delicatessen (t7, popularity 20) and Disliked Film (t11, disliked by u1) trend now: three
    # users like them through the API. Ronin (t8, Action/Crime) trended two days ago (as much, once
    # decayed).
    for user in ("u2", "u3", "u4"):
        for item in ("t7", "t11"):
            like = {"user_id": user, "item_id": item, "action": "like"}
            answer = await client.post("/v1/interactions", json=like, headers=PRO)
            assert answer.status_code == 202, answer.text
    await _counted(services.redis_url, entries=6)
    await _week_old(services.redis_url, services, "t8")

    newcomer = await _home(client, "u6")  # no history: only popular and trending titles
    first = newcomer["t7"]["explanation"]
    assert first["kind"] == "trending" and first["reason"] == "Trending now"
    assert first["type"] == "popularity" and first["sources"][0] == "trending"
    week = newcomer["t8"]["explanation"]
    assert week["kind"] == "trending" and week["reason"] == "Trending this week"
    assert newcomer["t7"]["rank"] < newcomer["t12"]["rank"]  # above a title only popular

    assert "t11" not in await _home(client, "u1")  # disliked: filtered like every source
    assert "t7" not in await _home(client, "u2")  # liked it already
    crime = await _home(client, "u6", category="Crime")
    assert "t8" in crime and "t7" not in crime  # the category's own trending titles
    assert crime["t8"]["explanation"]["kind"] == "trending"
