"""Experiments in the real graph, the served-list log in the real Redis, and the report."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from graph import experiments as store
from graph import models, served
from graph.errors import ConflictError
from graph.experiments import ExperimentRecord
from graph.store import Store
from learning import lifecycle, log, report
from learning.assignment import pick
from learning.plot import plot_daily_ctr

if TYPE_CHECKING:
    from pathlib import Path

    import neo4j
    import redis

    from graph.connection import Connection
    from graph.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _experiment(name: str, *variants: str, independent: bool = False) -> ExperimentRecord:
    return ExperimentRecord(
        name=name,
        status="draft",
        variants=lifecycle.variants_of(variants),
        independent=independent,
    )


def _users(driver: neo4j.Driver, ids: list[str]) -> None:
    driver.execute_query("UNWIND $ids AS id CREATE (:User {userId: id})", ids=ids)


def test_bad_experiments_are_refused_with_the_field(conn: Connection) -> None:
    models.register(
        conn,
        name="graphsage",
        version="v1",
        algorithm="graphsage",
        hyperparameters={},
        artifact_path="",
        status="ready",
    )
    cases = {
        "variants.traffic_percent": ("control:50", "t:40"),
        "variant t.model_version": ("control:50", "t:50:model_version=v9"),
        "variant t.diversity": ("control:50", "t:50:diversity=2"),
        "variants": ("control:100",),
    }
    for field, variants in cases.items():
        with pytest.raises(lifecycle.SpecError) as caught:
            lifecycle.create(conn, _experiment("bad", *variants))
        assert caught.value.field == field
        assert "v1" in str(caught.value) if "model_version" in field else True
    with pytest.raises(lifecycle.SpecError, match="unknown setting"):
        lifecycle.parse_variant("t:50:colour=red")
    assert store.list_experiments(conn) == []  # nothing half-written

    created = lifecycle.create(conn, _experiment("ok", "control:50", "t:50:model_version=v1"))
    assert created.variants[1].config.model_version == "v1"
    with pytest.raises(ConflictError):
        lifecycle.create(conn, _experiment("ok", "control:50", "t:50"))


def test_overlapping_experiments_need_to_be_declared_independent(conn: Connection) -> None:
    lifecycle.create(conn, _experiment("first", "control:50", "t:50"))
    lifecycle.create(conn, _experiment("second", "control:50", "t:50"))
    lifecycle.create(conn, _experiment("side", "control:50", "t:50", independent=True))
    assert lifecycle.start(conn, "first").status == "running"
    with pytest.raises(lifecycle.SpecError) as caught:
        lifecycle.start(conn, "second")
    assert caught.value.field == "independent"
    assert store.get(conn, "second").status == "draft"
    assert lifecycle.start(conn, "side").status == "running"
    with pytest.raises(lifecycle.SpecError, match="status"):
        lifecycle.conclude(conn, "first")  # running: stop it first


@pytest.mark.anyio
async def test_served_lists_are_counted_attributed_and_kept_when_stopped(
    services: Settings,
    conn: Connection,
    graph_db: neo4j.Driver,
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    users = [f"u{i}" for i in range(4)]
    _users(graph_db, users)
    exp = lifecycle.create(conn, _experiment("homefeed", "control:50", "treatment:50"))
    lifecycle.start(conn, "homefeed")
    variant = {u: pick(u, "homefeed", exp.shares) for u in users}

    client = aioredis.Redis.from_url(services.redis_url)
    st = Store(services)
    try:
        lists = {}
        for u in users:
            lists[u] = f"list-{uuid.uuid4().hex[:8]}"
            await log.log_served(
                client,
                log.ServedList(
                    list_id=lists[u],
                    user=u,
                    endpoint="home",
                    model_version="v1",
                    variants=[("homefeed", variant[u])],
                    items=[("t1", "because"), ("t2", "popular"), ("t3", "vector")],
                ),
            )
        events = [
            log.Interaction(user="u0", item="t2", action="click", list_id=lists["u0"]),
            log.Interaction(user="u0", item="t2", action="click"),  # a second click: once
            log.Interaction(user="u0", item="t2", action="watch"),  # a conversion
            log.Interaction(user="u1", item="t1", action="rating", value=5.0),
            log.Interaction(user="u2", item="t9", action="click"),  # never shown
            log.Interaction(user="u3", item="t1", action="click", list_id="other"),  # wrong list
        ]
        for e in events:
            await log.log_interaction(client, e)

        aggregator = log.Aggregator(client, st, "test-consumer")
        await aggregator.ensure_group()
        while await aggregator.step():
            pass
        assert await client.xpending(log.STREAM, log.GROUP) == {
            "pending": 0,
            "min": None,
            "max": None,
            "consumers": [],
        }

        shown = await log.attribution(client, "u0", "t2")
        assert shown is not None
        assert (shown.list_id, shown.rank, shown.source) == (lists["u0"], 2, "popular")
        assert shown.clicked and shown.converted
        assert await log.attribution(client, "u2", "t9") is None
    finally:
        await client.aclose()
        await st.close()

    totals: dict[str, dict[str, float]] = {}
    for row in served.daily_counts(conn, "homefeed"):
        t = totals.setdefault(row.variant, {"impressions": 0, "clicks": 0, "conversions": 0})
        t["impressions"] += row.impressions
        t["clicks"] += row.clicks
        t["conversions"] += row.conversions
    assert sum(t["impressions"] for t in totals.values()) == 12
    assert sum(t["clicks"] for t in totals.values()) == 1
    assert sum(t["conversions"] for t in totals.values()) == 1  # the watch; a rating is not
    assert totals[variant["u0"]]["clicks"] == 1
    by_source = {(r.source, r.model_version): r for r in served.by_source(conn)}
    assert by_source[("popular", "v1")].clicks == 1
    assert by_source[("because", "v1")].impressions == 4

    assigned = served.users_per_variant(conn, "homefeed")
    assert sum(assigned.values()) == 4
    assert assigned["control"] == list(variant.values()).count("control")
    assert served.switched_users(conn, "homefeed") == 0

    built = report.build(conn, "homefeed")
    assert [v.name for v in built.variants] == ["control", "treatment"]
    assert "too small to decide" in built.verdict
    clicked = next(v for v in built.variants if v.name == variant["u0"])
    assert clicked.ctr == pytest.approx(1 / clicked.impressions)
    assert "homefeed" in report.format_report(built)
    png = tmp_path / "ctr.png"
    plot_daily_ctr(built, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    lifecycle.stop(
        conn,
        "homefeed",
        lambda e: {
            v.name: {"impressions": v.impressions, "clicks": v.clicks} for v in built.variants
        },
    )
    stopped = store.get(conn, "homefeed")
    assert stopped.status == "analyzing"
    kept = {v.name: v.metrics for v in stopped.variants}
    assert kept[variant["u0"]]["clicks"] == 1
    assert sum(m["impressions"] for m in kept.values()) == 12
    redis_client.flushdb()


@pytest.mark.anyio
async def test_independent_experiments_count_apart_and_a_lost_arm_trips_the_ratio_check(
    services: Settings,
    conn: Connection,
    graph_db: neo4j.Driver,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What bench/ab_sim.py relies on: lists carrying two independent experiments are counted
    in each, and a client losing most of one arm's users is flagged by the report."""
    users = [f"u{i}" for i in range(200)]
    _users(graph_db, users)
    shares = [("control", 50.0), ("treatment", 50.0)]
    for name in ("even", "lossy"):
        lifecycle.create(conn, _experiment(name, "control:50", "treatment:50", independent=True))
        lifecycle.start(conn, name)
    # The broken client keeps every control user of "lossy" and one treatment user in four.
    kept = [u for i, u in enumerate(users) if pick(u, "lossy", shares) == "control" or i % 4 == 0]
    client = aioredis.Redis.from_url(services.redis_url)
    st = Store(services)
    try:
        for u in kept:
            await log.log_served(
                client,
                log.ServedList(
                    list_id=f"list-{u}",
                    user=u,
                    endpoint="home",
                    variants=[
                        ("even", pick(u, "even", shares)),
                        ("lossy", pick(u, "lossy", shares)),
                    ],
                    items=[("t1", "popular"), ("t2", "vector")],
                ),
            )
        # A user shown more than is remembered loses the whole record (fields: each list, each
        # title's last list; the users above have three).
        monkeypatch.setattr(log, "MAX_SHOWN_PER_USER", 3)
        for list_id in ("first", "second"):
            served = log.ServedList(
                list_id=list_id, user="heavy", endpoint="home", items=[("t1", ""), ("t2", "")]
            )
            await log.log_served(client, served)
        aggregator = log.Aggregator(client, st, "test-consumer")
        await aggregator.ensure_group()
        while await aggregator.step():
            pass
        assert await log.attribution(client, kept[0], "t2") is not None
        assert await log.attribution(client, "heavy", "t1") is None
    finally:
        await client.aclose()
        await st.close()

    even, lossy = report.build(conn, "even"), report.build(conn, "lossy")
    for built in (even, lossy):
        assert sum(v.users for v in built.variants) == len(kept)
        assert sum(v.impressions for v in built.variants) == 2 * len(kept)
    expected = {
        v: sum(pick(u, "even", shares) == v for u in kept) for v in ("control", "treatment")
    }
    assert {v.name: v.users for v in even.variants} == expected
    assert not even.srm and even.srm_p_value > 0.01
    assert lossy.srm and lossy.srm_p_value < 0.001
    assert lossy.verdict.startswith("sample ratio mismatch")
    redis_client.flushdb()
