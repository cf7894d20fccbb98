"""Baselines of the offline evaluation, each tuned on the valid split over a documented grid.

MostPop, ItemKNN (cosine with shrinkage), iALS (``implicit``), EASE (closed form) and LightGCN
(PyG); the graph filter GF-CF is in :mod:`gnn.gfcf`. Every ``fit_*`` function returns a
:class:`Fitted` holding the best configuration by valid NDCG@K; the grids are in :data:`GRIDS`
and in ``docs/evaluation.md``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from gnn.head import EaseGram
from gnn.protocol import ScoreFn, Split, evaluate_scores

__all__ = [
    "GRIDS",
    "Fitted",
    "fit_ease",
    "fit_ials",
    "fit_itemknn",
    "fit_lightgcn",
    "fit_mostpop",
    "tune",
]

GRIDS: dict[str, dict[str, list[Any]]] = {
    "itemknn": {
        "neighbours": [5, 10, 20, 50, 100, 200, 500],
        "shrink": [0.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1000.0],
    },
    "ials": {
        "factors": [128, 256, 512, 1024],
        "regularization": [1.0, 10.0, 100.0, 1000.0],
        "alpha": [1.0, 5.0, 20.0, 50.0, 100.0],
        "iterations": [15],
    },
    "ease": {"lambda": [20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 3000.0]},
    "lightgcn": {"num_layers": [1, 2, 3], "lr": [0.01], "embedding_dim": [64]},
    "gfcf": {"alpha": [0.0, 0.1, 0.3, 1.0, 3.0], "factors": [32, 64, 128, 256, 512]},
}


@dataclass
class Fitted:
    """A tuned model: its scorer, chosen parameters and costs.

    Attributes:
        score: Maps user rows ``[B]`` to scores ``[B, num_items]``.
        fit_seconds: Seconds to fit the chosen configuration.
        tune_seconds: Seconds spent on the whole grid (including the chosen fit).
    """

    name: str
    score: ScoreFn
    params: dict[str, Any]
    valid_ndcg: float
    fit_seconds: float
    tune_seconds: float = 0.0
    trials: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Trial:
    """One grid point's outcome; ``score`` builds the scorer, called only for a new best."""

    valid_ndcg: float
    fit_seconds: float
    score: Callable[[], ScoreFn]
    extra: dict[str, Any] = field(default_factory=dict)


def grid_search(name: str, grid: dict[str, list[Any]], run: Callable[..., Trial]) -> Fitted:
    """Run ``run(**params)`` over every point of ``grid``; keep the best valid NDCG."""
    start = time.perf_counter()
    best: Fitted | None = None
    trials = []
    keys = list(grid)
    for values in itertools.product(*(grid[key] for key in keys)):
        params = dict(zip(keys, values, strict=True))
        trial = run(**params)
        trials.append({**params, "valid_ndcg": trial.valid_ndcg, **trial.extra})
        if best is None or trial.valid_ndcg > best.valid_ndcg:
            best = Fitted(name, trial.score(), params, trial.valid_ndcg, trial.fit_seconds)
    assert best is not None
    best.tune_seconds = time.perf_counter() - start
    best.trials = trials
    return best


def tune(
    name: str,
    split: Split,
    k: int,
    grid: dict[str, list[Any]],
    build: Callable[..., ScoreFn],
) -> Fitted:
    """Fit ``build(**params)`` for every grid point, score on valid, keep the best."""

    def run(**params: Any) -> Trial:
        t0 = time.perf_counter()
        score = build(**params)
        fit_s = time.perf_counter() - t0
        _, ndcg, _ = evaluate_scores(score, split, k, "valid")
        return Trial(ndcg, fit_s, lambda: score)

    return grid_search(name, grid, run)


def fit_mostpop(split: Split, k: int = 20) -> Fitted:
    """Rank items by their number of train users."""
    t0 = time.perf_counter()
    pop = torch.from_numpy(np.asarray(split.train.sum(0)).ravel().astype(np.float32))
    fit_s = time.perf_counter() - t0

    def score(users: np.ndarray) -> torch.Tensor:
        return pop.expand(len(users), -1)

    _, ndcg, _ = evaluate_scores(score, split, k, "valid")
    return Fitted("mostpop", score, {}, ndcg, fit_s, fit_s)


