"""The offline evaluation protocol: implicit positives, per-user random split, Recall/NDCG@K.

Every user–title pair with a positive signal and no negative one is an implicit positive
(:mod:`graph.signals`: a view, a like, a 3★ rating; not a dislike, a 2.5★ or 1★ rating). Per
user, the pairs are shuffled with ``numpy.random.default_rng(seed)`` and split 80/10/10 into
train/valid/test; users with fewer than 3 pairs keep all of them in train.
Scoring ranks every title except the user's train titles (valid) or train+valid titles (test).
Recall@K = hits / |test items|; NDCG@K uses binary gains and the ideal DCG over min(|test|, K).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.sparse as sp
import torch

from gnn.errors import SplitError
from graph.signals import PairSignals, interaction_weight

if TYPE_CHECKING:
    from graph.dataset import Dataset

__all__ = [
    "Split",
    "SplitError",
    "evaluate_scores",
    "load_split_dir",
    "make_split",
    "positive_pairs",
    "split_matrix",
    "user_metrics",
    "valid_users",
]

ScoreFn = Callable[[np.ndarray], torch.Tensor]

#: Validation (early stopping, the head's grid, the gate) scores at most this many users, drawn
#: at random among those with a held-out title: all users of a 10 M-interaction graph would cost
#: minutes per evaluation, and 10,000 users measure NDCG@20 to about ±0.004 (2 standard errors).
VALID_USERS = 10_000


@dataclass(frozen=True)
class Split:
    """A train/valid/test split as binary user × item CSR matrices over stable id maps.

    Attributes:
        user_ids: Row ``u`` of every matrix is ``user_ids[u]`` (sorted).
        item_ids: Column ``i`` is ``item_ids[i]`` (every title of the dataset, sorted).
        train, valid, test: ``[num_users, num_items]`` float32 CSR matrices of ones.
    """

    user_ids: list[str]
    item_ids: list[str]
    train: sp.csr_matrix
    valid: sp.csr_matrix
    test: sp.csr_matrix

    @property
    def num_users(self) -> int:
        """Number of users (rows)."""
        return len(self.user_ids)

    @property
    def num_items(self) -> int:
        """Number of items (columns)."""
        return len(self.item_ids)


def positive_pairs(dataset: Dataset) -> set[tuple[str, str]]:
    """Return the deduplicated positive (user_id, title_id) pairs of a dataset.

    A pair is positive when one of its interactions weighs at least a click and none is
    negative (:class:`graph.signals.PairSignals`).
    """
    signals = PairSignals()
    for it in dataset.interactions:
        signals.add(it.user_id, it.title_id, interaction_weight(it.type, it.value, it.completion))
    return set(signals.positives())


def _matrix(rows: list[tuple[int, int]], shape: tuple[int, int]) -> sp.csr_matrix:
    if not rows:
        return sp.csr_matrix(shape, dtype=np.float32)
    arr = np.asarray(rows, dtype=np.int64)
    data = np.ones(len(arr), dtype=np.float32)
    mat = sp.csr_matrix((data, (arr[:, 0], arr[:, 1])), shape=shape)
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


def split_matrix(
    full: sp.csr_matrix, seed: int, valid_fraction: float = 0.1, test_fraction: float = 0.1
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Split a binary user × item matrix per user into train/valid/test.

    Users are visited in row order; each user's items (ascending) are permuted with one
    ``numpy.random.default_rng(seed)``; ``round(fraction * n)`` items (at least one when the
    fraction is positive) go to valid and test. Users with fewer than 3 items keep all in train.
    The pairs are gathered in arrays (no per-pair Python objects: 10 M pairs take seconds).
    """
    rng = np.random.default_rng(seed)
    full = full.tocsr()
    full.sort_indices()
    items = full.indices.astype(np.int64)
    part = np.zeros(len(items), dtype=np.int8)  # 0 train, 1 valid, 2 test
    for u in range(full.shape[0]):
        lo, hi = int(full.indptr[u]), int(full.indptr[u + 1])
        n = hi - lo
        if n < 3:
            continue
        items[lo:hi] = rng.permutation(items[lo:hi])
        n_valid = max(1, round(valid_fraction * n)) if valid_fraction > 0 else 0
        n_test = max(1, round(test_fraction * n)) if test_fraction > 0 else 0
        n_train = n - n_valid - n_test
        part[lo + n_train : lo + n_train + n_valid] = 1
        part[lo + n_train + n_valid : hi] = 2
    users = np.repeat(np.arange(full.shape[0], dtype=np.int64), np.diff(full.indptr))
    train, valid, test = (
        _pairs_matrix(users[part == p], items[part == p], full.shape) for p in range(3)
    )
    return train, valid, test


