"""Planning Neo4j's statements: what was served is noted, shared and replayed; ``/ready``."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import anyio
import msgspec
import pytest
from litestar.testing import AsyncTestClient

import cypher
from api.controllers.feedback import feedback_id
from graph import plans
from graph.recommendations import ALL_SOURCES, Filters, ModelInfo, home_params
from graph.store import Store

from .api_keys import ADMIN, PRO
from .api_proxy import TcpProxy

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j
    import redis

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _census(drv: neo4j.Driver, settings: Settings) -> dict[str, object]:
    """Every node's labels and properties and every relationship's type and properties."""
    query = """
    CALL () { MATCH (n) RETURN collect([labels(n), properties(n)]) AS nodes }
    CALL () { MATCH ()-[r]->() RETURN collect([type(r), properties(r)]) AS rels }
    RETURN nodes, rels
    """
    records, _, _ = drv.execute_query(query, database_=settings.neo4j_database)
    nodes, rels = records[0]["nodes"], records[0]["rels"]
    return {
        "nodes": sorted(repr(n) for n in nodes),
        "rels": sorted(repr(r) for r in rels),
    }


async def _settled_census(drv: neo4j.Driver, settings: Settings) -> dict[str, object]:
    """The census once the app's served-list consumer has counted what the requests logged (it
    adds its aggregates about once a second, in the background)."""
    last = _census(drv, settings)
    for _ in range(30):
        await anyio.sleep(1.5)
        now = _census(drv, settings)
        if now == last:
            return now
        last = now
    raise AssertionError("the graph kept changing for 45 s")


async def _serve_every_endpoint(client: AsyncTestClient) -> None:
    """One call of each endpoint that reaches the graph, writes included."""
    calls = [
        ("POST", "/v1/users", {"user_id": "w1", "name": "W", "preferred_genres": ["Comedy"]}),
        ("POST", "/v1/items", {"item_id": "wt", "title": "W", "genres": ["Comedy"],
                               "cast": [{"person_id": "p1", "name": "Keanu Reeves"}]}),
        ("PUT", "/v1/users/w1/preferences", {"genres": ["Drama"]}),
        ("PUT", "/v1/users/w1/friends/u1", None),
        ("DELETE", "/v1/users/w1/friends/u1", None),
        ("POST", "/v1/feedback", {"user_id": "w1", "item_id": "t7", "feedback": "dislike"}),
        ("POST", "/v1/feedback", {"user_id": "w1", "item_id": "t8", "feedback": "not_interested"}),
        ("PUT", f"/v1/feedback/{feedback_id('w1', 't8')}", {"feedback_type": "dislike"}),
        ("DELETE", f"/v1/feedback/{feedback_id('w1', 't7')}", None),
        ("GET", "/v1/users/w1", None),
        ("GET", "/v1/items/wt", None),
        ("GET", "/v1/items/t1/similar", None),
        ("GET", "/v1/items/t9/similar", None),
        ("GET", "/v1/recommendations?user_id=u1", None),
        ("GET", "/v1/recommendations?user_id=u1&exclude=t2", None),
        ("GET", "/v1/recommendations?user_id=u1&exclude=t3&context=genre:Drama&kind=movie",
         None),
        ("GET", "/v1/recommendations/t5/explain?user_id=u1", None),
        ("GET", "/v1/users/u1/because-you-watched", None),
        ("GET", "/v1/users/u1/social", None),
    ]  # fmt: skip
    for action, value in (
        ("view", None), ("watch", 0.5), ("complete", None), ("abandon", 0.1), ("like", None),
        ("dislike", None), ("rating", 4.0), ("share", None), ("add_to_list", None),
        ("remove_from_list", None), ("click", None),
    ):  # fmt: skip
        body = {"user_id": "w1", "item_id": "t10", "action": action}
        calls.append(("POST", "/v1/interactions", body | ({"value": value} if value else {})))
    for method, path, body in calls:
        r = await client.request(method, path, json=body, headers=ADMIN)
        assert r.status_code < 300, (method, path, r.text)


async def test_served_statements_are_those_that_keep_their_plan() -> None:
    assert {"get_home_candidates", "record_event", "get_title"} <= plans.SERVED
    assert "gnn_write_similar_titles" not in plans.SERVED
    for name in plans.SERVED:
        assert cypher.load(name).startswith("CYPHER replan=skip")


async def test_every_served_statement_is_noted_once_the_endpoints_have_served(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = plans.PlanBook()
    monkeypatch.setattr(plans, "BOOK", book)
    await _serve_every_endpoint(client)
    unused = plans.SERVED - book.names
    assert unused == set(), f"served statements no endpoint ran: {sorted(unused)}"
    assert book.unmarked == set(), (
        f"request-path statements without CYPHER replan=skip: {sorted(book.unmarked)}"
    )
    shapes = book.take_new()
    assert any(s.name == "get_home_candidates" for s in shapes)
    # A statement after a write in its transaction is a shape of its own.
    assert {s.after_write for s in shapes if s.name == "update_watched"} == {True}
    assert book.take_new() == []


async def test_the_replay_writes_nothing_and_leaves_the_plans_made(
    client: AsyncTestClient,
    seeded: neo4j.Driver,
    services: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Told apart by the time to the first record: a plan costs hundreds of ms
    (``CYPHER replan=force`` plans every time), a cached plan a few. Holds on servers with
    ``internal.cypher.use_parameter_size=false`` (the local one, compose.yaml, the test
    containers): otherwise each size bucket of a string or list parameter is planned anew.
    """
    book = plans.PlanBook()
    monkeypatch.setattr(plans, "BOOK", book)
    await _serve_every_endpoint(client)
    shapes = book.take_new()
    before = await _settled_census(seeded, services)
    seeded.execute_query("CALL db.clearQueryCaches()", database_=services.neo4j_database)
    store = Store(services)
    try:
        refused = await plans.replay(store.driver, store.database, shapes)
    finally:
        await store.close()
    assert refused == []
    assert _census(seeded, services) == before
    if services.neo4j_external:
        return  # a server whose settings the project does not write
    query = cypher.load("get_home_candidates")
    forced = query.replace("CYPHER replan=skip", "CYPHER replan=force", 1)
    model = ModelInfo(version="v1", vector_index=False)
    # Other id lengths and list sizes than the served ones reuse their plans.
    cases = [
        ("u1", Filters()),
        ("a-user-id-longer-than-ten", Filters(exclude=[f"t{i}" for i in range(1, 13)])),
        ("u1", Filters(exclude=["t2"], genre="Documentary-and-more", kind="movie")),
    ]
    with seeded.session(database=services.neo4j_database) as session:
        waits: dict[str, list[int]] = {"cached": [], "planned": []}
        for user, filters in cases:
            params = home_params(user, model, ALL_SOURCES, 40, 6, filters)
            for kind, text in (("cached", query), ("planned", forced)):
                summary = session.run(text, params).consume()
                waits[kind].append(summary.result_available_after)
    assert max(waits["cached"]) * 5 < min(waits["planned"]), waits