def fit_itemknn(split: Split, k: int = 20, grid: dict[str, list[Any]] | None = None) -> Fitted:
    """Item-based KNN: cosine similarity with shrinkage, top-``neighbours`` per item.

    ``sim(i, j) = |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)``; a user's score for ``j`` is the sum
    of ``sim(i, j)`` over her train items ``i`` that keep ``j`` among their neighbours.
    """
    grid = grid or GRIDS["itemknn"]
    x = split.train.astype(np.float32).tocsc()
    norms = np.sqrt(np.asarray(x.sum(0)).ravel())
    xt = x.T.tocsr()
    max_nb = min(max(grid["neighbours"]), split.num_items - 1)
    cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def neighbours_of(shrink: float) -> tuple[np.ndarray, np.ndarray]:
        if shrink not in cache:
            idx = np.zeros((split.num_items, max_nb), dtype=np.int64)
            val = np.zeros((split.num_items, max_nb), dtype=np.float32)
            for lo in range(0, split.num_items, 1024):
                hi = min(lo + 1024, split.num_items)
                co = torch.from_numpy((xt[lo:hi] @ x).toarray())
                denom = torch.from_numpy(np.outer(norms[lo:hi], norms) + shrink + 1e-9)
                sim = (co / denom).float()
                sim[torch.arange(hi - lo), torch.arange(lo, hi)] = 0.0
                top = torch.topk(sim, max_nb, dim=1)
                idx[lo:hi], val[lo:hi] = top.indices.numpy(), top.values.numpy()
            cache[shrink] = (idx, val)
        return cache[shrink]

    def build(neighbours: int, shrink: float) -> ScoreFn:
        idx, val = neighbours_of(shrink)
        nb = min(neighbours, max_nb)
        rows = np.repeat(np.arange(split.num_items), nb)
        sim = sp.csr_matrix(
            (val[:, :nb].ravel(), (rows, idx[:, :nb].ravel())),
            shape=(split.num_items, split.num_items),
        )
        train = split.train

        def score(users: np.ndarray) -> torch.Tensor:
            return torch.from_numpy((train[users] @ sim).toarray())

        return score

    return tune("itemknn", split, k, grid, build)


def fit_ease(split: Split, k: int = 20, grid: dict[str, list[Any]] | None = None) -> Fitted:
    """EASE (Steck 2019): ``B = I - P diagMat(1 / diag(P))``, ``P = (XᵀX + λI)⁻¹``, closed form.

    Items without train interactions are left out of the Gram matrix and scored lowest
    (:class:`gnn.head.EaseGram`, shared with the GNN's item-item head).
    """
    grid = grid or GRIDS["ease"]
    gram = EaseGram(split.train)

    def build(**params: float) -> ScoreFn:
        b = gram.weights(params["lambda"])
        return lambda users: gram.scores(b, users, fill=-1e9)

    return tune("ease", split, k, grid, build)


