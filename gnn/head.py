"""The item-item head beside the GNN: closed-form EASE weights blended with the GNN's scores.

The head is ``B`` ``[A, A]`` over the ``A`` titles with train interactions (Steck 2019:
``P = (XᵀX + λI)⁻¹``, ``B = -P / diag(P)``, ``diag(B) = 0``); a user's head scores are her train
history times ``B``. The recommender's score blends the two views of a user per title,

    s = (1 - w) · z(GNN logits) + w · z(history · B)

with ``z`` a per-user standardisation over the catalogue, so neither scale dominates; ``λ`` and
``w`` are chosen on valid NDCG (``w = 0`` is the GNN alone, so the blend is never chosen when it
does not help on valid). The GNN sees content, friends and the graph; the head sees exact
item-to-item co-occurrence, which a 128-dimensional embedding smooths away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch

log = logging.getLogger("gnn.head")

__all__ = [
    "HEAD_LAMBDAS",
    "HEAD_WEIGHTS",
    "EaseGram",
    "ItemHead",
    "blend",
    "fit_head",
    "standardise",
]

#: ``λ`` of the head tried on valid (the EASE baseline's grid).
HEAD_LAMBDAS: tuple[float, ...] = (20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 3000.0)
#: At most this many titles in the head (``[A, A]`` float32 matrices: three at the peak, 4.8 GB
#: at 20,000; a Cholesky inverse per ``λ``, ~2.5 min at 20,000 on two cores): beyond it, the
#: most interacted ones. ``graphrec train`` bounds it lower (``TrainConfig.head_items``).
HEAD_MAX_ITEMS = 20_000
#: Blend weights tried on valid (0: the GNN alone).
HEAD_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


class EaseGram:
    """The Gram matrix of a binary train matrix ``[U, I]``, over its ``A`` active items.

    float32 throughout: the Gram matrix holds exact integer counts and ``XᵀX + λI`` (λ ≥ 20) is
    well conditioned; it halves time and memory (three ``[A, A]`` matrices at the peak).
    With more than ``max_items`` items with interactions, the ``max_items`` most interacted
    ones (ties: the lower index) are the active items and the others are outside ``B``, as
    items without interactions are: the cost is bounded whatever the catalogue's size.
    """

    def __init__(self, train: sp.csr_matrix, max_items: int | None = None) -> None:
        self.num_items = train.shape[1]
        counts = np.asarray(train.sum(0)).ravel()
        active = np.flatnonzero(counts > 0)
        #: Items with interactions left out of the head (beyond ``max_items``).
        self.left_out = 0
        if max_items is not None and len(active) > max_items:
            order = np.argsort(-counts[active], kind="stable")
            self.left_out = len(active) - max_items
            active = np.sort(active[order[:max_items]])
            log.warning(
                "item head: %s items have interactions, more than %s: the head covers the "
                "%s most interacted (%.1f %% of the interactions)",
                f"{len(order):,}", f"{max_items:,}", f"{max_items:,}",
                100 * counts[active].sum() / max(counts.sum(), 1),
            )  # fmt: skip
        self.active = active
        self.train = train[:, self.active].astype(np.float32).tocsr()
        self.gram = torch.from_numpy((self.train.T @ self.train).toarray())

    def weights(self, lam: float) -> torch.Tensor:
        """``B`` ``[A, A]`` for ``λ`` (Cholesky inverse: ``XᵀX + λI`` is positive definite)."""
        g = self.gram.clone()
        g.diagonal().add_(lam)
        chol = torch.linalg.cholesky(g)
        del g
        b = torch.cholesky_inverse(chol)
        del chol
        b.div_(-b.diagonal().clone())  # B = -P / diag(P), column by column
        b.diagonal().zero_()
        return b

    def scores(self, b: torch.Tensor, users: np.ndarray, fill: float = 0.0) -> torch.Tensor:
        """``[len(users), num_items]`` head scores; inactive items get ``fill``."""
        part = torch.from_numpy(np.asarray(self.train[users] @ b.numpy()))  # sparse × dense
        out = torch.full((len(users), self.num_items), fill)
        out[:, torch.from_numpy(self.active)] = part
        return out


def standardise(scores: torch.Tensor) -> torch.Tensor:
    """Per row: subtract the mean and divide by the standard deviation (``[B, I]``)."""
    mean = scores.mean(dim=1, keepdim=True)
    std = scores.std(dim=1, keepdim=True).clamp(min=1e-12)
    return (scores - mean) / std


def blend(gnn: torch.Tensor, head: torch.Tensor, weight: float) -> torch.Tensor:
    """``(1 - w) · z(gnn) + w · z(head)`` for ``[B, I]`` score matrices."""
    if weight <= 0:
        return gnn
    return (1 - weight) * standardise(gnn) + weight * standardise(head)


@dataclass
class ItemHead:
    """A fitted head: ``B`` over the active items of ``gram`` and its blend weight."""

    gram: EaseGram
    lam: float
    weight: float
    b: torch.Tensor

    def scorer(
        self, gnn: Callable[[np.ndarray], torch.Tensor]
    ) -> Callable[[np.ndarray], torch.Tensor]:
        """The blended scorer of user rows, given the GNN's."""
        if self.weight <= 0:
            return gnn
        return lambda users: blend(gnn(users), self.gram.scores(self.b, users), self.weight)

    def title_similarity(self, num_titles: int) -> Callable[[torch.Tensor, int], torch.Tensor]:
        """Blend a chunk of title-title cosines ``[C, T]`` (rows ``lo .. lo + C``) with ``B``.

        Row ``i`` of ``B`` weighs each title for a user who has ``i`` (what "because you
        watched ``i``" ranks); it is scaled by its largest magnitude, so the blend
        ``(1 - w) · cos + w · B[i] / max |B[i]|`` stays in [-1, 1]. Titles outside ``B``
        (no train interactions) keep their cosine, scaled by ``1 - w``.
        """
        active = torch.from_numpy(self.gram.active)
        position = torch.full((num_titles,), -1, dtype=torch.long)
        position[active] = torch.arange(len(active))
        weight = self.weight

        def adjust(sim: torch.Tensor, lo: int) -> torch.Tensor:
            rows = position[lo : lo + sim.shape[0]]
            has = rows >= 0
            part = self.b[rows[has]]
            part = part / part.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
            extra = torch.zeros_like(sim)
            block = torch.zeros(int(has.sum()), sim.shape[1])
            block[:, active] = part
            extra[has] = block
            return (1 - weight) * sim + weight * extra

        return adjust


