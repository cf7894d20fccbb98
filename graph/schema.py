"""The graph model's constraints and indexes, and whole-database housekeeping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cypher
from graph.settings import Settings, get_settings

if TYPE_CHECKING:
    import neo4j

__all__ = ["apply_constraints", "clear", "count_graph", "show_constraints"]

_DELETE_BATCH = 10_000


def apply_constraints(drv: neo4j.Driver, settings: Settings | None = None) -> int:
    """Create every constraint and index of ``cypher/constraints.cypher`` (idempotent).

    Returns:
        The number of statements run.
    """
    db = (settings or get_settings()).neo4j_database
    stmts = cypher.statements("constraints")
    for stmt in stmts:
        drv.execute_query(stmt, database_=db)
    drv.execute_query(cypher.load("await_indexes"), database_=db)
    return len(stmts)


def show_constraints(drv: neo4j.Driver, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Return ``SHOW CONSTRAINTS`` as plain dicts, sorted by name."""
    db = (settings or get_settings()).neo4j_database
    records, _, _ = drv.execute_query(cypher.load("show_constraints"), database_=db)
    return [record.data() for record in records]


def count_graph(drv: neo4j.Driver, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Return node counts per label and relationship counts per type."""
    db = (settings or get_settings()).neo4j_database
    records, _, _ = drv.execute_query(cypher.load("count_graph"), database_=db)
    return [record.data() for record in records]


def clear(drv: neo4j.Driver, dataset: str | None = None, settings: Settings | None = None) -> int:
    """Delete the nodes of one dataset (or everything) in bounded transactions.

    Args:
        drv: An open driver.
        dataset: The dataset tag to clear; ``None`` clears the whole database.
        settings: Settings naming the database.

    Returns:
        The number of nodes deleted.
    """
    db = (settings or get_settings()).neo4j_database
    query = cypher.load("delete_all_batch" if dataset is None else "delete_dataset_batch")
    total = 0
    with drv.session(database=db) as session:
        while True:
            deleted = session.execute_write(
                _run_count, query, {"dataset": dataset, "batch_size": _DELETE_BATCH}
            )
            total += deleted
            if deleted == 0:
                break
        if dataset is not None:
            orphans = cypher.load("delete_orphan_features")
            while session.execute_write(_run_count, orphans, {"batch_size": _DELETE_BATCH}):
                pass
    return total


def _run_count(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    record = tx.run(query, params).single()
    return int(record["deleted"]) if record else 0
