"""Nearest neighbours of the learned embeddings, as rows for ``graph.similarity``.

Exact cosine top-k of L2-normalised vectors in chunks (memory ``chunk × N`` floats, at most
``_CHUNK_FLOATS``), or, beyond ``EXACT_MAX_PAIRS`` query-key pairs (the users of a
10 M-interaction graph), approximate top-k through an inverted file (:mod:`gnn.ann`). The rows
name each source's neighbours, best first, and ``graph.similarity`` writes them as
``SIMILAR_TO`` / ``SIMILAR_USER`` edges of a model version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import torch

from gnn.ann import ivf_top_k
from graph.similarity import Neighbours

__all__ = ["Adjust", "neighbour_rows", "neighbours", "top_k"]

#: Replaces a chunk of cosines ``[C, N]`` of query rows ``lo .. lo + C`` by another similarity.
Adjust = Callable[[torch.Tensor, int], torch.Tensor]

#: Above this many query × key pairs (100,000 users against 100,000) neighbours without an
#: ``adjust`` are approximate (:func:`gnn.ann.ivf_top_k`); exact below.
EXACT_MAX_PAIRS = 10**10
#: Cosines held at once by :func:`top_k` (512 MiB of float32).
_CHUNK_FLOATS = 2**27


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
    chunk = max(1, min(chunk, _CHUNK_FLOATS // max(keys.shape[0], 1)))
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
    """Top-k keys of each query, skipping the query's own key row ``self_rows[q]`` (if given,
    ``-1``: none); ``adjust`` as in :func:`top_k`. Approximate beyond :data:`EXACT_MAX_PAIRS`
    pairs when there is no ``adjust``.

    Returns:
        ``(indices [Q, k'], scores [Q, k'])``; slots without a neighbour score ``-inf``.
    """
    allowed = keys.shape[0] if candidates is None else int(candidates.sum())
    if adjust is None and queries.shape[0] * allowed > EXACT_MAX_PAIRS:
        return _approximate(queries, keys, k, candidates, self_rows)
    idx, val = top_k(queries, keys, k + 1, candidates=candidates, exclude_self=False, adjust=adjust)
    if self_rows is not None:
        val = val.masked_fill(idx == self_rows.unsqueeze(1), -torch.inf)
    val, order = torch.sort(val, dim=1, descending=True, stable=True)
    return idx.gather(1, order)[:, :k], val[:, :k]


def _approximate(
    queries: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    candidates: torch.Tensor | None,
    self_rows: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`neighbours` through :func:`gnn.ann.ivf_top_k` over the candidate keys."""
    keep = torch.arange(keys.shape[0]) if candidates is None else torch.nonzero(candidates).ravel()
    position = torch.full((keys.shape[0] + 1,), -1, dtype=torch.long)
    position[keep] = torch.arange(len(keep))
    own = None if self_rows is None else position[torch.where(self_rows < 0, -1, self_rows)]
    idx, val = ivf_top_k(queries, keys[keep], min(k, len(keep)), own)
    return keep[idx], val


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
