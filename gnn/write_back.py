"""Write-back: top-k similarity edges, embeddings and vector indexes, in batched UNWIND writes.

Edges carry ``{score (cosine), rank (1..k), model, modelVersion, computedAt}``; new-version
edges are written next to the serving version's, and old versions are deleted after promotion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import torch

import cypher
from graph.batches import run_consumed, write_all

if TYPE_CHECKING:
    import neo4j

    from graph.settings import Settings

__all__ = [
    "delete_versions",
    "ensure_vector_indexes",
    "neighbours",
    "top_k",
    "write_embeddings",
    "write_similar",
]

Kind = Literal["title", "user"]
Progress = Callable[[int, int], None]

_SIMILAR = {"title": "gnn_write_similar_titles", "user": "gnn_write_similar_users"}
_DELETE = {"title": "gnn_delete_similar_titles", "user": "gnn_delete_similar_users"}
_EMBED = {"title": "gnn_write_title_embeddings", "user": "gnn_write_user_embeddings"}


def top_k(
    queries: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    candidates: torch.Tensor | None = None,
    exclude_self: bool = True,
    chunk: int = 2048,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact cosine top-k of L2-normalised vectors, in chunks of queries.

    Args:
        queries: ``[Q, d]`` normalised query vectors.
        keys: ``[N, d]`` normalised key vectors (queries ``i`` is keys ``i`` when
            ``exclude_self``).
        k: Neighbours per query.
        candidates: ``[N]`` bool, keys allowed as neighbours (default all).
        exclude_self: Never return key ``i`` for query ``i``.
        chunk: Queries per matrix product (bounds memory to ``chunk × N`` floats).

    Returns:
        ``(indices [Q, k'], scores [Q, k'])`` with ``k' = min(k, allowed keys)``, best first;
        disallowed slots (fewer candidates than ``k``) have score ``-inf``.
    """
    allowed = int(candidates.sum()) if candidates is not None else keys.shape[0]
    kk = max(0, min(k, allowed - (1 if exclude_self else 0)))
    idx_out, val_out = [], []
    for lo in range(0, queries.shape[0], chunk):
        sim = queries[lo : lo + chunk] @ keys.T
        if candidates is not None:
            sim[:, ~candidates] = -torch.inf
        if exclude_self:
            rows = torch.arange(sim.shape[0])
            cols = rows + lo
            ok = cols < keys.shape[0]
            sim[rows[ok], cols[ok]] = -torch.inf
        top = torch.topk(sim, kk, dim=1)
        idx_out.append(top.indices)
        val_out.append(top.values)
    if not idx_out:
        return torch.empty((0, kk), dtype=torch.long), torch.empty((0, kk))
    return torch.cat(idx_out), torch.cat(val_out)


