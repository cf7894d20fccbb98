"""The item-item head beside the GNN: its blend, its choice on valid, its title similarity."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from gnn.head import EaseGram, ItemHead, blend, fit_head, standardise
from gnn.protocol import Split, evaluate_scores

from .test_baselines import _blocks


def test_standardise_rows_have_zero_mean_unit_sd() -> None:
    z = standardise(torch.tensor([[1.0, 2.0, 3.0], [10.0, 10.0, 40.0]]))
    assert torch.allclose(z.mean(1), torch.zeros(2), atol=1e-6)
    assert torch.allclose(z.std(1), torch.ones(2), atol=1e-6)


def test_blend_weight_zero_is_the_gnn_and_scale_free() -> None:
    gnn = torch.tensor([[3.0, 1.0, 2.0]])
    head = torch.tensor([[0.0, 5.0, 1.0]])
    assert torch.equal(blend(gnn, head, 0.0), gnn)
    # Multiplying either input by a positive constant does not change the blend.
    assert torch.allclose(blend(gnn, head, 0.5), blend(100 * gnn, 0.01 * head, 0.5), atol=1e-6)


def test_fit_head_keeps_the_gnn_alone_when_it_is_perfect() -> None:
    split = _blocks()
    valid = torch.from_numpy(split.valid.toarray())

    def perfect(users: np.ndarray) -> torch.Tensor:
        return valid[torch.from_numpy(users)]

    def validate(score: object) -> float:
        return evaluate_scores(score, split, k=1, target="valid")[1]  # type: ignore[arg-type]

    head, trials = fit_head(split.train, perfect, validate, lambdas=(1.0,), weights=(0.0, 0.5))
    assert head.weight == 0.0 and trials[0]["valid_ndcg"] == 1.0
    assert head.scorer(perfect) is perfect


def test_fit_head_rescues_a_useless_gnn() -> None:
    split = _blocks()

    def constant(users: np.ndarray) -> torch.Tensor:
        return torch.zeros(len(users), split.num_items)

    def validate(score: object) -> float:
        return evaluate_scores(score, split, k=1, target="valid")[1]  # type: ignore[arg-type]

    head, trials = fit_head(split.train, constant, validate, lambdas=(1.0,), weights=(0.0, 0.5))
    assert head.weight == 0.5 and head.lam == 1.0
    assert validate(head.scorer(constant)) == 1.0 > trials[0]["valid_ndcg"]


def test_title_similarity_blends_cosine_with_scaled_rows_of_b() -> None:
    train = sp.csr_matrix(np.asarray([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0]], np.float32))
    gram = EaseGram(train)  # title 3 has no interaction: outside B
    head = ItemHead(gram, 1.0, 0.4, gram.weights(1.0))
    cos = torch.rand(4, 4) * 2 - 1
    got = head.title_similarity(4)(cos.clone(), 0)
    b = head.b / head.b.abs().amax(1, keepdim=True)
    assert got[:3, :3] == pytest.approx((0.6 * cos[:3, :3] + 0.4 * b).numpy(), abs=1e-6)
    assert got[3] == pytest.approx((0.6 * cos[3]).numpy(), abs=1e-6)
    assert got[:, 3] == pytest.approx((0.6 * cos[:, 3]).numpy(), abs=1e-6)
    assert float(got.abs().max()) <= 1.0
    # A chunk starting at row 2 blends rows 2 and 3.
    assert head.title_similarity(4)(cos[2:].clone(), 2) == pytest.approx(got[2:].numpy())


def test_ease_gram_scores_fill_inactive_items() -> None:
    split = Split(["u"], ["a", "b", "c"], *(sp.csr_matrix(np.asarray(m, np.float32)) for m in (
        [[1, 1, 0]], [[0, 0, 0]], [[0, 0, 0]])))  # fmt: skip
    gram = EaseGram(split.train)
    scores = gram.scores(gram.weights(1.0), np.asarray([0]), fill=-7.0)
    assert scores[0, 2] == -7.0 and scores.shape == (1, 3)


def test_head_beyond_the_limit_covers_the_most_interacted_items(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Item 3 has 3 users, items 0 and 2 have 2 (tie: the lower index), item 1 has 1.
    train = sp.csr_matrix(np.asarray(
        [[1, 0, 1, 1, 0], [1, 1, 0, 1, 0], [0, 0, 1, 1, 0]], dtype=np.float32))  # fmt: skip
    with caplog.at_level("WARNING", logger="gnn.head"):
        gram = EaseGram(train, max_items=3)
    assert gram.active.tolist() == [0, 2, 3] and gram.left_out == 1
    assert "4 items have interactions, more than 3" in caplog.text
    assert gram.gram.shape == (3, 3)
    scores = gram.scores(gram.weights(1.0), np.asarray([0, 1]), fill=-7.0)
    assert (scores[:, [1, 4]] == -7.0).all() and scores.shape == (2, 5)
    assert EaseGram(train, max_items=4).left_out == 0 and not caplog.text.count("more than 4")


def test_fit_head_on_some_users_matches_fitting_on_all() -> None:
    split = _blocks()

    def constant(users: np.ndarray) -> torch.Tensor:
        return torch.zeros(len(users), split.num_items)

    rows = np.flatnonzero(np.diff(split.valid.indptr) > 0)[::2]

    def validate(score: Callable[[np.ndarray], torch.Tensor]) -> float:
        return evaluate_scores(score, split, 5, "valid", users=rows)[1]

    kwargs = {"lambdas": (1.0, 10.0), "weights": (0.0, 0.5)}
    _, on_all = fit_head(split.train, constant, validate, **kwargs)  # type: ignore[arg-type]
    _, on_some = fit_head(split.train, constant, validate, users=rows, **kwargs)  # type: ignore[arg-type]
    assert on_some == on_all and len(on_all) == 3
    assert on_all[1]["valid_ndcg"] > on_all[0]["valid_ndcg"]  # the head scores rows right