def fit_ials(
    split: Split,
    k: int = 20,
    grid: dict[str, list[Any]] | None = None,
    num_threads: int = 2,
    seed: int = 0,
) -> Fitted:
    """Implicit ALS (Hu, Koren, Volinsky 2008) with ``implicit.cpu.als``; confidence 1 + alpha."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    grid = grid or GRIDS["ials"]
    train = split.train.astype(np.float32).tocsr()

    def build(factors: int, regularization: float, alpha: float, iterations: int) -> ScoreFn:
        # implicit parallelises with OpenMP and calls BLAS inside: a multi-threaded OpenBLAS
        # there oversubscribes the cores (and warns on every call), as implicit's docs say.
        with threadpool_limits(limits=1, user_api="blas"):
            model = AlternatingLeastSquares(
                factors=factors,
                regularization=regularization,
                alpha=alpha,
                iterations=iterations,
                num_threads=num_threads,
                random_state=seed,
                calculate_training_loss=False,
            )
            model.fit(train, show_progress=False)
        users_f = torch.from_numpy(np.asarray(model.user_factors))
        items_f = torch.from_numpy(np.asarray(model.item_factors))

        def score(users: np.ndarray) -> torch.Tensor:
            return users_f[torch.from_numpy(users)] @ items_f.T

        return score

    return tune("ials", split, k, grid, build)


def fit_lightgcn(
    split: Split,
    k: int = 20,
    grid: dict[str, list[Any]] | None = None,
    seed: int = 0,
    max_epochs: int = 200,
    batch_size: int = 4096,
    eval_every: int = 5,
    patience: int = 4,
) -> Fitted:
    """LightGCN (He et al. 2020) from PyG, BPR loss, early stopping on valid NDCG@k."""
    from torch_geometric.nn.conv.gcn_conv import gcn_norm
    from torch_geometric.nn.models import LightGCN
    from torch_geometric.utils import to_torch_csr_tensor

    grid = grid or GRIDS["lightgcn"]
    coo = split.train.tocoo()
    users = torch.from_numpy(coo.row).long()
    items = torch.from_numpy(coo.col).long()
    n_u, n_i = split.num_users, split.num_items
    edge_index = torch.stack(
        [torch.cat([users, items + n_u]), torch.cat([items + n_u, users])], dim=0
    )
    train_keys = set((users * n_i + items).tolist())
    # The symmetric normalisation D^-1/2 A D^-1/2 once, as a CSR matrix: each propagation is
    # then one sparse matmul instead of a normalisation plus a scatter (8x faster on CPU, same
    # embeddings to 1e-6).
    norm_index, norm_weight = gcn_norm(edge_index, None, n_u + n_i, add_self_loops=False)
    adj_t = to_torch_csr_tensor(norm_index.flip(0), norm_weight, size=(n_u + n_i, n_u + n_i))

    def build(num_layers: int, lr: float, embedding_dim: int) -> ScoreFn:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model = LightGCN(n_u + n_i, embedding_dim, num_layers)
        for conv in model.convs:
            conv.normalize = False  # adj_t is normalised already
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        best_state, best_ndcg, bad = None, -1.0, 0
        holder: dict[str, torch.Tensor] = {}

        def score(rows: np.ndarray) -> torch.Tensor:
            emb = holder["emb"]
            return emb[torch.from_numpy(rows)] @ emb[n_u:].T

        for epoch in range(1, max_epochs + 1):
            model.train()
            perm = torch.randperm(len(users), generator=gen)
            for lo in range(0, len(perm), batch_size):
                idx = perm[lo : lo + batch_size]
                neg = torch.randint(0, n_i, (len(idx),), generator=gen)
                clash = torch.tensor(
                    [key in train_keys for key in (users[idx] * n_i + neg).tolist()]
                )
                neg[clash] = torch.randint(0, n_i, (int(clash.sum()),), generator=gen)
                emb = model.get_embedding(adj_t)
                u, p, q = emb[users[idx]], emb[items[idx] + n_u], emb[neg + n_u]
                pos_r, neg_r = (u * p).sum(-1), (u * q).sum(-1)
                loss = model.recommendation_loss(
                    pos_r, neg_r, node_id=torch.cat([users[idx], items[idx] + n_u, neg + n_u])
                )
                opt.zero_grad()
                loss.backward()
                opt.step()
            if epoch % eval_every == 0 or epoch == max_epochs:
                model.eval()
                with torch.no_grad():
                    holder["emb"] = model.get_embedding(adj_t)
                _, ndcg, _ = evaluate_scores(score, split, k, "valid")
                if ndcg > best_ndcg:
                    best_ndcg, bad = ndcg, 0
                    best_state = holder["emb"].clone()
                else:
                    bad += 1
                    if bad >= patience:
                        break
        assert best_state is not None
        holder["emb"] = best_state
        return score

    return tune("lightgcn", split, k, grid, build)