def neighbours(
    queries: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    candidates: torch.Tensor | None = None,
    self_rows: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k keys of each query, skipping the query's own key row ``self_rows[q]`` (if given).

    Returns:
        ``(indices [Q, k'], scores [Q, k'])``; slots without a neighbour score ``-inf``.
    """
    idx, val = top_k(queries, keys, k + 1, candidates=candidates, exclude_self=False)
    if self_rows is not None:
        val = val.masked_fill(idx == self_rows.unsqueeze(1), -torch.inf)
    val, order = torch.sort(val, dim=1, descending=True, stable=True)
    return idx.gather(1, order)[:, :k], val[:, :k]


def write_similar(
    drv: neo4j.Driver,
    settings: Settings,
    kind: Kind,
    source_ids: Sequence[str],
    target_ids: Sequence[str],
    indices: torch.Tensor,
    scores: torch.Tensor,
    *,
    model: str,
    version: str,
    batch_edges: int = 10_000,
    progress: Progress | None = None,
    workers: int = 2,
) -> int:
    """Write ``SIMILAR_TO`` (titles) or ``SIMILAR_USER`` (users) edges of one model version.

    Each source's edges of the version are replaced, so rerunning a write (after a crash, or
    to restore a pruned version) leaves exactly its top-k.

    Args:
        drv: An open driver.
        settings: Settings naming the database.
        kind: ``title`` or ``user``.
        source_ids: Id of each query row.
        target_ids: Id of each key index.
        indices: ``[Q, k]`` neighbour indices into ``target_ids``.
        scores: ``[Q, k]`` cosine scores (``-inf`` slots are skipped).
        model: Model name.
        version: Model version.
        batch_edges: Edges per transaction.
        progress: Called with (edges written so far, total edges).
        workers: Batches written concurrently.

    Returns:
        The number of edges written.
    """
    query = cypher.load(_SIMILAR[kind])
    params = {"model": model, "version": version, "computed_at": dt.datetime.now(dt.UTC)}
    finite = scores.isfinite()
    idx, val, ok = indices.tolist(), scores.clamp(-1.0, 1.0).tolist(), finite.tolist()
    total = int(finite.sum())
    written = 0

    def batches() -> Iterator[tuple[list[dict[str, Any]], int]]:
        rows: list[dict[str, Any]] = []
        pending = 0
        for source, nbrs, vals, oks in zip(source_ids, idx, val, ok, strict=True):
            targets = [
                {"id": target_ids[j], "score": float(s), "rank": r + 1}
                for r, (j, s, good) in enumerate(zip(nbrs, vals, oks, strict=True))
                if good
            ]
            if targets:
                rows.append({"source": source, "targets": targets})
                pending += len(targets)
            if pending >= batch_edges:
                yield rows, pending
                rows, pending = [], 0
        if rows:
            yield rows, pending

    def done(edges: int) -> None:
        nonlocal written
        written += edges
        if progress:
            progress(written, total)

    # Each batch replaces its own sources' edges: batches never touch the same source, so two
    # can run at once (a deadlock on a shared target is retried by write_all).
    write_all(drv, settings.neo4j_database, query, batches(), params, workers=workers, on_done=done)
    return written


def write_embeddings(
    drv: neo4j.Driver,
    settings: Settings,
    kind: Kind,
    ids: Sequence[str],
    vectors: torch.Tensor,
    version: str,
    batch_size: int = 5_000,
) -> int:
    """Store ``[N, d]`` vectors as ``embedding`` (and ``embeddingVersion``) of titles or users."""
    query = cypher.load(_EMBED[kind])
    values = vectors.tolist()
    with drv.session(database=settings.neo4j_database) as session:
        for lo in range(0, len(ids), batch_size):
            rows = [
                {"id": i, "embedding": v}
                for i, v in zip(
                    ids[lo : lo + batch_size], values[lo : lo + batch_size], strict=True
                )
            ]
            session.execute_write(run_consumed, query, {"rows": rows, "version": version})
    return len(ids)


def ensure_vector_indexes(drv: neo4j.Driver, settings: Settings, dimensions: int) -> None:
    """Create the cosine vector indexes ``title_embedding`` / ``user_embedding`` for a size.

    An index of another size (an earlier model with another ``dim``) is dropped and recreated.
    """
    db = settings.neo4j_database
    records, _, _ = drv.execute_query(cypher.load("gnn_show_vector_indexes"), database_=db)
    current = {r["name"]: r["dimensions"] for r in records}
    for kind in ("title", "user"):
        name = f"{kind}_embedding"
        if name in current and current[name] not in (None, dimensions):
            drv.execute_query(cypher.load(f"gnn_drop_{kind}_vector_index"), database_=db)
        drv.execute_query(
            cypher.load(f"gnn_create_{kind}_vector_index"), dimensions=dimensions, database_=db
        )
    drv.execute_query(cypher.load("await_indexes"), database_=db)


def delete_versions(
    drv: neo4j.Driver,
    settings: Settings,
    model: str,
    versions: Sequence[str],
    source_ids: dict[Kind, Sequence[str]] | None = None,
    batch_size: int = 20_000,
) -> int:
    """Delete the similarity edges of some versions (optionally only from some sources).

    Returns:
        The number of edges deleted.
    """
    total = 0
    if not versions:
        return 0

    def work(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
        record = tx.run(query, params).single()
        return int(record["deleted"]) if record else 0

    with drv.session(database=settings.neo4j_database) as session:
        for kind in ("title", "user"):
            sources = None if source_ids is None else list(source_ids.get(kind, []))
            if sources == []:
                continue
            params = {
                "model": model,
                "versions": list(versions),
                "source_ids": sources,
                "batch_size": batch_size,
            }
            while (deleted := session.execute_write(work, cypher.load(_DELETE[kind]), params)) > 0:
                total += deleted
    return total
