"""Cluster-ready sessions: reads in READ access mode, writes in WRITE mode, bookmarks that carry
a user's writes to their next read in another API process, the API on a ``neo4j://`` URI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import neo4j
import neo4j.exceptions
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from graph._tx import Runner, read, run_rows
from graph.store import Repositories, Store
from graph.users import NewUser
from tests.api.api_graphdata import write_graph
from tests.api.api_keys import KEYS, PRO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import redis

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(services: Settings) -> AsyncIterator[Store]:
    """The API's store on the session's Neo4j."""
    store = Store(services)
    yield store
    await store.close()


def _count(drv: neo4j.Driver, settings: Settings, query: str) -> int:
    records, _, _ = drv.execute_query(query, database_=settings.neo4j_database)
    return int(records[0][0])


async def test_a_write_through_the_read_path_is_refused_by_the_server(
    store: Store, graph_db: neo4j.Driver, services: Settings
) -> None:
    async def sneak_a_write(tx: Runner) -> None:
        await (await tx.run("CREATE (:SessionProbe {at: 1})")).consume()

    async with store.session() as session:
        with pytest.raises(neo4j.exceptions.ClientError) as refused:
            await read(session, sneak_a_write)
    assert refused.value.code == "Neo.ClientError.Statement.AccessMode"
    assert _count(graph_db, services, "MATCH (p:SessionProbe) RETURN count(p)") == 0


async def test_a_write_commits_on_the_same_session_and_its_bookmark_opens_the_next_read(
    store: Store, graph_db: neo4j.Driver, services: Settings
) -> None:
    async with store.repositories() as repos:
        assert await read(repos._session, run_rows, "ping", {}) == [{"one": 1}]
        await repos.users.create(NewUser(user_id="s-1", name="Sam"))
        marks = await repos.bookmarks()
    assert marks and all(isinstance(m, str) and m for m in marks)
    assert _count(graph_db, services, "MATCH (u:User {userId: 's-1'}) RETURN count(u)") == 1
    async with store.repositories(marks) as repos:
        assert (await repos.users.get("s-1")).name == "Sam"


async def test_a_bookmark_the_server_never_issued_is_refused(store: Store) -> None:
    """The bookmarks given reach the server: it checks them before the read runs."""
    async with store.repositories(["not-a-bookmark"]) as repos:
        with pytest.raises(neo4j.exceptions.ClientError) as refused:
            await read(repos._session, run_rows, "ping", {})
    assert "Bookmark" in refused.value.code


@pytest.fixture
def routed(graph_db: neo4j.Driver, services: Settings, redis_client: redis.Redis) -> Settings:
    """The test graph, and settings reaching its server through a routing ``neo4j://`` URI."""
    write_graph(graph_db, services.neo4j_database)
    uri = "neo4j" + services.neo4j_uri[services.neo4j_uri.index("://") :]
    return msgspec.structs.replace(services, neo4j_uri=uri, api_keys=KEYS, api_keys_file="")


async def _feed(client: AsyncTestClient[Any], user_id: str) -> list[str]:
    r = await client.get("/v1/recommendations", params={"user_id": user_id}, headers=PRO)
    assert r.status_code == 200, r.text
    return [rec["item_id"] for rec in r.json()["recommendations"]]


async def _complete(client: AsyncTestClient[Any], user_id: str, item_id: str) -> None:
    body = {"user_id": user_id, "item_id": item_id, "action": "complete"}
    r = await client.post("/v1/interactions", json=body, headers=PRO)
    assert r.status_code == 202, r.text


async def test_the_api_serves_reads_and_writes_through_a_routing_uri(routed: Settings) -> None:
    app = create_app(routed)
    async with AsyncTestClient(app=app) as client:
        assert isinstance(app.state.graphrec.store.driver, neo4j.AsyncNeo4jDriver)
        assert "t6" in await _feed(client, "u1")
        await _complete(client, "u1", "t6")
        assert "t6" not in await _feed(client, "u1")


async def test_the_bookmark_of_an_interaction_reaches_the_next_read_in_another_process(
    routed: Settings, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps (two API processes) share Redis: the one that records the interaction keeps
    its write's bookmarks there, the other opens the user's next read after them."""
    opened: list[tuple[Store, tuple[str, ...]]] = []
    written: list[list[str]] = []
    repositories = Store.repositories

    def spy_open(self: Store, bookmarks: tuple[str, ...] | list[str] | None = None) -> Any:
        # Only the request path passes bookmarks (none or some): the background loops (model
        # and experiment refresh, served-list consumer) open sessions too, at their own times.
        if bookmarks is None:
            return repositories(self)
        opened.append((self, tuple(bookmarks)))
        return repositories(self, bookmarks)

    monkeypatch.setattr(Store, "repositories", spy_open)
    last_bookmarks = Repositories.bookmarks

    async def spy_marks(self: Repositories) -> list[str]:
        marks = await last_bookmarks(self)
        written.append(marks)
        return marks

    monkeypatch.setattr(Repositories, "bookmarks", spy_marks)
    writer, reader = create_app(routed), create_app(routed)
    async with AsyncTestClient(app=writer) as a, AsyncTestClient(app=reader) as b:
        reader_store = reader.state.graphrec.store
        assert "t6" in await _feed(b, "u1")
        assert opened[-1] == (reader_store, ())
        await _complete(a, "u1", "t6")
        assert len(written) == 1 and written[0]
        stored = redis_client.get("graphrec:recbm:u1")
        assert stored is not None and stored.decode().split("\n") == written[0]
        assert "t6" not in await _feed(b, "u1")
        assert opened[-1] == (reader_store, tuple(written[0]))
        # Another user's reads wait for nothing.
        await _feed(b, "u2")
        assert opened[-1] == (reader_store, ())
