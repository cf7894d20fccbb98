"""The only place that creates Neo4j drivers."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.settings import Settings, get_settings

__all__ = ["async_driver", "driver"]

# The server's query notifications (an unknown property key on an empty graph, a planned
# cartesian product of two index seeks) are logged by the driver as warnings on every run; they
# are for query authors in Neo4j Browser, not for the service's logs.
_NOTIFICATIONS = neo4j.NotificationMinimumSeverity.OFF


def _options(
    settings: Settings | None, pool: int, timeout: float, acquisition: float = 60.0
) -> dict[str, Any]:
    s = settings or get_settings()
    return {
        "uri": s.neo4j_uri,
        "auth": s.neo4j_auth,
        "max_connection_pool_size": pool,
        "connection_timeout": timeout,
        "connection_acquisition_timeout": acquisition,
        "notifications_min_severity": _NOTIFICATIONS,
    }


def driver(settings: Settings | None = None) -> neo4j.Driver:
    """Return a new synchronous driver for the configured database (caller closes it)."""
    return neo4j.GraphDatabase.driver(**_options(settings, pool=50, timeout=10))


def async_driver(settings: Settings | None = None) -> neo4j.AsyncDriver:
    """Return a new asynchronous driver for the configured database (caller closes it).

    Its calls serve requests: connecting, and waiting for a free connection of the pool, give
    up within a request's Neo4j budget (``api_neo4j_budget``; ``graph._tx.budget`` cancels
    whatever else hangs).
    """
    limit = (settings or get_settings()).api_neo4j_budget
    return neo4j.AsyncGraphDatabase.driver(
        **_options(settings, pool=100, timeout=limit, acquisition=limit)
    )
