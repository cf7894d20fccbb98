"""Similarity edges, embeddings and vector indexes of the GNN's model versions.

``SIMILAR_TO`` (title → title) and ``SIMILAR_USER`` (user → user) edges carry ``{score (cosine),
rank (1..k), model, modelVersion, computedAt}``. A version's edges are written next to the
serving version's and old versions are deleted after promotion; embeddings are node properties
(``embedding``, ``embeddingVersion``) searched through the vector indexes ``title_embedding``
and ``user_embedding``. The GNN hands plain rows here (ids, scores, lists of floats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from graph.batches import write_all

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = [
    "Kind",
    "Neighbours",
    "delete_versions",
    "edge_counts",
    "ensure_vector_indexes",
    "lacking_embeddings",
    "write_embeddings",
    "write_similar",
]

Kind = Literal["title", "user"]
#: One source and its neighbours, best first: ``(source id, [(target id, score), ...])``.
Neighbours = tuple[str, list[tuple[str, float]]]
Progress = Callable[[int, int], None]

_SIMILAR = {"title": "gnn_write_similar_titles", "user": "gnn_write_similar_users"}
_DELETE = {"title": "gnn_delete_similar_titles", "user": "gnn_delete_similar_users"}
_EMBED = {"title": "gnn_write_title_embeddings", "user": "gnn_write_user_embeddings"}
_LACKING = {"title": "gnn_titles_lacking_embedding", "user": "gnn_users_lacking_embedding"}


def write_similar(
    conn: Connection,
    kind: Kind,
    rows: Iterable[Neighbours],
    *,
    model: str,
    version: str,
    total: int = 0,
    batch_edges: int = 10_000,
    progress: Progress | None = None,
    workers: int = 2,
) -> int:
    """Write ``SIMILAR_TO`` (titles) or ``SIMILAR_USER`` (users) edges of one model version.

    Each source's edges of the version are replaced, so rerunning a write (after a crash, or
    to restore a pruned version) leaves exactly its top-k. Batches never share a source, so two
    run at once (a deadlock on a shared target is retried).

    Args:
        conn: The connection.
        kind: ``title`` or ``user``.
        rows: Each source with its ranked neighbours (sources without any are skipped).
        model: Model name.
        version: Model version.
        total: The number of edges, for ``progress``.
        batch_edges: Edges per transaction.
        progress: Called with (edges written so far, ``total``).
        workers: Batches written concurrently.

    Returns:
        The number of edges written.
    """
    params = {"model": model, "version": version, "computed_at": dt.datetime.now(dt.UTC)}
    written = 0

    def batches() -> Iterator[tuple[list[dict[str, Any]], int]]:
        batch: list[dict[str, Any]] = []
        pending = 0
        for source, targets in rows:
            if not targets:
                continue
            batch.append(
                {
                    "source": source,
                    "targets": [
                        {"id": target, "score": score, "rank": rank}
                        for rank, (target, score) in enumerate(targets, start=1)
                    ],
                }
            )
            pending += len(targets)
            if pending >= batch_edges:
                yield batch, pending
                batch, pending = [], 0
        if batch:
            yield batch, pending

    def done(edges: int) -> None:
        nonlocal written
        written += edges
        if progress:
            progress(written, total)

    write_all(conn, _SIMILAR[kind], batches(), params, workers=workers, on_done=done)
    return written


def write_embeddings(
    conn: Connection,
    kind: Kind,
    ids: Sequence[str],
    vectors: Sequence[Sequence[float]],
    version: str,
    batch_size: int = 5_000,
) -> int:
    """Store one vector per id as ``embedding`` (and ``embeddingVersion``) of titles or users.

    Returns:
        The number of nodes written.
    """
    for lo in range(0, len(ids), batch_size):
        rows = [
            {"id": i, "embedding": list(v)}
            for i, v in zip(ids[lo : lo + batch_size], vectors[lo : lo + batch_size], strict=True)
        ]
        conn.write(_EMBED[kind], {"rows": rows, "version": version})
    return len(ids)


def ensure_vector_indexes(conn: Connection, dimensions: int) -> None:
    """Create the cosine vector indexes ``title_embedding`` / ``user_embedding`` for a size.

    An index of another size (an earlier model with another ``dim``) is dropped and recreated.
    """
    current = {r["name"]: r["dimensions"] for r in conn.rows("gnn_show_vector_indexes")}
    for kind in ("title", "user"):
        name = f"{kind}_embedding"
        if name in current and current[name] not in (None, dimensions):
            conn.rows(f"gnn_drop_{kind}_vector_index", write=True)
        conn.rows(f"gnn_create_{kind}_vector_index", {"dimensions": dimensions}, write=True)
    conn.rows("await_indexes", write=True)


def delete_versions(
    conn: Connection,
    model: str,
    versions: Sequence[str],
    source_ids: dict[Kind, Sequence[str]] | None = None,
    batch_size: int = 20_000,
) -> int:
    """Delete the similarity edges of some versions (optionally only from some sources).

    Returns:
        The number of edges deleted.
    """
    if not versions:
        return 0
    total = 0
    kinds: tuple[Kind, ...] = ("title", "user")
    for kind in kinds:
        sources = None if source_ids is None else list(source_ids.get(kind, []))
        if sources == []:
            continue
        params = {
            "model": model,
            "versions": list(versions),
            "source_ids": sources,
            "batch_size": batch_size,
        }
        total += conn.delete_in_batches(_DELETE[kind], params)
    return total


def edge_counts(conn: Connection, model: str) -> dict[str, int]:
    """The number of ``SIMILAR_TO`` plus ``SIMILAR_USER`` edges of each version of ``model``."""
    counts: dict[str, int] = {}
    for row in conn.rows("gnn_count_similar_edges", {"model": model}):
        counts[row["version"]] = counts.get(row["version"], 0) + int(row["edges"])
    return counts


def lacking_embeddings(conn: Connection, kind: Kind, version: str) -> list[str]:
    """Ids of the titles or users whose embedding is missing or not of ``version``."""
    return [row["id"] for row in conn.rows(_LACKING[kind], {"version": version})]
