"""Redis down, Neo4j down, and recovery, with real servers behind real network faults."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import TYPE_CHECKING

import msgspec
import pytest
import redis as redis_lib
from litestar.testing import AsyncTestClient

from .api_keys import PRO
from .api_proxy import TcpProxy, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


class ThrowawayRedis:
    """A redis-server of the test's own on a free port, killed and restarted at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for this test"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis_lib.Redis(port=self.port)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis_lib.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("throwaway redis did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def neo4j_proxy(services: Settings) -> Iterator[TcpProxy]:
    proxy = TcpProxy(services.neo4j_bolt_port)
    proxy.start()
    yield proxy
    proxy.close()


def _count_events(drv: neo4j.Driver, settings: Settings, event_id: str) -> int:
    records, _, _ = drv.execute_query(
        "MATCH (e:Event {eventId: $id}) RETURN count(e)",
        id=event_id,
        database_=settings.neo4j_database,
    )
    return int(records[0][0])


async def test_redis_down_the_api_answers_and_stays_exactly_once(
    seeded: neo4j.Driver,
    services: Settings,
    api_settings: Settings,
    throwaway_redis: ThrowawayRedis,
) -> None:
    from api.app import create_app

    settings = msgspec.structs.replace(
        api_settings, redis_url=f"redis://127.0.0.1:{throwaway_redis.port}/0"
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        window = int(time.time() // 60)
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.headers["X-Cache"] == "hit"
        throwaway_redis.kill()
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
        assert r.json()["recommendations"]
        # The worker keeps counting on its own: the limit still holds, per process.
        assert r.headers["X-RateLimit-Limit"] == "1000"
        remaining = int(r.headers["X-RateLimit-Remaining"])
        # Three requests in this minute window (fewer if a new window began on the way).
        assert remaining == 997 or (int(time.time() // 60) != window and 997 < remaining < 1000)
        payload = {"user_id": "u1", "item_id": "t7", "action": "view"}
        headers = {**PRO, "X-Event-ID": "evt-no-redis"}
        first = await client.post("/v1/interactions", json=payload, headers=headers)
        second = await client.post("/v1/interactions", json=payload, headers=headers)
        assert first.status_code == second.status_code == 202
        assert first.json() == second.json()
        assert _count_events(seeded, services, "evt-no-redis") == 1
        r = await client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["details"]["field"] == "redis"
        metrics = (await client.get("/metrics")).text
        assert 'graphrec_fallbacks_total{kind="redis_down"}' in metrics
        # Back by itself once Redis returns (after the one-second back-off).
        throwaway_redis.start()
        time.sleep(1.1)
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.headers["X-Cache"] == "hit"
        assert (await client.get("/ready")).status_code == 200


async def test_neo4j_down_serves_stale_cache_popular_fallback_or_503_then_recovers(
    seeded: neo4j.Driver,
    api_settings: Settings,
    neo4j_proxy: TcpProxy,
    redis_client: redis_lib.Redis,
) -> None:
    from api.app import create_app
    from api.fallback import POPULAR_KEY

    settings = msgspec.structs.replace(
        api_settings, neo4j_uri=f"bolt://127.0.0.1:{neo4j_proxy.port}"
    )
    # TTL 0: every request recomputes, so the cached copy is only used while Neo4j is down.
    async with AsyncTestClient(app=create_app(settings, cache_ttl=0)) as client:
        fresh = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert fresh.status_code == 200 and fresh.json()["stale"] is False
        # The popular lists are written at start-up (api/fallback.py), before the outage.
        deadline = time.monotonic() + 15
        while not redis_client.hexists(POPULAR_KEY, "Comedy") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert redis_client.hexists(POPULAR_KEY, "all")
        neo4j_proxy.stop()
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.status_code == 200 and r.headers["X-Cache"] == "stale"
        assert r.json()["stale"] is True
        assert r.json()["recommendations"] == fresh.json()["recommendations"]
        # Nothing cached for u2: the popular list of the category, kept in Redis, marked.
        r = await client.get("/v1/recommendations", params={"user_id": "u2"}, headers=PRO)
        assert r.status_code == 200 and r.headers["X-Cache"] == "fallback"
        body = r.json()
        assert body["fallback"] is True and body["stale"] is False
        ids = [rec["item_id"] for rec in body["recommendations"]]
        pops = [rec["metadata"]["popularity"] for rec in body["recommendations"]]
        assert ids[0] == "t11" and pops == sorted(pops, reverse=True)  # most popular first
        assert [rec["rank"] for rec in body["recommendations"]] == list(range(1, len(ids) + 1))
        for rec in body["recommendations"]:
            assert rec["explanation"]["kind"] == "popular_fallback"
            assert "fallback" in rec["explanation"]["reason"]
        r = await client.get(
            "/v1/recommendations",
            params={"user_id": "u2", "category": "Comedy", "limit": 2},
            headers=PRO,
        )
        assert r.status_code == 200 and r.json()["fallback"] is True
        assert [rec["item_id"] for rec in r.json()["recommendations"]] == ["t11", "t12"]
        assert all("Comedy" in rec["metadata"]["genres"] for rec in r.json()["recommendations"])
        # No list for the category: still 503.
        r = await client.get(
            "/v1/recommendations", params={"user_id": "u2", "category": "Western"}, headers=PRO
        )
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        metrics = (await client.get("/metrics")).text
        assert 'graphrec_fallbacks_total{kind="popular"} 2.0' in metrics
        r = await client.get("/v1/users/u1", headers=PRO)
        assert r.status_code == 503 and "neo4j" not in r.text.lower()
        r = await client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["details"]["field"] == "neo4j"
        neo4j_proxy.start()
        deadline = time.monotonic() + 15
        while True:
            r = await client.get("/v1/recommendations", params={"user_id": "u2"}, headers=PRO)
            if r.status_code == 200 or time.monotonic() > deadline:
                break
        assert r.status_code == 200 and r.json()["stale"] is False
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.headers["X-Cache"] == "miss" and r.json()["stale"] is False
        assert (await client.get("/ready")).status_code == 200
