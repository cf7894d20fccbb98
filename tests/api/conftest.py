"""The API against the session's real Neo4j and Redis, on a small graph built per test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from .api_graphdata import write_graph
from .api_keys import KEYS

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import neo4j
    import redis

    from graph.settings import Settings
    from graph.store import Store


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api_settings(services: Settings) -> Settings:
    """The session's settings with the test API keys."""
    return msgspec.structs.replace(services, api_keys=KEYS, api_keys_file="")


@pytest.fixture
def seeded(graph_db: neo4j.Driver, services: Settings, redis_client: redis.Redis) -> neo4j.Driver:
    """A clean database holding the test graph with a promoted model, and an empty Redis."""
    write_graph(graph_db, services.neo4j_database)
    return graph_db


@pytest.fixture
async def client(seeded: neo4j.Driver, api_settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """An HTTP client of a fresh app (the lifespan runs) on the seeded graph."""
    from api.app import create_app

    async with AsyncTestClient(app=create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture
async def store(seeded: neo4j.Driver, api_settings: Settings) -> AsyncIterator[Store]:
    """The API's own door to the seeded graph (closed after the test)."""
    from graph.store import Store

    opened = Store(api_settings)
    try:
        yield opened
    finally:
        await opened.close()
