"""Trending windows with controlled timestamps, and popularity kept current, on real servers."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from graph.store import Store
from learning import log, trending
from learning.log import Interaction

if TYPE_CHECKING:
    import neo4j
    import redis

    from graph.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _catalogue(driver: neo4j.Driver) -> None:
    driver.execute_query(
        """
        CREATE (drama:Genre {name: 'Drama'}), (comedy:Genre {name: 'Comedy'}),
               (flix:Platform {name: 'Flix'})
        CREATE (:Title {titleId: 'old', popularity: 0})-[:IN_GENRE]->(drama)
        CREATE (new:Title {titleId: 'new', popularity: 0})-[:IN_GENRE]->(drama)
        CREATE (new)-[:AVAILABLE_ON]->(flix)
        CREATE (:Title {titleId: 'funny', popularity: 0})-[:IN_GENRE]->(comedy)
        """
    )


@pytest.mark.anyio
async def test_windows_scopes_and_decay(
    services: Settings, graph_db: neo4j.Driver, redis_client: redis.Redis
) -> None:
    _catalogue(graph_db)
    now = time.time()
    client = aioredis.Redis.from_url(services.redis_url)
    store = Store(services)
    try:
        counter = trending.Trending(client, store)
        await counter.add(
            [
                Interaction(user="a", item="old", action="watch", at=now - 2 * 3600),
                Interaction(user="b", item="new", action="watch", at=now - 60),
                Interaction(user="c", item="funny", action="watch", at=now - 20 * 3600),
                Interaction(user="d", item="funny", action="dislike", at=now - 60),
                Interaction(user="e", item="new", action="teleport", at=now - 60),
            ]
        )
        hour = await trending.top(client, "1h", "all", 10, now=now)
        assert [item for item, _ in hour] == ["new"]  # 2 h old: out of the last hour
        day = dict(await trending.top(client, "24h", "all", 10, now=now))
        assert set(day) == {"new", "old", "funny"}
        assert day["new"] > day["old"] > day["funny"]  # the same weight, decayed by age
        drama = await trending.top(client, "7d", trending.scope_key(genre="Drama"), 10, now=now)
        assert {item for item, _ in drama} == {"new", "old"}  # 6 h buckets: may tie
        flix = await trending.top(client, "7d", trending.scope_key(platform="Flix"), 10, now=now)
        assert [item for item, _ in flix] == ["new"]
        later = await trending.top(client, "24h", "all", 10, now=now + 23 * 3600)
        assert "funny" not in dict(later)  # 43 h old by then
    finally:
        await client.aclose()
        await store.close()


@pytest.mark.anyio
async def test_the_consumer_keeps_popularity_current(
    services: Settings, graph_db: neo4j.Driver, redis_client: redis.Redis
) -> None:
    _catalogue(graph_db)
    graph_db.execute_query(
        "MATCH (t:Title {titleId: 'new'}) "
        "CREATE (:User {userId: 'u1'})-[:WATCHED]->(t), (:User {userId: 'u2'})-[:LIKED]->(t)"
    )
    client = aioredis.Redis.from_url(services.redis_url)
    store = Store(services)
    try:
        await log.log_interaction(client, Interaction(user="u1", item="new", action="watch"))
        await log.log_interaction(client, Interaction(user="u2", item="new", action="like"))
        aggregator = log.Aggregator(client, store, "t")
        await aggregator.ensure_group()
        while await aggregator.step():
            pass
        assert [i for i, _ in await trending.top(client, "1h", "all", 5)] == ["new"]
    finally:
        await client.aclose()
        await store.close()
    records, _, _ = graph_db.execute_query(
        "MATCH (t:Title {titleId: 'new'}) RETURN t.popularity AS p"
    )
    assert records[0]["p"] == 2
