"""The product's one door to Neo4j: settings, drivers, schema, repositories, bulk writes."""

from __future__ import annotations

from graph.errors import ConflictError, GraphError, NotFoundError
from graph.settings import Settings, get_settings

__all__ = [
    "ConflictError",
    "GraphError",
    "NotFoundError",
    "Settings",
    "get_settings",
]
