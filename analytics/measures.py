"""The measures of one analysis, on integer-indexed graphs: communities, influence, bridging,
the co-engagement projection of titles, homophily and genre profiles.

Every function is pure (arrays in, arrays out); :mod:`analytics.pipeline` reads the graph,
calls them and writes the results back.
"""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = [
    "Edges",
    "bridging",
    "co_engagement",
    "community_links",
    "genre_profile",
    "homophily",
    "influence",
    "louvain",
    "top_genres",
]

#: Undirected or directed weighted edges as parallel arrays: sources, targets, weights.
Edges = tuple[np.ndarray, np.ndarray, np.ndarray]
Step = Callable[[int, int], None]


def _graph(n: int, edges: Edges) -> nx.Graph:
    """The undirected graph of the edges (a pair given twice adds its weights; no loops)."""
    upper = sp.triu(_adjacency(n, edges), k=1).tocoo()
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist(), strict=True)
    )
    return graph


def louvain(
    n: int,
    edges: Edges,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    step: Step | None = None,
) -> np.ndarray:
    """Louvain communities of an undirected weighted graph on nodes ``0..n-1``.

    Args:
        n: Number of nodes.
        edges: Undirected edges (a pair given twice adds its weights).
        resolution: Above 1 favours smaller communities, below 1 larger ones.
        seed: Random seed of the node order (the result is deterministic for a seed).
        step: Called with (level, communities at that level) after each Louvain level.

    Returns:
        ``labels[n]``: community of each node, ``0`` the largest, ``-1`` for nodes without edges.
    """
    graph = _graph(n, edges)
    labels = np.full(n, -1, dtype=np.int64)
    if graph.number_of_edges() == 0:
        return labels
    partition: list[set[int]] = []
    levels = nx.community.louvain_partitions(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    for level, partition in enumerate(levels, start=1):
        if step:
            step(level, len(partition))
    ordered = sorted(partition, key=lambda c: (-len(c), min(c)))
    for rank, members in enumerate(ordered):
        labels[list(members)] = rank
    return labels


def influence(n: int, edges: Edges, *, alpha: float = 0.85, tol: float = 1e-8) -> np.ndarray:
    """PageRank over the directed links, scaled so that the average linked node scores 1.0.

    A friendship counts in both directions, a trust from truster to trusted; nodes without
    links score 0. The power iteration of networkx's ``pagerank`` on a scipy matrix (the same
    scores, tested against it), without building a networkx graph of every link first.

    Returns:
        ``scores[n]``.
    """
    src, dst, w = edges
    scores = np.zeros(n, dtype=np.float64)
    keep = src != dst
    if not keep.any():
        return scores
    nodes = np.unique(np.concatenate([src[keep], dst[keep]]))
    pos = np.full(n, -1, dtype=np.int64)
    pos[nodes] = np.arange(nodes.size)
    m = nodes.size
    a = sp.csr_matrix((w[keep], (pos[src[keep]], pos[dst[keep]])), shape=(m, m))
    out = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(m), where=out > 0)
    transition = (sp.diags(inv) @ a).T.tocsr()
    dangling = out == 0
    x = np.full(m, 1.0 / m)
    for _ in range(200):
        last = x
        x = alpha * (transition @ x + x[dangling].sum() / m) + (1 - alpha) / m
        if np.abs(x - last).sum() < m * tol:
            break
    scores[nodes] = x * m
    return scores


def _adjacency(n: int, edges: Edges) -> sp.csr_matrix:
    src, dst, w = edges
    keep = src != dst
    a = sp.coo_matrix((w[keep], (src[keep], dst[keep])), shape=(n, n)).tocsr()
    return (a + a.T).tocsr()


def _membership(labels: np.ndarray) -> sp.csr_matrix:
    inside = np.flatnonzero(labels >= 0)
    k = int(labels.max()) + 1 if inside.size else 0
    return sp.csr_matrix(
        (np.ones(inside.size), (inside, labels[inside])), shape=(labels.size, max(k, 1))
    )