Validate = Callable[[Callable[[np.ndarray], torch.Tensor]], float]


def fit_head(
    train: sp.csr_matrix,
    gnn: Callable[[np.ndarray], torch.Tensor],
    validate: Validate,
    lambdas: Sequence[float] = HEAD_LAMBDAS,
    weights: Sequence[float] = HEAD_WEIGHTS,
    *,
    users: np.ndarray | None = None,
    max_items: int = HEAD_MAX_ITEMS,
) -> tuple[ItemHead, list[dict[str, float]]]:
    """Choose the head's ``λ`` and blend weight by ``validate`` (valid NDCG of a scorer).

    Args:
        train: Binary train matrix ``[U, I]`` (the head is fitted on it).
        gnn: The GNN's scorer of user rows (``[B] -> [B, I]`` logits).
        validate: Valid NDCG of a scorer.
        lambdas: ``λ`` grid.
        weights: Blend weight grid (``0`` = the GNN alone, scored once).
        users: The only user rows ``validate`` scores (default all): the head's scores of
            these are kept per ``λ`` (``len(users) × A`` floats), not of every user.
        max_items: Items in the head at most (the most interacted: :class:`EaseGram`).

    Returns:
        The best head (ties keep the smaller weight) and every grid point's valid NDCG.
    """
    gram = EaseGram(train, max_items=max_items)
    best = ItemHead(gram, 0.0, 0.0, torch.zeros(0, 0))
    best_ndcg = validate(gnn)
    trials = [{"lambda": 0.0, "weight": 0.0, "valid_ndcg": best_ndcg}]
    rows = np.arange(train.shape[0]) if users is None else np.asarray(users)
    position = torch.full((train.shape[0],), -1, dtype=torch.long)
    position[torch.from_numpy(rows)] = torch.arange(len(rows))
    for lam in lambdas:
        b = gram.weights(lam)
        cached = gram.scores(b, rows)  # [len(rows), I], once per λ
        for weight in weights:
            if weight <= 0:
                continue
            ndcg = validate(_blended(gnn, cached, position, weight))
            trials.append({"lambda": lam, "weight": weight, "valid_ndcg": ndcg})
            if ndcg > best_ndcg:
                best, best_ndcg = ItemHead(gram, lam, weight, b), ndcg
    return best, trials


def _blended(
    gnn: Callable[[np.ndarray], torch.Tensor],
    head: torch.Tensor,
    position: torch.Tensor,
    weight: float,
) -> Callable[[np.ndarray], torch.Tensor]:
    """The blend of ``gnn`` with precomputed head scores ``head`` of the user rows whose
    ``position`` (row of ``head``) is given."""
    return lambda users: blend(gnn(users), head[position[torch.from_numpy(users)]], weight)
