"""The graph model's constraints and indexes, counts, and clearing (whole or one dataset)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cypher

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = [
    "apply_constraints",
    "clear",
    "count_dataset",
    "count_graph",
    "count_nodes",
    "sample_ids",
    "show_constraints",
]

_DELETE_BATCH = 10_000
#: Relationships deleted per transaction before a dataset's nodes: deleting a title with a
#: million ratings in one transaction would need a huge heap.
_RELATIONSHIP_BATCH = 50_000


def apply_constraints(conn: Connection) -> int:
    """Create every constraint and index of ``cypher/constraints.cypher`` (idempotent).

    Returns:
        The number of statements run.
    """
    stmts = cypher.statements("constraints")
    for stmt in stmts:
        conn.driver.execute_query(stmt, database_=conn.database)
    conn.rows("await_indexes", write=True)
    return len(stmts)


def show_constraints(conn: Connection) -> list[dict[str, Any]]:
    """Return ``SHOW CONSTRAINTS`` as plain dicts, sorted by name."""
    return conn.rows("show_constraints")


def count_graph(conn: Connection) -> list[dict[str, Any]]:
    """Return node counts per label and relationship counts per type."""
    return conn.rows("count_graph")


def count_nodes(conn: Connection) -> int:
    """Return the number of nodes in the database, every label together."""
    return int(conn.rows("load_count_nodes")[0]["nodes"])


def count_dataset(conn: Connection, dataset: str) -> dict[str, int]:
    """Return the nodes and relationships one dataset tag holds in the graph, by name."""
    rows = conn.rows("load_count_dataset", {"dataset": dataset})
    return {str(r["name"]): int(r["count"]) for r in rows}


def clear(conn: Connection, dataset: str | None = None) -> int:
    """Delete the nodes of one dataset (or everything) in bounded transactions.

    A dataset's relationships go first, ``50,000`` at a time, then its nodes, then the genres,
    keywords and platforms no title uses any more.

    Args:
        conn: The connection.
        dataset: The dataset tag to clear; ``None`` clears the whole database.

    Returns:
        The number of nodes deleted.
    """
    if dataset is None:
        return conn.delete_in_batches("delete_all_batch", {"batch_size": _DELETE_BATCH})
    params = {"dataset": dataset, "batch_size": _RELATIONSHIP_BATCH}
    conn.delete_in_batches("load_delete_dataset_relationships", params)
    params = {"dataset": dataset, "batch_size": _DELETE_BATCH}
    deleted = conn.delete_in_batches("delete_dataset_batch", params)
    conn.delete_in_batches("delete_orphan_features", {"batch_size": _DELETE_BATCH})
    return deleted


def sample_ids(conn: Connection, limit: int) -> tuple[list[str], list[str]]:
    """Users with history and the most popular titles, for demos and benchmarks."""
    users = conn.rows("get_sample_users", {"limit": limit})
    titles = conn.rows("get_sample_titles", {"limit": limit})
    return [r["user_id"] for r in users], [r["item_id"] for r in titles]
