"""The start-up warm-up: every served statement planned in a rolled-back rehearsal, ``/ready``."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import msgspec
import pytest
from api_keys import PRO
from api_proxy import TcpProxy
from litestar.testing import AsyncTestClient

import cypher
from graph.driver import async_driver
from graph.recommendations import ALL_SOURCES, Filters, ModelInfo, home_params
from graph.warmup import rehearse

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


async def test_the_rehearsal_runs_every_served_statement_and_writes_nothing(
    seeded: neo4j.Driver, services: Settings
) -> None:
    before = _census(seeded, services)
    drv = async_driver(services)
    try:
        done = await rehearse(drv, services)
    finally:
        await drv.close()
    assert done.missing == set(), f"not rehearsed: {sorted(done.missing)}"
    assert done.model_version == "v1"
    assert _census(seeded, services) == before


async def test_after_the_rehearsal_the_home_statement_is_not_planned_again(
    seeded: neo4j.Driver, services: Settings
) -> None:
    """Other id lengths and list sizes than the rehearsal's reuse its plan.

    Told apart by the time to the first record: a plan costs hundreds of ms
    (``CYPHER replan=force`` plans every time), a cached plan a few. Holds on servers with
    ``internal.cypher.use_parameter_size=false`` (the local one, compose.yaml, the test
    containers): otherwise each size bucket of a string or list parameter is planned anew.
    """
    if services.neo4j_external:
        pytest.skip("NEO4J_URI points at a server whose settings the project does not write")
    drv = async_driver(services)
    try:
        await rehearse(drv, services)
    finally:
        await drv.close()
    query = cypher.load("get_home_candidates")
    forced = query.replace("CYPHER replan=skip", "CYPHER replan=force", 1)
    model = ModelInfo(version="v1", vector_index=False)
    shapes = [
        ("u1", Filters()),
        ("a-user-id-longer-than-ten", Filters(exclude=[f"t{i}" for i in range(1, 13)])),
        ("u1", Filters(exclude=["t2"], genre="Documentary-and-more", kind="movie")),
    ]
    with seeded.session(database=services.neo4j_database) as session:
        waits = {"cached": [], "planned": []}
        for user, filters in shapes:
            params = home_params(user, model, ALL_SOURCES, 40, 6, filters)
            for kind, text in (("cached", query), ("planned", forced)):
                summary = session.run(text, params).consume()
                waits[kind].append(summary.result_available_after)
    assert max(waits["cached"]) * 5 < min(waits["planned"]), waits


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
    stopped_neo4j_proxy: TcpProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api import warmup
    from api.app import create_app

    monkeypatch.setattr(warmup, "CHECK_SECONDS", 0.2)
    settings = msgspec.structs.replace(
        api_settings, neo4j_uri=f"bolt://127.0.0.1:{stopped_neo4j_proxy.port}"
    )
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
) -> None:
    from api.app import create_app

    # Nothing listens on the (never started) proxy's port: every Redis call fails.
    settings = msgspec.structs.replace(
        api_settings, redis_url=f"redis://127.0.0.1:{stopped_neo4j_proxy.port}/0"
    )
    seen: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("api").addHandler(handler)
    try:
        async with AsyncTestClient(app=create_app(settings, warm_up=True)) as client:
            await _plans_become(client, "ok", 120)
            r = await client.get("/ready")
            assert r.status_code == 503 and r.json()["error"]["details"]["field"] == "redis"
    finally:
        logging.getLogger("api").removeHandler(handler)
    assert "plan warm-up not taking turns: Redis failed (ConnectionError)" in seen


async def test_server_process_is_the_same_until_neo4j_restarts(
    seeded: neo4j.Driver, api_settings: Settings
) -> None:
    from graph.health import server_process

    drv = async_driver(api_settings)
    try:
        first = await server_process(drv, api_settings)
        again = await server_process(drv, api_settings)
    finally:
        await drv.close()
    assert first is not None and first == again
    pid_host, started = first.rsplit("/", 1)
    assert "@" in pid_host and int(started) > 1_600_000_000_000  # ms since the epoch


async def test_after_neo4j_restarts_the_api_plans_again_and_stays_ready(
    seeded: neo4j.Driver, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real restart of the session's local Neo4j (its plan cache goes with it)."""
    from api import warmup
    from api.app import create_app
    from graph.health import server_process
    from servers import neo4j_server

    if api_settings.neo4j_external:
        pytest.skip("restarts the project's own local Neo4j; this one is NEO4J_URI's")
    monkeypatch.setattr(warmup, "CHECK_SECONDS", 0.5)
    drv = async_driver(api_settings)
    try:
        async with AsyncTestClient(app=create_app(api_settings, warm_up=True)) as client:
            await _plans_become(client, "ok", 120)
            before = await server_process(drv, api_settings)
            await asyncio.to_thread(neo4j_server.stop, api_settings)
            await asyncio.to_thread(neo4j_server.start, api_settings)
            await _plans_become(client, "replanning", 60)
            statuses = await _plans_become(client, "ok", 180)
            assert set(statuses) <= {200}
            assert await server_process(drv, api_settings) != before
            r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
            assert r.status_code == 200 and r.json()["recommendations"]
            metrics = (await client.get("/metrics")).text
    finally:
        await drv.close()
    assert _rehearsals(metrics, "start") == {"ok": 1.0}
    assert _rehearsals(metrics, "restart") == {"ok": 1.0}


def test_the_warm_up_switch_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import create_app

    monkeypatch.setenv("GRAPHREC_API_WARMUP", "sometimes")
    with pytest.raises(ValueError, match=r"GRAPHREC_API_WARMUP='sometimes': expected 1 or 0"):
        create_app()
    monkeypatch.setenv("GRAPHREC_API_WARMUP", "off")
    create_app()
