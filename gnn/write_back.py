"""Nearest neighbours of the learned embeddings, as rows for ``graph.similarity``.

Exact cosine top-k of L2-normalised vectors in chunks (memory ``chunk × N`` floats); the rows
name each source's neighbours, best first, and ``graph.similarity`` writes them as
``SIMILAR_TO`` / ``SIMILAR_USER`` edges of a model version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch

from graph.similarity import Neighbours

__all__ = ["Adjust", "neighbour_rows", "neighbours", "top_k"]

#: Replaces a chunk of cosines ``[C, N]`` of query rows ``lo .. lo + C`` by another similarity.
Adjust = Callable[[torch.Tensor, int], torch.Tensor]


def top_k(
    queries: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    candidates: torch.Tensor | None = None,
    exclude_self: bool = True,
    chunk: int = 2048,
    adjust: Adjust | None = None,
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
        adjust: Turns each chunk's cosines into the similarity ranked (the item head's blend).

    Returns:
        ``(indices [Q, k'], scores [Q, k'])`` with ``k' = min(k, allowed keys)``, best first;
        disallowed slots (fewer candidates than ``k``) have score ``-inf``.
    """
    allowed = int(candidates.sum()) if candidates is not None else keys.shape[0]
    kk = max(0, min(k, allowed - (1 if exclude_self else 0)))
    idx_out, val_out = [], []
    for lo in range(0, queries.shape[0], chunk):
        sim = queries[lo : lo + chunk] @ keys.T
        if adjust is not None:
            sim = adjust(sim, lo)
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
    adjust: Adjust | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k keys of each query, skipping the query's own key row ``self_rows[q]`` (if given);
    ``adjust`` as in :func:`top_k`.

    Returns:
        ``(indices [Q, k'], scores [Q, k'])``; slots without a neighbour score ``-inf``.
    """
    idx, val = top_k(queries, keys, k + 1, candidates=candidates, exclude_self=False, adjust=adjust)
    if self_rows is not None:
        val = val.masked_fill(idx == self_rows.unsqueeze(1), -torch.inf)
    val, order = torch.sort(val, dim=1, descending=True, stable=True)
    return idx.gather(1, order)[:, :k], val[:, :k]


def neighbour_rows(
    source_ids: Sequence[str],
    target_ids: Sequence[str],
    indices: torch.Tensor,
    scores: torch.Tensor,
) -> Iterator[Neighbours]:
    """Each source with its neighbours, best first, skipping ``-inf`` slots.

    Args:
        source_ids: Id of each query row.
        target_ids: Id of each key index.
        indices: ``[Q, k]`` neighbour indices into ``target_ids``.
        scores: ``[Q, k]`` cosine scores (clamped to [-1, 1]).
    """
    finite = scores.isfinite().tolist()
    values = scores.clamp(-1.0, 1.0).tolist()
    for source, nbrs, vals, oks in zip(source_ids, indices.tolist(), values, finite, strict=True):
        yield (
            source,
            [(target_ids[j], float(v)) for j, v, ok in zip(nbrs, vals, oks, strict=True) if ok],
        )
