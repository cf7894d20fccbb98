"""The saved queries of ``docs/browser/`` and the Browser guide are product code: each one runs
against a small loaded, trained (two model versions) and analysed graph and returns rows."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from analytics import run_analysis
from gnn.pipeline import train_and_register
from gnn.train import TrainConfig
from graph import schema
from graph.bulk import write_dataset
from graph.connection import Connection
from graph.dataset import Dataset
from loaders import generate

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graph.settings import Settings

BROWSER = Path(__file__).resolve().parents[2] / "docs" / "browser"
QUERIES = sorted(BROWSER.glob("*.cypher"))
GUIDE = BROWSER / "graphrec.html"
#: The ids the saved queries name (MovieLens' user 1 and Toy Story), given to synthetic records.
USER, TITLE = "1", "Toy Story (1995)"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _renamed(ds: Dataset) -> Dataset:
    """The synthetic user ``u1`` becomes ``1`` and title ``t0`` is called Toy Story."""

    def uid(user_id: str) -> str:
        return USER if user_id == "u1" else user_id

    return msgspec.structs.replace(
        ds,
        users=[msgspec.structs.replace(u, user_id=uid(u.user_id)) for u in ds.users],
        titles=[
            msgspec.structs.replace(t, title=TITLE) if t.title_id == "t0" else t for t in ds.titles
        ],
        friendships=[
            msgspec.structs.replace(f, user_id=uid(f.user_id), friend_id=uid(f.friend_id))
            for f in ds.friendships
        ],
        interactions=[msgspec.structs.replace(i, user_id=uid(i.user_id)) for i in ds.interactions],
    )


@pytest.fixture(scope="module")
def trained(
    connection: Connection, services: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Connection]:
    """A synthetic graph with two trained model versions, an analysis, feedback, events and
    served-list aggregates."""
    home = tmp_path_factory.mktemp("home")
    schema.clear(connection)
    with Connection(msgspec.structs.replace(services, home=home)) as conn:
        write_dataset(conn, _renamed(generate(users=300, titles=150, seed=3)))
        for seed in (0, 1):
            cfg = TrainConfig(dim=16, epochs=10, eval_every=5, patience=2, seed=seed)
            train_and_register(conn, cfg, k=10, force=True)  # both promoted, whatever the gate says
        run_analysis(conn)
        at = dt.datetime(2026, 1, 5, 20, 15, tzinfo=dt.UTC)
        conn.write("set_not_interested",
                   {"user_id": USER, "item_id": "t5", "reason": "seen it", "at": at})  # fmt: skip
        for n, action in enumerate(("view", "click", "like")):
            conn.rows("record_event", {
                "event_id": f"e{n}", "user_id": USER, "item_id": f"t{n + 1}", "action": action,
                "value": None, "at": at, "session_id": "s1", "device_type": "tv",
                "source": "homepage", "position": n + 1, "hour": at.hour}, write=True)  # fmt: skip
        conn.rows("served_flush", {"rows": [
            {"key": f"k{v}", "day": "2026-01-05", "experiment": "home-ranking", "variant": v,
             "endpoint": "home", "source": "similar", "model_version": "v2",
             "impressions": 100, "clicks": 7 + n, "conversions": 1, "engagement": 3.0}
            for n, v in enumerate(("control", "treatment"))]}, write=True)  # fmt: skip
        yield conn
    schema.clear(connection)


def _run(conn: Connection, text: str) -> list[dict]:
    records, _, _ = conn.driver.execute_query(text, database_=conn.database)
    return [r.data() for r in records]


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_saved_query_returns_rows(trained: Connection, path: Path) -> None:
    rows = _run(trained, path.read_text(encoding="utf-8"))
    assert rows, f"{path.name} returned no rows"


def test_model_queries_read_the_promoted_version_only(trained: Connection) -> None:
    rows = _run(trained, (BROWSER / "14_models_compared.cypher").read_text(encoding="utf-8"))
    assert (rows[0]["promoted"], rows[0]["previous"]) == ("v2", "v1")
    assert 0.0 <= rows[0]["overlapAt10"] <= 1.0
    # 04 reads the promoted version's edges only, though v1's are kept for rollback.
    text = (BROWSER / "04_because_you_watched.cypher").read_text(encoding="utf-8")
    versions = _run(
        trained, text.replace("RETURN p LIMIT 60", "RETURN DISTINCT s.modelVersion AS v")
    )
    assert [r["v"] for r in versions] == ["v2"]
    kept = _run(trained, "MATCH ()-[s:SIMILAR_TO {modelVersion: 'v1'}]->() RETURN count(s) AS n")
    assert kept[0]["n"] > 0


def _guide_blocks() -> list[str]:
    source = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r'<pre[^>]*class="[^"]*runnable[^"]*"[^>]*>(.*?)</pre>', source, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", b)).strip() for b in blocks]


def test_the_guide_runs_every_saved_query_and_nothing_else() -> None:
    cypher_blocks = [b for b in _guide_blocks() if not b.startswith(":")]
    saved = [p.read_text(encoding="utf-8").strip() for p in QUERIES]
    assert sorted(cypher_blocks) == sorted(saved)


def test_every_guide_query_returns_rows(trained: Connection) -> None:
    for block in _guide_blocks():
        if block.startswith(":"):
            continue
        assert _run(trained, block), block.splitlines()[0]


@pytest.mark.anyio
async def test_the_api_serves_the_guide_to_neo4j_browser(trained: Connection) -> None:
    from litestar.testing import AsyncTestClient

    from api.app import create_app

    async with AsyncTestClient(app=create_app(trained.settings)) as client:
        response = await client.get("/guide/graphrec.html")
        missing = await client.get("/guide/other.html")
        preflight = await client.options(
            "/guide/graphrec.html",
            headers={"Origin": "http://127.0.0.1:7474", "Access-Control-Request-Method": "GET",
                     "Access-Control-Request-Headers": "x-ajax-browser-auth"},
        )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-headers"] == "*"
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == GUIDE.read_text(encoding="utf-8")
    assert response.text.count("<slide") >= 10
    assert missing.status_code == 404


def test_the_local_server_lets_neo4j_browser_play_guides_from_loopback(
    services: Settings,
) -> None:
    from servers import neo4j_server

    if services.neo4j_external:
        pytest.skip("an external Neo4j: its allowlist is its own configuration")
    conf = (neo4j_server.home_dir(services) / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    allow = re.search(r"^browser\.remote_content_hostname_whitelist=(.*)$", conf, re.M)
    assert allow is not None and "127.0.0.1" in allow.group(1).split(",")
