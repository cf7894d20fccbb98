"""Transaction functions shared by the async repositories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cypher

if TYPE_CHECKING:
    import neo4j

__all__ = ["run_many", "run_rows"]


async def _dicts(result: neo4j.AsyncResult) -> list[dict[str, Any]]:
    """The records as dicts, values as the driver decoded them.

    Our statements return values, lists and maps, never nodes or relationships, so this skips
    ``Result.data()``'s recursive export, which cost the API more CPU than the decoding itself.
    """
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) async for record in result]


async def run_rows(
    tx: neo4j.AsyncManagedTransaction, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run the named statement and return its records as plain dicts (safe to retry)."""
    return await _dicts(await tx.run(cypher.load(name), params))


async def run_many(
    tx: neo4j.AsyncManagedTransaction, batch: list[tuple[str, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """Run several named statements in one transaction, in order; one row list per statement."""
    out = []
    for name, params in batch:
        out.append(await _dicts(await tx.run(cypher.load(name), params)))
    return out
