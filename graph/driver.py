"""The only place that creates Neo4j drivers."""

from __future__ import annotations

import neo4j

from graph.settings import Settings, get_settings

__all__ = ["async_driver", "driver", "session"]

# The server's query notifications (an unknown property key on an empty graph, a planned
# cartesian product of two index seeks) are logged by the driver as warnings on every run; they
# are for query authors in Neo4j Browser, not for the service's logs.
_NOTIFICATIONS = neo4j.NotificationMinimumSeverity.OFF


def driver(settings: Settings | None = None) -> neo4j.Driver:
    """Return a new synchronous driver for the configured database (caller closes it)."""
    s = settings or get_settings()
    return neo4j.GraphDatabase.driver(
        s.neo4j_uri,
        auth=s.neo4j_auth,
        max_connection_pool_size=50,
        connection_timeout=10,
        notifications_min_severity=_NOTIFICATIONS,
    )


def async_driver(settings: Settings | None = None) -> neo4j.AsyncDriver:
    """Return a new asynchronous driver for the configured database (caller closes it)."""
    s = settings or get_settings()
    return neo4j.AsyncGraphDatabase.driver(
        s.neo4j_uri,
        auth=s.neo4j_auth,
        max_connection_pool_size=100,
        connection_timeout=5,
        notifications_min_severity=_NOTIFICATIONS,
    )


def session(drv: neo4j.Driver, settings: Settings | None = None) -> neo4j.Session:
    """Open a session on the configured database."""
    return drv.session(database=(settings or get_settings()).neo4j_database)
