"""One call from a source name to a loaded graph: schema, parse (validate), write, count."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from graph import schema
from graph.bulk import LoadCounts, Progress, write_dataset
from loaders.build import ReadReport
from loaders.sources import open_source

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["LoadResult", "load_source"]


class LoadResult(msgspec.Struct, kw_only=True):
    """The outcome of one load: what was read, what was written, what the tag now holds."""

    report: ReadReport
    counts: LoadCounts
    graph: dict[str, int]


def load_source(
    conn: Connection,
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
        conn: The connection.
        source: A name of :data:`loaders.SOURCES`.
        path: The source's directory or file (``None`` for synthetic).
        batch_size: Rows per write transaction.
        workers: Concurrent write transactions for relationships.
        progress: Progress callback of :func:`graph.bulk.write_dataset`.
        **options: Options of :func:`loaders.read_source` (``dataset_tag``, ``id_prefix``, ...).

    Returns:
        The read report, the write counts and the graph counts of the dataset tag.

    Raises:
        LoadError: Bad input; nothing of the source has been written.
    """
    schema.apply_constraints(conn)
    data, report = open_source(source, path, **options)
    tag = str(options.get("dataset_tag") or source)
    counts = write_dataset(
        conn, data, dataset_tag=tag, batch_size=batch_size, progress=progress, workers=workers
    )
    if not report.lines:
        report.lines = counts.total_interactions
    return LoadResult(report=report, counts=counts, graph=schema.count_dataset(conn, tag))
