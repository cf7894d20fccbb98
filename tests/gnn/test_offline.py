"""Offline GNN pieces on tiny graphs built in code: tensors, shapes, protocol, metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gnn.data import build_graph, records_from_dataset
from gnn.model import GraphSAGERec, user_scores
from gnn.protocol import (
    Split,
    evaluate_scores,
    load_split_dir,
    make_split,
    positive_pairs,
    valid_users,
)
from gnn.train import TrainConfig, encode, model_edges, num_nodes, train_model
from graph.dataset import Dataset

from .conftest import clustered_dataset


def test_build_graph_shapes_and_id_maps(clustered: Dataset) -> None:
    graph = build_graph(records_from_dataset(clustered))
    data = graph.data
    assert graph.ids["user"] == sorted(graph.ids["user"])
    assert len(graph.ids["title"]) == len(clustered.titles)
    assert graph.ids["genre"] == sorted({g for t in clustered.titles for g in t.genres})
    rates = data["user", "rates", "title"]
    pairs = positive_pairs(clustered)
    assert rates.edge_index.shape == (2, len(pairs))
    assert rates.edge_weight.shape == (len(pairs),)
    assert int(rates.edge_index[0].max()) < len(graph.ids["user"])
    expected_people = sum(len(t.cast) + len(t.directors) for t in clustered.titles)
    assert data["title", "has_person", "person"].edge_index.shape == (2, expected_people)
    assert data["user", "friend", "user"].edge_index.shape == (2, 2 * len(clustered.friendships))


def test_dislike_alone_is_not_a_positive(clustered: Dataset) -> None:
    others = {(i.user_id, i.title_id) for i in clustered.interactions if i.type != "dislike"}
    dislikes = {(i.user_id, i.title_id) for i in clustered.interactions if i.type == "dislike"}
    assert positive_pairs(clustered) == others
    graph = build_graph(records_from_dataset(clustered))
    users, titles = graph.index("user"), graph.index("title")
    edges = set(map(tuple, graph.data["user", "rates", "title"].edge_index.t().tolist()))
    for u, t in dislikes - others:
        assert (users[u], titles[t]) not in edges


@pytest.mark.parametrize("num_layers", [1, 2])
def test_model_output_shapes(clustered: Dataset, num_layers: int) -> None:
    graph = build_graph(records_from_dataset(clustered))
    torch.manual_seed(0)
    model = GraphSAGERec(num_nodes(graph), dim=16, num_layers=num_layers)
    out = model(model_edges(graph))
    assert out["user"].shape == (len(graph.ids["user"]), 16)
    assert out["title"].shape == (len(graph.ids["title"]), 16)
    assert out["bias"].shape == (len(graph.ids["title"]),)
    assert torch.allclose(out["title"].norm(dim=1), torch.ones(len(graph.ids["title"])), atol=1e-5)
    logits = user_scores(out, torch.tensor([0, 1]), 0.1)
    assert logits.shape == (2, len(graph.ids["title"]))


def test_split_is_per_user_80_10_10_and_reproducible() -> None:
    ds = clustered_dataset(per_user=10)
    a, b = make_split(ds, seed=3), make_split(ds, seed=3)
    c = make_split(ds, seed=4)
    assert (a.train != b.train).nnz == 0 and (a.test != b.test).nnz == 0
    assert (a.test != c.test).nnz > 0
    total = a.train + a.valid + a.test
    assert total.max() == 1  # disjoint parts
    assert total.nnz == len(positive_pairs(ds))
    for u in range(a.num_users):
        n = total[u].nnz
        if n >= 3:
            assert a.valid[u].nnz == max(1, round(0.1 * n)) == a.test[u].nnz


def test_metrics_match_hand_computation() -> None:
    import scipy.sparse as sp

    def m(rows: list[tuple[int, int]]) -> sp.csr_matrix:
        r, c = zip(*rows, strict=True) if rows else ((), ())
        return sp.csr_matrix((np.ones(len(rows), np.float32), (r, c)), shape=(1, 6))

    split = Split(["u"], list("abcdef"), m([(0, 0)]), m([(0, 1)]), m([(0, 2), (0, 5)]))
    scores = torch.tensor([[9.0, 8.0, 1.0, 7.0, 0.0, 6.0]])  # test ranking: d, f, c, e
    recall, ndcg, n = evaluate_scores(lambda users: scores, split, k=2, target="test")
    assert n == 1
    assert recall == pytest.approx(0.5)
    assert ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))


def test_split_dir_round_trip(tmp_path, clustered: Dataset) -> None:
    split = make_split(clustered, seed=0)
    for name in ("train", "valid", "test"):
        coo = getattr(split, name).tocoo()
        lines = [
            f"{split.user_ids[u]}\t{split.item_ids[i]}\n"
            for u, i in zip(coo.row, coo.col, strict=True)
        ]
        (tmp_path / f"{name}.tsv").write_text("".join(lines))
    again = load_split_dir(tmp_path, clustered)
    assert again.user_ids == split.user_ids and again.item_ids == split.item_ids
    assert (again.test != split.test).nnz == 0 and (again.train != split.train).nnz == 0


def test_split_dir_bad_line_names_file_and_line(tmp_path) -> None:
    from gnn.protocol import SplitError

    (tmp_path / "train.tsv").write_text("u1\tt1\nonly-one-column\n")
    (tmp_path / "valid.tsv").write_text("")
    (tmp_path / "test.tsv").write_text("")
    with pytest.raises(SplitError, match=r"train.tsv:2"):
        load_split_dir(tmp_path)


def test_training_is_seeded_and_loss_falls(clustered: Dataset) -> None:
    graph = build_graph(records_from_dataset(clustered))
    cfg = TrainConfig(dim=16, epochs=15, seed=1)
    first, second = train_model(graph, cfg), train_model(graph, cfg)
    assert first.losses == second.losses
    assert first.losses[-1] < first.losses[0]
    emb = encode(first.model, graph)
    assert set(emb) == {"user", "title", "bias"}


def test_auto_batching_switches_to_minibatches_on_large_graphs(clustered: Dataset) -> None:
    from gnn.train import uses_minibatches

    graph = build_graph(records_from_dataset(clustered))
    edges = graph.data["user", "rates", "title"].edge_index.shape[1]
    assert not uses_minibatches(graph, TrainConfig(full_batch_max_edges=edges))
    assert uses_minibatches(graph, TrainConfig(full_batch_max_edges=edges - 1))
    assert uses_minibatches(graph, TrainConfig(batching="minibatch"))
    assert not uses_minibatches(graph, TrainConfig(batching="full", full_batch_max_edges=0))


def test_minibatch_training_is_seeded_learns_and_beats_popularity() -> None:
    from gnn.baselines import fit_mostpop
    from gnn.evaluate import fit_graphsage

    ds = clustered_dataset(per_user=9, users_per_cluster=25)
    split = make_split(ds, seed=0)
    cfg = TrainConfig(dim=16, epochs=30, eval_every=5, seed=2, batching="minibatch", edge_batch=64)
    graph = build_graph(records_from_dataset(ds))
    first, second = train_model(graph, cfg), train_model(graph, cfg)
    assert first.minibatch and first.losses == second.losses
    assert sum(first.losses[-5:]) < sum(first.losses[:5])
    sage = fit_graphsage(ds, split, k=5, grid={"temperature": [0.2]}, base=cfg)
    pop = fit_mostpop(split, k=5)
    sage_recall, sage_ndcg, _ = evaluate_scores(sage.score, split, 5, "test")
    pop_recall, pop_ndcg, _ = evaluate_scores(pop.score, split, 5, "test")
    assert sage_ndcg > pop_ndcg and sage_recall > pop_recall


def test_holdout_graph_keeps_exactly_the_train_pairs_with_their_weights(clustered: Dataset) -> None:
    from gnn.pipeline import _holdout

    graph = build_graph(records_from_dataset(clustered))
    store = graph.data["user", "rates", "title"]
    weight_of = dict(
        zip(map(tuple, store.edge_index.t().tolist()), store.edge_weight.tolist(), strict=True)
    )
    split, train = _holdout(graph, 0)
    kept = train.data["user", "rates", "title"]
    pairs = list(map(tuple, kept.edge_index.t().tolist()))
    coo = split.train.tocoo()
    assert sorted(pairs) == sorted(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    assert 0 < len(pairs) < len(weight_of)
    assert kept.edge_weight.tolist() == [weight_of[p] for p in pairs]


def test_valid_users_are_all_up_to_the_limit_then_a_seeded_sample(clustered: Dataset) -> None:
    split = make_split(clustered, seed=0)
    with_targets = np.flatnonzero(np.diff(split.valid.indptr) > 0)
    assert valid_users(split, 0, limit=len(with_targets)) is None
    sample = valid_users(split, 0, limit=10)
    assert sample is not None and len(sample) == 10 and set(sample) <= set(with_targets)
    assert np.array_equal(sample, np.sort(sample))
    assert np.array_equal(sample, valid_users(split, 0, limit=10))  # type: ignore[arg-type]


def test_minibatch_steps_update_only_the_id_rows_of_their_subgraph() -> None:
    from gnn.optim import optimiser

    model = GraphSAGERec({"user": 50, "title": 30, "genre": 3}, dim=8, num_layers=1)
    opt = optimiser(model, 0.1, 1e-6, minibatch=True)
    before = {kind: table.weight.detach().clone() for kind, table in model.emb.items()}
    n_id = {"user": torch.tensor([3, 7]), "title": torch.tensor([5])}
    edges = {("title", "rated_by", "user"): torch.tensor([[0, 0], [0, 1]])}
    emb = model.forward_subgraph(n_id, edges)
    opt.zero_grad()
    (emb["user"][:, 0].sum() + emb["title"][:, 1].sum()).backward()
    assert model.emb["user"].weight.grad is not None and model.emb["user"].weight.grad.is_sparse
    opt.step()
    after = {kind: table.weight.detach() for kind, table in model.emb.items()}
    changed = (after["user"] != before["user"]).any(dim=1)
    assert changed.nonzero().ravel().tolist() == [3, 7]
    assert (after["title"] != before["title"]).any(dim=1).nonzero().ravel().tolist() == [5]
    assert torch.equal(after["genre"], before["genre"])


@pytest.mark.parametrize("num_layers", [1, 2])
def test_new_nodes_from_their_neighbourhood_equal_the_full_graph_pass(
    clustered: Dataset, num_layers: int
) -> None:
    from pathlib import Path

    from gnn.artifacts import Artifact
    from gnn.inductive import _forward

    graph = build_graph(records_from_dataset(clustered))
    torch.manual_seed(0)
    model = GraphSAGERec(num_nodes(graph), dim=16, num_layers=num_layers, rezero=False).eval()
    art = Artifact(Path("."), TrainConfig(), model, graph, {})
    users = len(graph.ids["user"])
    # Two new users: one rates titles 0 and 3 and befriends user 5, one rates title 7.
    rates = torch.tensor([[users, users, users + 1], [0, 3, 7]])
    friends = torch.tensor([[users, 5], [5, users]])
    extra = {
        ("user", "rates", "title"): rates,
        ("title", "rated_by", "user"): rates.flip(0),
        ("user", "friend", "user"): friends,
    }
    edges = model_edges(graph)
    for rel, index in extra.items():
        edges[rel] = torch.cat([edges[rel], index], dim=1)
    table = model.emb["user"].weight
    with torch.no_grad():
        full = model(edges, x_override={"user": torch.cat([table, torch.zeros(2, 16)])})
    new = _forward(art, "user", 2, extra)
    assert torch.allclose(new, full["user"][users:], atol=1e-5)
