"""``graphrec load --bulk``: a first load through Neo4j's import tool instead of transactions.

The source is parsed (or generated) and written as the import tool's CSV files
(:func:`graph.bulk_import.write_import_files`) under the instance's ``import/`` directory; the
local server is stopped, ``neo4j-admin database import full`` builds the database from them, the
server starts again and the constraints and indexes are created. The database is replaced whole,
so a database holding anything is refused unless ``overwrite``. The transactional path
(:func:`loaders.load_source`) stays for incremental loads and reloads.
"""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING, Any

import msgspec

from graph import schema
from graph.bulk_import import write_import_files
from graph.connection import Connection
from graph.dataset import Dataset, DatasetStream, as_stream
from graph.settings import get_settings
from loaders.build import ReadReport
from loaders.pipeline import LoadResult
from loaders.sources import open_source
from servers import neo4j_import, neo4j_server
from servers.process import ServerError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from graph.bulk import Progress
    from graph.settings import Settings

__all__ = ["BulkLoad", "BulkRefusedError", "bulk_import", "bulk_load"]


class BulkRefusedError(ServerError):
    """The database holds data and ``overwrite`` was not given (nothing was changed)."""


class BulkLoad(msgspec.Struct, kw_only=True):
    """A bulk load's outcome, and the time and memory of each step.

    Attributes:
        result: What was read, written (records per kind) and what the tag now holds.
        csv_seconds: Parsing or generating the source and writing the CSV files.
        import_seconds: Stopping the server, the import tool, starting the server.
        schema_seconds: Creating the constraints and indexes (and waiting for them).
        tool_peak_rss_bytes: The import tool's peak resident memory.
        dropped: Relationships to users or titles the source does not have (skipped).
    """

    result: LoadResult
    csv_seconds: float
    import_seconds: float
    schema_seconds: float
    tool_peak_rss_bytes: int
    dropped: int = 0


def _check_empty(settings: Settings, *, overwrite: bool, echo: Callable[[str], None]) -> None:
    """Refuse a database that holds nodes unless ``overwrite`` (starting the local server first
    when it is not running).

    Raises:
        BulkRefusedError: It holds nodes and ``overwrite`` is false.
        ServerError: ``NEO4J_URI`` names another server.
    """
    if settings.neo4j_external:
        raise ServerError(
            f"NEO4J_URI={settings.neo4j_uri} is set: --bulk needs the local server (graphrec "
            "neo4j start) or an offline database (neo4j-admin database import full on the "
            "server's own machine); load without --bulk to use that server"
        )
    neo4j_server.start(settings, echo=echo)
    with Connection(settings) as conn:
        conn.verify()
        nodes = schema.count_nodes(conn)
    if nodes and not overwrite:
        raise BulkRefusedError(
            f"database {settings.neo4j_database!r} holds {nodes:,} nodes and --bulk replaces the "
            "whole database: pass --overwrite to replace it, or load without --bulk "
            "(transactional: adds to what is there)"
        )


def bulk_load(
    source: str,
    path: Path | None,
    options: dict[str, Any],
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    echo: Callable[[str], None] = print,
) -> BulkLoad:
    """Load one source into an empty database with the import tool (see :func:`bulk_import`).

    Args:
        source: A name of :data:`loaders.SOURCES`.
        path: The source's directory or file (``None`` for synthetic).
        options: Options of :func:`loaders.open_source` (``dataset_tag``, ``id_prefix``, ...).
        overwrite: Replace a database that holds data (everything in it is lost).
        progress: Receives the CSV writing's progress, as :func:`graph.bulk.write_dataset`'s.
        echo: Receives one line per step and the import tool's stages.

    Raises:
        BulkRefusedError: The database holds data and ``overwrite`` is false.
        LoadError: Bad input (nothing was changed).
        ImportToolError: The import tool refused the files (the database is then empty).
        ServerError: ``NEO4J_URI`` names another server, or the local one would not start.
    """
    settings = get_settings()
    _check_empty(settings, overwrite=overwrite, echo=echo)
    data, report = open_source(source, path, **options)
    tag = str(options.get("dataset_tag") or source)
    return bulk_import(
        data, dataset_tag=tag, report=report, overwrite=True, progress=progress, echo=echo
    )


def bulk_import(
    data: Dataset | DatasetStream,
    *,
    dataset_tag: str | None = None,
    report: ReadReport | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    echo: Callable[[str], None] = print,
    keep_files: bool = False,
) -> BulkLoad:
    """Replace the (empty) local database by a dataset, through the import tool.

    Args:
        data: The canonical dataset or stream.
        dataset_tag: The ``dataset`` property of its users, titles and people (default: its
            name).
        report: What the parser read, for the result.
        overwrite: Replace a database that holds data (everything in it is lost).
        progress: Receives the CSV writing's progress.
        echo: Receives one line per step and the import tool's stages.
        keep_files: Keep the CSV files after a successful import (they are always kept after a
            failed one, for the error message's file and line).

    Returns:
        What was loaded, and the time and memory of each step.

    Raises:
        BulkRefusedError: The database holds data and ``overwrite`` is false.
        ImportToolError: The import tool refused the files (the database is then empty).
        ServerError: ``NEO4J_URI`` names another server, or the local one would not start.
    """
    settings = get_settings()
    started = time.perf_counter()
    _check_empty(settings, overwrite=overwrite, echo=echo)
    stream = as_stream(data)
    tag = dataset_tag or stream.name
    directory = settings.instance_dir / "import"
    shutil.rmtree(directory, ignore_errors=True)
    echo(f"writing the import files into {directory} ...")
    files = write_import_files(stream, directory, dataset_tag=tag, progress=progress)
    csv_done = time.perf_counter()
    echo(f"wrote the import files in {csv_done - started:.1f} s")
    try:
        with neo4j_import.offline(settings, echo):
            tool = neo4j_import.import_full(settings, files, echo)
    except neo4j_import.ImportToolError:
        # The database is empty now: leave it with its constraints, as a failed load would.
        with Connection(settings) as conn:
            schema.apply_constraints(conn)
        raise
    import_done = time.perf_counter()
    echo("creating the constraints and indexes ...")
    with Connection(settings) as conn:
        schema.apply_constraints(conn)
        schema_done = time.perf_counter()
        graph = schema.count_dataset(conn, tag)
    if not keep_files:
        shutil.rmtree(directory, ignore_errors=True)
    counts = files.counts
    counts.seconds = schema_done - started
    report = report or ReadReport()
    report.lines = report.lines or counts.total_interactions
    return BulkLoad(
        result=LoadResult(report=report, counts=counts, graph=graph),
        csv_seconds=csv_done - started,
        import_seconds=import_done - csv_done,
        schema_seconds=schema_done - import_done,
        tool_peak_rss_bytes=tool.peak_rss_bytes,
        dropped=files.dropped,
    )