def _pairs_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A binary CSR matrix of (row, col) pairs given as two arrays."""
    mat = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


def valid_users(split: Split, seed: int, limit: int = VALID_USERS) -> np.ndarray | None:
    """The user rows validation scores: ``None`` (all) up to ``limit`` users with a held-out
    title, else ``limit`` of them drawn with ``seed`` (sorted)."""
    rows = np.flatnonzero(np.diff(split.valid.indptr) > 0)
    if len(rows) <= limit:
        return None
    return np.sort(np.random.default_rng([seed, 1]).choice(rows, limit, replace=False))


def make_split(dataset: Dataset, seed: int = 0) -> Split:
    """Split a dataset's positive pairs 80/10/10 per user, reproducibly for ``seed``.

    Args:
        dataset: The canonical dataset.
        seed: Seed of the per-user shuffles.

    Returns:
        The split; items are all titles of the dataset plus any title only seen in interactions.
    """
    pairs = positive_pairs(dataset)
    user_ids = sorted({u for u, _ in pairs})
    item_ids = sorted({t.title_id for t in dataset.titles} | {i for _, i in pairs})
    uidx = {u: n for n, u in enumerate(user_ids)}
    iidx = {i: n for n, i in enumerate(item_ids)}
    full = _matrix([(uidx[u], iidx[i]) for u, i in pairs], (len(user_ids), len(item_ids)))
    train, valid, test = split_matrix(full, seed)
    return Split(user_ids, item_ids, train, valid, test)


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
                raise SplitError(f"{path}:{lineno}: expected 'user id<TAB>item id', got {line!r}")
            pairs.append((cols[0].strip(), cols[1].strip()))
    return pairs


def load_split_dir(split_dir: Path, dataset: Dataset | None = None) -> Split:
    """Read a given split from ``train.tsv``, ``valid.tsv`` and ``test.tsv``.

    Args:
        split_dir: Directory holding the three files (user id, item id, tab-separated).
        dataset: The dataset supplying the item catalogue (features come from there too).

    Returns:
        The split; pairs repeated within a part are deduplicated, and a valid/test pair that is
        also in train is dropped (it could never be ranked).

    Raises:
        SplitError: A file is missing or a line is malformed.
    """
    parts = {}
    for name in ("train", "valid", "test"):
        path = split_dir / f"{name}.tsv"
        if not path.is_file():
            raise SplitError(f"{path}: missing (a split directory needs train/valid/test.tsv)")
        parts[name] = _read_pairs(path)
    all_pairs = [p for rows in parts.values() for p in rows]
    user_ids = sorted({u for u, _ in all_pairs})
    catalogue = {t.title_id for t in dataset.titles} if dataset is not None else set()
    item_ids = sorted(catalogue | {i for _, i in all_pairs})
    uidx = {u: n for n, u in enumerate(user_ids)}
    iidx = {i: n for n, i in enumerate(item_ids)}
    shape = (len(user_ids), len(item_ids))
    train = _matrix([(uidx[u], iidx[i]) for u, i in parts["train"]], shape)
    seen = {(uidx[u], iidx[i]) for u, i in parts["train"]}
    valid_rows = [(uidx[u], iidx[i]) for u, i in parts["valid"] if (uidx[u], iidx[i]) not in seen]
    valid = _matrix(valid_rows, shape)
    seen |= set(valid_rows)
    test = _matrix(
        [(uidx[u], iidx[i]) for u, i in parts["test"] if (uidx[u], iidx[i]) not in seen], shape
    )
    return Split(user_ids, item_ids, train, valid, test)


def user_metrics(
    score: ScoreFn,
    split: Split,
    k: int = 20,
    target: Literal["valid", "test"] = "valid",
    *,
    users: Sequence[int] | np.ndarray | None = None,
    batch_size: int = 1024,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank all items for every user with targets; per-user Recall@k and NDCG@k.

    Args:
        score: Maps a ``[B]`` array of user rows to a ``[B, num_items]`` score tensor.
        split: The split.
        k: Cut-off.
        target: ``valid`` excludes train items; ``test`` excludes train and valid items.
        batch_size: Users scored at once (bounds memory to ``batch_size * num_items`` floats).
        users: Restrict to these user rows (default: every user with a target item).

    Returns:
        ``(rows [N], recall [N], ndcg [N])`` of the ``N`` evaluated users (those with targets).
    """
    truth = split.valid if target == "valid" else split.test
    seen = split.train if target == "valid" else (split.train + split.valid).tocsr()
    counts = np.diff(truth.indptr)
    rows = np.asarray(users if users is not None else np.arange(split.num_users))
    rows = rows[counts[rows] > 0]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    idcg = np.cumsum(discounts)
    recall, ndcg = np.zeros(len(rows)), np.zeros(len(rows))
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        scores = score(batch).detach().to("cpu", torch.float32).clone()
        excl = seen[batch].tocoo()
        scores[torch.from_numpy(excl.row).long(), torch.from_numpy(excl.col).long()] = -math.inf
        top = torch.topk(scores, min(k, split.num_items), dim=1).indices.numpy()
        target_rows = truth[batch]
        hits = np.zeros((len(batch), top.shape[1]), dtype=bool)
        for r in range(len(batch)):
            lo, hi = target_rows.indptr[r], target_rows.indptr[r + 1]
            hits[r] = np.isin(top[r], target_rows.indices[lo:hi])
        n_true = counts[batch]
        recall[start : start + len(batch)] = hits.sum(1) / n_true
        dcg = (hits * discounts[: top.shape[1]]).sum(1)
        ndcg[start : start + len(batch)] = dcg / idcg[np.minimum(n_true, k) - 1]
    return rows, recall, ndcg


def evaluate_scores(
    score: ScoreFn,
    split: Split,
    k: int = 20,
    target: Literal["valid", "test"] = "valid",
    batch_size: int = 1024,
    users: Sequence[int] | np.ndarray | None = None,
) -> tuple[float, float, int]:
    """Mean Recall@k, mean NDCG@k and the number of evaluated users (:func:`user_metrics`)."""
    rows, recall, ndcg = user_metrics(score, split, k, target, users=users, batch_size=batch_size)
    n = len(rows)
    return (float(recall.mean()) if n else 0.0, float(ndcg.mean()) if n else 0.0, n)