def bridging(n: int, edges: Edges, labels: np.ndarray) -> np.ndarray:
    """Participation coefficient of each node: ``1 - Σ_c (k_ic / k_i)²``.

    0 when all of a node's link weight stays inside one community; towards 1 when it is spread
    over many communities (the node bridges them).
    """
    per_community = (_adjacency(n, edges) @ _membership(labels)).tocsr()
    degree = np.asarray(per_community.sum(axis=1)).ravel()
    squares = np.asarray(per_community.multiply(per_community).sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 1.0 - squares / (degree**2)
    return np.where(degree > 0, p, 0.0)


def community_links(edges: Edges, labels: np.ndarray) -> tuple[float, float, list[tuple]]:
    """How the links fall between communities.

    Returns:
        ``(inside, expected, pairs)``: the share of links inside a community, the share a
        random graph with the same degrees would have (Σ_c (vol_c / 2m)²; ``inside -
        expected`` is the modularity), and the community pairs joined by the most links,
        ``[(a, b, links)]``, most first.
    """
    src, dst, _ = edges
    keep = (src != dst) & (labels[src] >= 0) & (labels[dst] >= 0)
    ca, cb = labels[src[keep]], labels[dst[keep]]
    m = int(keep.sum())
    if m == 0:
        return 0.0, 0.0, []
    inside = float((ca == cb).mean())
    volume = np.bincount(np.concatenate([ca, cb]), minlength=int(labels.max()) + 1)
    expected = float(((volume / (2 * m)) ** 2).sum())
    lo, hi = np.minimum(ca, cb)[ca != cb], np.maximum(ca, cb)[ca != cb]
    pairs: list[tuple] = []
    if lo.size:
        keys, counts = np.unique(np.stack([lo, hi]), axis=1, return_counts=True)
        for i in np.argsort(-counts, kind="stable")[:10]:
            pairs.append((int(keys[0, i]), int(keys[1, i]), int(counts[i])))
    return inside, expected, pairs


def co_engagement(
    engaged: sp.csr_matrix,
    *,
    k: int = 20,
    min_common: int = 2,
    chunk: int = 2_000,
    step: Step | None = None,
) -> Edges:
    """The co-engagement projection of titles: each title's ``k`` closest titles.

    Two titles are close when many users engaged with both, relative to how popular each is
    (cosine of their user columns: ``common / sqrt(users_i · users_j)``); a pair needs at least
    ``min_common`` users in common. Computed ``chunk`` titles at a time, so memory holds one
    block of the title-by-title matrix.

    Args:
        engaged: Users × titles, nonzero where the user engaged with the title.
        k: Neighbours kept per title.
        min_common: Users two titles need in common.
        chunk: Titles per block.
        step: Called with (titles done, titles).

    Returns:
        The undirected edges ``(i, j, cosine)`` (a pair kept by both titles appears twice).
    """
    binary = engaged.copy().tocsr()
    binary.data[:] = 1.0
    popularity = np.asarray(binary.sum(axis=0)).ravel()
    by_title = binary.T.tocsr()
    n = binary.shape[1]
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    for start in range(0, n, chunk):
        block = (by_title[start : start + chunk] @ binary).tocsr()
        for r in range(block.shape[0]):
            i = start + r
            lo, hi = block.indptr[r], block.indptr[r + 1]
            cols, common = block.indices[lo:hi], block.data[lo:hi]
            keep = (cols != i) & (common >= min_common)
            cols, common = cols[keep], common[keep]
            if cols.size == 0:
                continue
            cosine = common / np.sqrt(popularity[i] * popularity[cols])
            if cols.size > k:
                best = np.argpartition(-cosine, k - 1)[:k]
                cols, cosine = cols[best], cosine[best]
            src.append(np.full(cols.size, i, dtype=np.int64))
            dst.append(cols.astype(np.int64))
            wts.append(cosine)
        if step:
            step(min(start + chunk, n), n)
    if not src:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(src), np.concatenate(dst), np.concatenate(wts)


def homophily(
    tastes: sp.csr_matrix, pairs: tuple[np.ndarray, np.ndarray], *, seed: int = 0
) -> tuple[float, float, int]:
    """How alike linked users' tastes are, against random pairs of users.

    Args:
        tastes: One row per user (titles or genres); rows without any engagement are ignored.
        pairs: The linked user pairs ``(a, b)``.
        seed: Seed of the random pairs (as many as linked pairs with tastes on both sides).

    Returns:
        ``(linked, random, pairs)``: mean cosine similarity of the linked pairs, of the random
        pairs, and how many linked pairs were compared.
    """
    norms = np.sqrt(np.asarray(tastes.multiply(tastes).sum(axis=1)).ravel())
    has = norms > 0
    unit = sp.diags(np.where(has, 1.0 / np.where(has, norms, 1.0), 0.0)) @ tastes
    unit = unit.tocsr()
    a, b = pairs
    keep = has[a] & has[b] & (a != b)
    a, b = a[keep], b[keep]
    if a.size == 0:
        return 0.0, 0.0, 0
    linked = np.asarray(unit[a].multiply(unit[b]).sum(axis=1)).ravel()
    users = np.flatnonzero(has)
    rng = np.random.default_rng(seed)
    ra, rb = rng.choice(users, a.size), rng.choice(users, a.size)
    distinct = ra != rb
    chance = np.asarray(unit[ra[distinct]].multiply(unit[rb[distinct]]).sum(axis=1)).ravel()
    return float(linked.mean()), float(chance.mean()) if chance.size else 0.0, int(a.size)


def genre_profile(members: sp.csr_matrix, genres: sp.csr_matrix) -> sp.csr_matrix:
    """Genre counts per community: ``members`` (communities × items) @ ``genres`` (items ×
    genres)."""
    return (members @ genres).tocsr()


def top_genres(
    counts: np.ndarray, overall: np.ndarray, names: list[str], *, limit: int = 3
) -> list[str]:
    """The genres that set a community apart: most over-represented against the whole graph.

    Among the genres holding at least 10% of the community's genre counts, the ``limit`` with
    the highest lift (share in the community / share overall); the most frequent when none does.
    """
    total, grand = counts.sum(), overall.sum()
    if total <= 0 or grand <= 0:
        return []
    share = counts / total
    lift = share / np.where(overall > 0, overall / grand, np.inf)
    frequent = np.flatnonzero(share >= 0.10)
    if frequent.size == 0:
        frequent = np.flatnonzero(counts > 0)
    order = frequent[np.lexsort((np.array(names, dtype=object)[frequent], -lift[frequent]))]
    return [names[i] for i in order[:limit]]
