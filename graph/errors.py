"""Errors raised by the graph layer; it knows nothing about HTTP.

Callers outside ``graph/`` see these, never the driver's exceptions: ``UnavailableError``
when Neo4j does not answer, ``BusyError`` when it keeps refusing with a transient error.
"""

from __future__ import annotations

import neo4j.exceptions

__all__ = [
    "BusyError",
    "ConflictError",
    "GraphError",
    "NotFoundError",
    "UnavailableError",
    "from_driver",
]


class GraphError(Exception):
    """Base class of the graph layer's errors."""


class NotFoundError(GraphError):
    """A node the caller named does not exist (``args``: the field, the value)."""


class ConflictError(GraphError):
    """A write would break a uniqueness constraint (``args``: the field, the value)."""


class UnavailableError(GraphError):
    """Neo4j does not answer (down, restarting, unreachable)."""


class BusyError(GraphError):
    """Neo4j answered with a transient error (a deadlock, a lock timeout) past the retries."""


def from_driver(exc: Exception) -> Exception:
    """The graph error standing for a driver error (the error itself when none does)."""
    if isinstance(exc, neo4j.exceptions.TransientError):
        return BusyError(f"Neo4j is busy ({exc.code})")
    if isinstance(exc, neo4j.exceptions.DriverError | OSError):
        return UnavailableError(f"Neo4j does not answer ({exc.__class__.__name__})")
    if isinstance(exc, neo4j.exceptions.Neo4jError) and "TransactionTimedOut" in (exc.code or ""):
        # The server stopped a statement at the timeout the API gave it: Neo4j too slow now.
        return UnavailableError("Neo4j did not answer within the statement's timeout")
    return exc
