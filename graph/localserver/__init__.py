"""Local Neo4j and Redis servers that the project starts itself (no Docker needed)."""

from __future__ import annotations

from graph.localserver import neo4j_server, redis_server
from graph.localserver.process import ServerStatus

__all__ = ["ServerStatus", "neo4j_server", "redis_server"]
