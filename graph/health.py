"""Is Neo4j answering, and is it still the same server process? (for the API's probes)."""

from __future__ import annotations

import neo4j
import neo4j.exceptions

from graph._tx import read, run_rows
from graph.sessions import open_async_session
from graph.settings import Settings

__all__ = ["neo4j_answers", "server_process"]


async def neo4j_answers(drv: neo4j.AsyncDriver, settings: Settings) -> bool:
    """True when ``RETURN 1`` runs now."""
    try:
        async with open_async_session(drv, settings) as session:
            rows = await read(session, run_rows, "ping", {})
    except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError):
        return False
    return bool(rows and rows[0]["one"] == 1)


async def server_process(drv: neo4j.AsyncDriver, settings: Settings) -> str | None:
    """The Neo4j server's Java process, ``pid@host/start ms``; it changes when Neo4j restarts.

    Returns:
        The process, or None when the server does not tell (``dbms.queryJmx`` missing or not
        allowed, as on managed services).

    Raises:
        neo4j.exceptions.DriverError: Neo4j does not answer.
    """
    try:
        async with open_async_session(drv, settings) as session:
            rows = await read(session, run_rows, "get_server_start", {})
    except neo4j.exceptions.ClientError:
        return None
    return str(rows[0]["process"]) if rows and rows[0]["process"] else None
