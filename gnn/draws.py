"""Uniform random draws, vectorised over rows: with and without replacement (Floyd)."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["draw_below", "floyd_sample"]


def draw_below(upper: Tensor, generator: torch.Generator | None) -> Tensor:
    """Uniform integers in ``[0, upper)``, element-wise.

    Args:
        upper: ``[...]`` int64 exclusive upper bounds (all ``>= 1``).
        generator: RNG for the draws; ``None`` = the global torch RNG.

    Returns:
        ``[...]`` int64 draws.
    """
    uniform = torch.rand(upper.shape, dtype=torch.float64, generator=generator)
    return torch.minimum((uniform * upper).to(torch.long), upper - 1)


def floyd_sample(deg: Tensor, k: int, generator: torch.Generator | None) -> Tensor:
    """``k`` distinct uniform offsets in ``[0, deg_i)`` per row (Floyd's algorithm).

    For ``j = deg - k, ..., deg - 1`` draw ``r`` uniform in ``[0, j]`` and keep it unless it
    was already drawn, in which case keep ``j`` (never drawn before). Every ``k``-subset is
    equally likely. The loop runs over the ``k`` draws, vectorised over all nodes.

    Args:
        deg: ``[N]`` in-degrees, all ``> k``.
        k: Number of draws per node, ``>= 1``.
        generator: RNG for the draws; ``None`` = the global torch RNG.

    Returns:
        ``[N, k]`` int64 distinct offsets per row.
    """
    picks = torch.empty(deg.numel(), k, dtype=torch.long)
    if deg.numel() == 0:
        return picks
    for step in range(k):
        j = deg - k + step
        draw = draw_below(j + 1, generator)
        if step > 0:
            seen = (picks[:, :step] == draw.unsqueeze(1)).any(dim=1)
            draw = torch.where(seen, j, draw)
        picks[:, step] = draw
    return picks
