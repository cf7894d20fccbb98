"""The product's one door to Neo4j: settings, drivers, schema, repositories, bulk writes."""

from __future__ import annotations

from graph.errors import (
    BusyError,
    ConflictError,
    GraphError,
    NotFoundError,
    UnavailableError,
)
from graph.settings import Settings, get_settings

__all__ = [
    "BusyError",
    "ConflictError",
    "GraphError",
    "NotFoundError",
    "Settings",
    "UnavailableError",
    "get_settings",
]
