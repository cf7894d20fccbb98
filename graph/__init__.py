"""Everything that touches Neo4j: settings, drivers, schema, local servers, repositories."""

from __future__ import annotations

from graph.errors import ConflictError, GraphError, NotFoundError, ServerError
from graph.settings import Settings, get_settings

__all__ = [
    "ConflictError",
    "GraphError",
    "NotFoundError",
    "ServerError",
    "Settings",
    "get_settings",
]
