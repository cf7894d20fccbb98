"""The Redis response cache (keys, invalidation, model version) and the operations endpoints."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import anyio
import pytest

from api import cache, feeds
from api.queries import HomeQuery
from api.serving import cached_response

from .api_keys import ADMIN, PRO

if TYPE_CHECKING:
    import neo4j
    import redis
    from litestar.testing import AsyncTestClient

    from api.feeds import FeedContext
    from api.schemas.recommendations import RecommendationList
    from graph.settings import Settings

pytestmark = pytest.mark.anyio


async def _get(client: AsyncTestClient, user_id: str = "u1", **params: object):  # type: ignore[no-untyped-def]
    return await client.get(
        "/v1/recommendations", params={"user_id": user_id, **params}, headers=PRO
    )


async def test_cache_hit_keeps_the_body_and_renews_the_request_id(
    client: AsyncTestClient,
) -> None:
    miss = await _get(client)
    hit = await _get(client)
    assert miss.headers["X-Cache"] == "miss" and hit.headers["X-Cache"] == "hit"
    assert hit.json()["cached"] is True and miss.json()["cached"] is False
    renewed = ("request_id", "cached")
    assert {k: v for k, v in hit.json().items() if k not in renewed} == {
        k: v for k, v in miss.json().items() if k not in renewed
    }
    assert hit.json()["request_id"] == hit.headers["X-Request-ID"] != miss.json()["request_id"]
    # Other parameters are other keys.
    assert (await _get(client, limit=5)).headers["X-Cache"] == "miss"
    assert (await _get(client, "u2")).headers["X-Cache"] == "miss"


async def test_a_miss_is_sent_before_it_is_stored(
    client: AsyncTestClient, redis_client: redis.Redis
) -> None:
    # The client does not wait for the cache store: when the last byte of the answer goes out,
    # nothing is cached yet; once the request is done, the answer is, and the next is a hit.
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/v1/recommendations", "raw_path": b"/v1/recommendations",
        "root_path": "", "query_string": b"user_id=u1", "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"testserver"), (b"authorization", PRO["Authorization"].encode())],
    }  # fmt: skip
    sent: list[tuple[int, int]] = []
    status: list[int] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            status.append(int(message["status"]))  # type: ignore[call-overload]
        elif not message.get("more_body", False):
            sent.append((len(message["body"]), len(redis_client.keys("graphrec:rec:u1:*"))))  # type: ignore[arg-type]

    async def request() -> None:
        await client.app(scope, receive, send)  # type: ignore[arg-type]

    # The app runs on the test client's loop, in another thread.
    done = client.blocking_portal.start_task_soon(request)
    await anyio.to_thread.run_sync(done.result, 30)
    assert status == [200] and len(sent) == 1
    body_size, cached_when_sent = sent[0]
    assert body_size > 0 and cached_when_sent == 0
    assert len(redis_client.keys("graphrec:rec:u1:*")) == 1
    assert (await _get(client)).headers["X-Cache"] == "hit"


async def test_cache_entries_generations_and_rate_counters_expire(
    client: AsyncTestClient, redis_client: redis.Redis
) -> None:
    await _get(client)
    await _get(client, limit=5)
    payload = {"user_id": "u1", "item_id": "t8", "action": "click"}
    assert (await client.post("/v1/interactions", json=payload, headers=PRO)).status_code == 202
    assert redis_client.get("graphrec:recgen:u1") == b"1"
    assert (await _get(client)).headers["X-Cache"] == "miss"
    entries = redis_client.keys("graphrec:rec:u1:*")
    # The worker adds its counts to Redis every 20 ms (api/ratelimit.py): wait for all four.
    for _ in range(50):
        counters = redis_client.keys("graphrec:rl:*")
        if sum(int(redis_client.get(key) or 0) for key in counters) >= 4:
            break
        await anyio.sleep(0.05)
    assert len(entries) == 2 and counters
    # Kept a day past the TTL (stale answers while Neo4j is down), and the user's generation at
    # least as long; counters past their minute.
    for key in [*entries, b"graphrec:recgen:u1"]:
        assert 86_400 < redis_client.ttl(key) <= 86_400 + 300
    for key in counters:
        assert 0 < redis_client.ttl(key) <= 65
    # The four requests above, all counted (in two windows' counters when a minute turned
    # between them).
    assert sum(int(redis_client.get(key)) for key in counters) == 4


async def test_an_answer_computed_before_an_interaction_is_not_served_after_it(
    client: AsyncTestClient, redis_client: redis.Redis
) -> None:
    # A feed request reads the graph, an interaction commits and drops the user's answers, and
    # only then does the request store what it computed: the next request must not get it.
    state = client.app.state.graphrec
    query = HomeQuery(user_id="u1")
    # The app runs on the test client's own loop (in another thread): the racing request is
    # started there, and the two sides meet through thread events.
    computed, release = threading.Event(), threading.Event()
    racing: list[str] = []

    async def compute(ctx: FeedContext, query: HomeQuery) -> RecommendationList:
        body = await feeds.home_feed(ctx, query)
        racing.extend(r.item_id for r in body.recommendations)
        computed.set()
        await anyio.to_thread.run_sync(release.wait, 30)
        return body

    async def slow_request() -> str:
        r = await cached_response(state, query, compute, "racing")
        # What the server does once the response is sent: store the answer (here, after the
        # interaction below).
        assert r.background is not None
        await r.background()
        return str(r.headers["X-Cache"])

    racer = client.blocking_portal.start_task_soon(slow_request)
    assert await anyio.to_thread.run_sync(computed.wait, 30)
    assert "t6" in racing
    payload = {"user_id": "u1", "item_id": "t6", "action": "complete"}
    assert (await client.post("/v1/interactions", json=payload, headers=PRO)).status_code == 202
    release.set()
    assert await anyio.to_thread.run_sync(racer.result, 30) == "miss"
    after = await _get(client)
    assert after.headers["X-Cache"] == "miss"
    assert "t6" not in [r["item_id"] for r in after.json()["recommendations"]]
    # Without a change in between, the same request is answered from the cache, under the key
    # the racing request used (else its refused store above would prove nothing).
    assert (await _get(client)).headers["X-Cache"] == "hit"
    version = after.json()["model_version"]
    assert redis_client.exists(cache.cache_key(query, version))


async def test_interaction_feedback_and_friendship_drop_the_users_cache(
    client: AsyncTestClient,
) -> None:
    await _get(client)
    await _get(client, "u2")
    await client.get("/v1/users/u1/because-you-watched", headers=PRO)
    payload = {"user_id": "u1", "item_id": "t8", "action": "click"}
    assert (await client.post("/v1/interactions", json=payload, headers=PRO)).status_code == 202
    assert (await _get(client)).headers["X-Cache"] == "miss"
    r = await client.get("/v1/users/u1/because-you-watched", headers=PRO)
    assert r.headers["X-Cache"] == "miss"
    assert (await _get(client, "u2")).headers["X-Cache"] == "hit"  # other users keep theirs
    feedback = {"user_id": "u1", "item_id": "t8", "feedback": "not_interested"}
    assert (await client.post("/v1/feedback", json=feedback, headers=PRO)).status_code == 200
    assert (await _get(client)).headers["X-Cache"] == "miss"
    assert (await client.put("/v1/users/u1/friends/u6", headers=ADMIN)).status_code == 200
    assert (await _get(client)).headers["X-Cache"] == "miss"


async def test_promoting_a_new_model_changes_the_cache_key(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    assert (await _get(client)).json()["model_version"] == "v1"
    seeded.execute_query(
        "MATCH (m:Model {version: 'v1'}) SET m.status = 'retired' "
        "MERGE (n:Model {modelId: 'graphsage:v2'}) "
        "SET n.name = 'graphsage', n.version = 'v2', n.status = 'promoted', "
        "n.promotedAt = datetime()",
        database_=services.neo4j_database,
    )
    client.app.state.graphrec.model.invalidate()
    r = await _get(client)
    assert r.headers["X-Cache"] == "miss" and r.json()["model_version"] == "v2"
    # v2 has no edges yet: no GNN explanations, content instead.
    types = {rec["explanation"]["kind"] for rec in r.json()["recommendations"]}
    assert "because_you_watched" not in types


async def test_health_ready_metrics_and_schema(client: AsyncTestClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok", "checks": {}}
    ready = (await client.get("/ready")).json()
    assert ready["checks"] == {"neo4j": "ok", "redis": "ok", "plans": "off"}
    await _get(client)
    await _get(client)
    metrics = (await client.get("/metrics")).text
    assert "graphrec_http_request_duration_seconds_bucket" in metrics
    assert 'route="/v1/recommendations"' in metrics
    assert 'graphrec_cache_requests_total{result="hit",route="recommendations"} 1.0' in metrics
    schema = (await client.get("/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {
        "/v1/recommendations",
        "/v1/recommendations/{item_id}/explain",
        "/v1/interactions",
        "/v1/feedback",
        "/v1/users",
        "/v1/users/{user_id}",
        "/v1/users/{user_id}/preferences",
        "/v1/users/{user_id}/friends/{friend_id}",
        "/v1/users/{user_id}/because-you-watched",
        "/v1/users/{user_id}/social",
        "/v1/items",
        "/v1/items/{item_id}",
        "/v1/items/{item_id}/similar",
        "/health",
        "/ready",
        "/metrics",
    } <= paths
