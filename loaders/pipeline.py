"""One call from a source name to a loaded graph: schema, parse (validate), write, count."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

import cypher
from graph import schema
from loaders.build import ReadReport
from loaders.sources import open_source
from loaders.writer import LoadCounts, Progress, write_dataset

if TYPE_CHECKING:
    import neo4j

    from graph.settings import Settings

__all__ = ["LoadResult", "clear_dataset", "count_dataset", "load_source"]

_DELETE_BATCH = 50_000


class LoadResult(msgspec.Struct, kw_only=True):
    """The outcome of one load: what was read, what was written, what the tag now holds."""

    report: ReadReport
    counts: LoadCounts
    graph: dict[str, int]


def count_dataset(driver: neo4j.Driver, settings: Settings, dataset_tag: str) -> dict[str, int]:
    """Return the nodes and relationships one dataset tag holds in the graph, by name."""
    records, _, _ = driver.execute_query(
        cypher.load("load_count_dataset"),
        {"dataset": dataset_tag},
        database_=settings.neo4j_database,
        routing_="r",
    )
    return {str(r["name"]): int(r["count"]) for r in records}


def clear_dataset(driver: neo4j.Driver, settings: Settings, dataset_tag: str) -> int:
    """Delete one dataset tag: its relationships in bounded batches first, then its nodes.

    Deleting a title with a million ratings in one transaction would need a huge heap;
    deleting the relationships ``50,000`` at a time keeps every transaction small.

    Returns:
        The number of nodes deleted.
    """
    query = cypher.load("load_delete_dataset_relationships")
    params = {"dataset": dataset_tag, "batch_size": _DELETE_BATCH}
    with driver.session(database=settings.neo4j_database) as session:
        while session.execute_write(_deleted, query, params):
            pass
    return schema.clear(driver, dataset=dataset_tag, settings=settings)


def _deleted(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    record = tx.run(query, params).single()
    return int(record["deleted"]) if record else 0


def load_source(
    driver: neo4j.Driver,
    settings: Settings,
    source: str,
    path: Path | None,
    *,
    batch_size: int = 10_000,
    workers: int = 2,
    progress: Progress | None = None,
    **options: Any,
) -> LoadResult:
    """Apply the schema, parse the whole source (so bad input writes nothing), then write it.

    Synthetic data is streamed (generated while it is written), every other source is
    parsed and validated in full first.

    Args:
        driver: An open driver.
        settings: Settings naming the database.
        source: A name of :data:`loaders.SOURCES`.
        path: The source's directory or file (``None`` for synthetic).
        batch_size: Rows per write transaction.
        workers: Concurrent write transactions for relationships.
        progress: Progress callback of :func:`loaders.write_dataset`.
        **options: Options of :func:`loaders.read_source` (``dataset_tag``, ``id_prefix``, ...).

    Returns:
        The read report, the write counts and the graph counts of the dataset tag.

    Raises:
        LoadError: Bad input; nothing of the source has been written.
    """
    schema.apply_constraints(driver, settings)
    data, report = open_source(source, path, **options)
    tag = str(options.get("dataset_tag") or source)
    counts = write_dataset(
        driver,
        settings,
        data,
        dataset_tag=tag,
        batch_size=batch_size,
        progress=progress,
        workers=workers,
    )
    if not report.lines:
        report.lines = counts.total_interactions
    return LoadResult(report=report, counts=counts, graph=count_dataset(driver, settings, tag))
