"""Transaction functions shared by the async repositories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cypher

if TYPE_CHECKING:
    import neo4j

__all__ = ["run_many", "run_rows"]


async def run_rows(
    tx: neo4j.AsyncManagedTransaction, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run the named statement and return its records as plain dicts (safe to retry)."""
    result = await tx.run(cypher.load(name), params)
    return await result.data()


async def run_many(
    tx: neo4j.AsyncManagedTransaction, batch: list[tuple[str, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """Run several named statements in one transaction, in order; one row list per statement."""
    out = []
    for name, params in batch:
        result = await tx.run(cypher.load(name), params)
        out.append(await result.data())
    return out
