"""GF-CF (Shen et al. 2021, "How Powerful is Graph Convolution for Recommendation?").

A training-free graph filter: with the train matrix ``R`` ``[U, I]`` and its degree-normalised
form ``R̃ = D_U^{-1/2} R D_I^{-1/2}``, a user's scores are

    s_u = r_u (R̃ᵀR̃ + alpha · D_I^{-1/2} V Vᵀ D_I^{1/2})

where ``R̃ᵀR̃`` is the normalised item-item graph (a linear low-pass filter) and ``V`` ``[I,
factors]`` holds the top right singular vectors of ``R̃`` (the ideal low-pass filter). Nothing
``[I, I]`` is materialised: ``r_u R̃ᵀR̃`` is two sparse products and the ideal part goes through
the ``factors``-dimensional space. Tuned on valid over ``alpha`` × ``factors``
(:data:`gnn.baselines.GRIDS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from gnn.baselines import GRIDS, Fitted, tune
from gnn.protocol import ScoreFn, Split

__all__ = ["fit_gfcf", "normalised", "top_singular_vectors"]

#: Up to this many rows (the smaller side of ``R̃``) a dense SVD is used; beyond, ARPACK.
DENSE_SVD_MAX = 4096


def _inv_sqrt(degrees: np.ndarray) -> np.ndarray:
    out = np.zeros_like(degrees, dtype=np.float64)
    np.divide(1.0, np.sqrt(degrees), out=out, where=degrees > 0)
    return out


def normalised(train: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """``R̃ = D_U^{-1/2} R D_I^{-1/2}`` (zero-degree rows/columns stay zero) and item degrees."""
    r = train.astype(np.float64).tocsr()
    d_u = np.asarray(r.sum(1)).ravel()
    d_i = np.asarray(r.sum(0)).ravel()
    r_t = sp.diags(_inv_sqrt(d_u)) @ r @ sp.diags(_inv_sqrt(d_i))
    return sp.csr_matrix(r_t), d_i


def top_singular_vectors(matrix: sp.csr_matrix, count: int) -> np.ndarray:
    """``[I, count']`` right singular vectors of ``matrix`` ``[U, I]`` for the ``count'`` =
    ``min(count, rank bound)`` largest singular values, largest first."""
    limit = min(matrix.shape)
    if limit <= DENSE_SVD_MAX:
        vt = np.linalg.svd(matrix.toarray(), full_matrices=False)[2]
        return np.ascontiguousarray(vt[: min(count, limit)].T)
    from scipy.sparse.linalg import svds

    k = min(count, limit - 1)
    _, s, vt = svds(matrix, k=k, random_state=0)
    order = np.argsort(-s)
    return np.ascontiguousarray(vt[order].T)


def fit_gfcf(split: Split, k: int = 20, grid: dict[str, list[Any]] | None = None) -> Fitted:
    """GF-CF tuned on valid NDCG@k over ``alpha`` (weight of the ideal low-pass part) and
    ``factors`` (singular vectors kept)."""
    grid = grid or GRIDS["gfcf"]
    r_t, d_i = normalised(split.train)
    r_tt = r_t.T.tocsr()
    train = split.train.astype(np.float64).tocsr()
    vectors = top_singular_vectors(r_t, max(grid["factors"]))
    left = _inv_sqrt(d_i)[:, None] * vectors  # D_I^{-1/2} V  [I, f]
    right = np.sqrt(d_i)[:, None] * vectors  # D_I^{1/2} V   [I, f]

    def build(alpha: float, factors: int) -> ScoreFn:
        f = min(factors, vectors.shape[1])
        lo, hi = left[:, :f], torch.from_numpy(right[:, :f])

        def score(users: np.ndarray) -> torch.Tensor:
            rows = train[users]
            linear = torch.from_numpy(((rows @ r_tt) @ r_t).toarray())
            if alpha == 0:
                return linear.float()
            ideal = torch.from_numpy(np.asarray(rows @ lo)) @ hi.T
            return (linear + alpha * ideal).float()

        return score

    return tune("gfcf", split, k, grid, build)