async def _share_served_shapes(
    api_settings: Settings, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> list[plans.Shape]:
    """Serve every endpoint from an app that shares what it ran; the shapes in Redis."""
    from api import warmup
    from api.app import create_app

    monkeypatch.setattr(warmup, "CHECK_SECONDS", 0.2)
    monkeypatch.setattr(plans, "BOOK", plans.PlanBook())
    key = warmup.shapes_key(api_settings)

    def shared() -> list[plans.Shape]:
        return [msgspec.msgpack.decode(v, type=plans.Shape) for v in redis_client.hvals(key)]

    async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as first:
        await _ready_after_start(first)
        await _serve_every_endpoint(first)
        deadline = time.monotonic() + 30
        while {s.name for s in shared()} != plans.SERVED and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    return shared()


async def test_shapes_are_shared_through_redis_and_replayed_by_the_next_process(
    seeded: neo4j.Driver,
    api_settings: Settings,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    api_log: list[str],
) -> None:
    from api.app import create_app

    shapes = await _share_served_shapes(api_settings, redis_client, monkeypatch)
    assert {s.name for s in shapes} == plans.SERVED
    async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as second:
        body, _ = await _ready_after_start(second)
    assert body["checks"]["plans"] == "ok"
    assert f"planned {len(shapes)} statement shapes" in " ".join(api_log)


@pytest.fixture
def api_log() -> Iterator[list[str]]:
    """The messages the ``api`` logger logs during the test (INFO and up)."""
    seen: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("api")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield seen
    logger.removeHandler(handler)
    logger.setLevel(level)


async def _ready_after_start(client: AsyncTestClient) -> tuple[dict[str, object], list[str]]:
    """Poll ``/ready`` until 200; returns its body and the fields of the 503s seen before."""
    fields: list[str] = []
    deadline = time.monotonic() + 120
    while True:
        r = await client.get("/ready")
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        fields.append(r.json()["error"]["details"]["field"])
        await asyncio.sleep(0.05)
    assert r.status_code == 200, r.text
    return r.json(), fields


async def test_ready_waits_for_the_warm_up(seeded: neo4j.Driver, api_settings: Settings) -> None:
    from api.app import create_app

    async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as client:
        body, fields = await _ready_after_start(client)
    assert body["checks"] == {"neo4j": "ok", "redis": "ok", "plans": "ok"}
    assert set(fields) <= {"plans"}


async def test_without_warm_up_ready_says_off(seeded: neo4j.Driver, api_settings: Settings) -> None:
    from api.app import create_app

    async with AsyncTestClient(app=create_app(api_settings, warm_up=False)) as client:
        r = await client.get("/ready")
    assert r.status_code == 200
    assert r.json()["checks"]["plans"] == "off"


async def test_api_processes_take_turns_to_warm_up(
    seeded: neo4j.Driver, api_settings: Settings, redis_client: redis.Redis
) -> None:
    """While another process of the same database holds the turn, this one waits (and serves)."""
    from api.app import create_app
    from api.warmup import turn_key

    redis_client.set(turn_key(api_settings), "another-process", px=60_000)
    async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as client:
        await asyncio.sleep(1.5)
        r = await client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["details"]["field"] == "plans"
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.status_code == 200
        redis_client.delete(turn_key(api_settings))
        body, _ = await _ready_after_start(client)
        assert body["checks"]["plans"] == "ok"
    assert redis_client.get(turn_key(api_settings)) is None  # released after its turn


@pytest.fixture
def stopped_neo4j_proxy(services: Settings) -> Iterator[TcpProxy]:
    """A proxy to the session's Neo4j that is not listening yet."""
    proxy = TcpProxy(services.neo4j_bolt_port)
    yield proxy
    proxy.close()


async def _plans_become(client: AsyncTestClient, wanted: str, timeout: float) -> list[int]:
    """Wait until ``checks.plans`` is ``wanted``; the ``/ready`` statuses seen on the way."""
    statuses = []
    deadline = time.monotonic() + timeout
    while client.app.state.graphrec.plans != wanted and time.monotonic() < deadline:
        statuses.append((await client.get("/ready")).status_code)
        await asyncio.sleep(0.2)
    assert client.app.state.graphrec.plans == wanted
    return statuses


def _rehearsals(body: str, reason: str) -> dict[str, float]:
    """The ``graphrec_plan_rehearsals_total`` samples of one reason, by result."""
    prefix = f'graphrec_plan_rehearsals_total{{reason="{reason}",result="'
    return {
        line[len(prefix) :].split('"', 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith(prefix)
    }


async def test_neo4j_down_at_start_skips_the_warm_up_and_plans_when_it_answers(
    seeded: neo4j.Driver,
    api_settings: Settings,
    redis_client: redis.Redis,
    stopped_neo4j_proxy: TcpProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.app import create_app
    from api.warmup import shapes_key

    await _share_served_shapes(api_settings, redis_client, monkeypatch)
    settings = msgspec.structs.replace(
        api_settings, neo4j_uri=f"bolt://127.0.0.1:{stopped_neo4j_proxy.port}"
    )
    # The shapes are kept per database address: the proxy's is another one.
    redis_client.hset(shapes_key(settings), mapping=redis_client.hgetall(shapes_key(api_settings)))
    async with AsyncTestClient(app=create_app(settings, warm_up=True)) as client:
        await _plans_become(client, "skipped", 30)
        r = await client.get("/ready")
        assert r.status_code == 503
        assert r.json()["error"]["details"]["field"] == "neo4j"
        stopped_neo4j_proxy.start()
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        assert r.status_code == 200 and r.json()["recommendations"]
        statuses = await _plans_become(client, "ok", 120)
        assert set(statuses) <= {200}  # planning again, the API stays ready
        metrics = (await client.get("/metrics")).text
    assert _rehearsals(metrics, "start") == {"skipped": 1.0}
    assert _rehearsals(metrics, "retry") == {"ok": 1.0}


async def test_redis_down_at_start_the_warm_up_goes_ahead_alone_and_says_so(
    seeded: neo4j.Driver,
    api_settings: Settings,
    stopped_neo4j_proxy: TcpProxy,
    api_log: list[str],
) -> None:
    from api.app import create_app

    # Nothing listens on the (never started) proxy's port: every Redis call fails.
    settings = msgspec.structs.replace(
        api_settings, redis_url=f"redis://127.0.0.1:{stopped_neo4j_proxy.port}/0"
    )
    async with AsyncTestClient(app=create_app(settings, warm_up=True)) as client:
        await _plans_become(client, "ok", 120)
        r = await client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["details"]["field"] == "redis"
    assert "plan warm-up not taking turns: Redis failed (ConnectionError)" in api_log


async def test_server_process_is_the_same_until_neo4j_restarts(store: Store) -> None:
    from graph.health import server_process

    first = await server_process(store)
    again = await server_process(store)
    assert first is not None and first == again
    pid_host, started = first.rsplit("/", 1)
    assert "@" in pid_host and int(started) > 1_600_000_000_000  # ms since the epoch


async def test_after_neo4j_restarts_the_api_plans_again_and_stays_ready(
    seeded: neo4j.Driver,
    api_settings: Settings,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real restart of the session's local Neo4j (its plan cache goes with it)."""
    from api import warmup
    from api.app import create_app
    from graph.health import server_process
    from servers import neo4j_server

    if api_settings.neo4j_external:
        pytest.skip("restarts the project's own local Neo4j; this one is NEO4J_URI's")
    await _share_served_shapes(api_settings, redis_client, monkeypatch)
    monkeypatch.setattr(warmup, "CHECK_SECONDS", 0.5)
    store = Store(api_settings)
    try:
        async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as client:
            await _plans_become(client, "ok", 120)
            before = await server_process(store)
            await asyncio.to_thread(neo4j_server.stop, api_settings)
            await asyncio.to_thread(neo4j_server.start, api_settings)
            await _plans_become(client, "replanning", 60)
            statuses = await _plans_become(client, "ok", 180)
            assert set(statuses) <= {200}
            assert await server_process(store) != before
            r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
            assert r.status_code == 200 and r.json()["recommendations"]
            metrics = (await client.get("/metrics")).text
    finally:
        await store.close()
    assert _rehearsals(metrics, "start") == {"ok": 1.0}
    assert _rehearsals(metrics, "restart") == {"ok": 1.0}


def test_the_warm_up_switch_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.settings import Settings

    monkeypatch.setenv("GRAPHREC_API_WARMUP", "sometimes")
    with pytest.raises(ValueError, match=r"GRAPHREC_API_WARMUP='sometimes': expected 1 or 0"):
        Settings.from_env()
    monkeypatch.setenv("GRAPHREC_API_WARMUP", "off")
    assert Settings.from_env().api_warmup is False
