"""Agreement between two partitions: the adjusted Rand index (Hubert and Arabie, 1985)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["adjusted_rand_index"]


def _pairs(counts: np.ndarray) -> float:
    """Number of unordered pairs inside groups of the given sizes: sum of C(n, 2)."""
    c = counts.astype(np.float64)
    return float((c * (c - 1) / 2).sum())


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """How alike two labelings of the same items are, corrected for chance.

    1.0 when they group the items identically (whatever the label names), about 0.0 for
    independent labelings, negative when they agree less than chance.

    Args:
        a: The label of each item under the first partition.
        b: The label of each item under the second, in the same item order.

    Returns:
        The adjusted Rand index.

    Raises:
        ValueError: The labelings have different lengths.
    """
    if len(a) != len(b):
        raise ValueError(f"labelings of different lengths: {len(a)} and {len(b)}")
    n = len(a)
    if n < 2:
        return 1.0
    _, ia = np.unique(np.asarray(a, dtype=object).astype(str), return_inverse=True)
    _, ib = np.unique(np.asarray(b, dtype=object).astype(str), return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    index = _pairs(table.ravel())
    rows, cols = _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2)
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
