"""Is Neo4j answering, and is it still the same server process? (probes and local servers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import neo4j
import neo4j.exceptions

import cypher
from graph._tx import read, run_rows
from graph.errors import GraphError

if TYPE_CHECKING:
    from graph.settings import Settings
    from graph.store import Store

__all__ = ["bolt_answers", "neo4j_answers", "server_process"]


def bolt_answers(settings: Settings, timeout: float = 2.0) -> bool:
    """True when one auto-commit ``RETURN 1`` runs now (no retries: a dead server answers at
    once); for the local servers' start and status."""
    try:
        with (
            neo4j.GraphDatabase.driver(
                settings.neo4j_uri, auth=settings.neo4j_auth, connection_timeout=timeout
            ) as drv,
            drv.session(database=settings.neo4j_database) as session,
        ):
            record = session.run(cypher.load("ping")).single()
            return bool(record and record["one"] == 1)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError):
        return False


async def neo4j_answers(store: Store) -> bool:
    """True when ``RETURN 1`` runs now."""
    try:
        async with store.session() as session:
            rows = await read(session, run_rows, "ping", {})
    except (GraphError, neo4j.exceptions.Neo4jError, OSError):
        return False
    return bool(rows and rows[0]["one"] == 1)


async def server_process(store: Store) -> str | None:
    """The Neo4j server's Java process, ``pid@host/start ms``; it changes when Neo4j restarts.

    Returns:
        The process, or None when the server does not tell (``dbms.queryJmx`` missing or not
        allowed, as on managed services).

    Raises:
        UnavailableError: Neo4j does not answer.
    """
    try:
        async with store.session() as session:
            rows = await read(session, run_rows, "get_server_start", {})
    except neo4j.exceptions.ClientError:
        return None
    return str(rows[0]["process"]) if rows and rows[0]["process"] else None
