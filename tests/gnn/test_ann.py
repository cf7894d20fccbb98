"""Approximate neighbours through an inverted file, and when the write-back uses them."""

from __future__ import annotations

import pytest
import torch

import gnn.write_back
from gnn.ann import ivf_top_k
from gnn.write_back import neighbours, top_k


def _clustered(n: int, dim: int = 32, clusters: int = 40, noise: float = 0.2) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    centres = torch.nn.functional.normalize(torch.randn(clusters, dim, generator=gen), dim=1)
    points = centres[torch.randint(0, clusters, (n,), generator=gen)]
    return torch.nn.functional.normalize(points + noise * torch.randn(n, dim, generator=gen), dim=1)


def _recall(found: torch.Tensor, exact: torch.Tensor) -> float:
    hits = sum(len(set(a.tolist()) & set(e.tolist())) for a, e in zip(found, exact, strict=True))
    return hits / exact.numel()


def test_ivf_finds_most_exact_neighbours_and_never_the_query_itself() -> None:
    x = _clustered(6_000)
    own = torch.arange(len(x))
    exact, exact_scores = top_k(x, x, 10)
    found, scores = ivf_top_k(x, x, 10, own)
    assert _recall(found, exact) > 0.9
    assert not (found == own.unsqueeze(1)).any()
    assert torch.all(scores[:, :-1] >= scores[:, 1:])  # best first
    # Every score is the true cosine of the pair it names.
    assert torch.allclose(scores, (x.unsqueeze(1) * x[found]).sum(-1), atol=1e-5)
    assert scores[:, 0].mean() <= exact_scores[:, 0].mean() + 1e-6


def test_neighbours_go_approximate_beyond_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    x = _clustered(3_000)
    active = torch.ones(len(x), dtype=torch.bool)
    active[::7] = False  # inactive keys are never neighbours
    sources = torch.nonzero(active).ravel()
    exact, _ = neighbours(x[sources], x, 10, active, self_rows=sources)
    monkeypatch.setattr(gnn.write_back, "EXACT_MAX_PAIRS", 0)
    found, scores = neighbours(x[sources], x, 10, active, self_rows=sources)
    assert found.shape == (len(sources), 10) and scores.isfinite().all()
    assert active[found].all() and not (found == sources.unsqueeze(1)).any()
    assert _recall(found, exact) > 0.9
