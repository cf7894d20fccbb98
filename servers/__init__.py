"""Local Neo4j and Redis servers that the project starts itself (no Docker needed).

Development and test tooling, not part of the product: the product reaches Neo4j through
``graph/`` and Redis through its own clients, wherever the servers run.
"""

from __future__ import annotations

from servers import neo4j_server, redis_server
from servers.process import ServerError, ServerStatus

__all__ = ["ServerError", "ServerStatus", "neo4j_server", "redis_server"]
