"""Is Neo4j answering? (for the API's readiness probe)."""

from __future__ import annotations

import neo4j
import neo4j.exceptions

from graph._tx import read, run_rows
from graph.sessions import open_async_session
from graph.settings import Settings

__all__ = ["neo4j_answers"]


async def neo4j_answers(drv: neo4j.AsyncDriver, settings: Settings) -> bool:
    """True when ``RETURN 1`` runs now."""
    try:
        async with open_async_session(drv, settings) as session:
            rows = await read(session, run_rows, "ping", {})
    except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError):
        return False
    return bool(rows and rows[0]["one"] == 1)
