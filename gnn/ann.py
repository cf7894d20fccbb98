"""Approximate cosine top-k through an inverted file (IVF), for neighbours among many keys.

Exact top-k of ``Q`` queries among ``N`` keys costs ``Q × N`` dot products: at 500,000 users
against 500,000 that is 2.5 × 10¹¹ (minutes of matrix products and top-k on two cores, for
``SIMILAR_USER``). Here the keys are clustered by spherical k-means into about ``2 √N`` lists;
each query is compared with the keys of its ``probes`` nearest lists only, exactly, so it
costs ``Q × probes × N / lists`` products. Neighbours missed are those in other lists, which
are far by construction: recall@20 is above 0.9 on clustered vectors (``tests/gnn``).
"""

from __future__ import annotations

import math

import torch

__all__ = ["ivf_top_k"]

#: Rows per matrix product of the clustering (bounds memory to ``_ROWS × lists`` floats).
_ROWS = 65_536
#: Similarities held at once within one list (an unbalanced list is searched in row chunks).
_FLOATS = 2**25


def _nearest(vectors: torch.Tensor, centroids: torch.Tensor, n: int) -> torch.Tensor:
    """``[V, n]`` indices of each vector's ``n`` most similar centroids, in chunks."""
    out = [
        torch.topk(vectors[lo : lo + _ROWS] @ centroids.T, n, dim=1).indices
        for lo in range(0, vectors.shape[0], _ROWS)
    ]
    return torch.cat(out) if out else torch.empty((0, n), dtype=torch.long)


def _kmeans(keys: torch.Tensor, lists: int, iterations: int, gen: torch.Generator) -> torch.Tensor:
    """Spherical k-means centroids ``[lists, d]`` (normalised), seeded by a sample of keys."""
    centroids = keys[torch.randperm(keys.shape[0], generator=gen)[:lists]].clone()
    for _ in range(iterations):
        assign = _nearest(keys, centroids, 1).ravel()
        sums = torch.zeros_like(centroids).index_add_(0, assign, keys)
        empty = torch.bincount(assign, minlength=lists) == 0
        sums[empty] = centroids[empty]  # an empty list keeps its centroid
        centroids = torch.nn.functional.normalize(sums, dim=1)
    return centroids


def _merge(
    queries: torch.Tensor,
    keys: torch.Tensor,
    members: torch.Tensor,
    rows: torch.Tensor,
    own: torch.Tensor,
    best_idx: torch.Tensor,
    best_val: torch.Tensor,
) -> None:
    """Merge the top-k of query ``rows`` among the keys ``members`` into ``best_*`` (in place)."""
    sim = queries[rows] @ keys[members].T
    sim = sim.masked_fill(members.unsqueeze(0) == own[rows].unsqueeze(1), -torch.inf)
    top = torch.topk(sim, min(best_val.shape[1], len(members)), dim=1)
    val = torch.cat([best_val[rows], top.values], dim=1)
    idx = torch.cat([best_idx[rows], members[top.indices]], dim=1)
    merged = torch.topk(val, best_val.shape[1], dim=1)
    best_val[rows] = merged.values
    best_idx[rows] = idx.gather(1, merged.indices)


def ivf_top_k(
    queries: torch.Tensor,
    keys: torch.Tensor,
    k: int,
    self_keys: torch.Tensor | None = None,
    *,
    probes: int = 16,
    iterations: int = 8,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Approximate cosine top-k of normalised ``queries`` ``[Q, d]`` among ``keys`` ``[N, d]``.

    Args:
        queries: Normalised query vectors.
        keys: Normalised key vectors.
        k: Neighbours per query.
        self_keys: ``[Q]`` key index never returned for each query (``-1``: none).
        probes: Lists searched per query (more: better recall, slower).
        iterations: k-means iterations.
        seed: Seed of the clustering.

    Returns:
        ``(indices [Q, k], scores [Q, k])`` into ``keys``, best first; slots without a
        neighbour (fewer than ``k`` keys in the probed lists) score ``-inf``.
    """
    n_keys = keys.shape[0]
    gen = torch.Generator().manual_seed(seed)
    lists = max(1, min(n_keys, round(2 * math.sqrt(n_keys))))
    probes = min(probes, lists)
    centroids = _kmeans(keys, lists, iterations, gen)
    key_list = _nearest(keys, centroids, 1).ravel()
    order = torch.argsort(key_list, stable=True)
    starts = torch.searchsorted(key_list[order], torch.arange(lists + 1))
    probed = _nearest(queries, centroids, probes)  # [Q, probes]
    q_order = torch.argsort(probed.ravel(), stable=True)
    q_starts = torch.searchsorted(probed.ravel()[q_order], torch.arange(lists + 1))
    best_val = torch.full((queries.shape[0], k), -torch.inf)
    best_idx = torch.zeros((queries.shape[0], k), dtype=torch.long)
    own = self_keys if self_keys is not None else torch.full((queries.shape[0],), -1)
    for c in range(lists):
        members = order[starts[c] : starts[c + 1]]
        rows = q_order[q_starts[c] : q_starts[c + 1]] // probes
        step = max(1, _FLOATS // max(len(members), 1))
        for lo in range(0, len(rows) if len(members) else 0, step):
            _merge(queries, keys, members, rows[lo : lo + step], own, best_idx, best_val)
    return best_idx, best_val
