"""Each baseline of ``graphrec evaluate`` on a tiny case whose answer is known by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from gnn import baselines
from gnn.gfcf import fit_gfcf
from gnn.protocol import Split, evaluate_scores


def _split(train: list[list[int]], valid: list[list[int]] | None = None) -> Split:
    """A split from dense 0/1 rows (no test targets)."""
    tr = sp.csr_matrix(np.asarray(train, dtype=np.float32))
    va = sp.csr_matrix(np.asarray(valid, dtype=np.float32)) if valid else sp.csr_matrix(tr.shape)
    users = [f"u{n}" for n in range(tr.shape[0])]
    items = [f"i{n}" for n in range(tr.shape[1])]
    return Split(users, items, tr, va.astype(np.float32), sp.csr_matrix(tr.shape, dtype=np.float32))


def _blocks() -> Split:
    """Two taste blocks: users 0-5 like items 0-3, users 6-11 like items 4-7.

    Every user has three of her block's four items in train and the fourth in valid, so a
    model that learns the blocks ranks the missing block item first among her unseen items.
    """
    train, valid = [], []
    for u in range(12):
        block = 0 if u < 6 else 4
        missing = block + u % 4
        train.append([int(block <= i < block + 4 and i != missing) for i in range(8)])
        valid.append([int(i == missing) for i in range(8)])
    return _split(train, valid)


def _scores(fitted: baselines.Fitted, users: list[int]) -> np.ndarray:
    return fitted.score(np.asarray(users)).numpy()


def test_mostpop_scores_are_train_counts() -> None:
    split = _split([[1, 1, 0], [1, 0, 0], [1, 1, 1]])
    fitted = baselines.fit_mostpop(split, k=1)
    assert _scores(fitted, [0, 2]).tolist() == [[3, 2, 1], [3, 2, 1]]


def test_itemknn_is_shrunk_cosine_summed_over_history() -> None:
    rows = [[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [1, 1, 0, 1]]
    split = _split(rows)
    shrink = 1.0
    fitted = baselines.fit_itemknn(split, k=2, grid={"neighbours": [3], "shrink": [shrink]})
    x = np.asarray(rows, dtype=float)
    co, n = x.T @ x, x.sum(0)
    sim = co / (np.sqrt(np.outer(n, n)) + shrink)
    np.fill_diagonal(sim, 0.0)  # three neighbours of four items: every other item
    assert _scores(fitted, [0, 1, 2, 3]) == pytest.approx(x @ sim, rel=1e-5)


def test_itemknn_keeps_only_the_top_neighbours() -> None:
    # A user's score for j sums sim(i, j) over her items i that keep j as a neighbour.
    split = _split([[1, 1, 0], [1, 1, 1], [1, 0, 0]])
    fitted = baselines.fit_itemknn(split, k=1, grid={"neighbours": [1], "shrink": [0.0]})
    # sim(0,1) = 2/sqrt(3*2), sim(0,2) = 1/sqrt(3*1), sim(1,2) = 1/sqrt(2*1).
    # Item i's one neighbour: 0 -> 1 (0.816 > 0.577), 1 -> 0, 2 -> 1 (0.707 > 0.577).
    got = _scores(fitted, [2])[0]  # history {0}: only 0's neighbour 1 scores
    assert got == pytest.approx([0.0, 2 / np.sqrt(6), 0.0], abs=1e-6)


def test_ease_two_items_closed_form() -> None:
    # Gram [[a, c], [c, b]] = [[3, 2], [2, 2]]: B[0, 1] = c / (a + λ), B[1, 0] = c / (b + λ).
    split = _split([[1, 1], [1, 1], [1, 0]])
    lam = 5.0
    fitted = baselines.fit_ease(split, k=1, grid={"lambda": [lam]})
    # User 2 holds item 0 only: her scores are row 0 of B.
    assert _scores(fitted, [2])[0] == pytest.approx([0.0, 2 / (3 + lam)], rel=1e-5)
    # Users 0 and 1 hold both: B[1, 0] + B[0, 0] and B[0, 1] + B[1, 1].
    assert _scores(fitted, [0])[0] == pytest.approx([2 / (2 + lam), 2 / (3 + lam)], rel=1e-5)


def test_ease_matches_the_inverse_and_ranks_unseen_items_lowest() -> None:
    rows = [[1, 1, 0, 1, 0], [1, 0, 1, 0, 0], [0, 1, 1, 1, 0], [1, 1, 1, 0, 0]]
    split = _split(rows)
    lam = 2.0
    fitted = baselines.fit_ease(split, k=1, grid={"lambda": [lam]})
    x = np.asarray(rows, dtype=float)[:, :4]  # item 4 has no train user
    p = np.linalg.inv(x.T @ x + lam * np.eye(4))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    got = _scores(fitted, [0, 1, 2, 3])
    assert got[:, :4] == pytest.approx(x @ b, abs=1e-4)
    assert (got[:, 4] < got[:, :4].min(1)).all()


def test_gfcf_linear_filter_is_normalised_item_graph() -> None:
    rows = [[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 0, 1]]
    split = _split(rows)
    fitted = fit_gfcf(split, k=1, grid={"alpha": [0.0], "factors": [2]})
    x = np.asarray(rows, dtype=float)
    d_u, d_i = x.sum(1), x.sum(0)
    r = x / np.sqrt(d_u)[:, None] / np.sqrt(d_i)[None, :]
    assert _scores(fitted, [0, 1, 2, 3]) == pytest.approx(x @ (r.T @ r), rel=1e-5)


def test_gfcf_ideal_filter_at_full_rank_adds_alpha_times_history() -> None:
    # R has full column rank: V Vᵀ = I, so D^{-1/2} V Vᵀ D^{1/2} = I and s_u = r_u (R̃ᵀR̃ + αI).
    rows = [[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 0, 1]]
    split = _split(rows)
    alpha = 0.7
    fitted = fit_gfcf(split, k=1, grid={"alpha": [alpha], "factors": [3]})
    x = np.asarray(rows, dtype=float)
    r = x / np.sqrt(x.sum(1))[:, None] / np.sqrt(x.sum(0))[None, :]
    assert _scores(fitted, [0, 1, 2, 3]) == pytest.approx(x @ (r.T @ r) + alpha * x, rel=1e-5)


def test_gfcf_grid_picks_the_best_valid_point() -> None:
    fitted = fit_gfcf(_blocks(), k=1, grid={"alpha": [0.0, 1.0], "factors": [1, 2]})
    assert fitted.valid_ndcg == max(t["valid_ndcg"] for t in fitted.trials)
    assert len(fitted.trials) == 4


@pytest.mark.parametrize(
    "fit",
    [
        lambda s: baselines.fit_itemknn(s, k=1, grid={"neighbours": [7], "shrink": [0.0]}),
        lambda s: baselines.fit_ease(s, k=1, grid={"lambda": [1.0]}),
        lambda s: fit_gfcf(s, k=1, grid={"alpha": [0.3], "factors": [2]}),
        lambda s: baselines.fit_ials(
            s,
            k=1,
            grid={"factors": [4], "regularization": [0.1], "alpha": [10.0], "iterations": [15]},
            num_threads=1,
        ),
        lambda s: baselines.fit_lightgcn(
            s, k=1, grid={"num_layers": [1], "lr": [0.05], "embedding_dim": [8]}, max_epochs=60
        ),
    ],
    ids=["itemknn", "ease", "gfcf", "ials", "lightgcn"],
)
def test_baseline_ranks_the_missing_block_item_first(fit) -> None:  # type: ignore[no-untyped-def]
    split = _blocks()
    torch.manual_seed(0)
    fitted = fit(split)
    recall, ndcg, users = evaluate_scores(fitted.score, split, k=1, target="valid")
    assert users == 12
    assert recall == 1.0 and ndcg == 1.0
    assert fitted.valid_ndcg == 1.0


def test_mostpop_cannot_tell_the_blocks_apart() -> None:
    recall, _, _ = evaluate_scores(baselines.fit_mostpop(_blocks()).score, _blocks(), 1, "valid")
    assert recall < 1.0


def test_evaluate_grid_overrides_replace_values_and_name_mistakes(clustered) -> None:  # type: ignore[no-untyped-def]
    from gnn.evaluate import run_evaluation

    out = run_evaluation(
        clustered, models=("ease", "gfcf"), grids={"ease": {"lambda": [3.0]}}, num_threads=1
    )
    assert out["results"]["ease"]["params"] == {"lambda": 3.0}
    assert set(out["results"]["gfcf"]["params"]) == {"alpha", "factors"}
    with pytest.raises(ValueError, match="ials has no parameter"):
        run_evaluation(clustered, models=("mostpop",), grids={"ials": {"nope": [1]}})
    with pytest.raises(ValueError, match="'bpr' has no grid"):
        run_evaluation(clustered, models=("mostpop",), grids={"bpr": {"x": [1]}})
