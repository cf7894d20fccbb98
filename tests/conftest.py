"""Session-wide real Neo4j and Redis for the tests, and a clean graph for each test.

Where the servers come from, in order:
1. ``NEO4J_URI`` / ``REDIS_URL`` when set (each on its own);
2. testcontainers, when a Docker engine answers;
3. the project's own local servers (``graphrec neo4j|redis start``) as instance ``test`` on
   ports of their own (``GRAPHREC_TEST_BOLT_PORT`` [17687], ``GRAPHREC_TEST_HTTP_PORT``
   [17474], ``GRAPHREC_TEST_REDIS_PORT`` [16379]), started once per session and stopped
   after it if the session started them. The developer's own instance is never touched.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j
    import redis

    from graph.connection import Connection
    from graph.settings import Settings

_EXTERNAL_NEO4J = bool(os.environ.get("NEO4J_URI"))
_EXTERNAL_REDIS = bool(os.environ.get("REDIS_URL"))

# Local test instances never share ports or data with the developer's instance.
os.environ["GRAPHREC_INSTANCE"] = os.environ.get("GRAPHREC_TEST_INSTANCE", "test")
os.environ["GRAPHREC_NEO4J_BOLT_PORT"] = os.environ.get("GRAPHREC_TEST_BOLT_PORT", "17687")
os.environ["GRAPHREC_NEO4J_HTTP_PORT"] = os.environ.get("GRAPHREC_TEST_HTTP_PORT", "17474")
os.environ["GRAPHREC_REDIS_PORT"] = os.environ.get("GRAPHREC_TEST_REDIS_PORT", "16379")
os.environ.setdefault("GRAPHREC_NEO4J_HEAP", "1g")
# The API's start-up warm-up (graph/warmup.py) plans every statement for each of the ~100 apps
# the tests start; its own tests turn it on (tests/api/test_api_warmup.py).
os.environ.setdefault("GRAPHREC_API_WARMUP", "0")
os.environ.setdefault("GRAPHREC_NEO4J_PAGECACHE", "512m")
# A request's Neo4j budget (1.2 s) would turn the first, cold-planned request of a test on a
# loaded machine into a 503; the fault tests (tests/api/test_api_faults.py,
# test_api_degradation.py) set the production budget themselves.
os.environ.setdefault("GRAPHREC_API_NEO4J_BUDGET", "30")

#: A run whose process has not exited this long after its last test prints every thread's
#: stack and exits with status 1 (a run once finished its tests and then hung at exit).
EXIT_WATCHDOG_SECONDS = 180


def pytest_unconfigure(config: pytest.Config) -> None:
    """Arm the exit watchdog once the session is over."""
    del config
    faulthandler.dump_traceback_later(EXIT_WATCHDOG_SECONDS, exit=True)


def _docker_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


@pytest.fixture(scope="session")
def services() -> Iterator[Settings]:
    """Settings pointing at a real Neo4j and Redis for the whole session."""
    from graph import settings as settings_module
    from servers import neo4j_server, redis_server

    stops = []
    containers = []
    use_docker = (not _EXTERNAL_NEO4J or not _EXTERNAL_REDIS) and _docker_answers()
    if use_docker:
        from testcontainers.neo4j import Neo4jContainer
        from testcontainers.redis import RedisContainer

        if not _EXTERNAL_NEO4J:
            neo = Neo4jContainer("neo4j:5.26-community", password="graphrec-test")
            # As compose.yaml and the local server (graph/warmup.py explains why).
            neo.with_env("NEO4J_internal_cypher_use__parameter__size", "false")
            neo.start()
            containers.append(neo)
            os.environ["NEO4J_URI"] = neo.get_connection_url()
            os.environ["NEO4J_USER"] = "neo4j"
            os.environ["NEO4J_PASSWORD"] = "graphrec-test"
        if not _EXTERNAL_REDIS:
            red = RedisContainer("redis:7-alpine")
            red.start()
            containers.append(red)
            host, port = red.get_container_host_ip(), red.get_exposed_port(6379)
            os.environ["REDIS_URL"] = f"redis://{host}:{port}/0"
    settings_module.get_settings.cache_clear()
    settings = settings_module.get_settings()
    if not settings.neo4j_external and not neo4j_server.status(settings).running:
        neo4j_server.start(settings)
        stops.append(neo4j_server.stop)
    if not settings.redis_external and not redis_server.status(settings).running:
        redis_server.start(settings)
        stops.append(redis_server.stop)
    yield settings
    for stop in stops:
        stop(settings)
    for container in containers:
        container.stop()


@pytest.fixture(scope="session")
def connection(services: Settings) -> Iterator[Connection]:
    """A connection to the session's Neo4j, with the schema applied once."""
    from graph import schema
    from graph.connection import Connection

    with Connection(services) as conn:
        conn.verify()
        schema.apply_constraints(conn)
        yield conn


@pytest.fixture(scope="session")
def neo4j_driver(connection: Connection) -> neo4j.Driver:
    """The session connection's driver, for the tests' own raw queries."""
    return connection.driver


@pytest.fixture
def graph_db(neo4j_driver: neo4j.Driver, connection: Connection) -> neo4j.Driver:
    """The session's driver, on a graph emptied before the test (constraints kept)."""
    from graph import schema

    schema.clear(connection)
    return neo4j_driver


@pytest.fixture
def conn(graph_db: neo4j.Driver, connection: Connection) -> Connection:
    """The session's connection, on a graph emptied before the test (constraints kept)."""
    return connection


@pytest.fixture
def redis_client(services: Settings) -> Iterator[redis.Redis]:
    """A client of the session's Redis, its database flushed before the test."""
    import redis as redis_lib

    client = redis_lib.Redis.from_url(services.redis_url)
    client.flushdb()
    yield client
    client.close()
