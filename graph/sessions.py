"""Async sessions for the API: one per unit of work, short retries so outages surface fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import neo4j

    from graph.settings import Settings

__all__ = ["RETRY_SECONDS", "open_async_session"]

#: How long a managed transaction is retried on transient errors. The driver's default (30 s)
#: would hold an HTTP request for half a minute while Neo4j is down; the API answers 503 instead.
RETRY_SECONDS = 1.0


def open_async_session(drv: neo4j.AsyncDriver, settings: Settings) -> neo4j.AsyncSession:
    """Open a session on the configured database (use as ``async with``).

    Args:
        drv: The application's async driver.
        settings: Settings naming the database.

    Returns:
        A session that connects lazily, on its first transaction.
    """
    return drv.session(
        database=settings.neo4j_database,
        max_transaction_retry_time=RETRY_SECONDS,
        notifications_min_severity="OFF",
    )
