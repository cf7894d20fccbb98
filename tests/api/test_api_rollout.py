"""Gradual rollout of a model version on the real Neo4j (and Redis for the API): sticky shares,
raised and rolled back, refusals, ``graphrec models list|promote|rollback``, and the API serving
the rollout version's edges to the users inside its share."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio
import pytest
from typer.testing import CliRunner

from api.variants import model_for
from graph import models, served
from graph.errors import NotFoundError
from graph.experiments import VariantConfig
from graph.store import Store
from graphrec.cli import app
from graphrec.console import console
from learning import rollout
from learning.assignment import bucket

from .api_keys import PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.connection import Connection
    from graph.recommendations import ModelInfo
    from graph.settings import Settings

pytestmark = pytest.mark.anyio

NAME = "graphsage"
USERS = [f"user-{i}" for i in range(10_000)]
_EDGE = """
MERGE (a:Title {titleId: 'edge-a'}) MERGE (b:Title {titleId: 'edge-b'})
MERGE (a)-[r:SIMILAR_TO {modelVersion: $version}]->(b)
SET r.model = 'graphsage', r.score = 0.5, r.rank = 1
"""


def _register(conn: Connection, version: str, status: models.ModelStatus) -> None:
    models.register(
        conn,
        name=NAME,
        version=version,
        algorithm="graphsage",
        hyperparameters={},
        artifact_path="",
        status="ready",
    )
    if status == "promoted":
        models.promote(conn, NAME, version)
    else:
        models.set_status(conn, f"{NAME}:{version}", status)


@pytest.fixture
def two_versions(conn: Connection, graph_db: neo4j.Driver) -> None:
    """v1 promoted; v2 ready, with SIMILAR_TO edges (not pruned)."""
    _register(conn, "v1", "promoted")
    _register(conn, "v2", "ready")
    graph_db.execute_query(_EDGE, version="v2")


async def _model_info(services: Settings) -> ModelInfo:
    """What an API process reads: the promoted version, the rollout and its share."""
    store = Store(services)
    try:
        async with store.repositories() as repos:
            return await repos.recs.model_info(NAME)
    finally:
        await store.close()


def _served(info: ModelInfo) -> dict[str, str | None]:
    return {user: model_for(info, user, VariantConfig()).version for user in USERS}


def _share(served: dict[str, str | None], version: str) -> float:
    return 100 * sum(v == version for v in served.values()) / len(served)


@pytest.mark.usefixtures("two_versions")
async def test_a_rollout_is_sticky_when_raised_and_rolled_back(
    conn: Connection, services: Settings
) -> None:
    assert (await _model_info(services)).rollout_version is None

    assert rollout.start(conn, NAME, "v2", 5) is None
    info = await _model_info(services)
    assert (info.version, info.rollout_version, info.rollout_percent) == ("v1", "v2", 5.0)
    at5 = _served(info)
    assert abs(_share(at5, "v2") - 5) <= 1.5
    assert set(at5.values()) == {"v1", "v2"}

    assert rollout.start(conn, NAME, "v2", 25) == 5.0
    at25 = _served(await _model_info(services))
    assert abs(_share(at25, "v2") - 25) <= 1.5
    kept = [u for u, v in at5.items() if v == "v2"]
    assert kept and all(at25[u] == "v2" for u in kept)  # raised: every user of the 5 % stays in

    # A variant naming a model version wins over the rollout.
    pinned = VariantConfig(model_version="v1")
    assert {model_for(await _model_info(services), u, pinned).version for u in kept} == {"v1"}

    assert rollout.cancel(conn, NAME) == [("v2", 25.0)]
    back = _served(await _model_info(services))
    assert set(back.values()) == {"v1"}
    assert rollout.cancel(conn, NAME) == []
    assert models.get_model(conn, NAME, "v2").status == "ready"


@pytest.mark.usefixtures("two_versions")
async def test_a_full_promotion_ends_the_rollout(conn: Connection, services: Settings) -> None:
    rollout.start(conn, NAME, "v2", 25)
    models.promote(conn, NAME, "v2")
    info = await _model_info(services)
    assert (info.version, info.rollout_version) == ("v2", None)
    assert all(m.traffic_percent is None for m in models.list_models(conn, NAME))


def test_bad_rollouts_are_refused_with_the_reason(conn: Connection, graph_db: neo4j.Driver) -> None:
    _register(conn, "v1", "ready")
    _register(conn, "v2", "ready")
    graph_db.execute_query(_EDGE, version="v2")
    with pytest.raises(rollout.RolloutError, match="no graphsage version is promoted"):
        rollout.start(conn, NAME, "v2", 5)
    models.promote(conn, NAME, "v1")
    _register(conn, "v3", "ready")  # no edges: pruned, or never written
    _register(conn, "v4", "training")
    graph_db.execute_query(_EDGE, version="v4")
    refusals = {
        ("v2", 0.0): r"--traffic 0: a rollout share must lie in \(0, 100\)",
        ("v2", 120.0): r"--traffic 120",
        ("v2", float("nan")): r"--traffic nan",
        ("v1", 5.0): "graphsage:v1 is promoted already",
        ("v3", 5.0): "graphsage:v3 has no SIMILAR_TO edges left",
        ("v4", 5.0): "graphsage:v4 is still training",
    }
    for (version, percent), message in refusals.items():
        with pytest.raises(rollout.RolloutError, match=message):
            rollout.start(conn, NAME, version, percent)
    with pytest.raises(NotFoundError, match="no model graphsage:v9"):
        rollout.start(conn, NAME, "v9", 5)
    rollout.start(conn, NAME, "v2", 5)
    graph_db.execute_query(_EDGE, version="v3")
    with pytest.raises(rollout.RolloutError, match=r"graphsage:v2 is in rollout \(5 %\)"):
        rollout.start(conn, NAME, "v3", 5)
    shares = {m.version: m.traffic_percent for m in models.list_models(conn, NAME)}
    assert shares == {"v1": None, "v2": 5.0, "v3": None, "v4": None}  # nothing half-written


@pytest.mark.usefixtures("two_versions")
def test_models_commands_roll_out_list_shares_and_roll_back(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)  # the table's cells on one line each
    runner = CliRunner()

    started = runner.invoke(app, ["models", "promote", "v2", "--traffic", "5"])
    assert started.exit_code == 0, started.output
    assert "rolling out graphsage:v2 to 5 % of users; v1 serves the other 95 %" in started.output
    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    cells = [line.split("│") for line in listed.output.splitlines() if line.count("│") > 2]
    rows = {c[1].strip(): "│".join(c) for c in cells}
    assert "promoted" in rows["v1"] and "95 %" in rows["v1"]
    assert "ready" in rows["v2"] and "5 %" in rows["v2"] and "95 %" not in rows["v2"]

    raised = runner.invoke(app, ["models", "promote", "v2", "--traffic", "25"])
    assert "to 25 % of users (was 5 %)" in raised.output, raised.output
    refused = runner.invoke(app, ["models", "promote", "v2", "--traffic", "0"])
    assert refused.exit_code == 1 and "--traffic 0" in refused.output

    back = runner.invoke(app, ["models", "rollback"])
    assert back.exit_code == 0, back.output
    assert "rollout of graphsage:v2 (25 %) ended: every user is served v1" in back.output
    assert models.get_promoted(conn, NAME).version == "v1"  # type: ignore[union-attr]
    assert all(m.traffic_percent is None for m in models.list_models(conn, NAME))


async def test_an_in_rollout_user_is_served_the_rollout_versions_edges(
    client: AsyncTestClient, conn: Connection
) -> None:
    # The seeded graph: v1 promoted; v0 kept its edge The Matrix (t1) -> Old Edge Film (t9).
    _register(conn, "v0", "retired")
    inside, outside = "u1", "u2"
    percent = (bucket(inside, f"rollout:{NAME}") + 1) / 100
    assert bucket(outside, f"rollout:{NAME}") >= percent * 100
    rollout.start(conn, NAME, "v0", percent)

    answer = await client.get("/v1/recommendations", params={"user_id": inside}, headers=PRO)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["model_version"] == "v0"
    old = next(r for r in body["recommendations"] if r["item_id"] == "t9")
    assert old["explanation"]["reason"] == "Because you watched The Matrix"
    explained = await client.get(
        "/v1/recommendations/t9/explain", params={"user_id": inside}, headers=PRO
    )
    assert explained.json()["model_version"] == "v0", explained.text

    other = await client.get("/v1/recommendations", params={"user_id": outside}, headers=PRO)
    assert other.json()["model_version"] == "v1"
    again = await client.get("/v1/recommendations", params={"user_id": inside}, headers=PRO)
    assert again.headers["x-cache"] == "hit" and again.json()["model_version"] == "v0"

    # The served-list log counts each list under the version that served it (the app's own
    # consumer aggregates it into the graph).
    shown = {"v0": 2 * len(body["recommendations"]), "v1": len(other.json()["recommendations"])}
    deadline = time.monotonic() + 15
    while (counted := _impressions(conn)) != shown:
        assert time.monotonic() < deadline, counted
        await anyio.sleep(0.2)


def _impressions(conn: Connection) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in served.by_source(conn):
        out[c.model_version] = out.get(c.model_version, 0) + c.impressions
    return out
