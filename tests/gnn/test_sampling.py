"""TorchNeighborSampler on tiny heterogeneous graphs built in code (no Neo4j, no pyg-lib)."""

from __future__ import annotations

import math
import warnings
from collections import Counter

import pytest
import torch
import torch_geometric.typing
from torch import Tensor
from torch_geometric.data import Data, HeteroData
from torch_geometric.loader import LinkNeighborLoader
from torch_geometric.sampler import HeteroSamplerOutput, NeighborSampler, NodeSamplerInput

from gnn.draws import floyd_sample
from gnn.sampling import TorchNeighborSampler

RATES = ("user", "rates", "title")
RATED_BY = ("title", "rated_by", "user")
DESCRIBES = ("genre", "describes", "title")
FRIEND = ("user", "friend", "user")
EDGE_TYPES = (RATES, RATED_BY, DESCRIBES, FRIEND)


def tiny_graph(seed: int = 0, users: int = 30, titles: int = 12, genres: int = 4) -> HeteroData:
    """Random user/title/genre graph with edges in random (unsorted) order.

    Title 0 is a hub (rated by every even user), title ``titles - 1`` has one rating and title
    ``titles - 2`` none, so fan-outs meet high, low and zero in-degrees.
    """
    gen = torch.Generator().manual_seed(seed)
    pairs = {(u, 0) for u in range(0, users, 2)} | {(1, titles - 1)}
    for _ in range(4 * users):
        u = int(torch.randint(users, (1,), generator=gen))
        t = int(torch.randint(1, titles - 2, (1,), generator=gen))
        pairs.add((u, t))
    rates = torch.tensor(sorted(pairs)).t()
    rates = rates[:, torch.randperm(rates.size(1), generator=gen)]
    friends = {(u, (u + 1) % users) for u in range(users)}
    friends |= {(u, (u * 7 + 3) % users) for u in range(0, users, 3)}
    friends = {(a, b) for a, b in friends if a != b}
    friend = torch.tensor(sorted(friends | {(b, a) for a, b in friends})).t()
    friend = friend[:, torch.randperm(friend.size(1), generator=gen)]
    describes = torch.stack([torch.arange(titles) % genres, torch.arange(titles)])
    describes = torch.cat([describes, torch.tensor([[0, 1], [5, 6]])], dim=1)

    data = HeteroData()
    data["user"].num_nodes = users
    data["title"].num_nodes = titles
    data["genre"].num_nodes = genres
    data[RATES].edge_index = rates
    data[RATED_BY].edge_index = rates.flip(0)
    data[DESCRIBES].edge_index = describes
    data[FRIEND].edge_index = friend
    return data


def in_degree(data: HeteroData, edge_type: tuple[str, str, str]) -> Tensor:
    """``[num_dst_nodes]`` in-degree of every destination node of ``edge_type``."""
    return torch.bincount(data[edge_type].edge_index[1], minlength=data[edge_type[2]].num_nodes)


def hop_slices(counts: list[int]) -> list[slice]:
    """Per-hop slices of a node or edge list from its per-hop counts."""
    ends = [sum(counts[: i + 1]) for i in range(len(counts))]
    return [slice(end - n, end) for n, end in zip(counts, ends, strict=True)]


def seeds() -> dict[str, Tensor]:
    """Seeds of two node types; title 11 has a single rating, title 0 is the hub."""
    return {"user": torch.tensor([0, 3, 7]), "title": torch.tensor([0, 4, 11])}


def sample(
    data: HeteroData, num_neighbors: list[int], replace: bool = False
) -> tuple[TorchNeighborSampler, HeteroSamplerOutput]:
    """Sample ``seeds()`` once; returns the sampler (for ``perm``) and its output."""
    sampler = TorchNeighborSampler(data, num_neighbors=num_neighbors, replace=replace)
    out = sampler._sample(seeds())
    assert isinstance(out, HeteroSamplerOutput)
    return sampler, out


def test_sampler_edges_exist_in_graph() -> None:
    data = tiny_graph()
    torch.manual_seed(0)
    sampler, out = sample(data, [3, 2])
    assert sum(out.edge[e].numel() for e in EDGE_TYPES) > 0
    for edge_type in EDGE_TYPES:
        src, _, dst = edge_type
        global_src = out.node[src][out.row[edge_type]]
        global_dst = out.node[dst][out.col[edge_type]]
        original = sampler.perm[edge_type][out.edge[edge_type]]
        edge_index = data[edge_type].edge_index
        assert torch.equal(edge_index[0, original], global_src)
        assert torch.equal(edge_index[1, original], global_dst)
        # Without replacement and with unique nodes, no edge is sampled twice.
        assert original.unique().numel() == original.numel()


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_sampler_fanout_is_min_of_degree_and_k(k: int) -> None:
    data = tiny_graph(seed=k)
    torch.manual_seed(k)
    _, out = sample(data, [k, k])
    assert out.num_sampled_nodes is not None and out.num_sampled_edges is not None
    saw_capped = saw_complete = False
    for edge_type in EDGE_TYPES:
        dst_type = edge_type[2]
        degree = in_degree(data, edge_type)
        node_hops = hop_slices(out.num_sampled_nodes[dst_type])
        for hop, edges in enumerate(hop_slices(out.num_sampled_edges[edge_type])):
            frontier = torch.zeros(out.node[dst_type].numel(), dtype=torch.bool)
            frontier[node_hops[hop]] = True
            got = torch.bincount(out.col[edge_type][edges], minlength=frontier.numel())
            want = torch.where(frontier, degree[out.node[dst_type]].clamp(max=k), 0)
            assert torch.equal(got, want)
            saw_capped |= bool((frontier & (degree[out.node[dst_type]] > k)).any())
            saw_complete |= bool((frontier & (degree[out.node[dst_type]] <= k)).any())
    assert saw_capped and saw_complete


def test_sampler_minus_one_takes_every_incoming_edge() -> None:
    data = tiny_graph()
    _, out = sample(data, [-1])
    assert out.num_sampled_nodes is not None
    for edge_type in EDGE_TYPES:
        dst_type = edge_type[2]
        seeds_of_dst = out.node[dst_type][: out.num_sampled_nodes[dst_type][0]]
        incoming = torch.isin(data[edge_type].edge_index[1], seeds_of_dst)
        assert out.edge[edge_type].numel() == int(incoming.sum())


def test_sampler_seeds_first_and_nodes_unique() -> None:
    data = tiny_graph()
    torch.manual_seed(1)
    sampler, out = sample(data, [4, 3])
    for node_type, ids in seeds().items():
        assert torch.equal(out.node[node_type][: ids.numel()], ids)
    for node_type, nodes in out.node.items():
        assert nodes.unique().numel() == nodes.numel()
        assert int(nodes.max()) < data[node_type].num_nodes
    # The global-to-local buffers are clean again after the call.
    assert all(bool((buf == -1).all()) for buf in sampler._to_local.values())


def test_sampler_two_hops_reach_two_hop_neighbours_and_counts_add_up() -> None:
    data = tiny_graph()
    _, out = sample(data, [-1, -1])
    assert out.num_sampled_nodes is not None and out.num_sampled_edges is not None

    # Reference: hop-by-hop in-neighbourhoods in plain Python.
    reached = {t: set(ids.tolist()) for t, ids in seeds().items()} | {"genre": set()}
    frontier = {t: set(ids) for t, ids in reached.items()}
    for _ in range(2):
        found: dict[str, set[int]] = {t: set() for t in reached}
        for edge_type in EDGE_TYPES:
            src, _, dst = edge_type
            for a, b in data[edge_type].edge_index.t().tolist():
                if b in frontier[dst]:
                    found[src].add(a)
        frontier = {t: found[t] - reached[t] for t in reached}
        for t in reached:
            reached[t] |= found[t]

    for node_type, nodes in out.node.items():
        assert set(nodes.tolist()) == reached[node_type]
        assert sum(out.num_sampled_nodes[node_type]) == nodes.numel()
        assert len(out.num_sampled_nodes[node_type]) == 3
    one_hop_users = set(out.node["user"][: sum(out.num_sampled_nodes["user"][:2])].tolist())
    assert reached["user"] - one_hop_users, "two hops must add users one hop does not"
    for edge_type in EDGE_TYPES:
        assert sum(out.num_sampled_edges[edge_type]) == out.row[edge_type].numel()
        assert out.col[edge_type].numel() == out.edge[edge_type].numel()


def test_sampler_reproducible_under_manual_seed() -> None:
    data = tiny_graph()
    sampler = TorchNeighborSampler(data, num_neighbors=[2, 2])

    def run(seed: int) -> list[Tensor]:
        torch.manual_seed(seed)
        out = sampler._sample(seeds())
        assert isinstance(out, HeteroSamplerOutput)
        return [*out.node.values(), *out.row.values(), *out.col.values(), *out.edge.values()]

    first, again, other = run(7), run(7), run(8)
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(
        a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other, strict=True)
    )
    gen = torch.Generator().manual_seed(3)
    out_a = sampler._sample(seeds(), generator=gen)
    gen.manual_seed(3)
    out_b = sampler._sample(seeds(), generator=gen)
    assert isinstance(out_a, HeteroSamplerOutput) and isinstance(out_b, HeteroSamplerOutput)
    assert torch.equal(out_a.edge[RATES], out_b.edge[RATES])


def test_floyd_sample_distinct_and_uniform() -> None:
    torch.manual_seed(0)
    deg = torch.full((6000,), 4)
    picks = floyd_sample(deg, 2, None)
    assert picks.shape == (6000, 2)
    assert int(picks.min()) >= 0 and int(picks.max()) <= 3
    assert bool((picks[:, 0] != picks[:, 1]).all())
    subsets = Counter(tuple(sorted(p)) for p in picks.tolist())
    assert len(subsets) == math.comb(4, 2)
    assert all(abs(n - 1000) < 150 for n in subsets.values())
    big = floyd_sample(torch.tensor([10**9, 11, 12]), 11, None)
    assert all(row.unique().numel() == 11 for row in big)
    assert int(big[1].max()) <= 10 and int(big[2].max()) <= 11


def test_sampler_with_replacement_draws_exactly_k() -> None:
    data = tiny_graph()
    torch.manual_seed(0)
    _, out = sample(data, [3], replace=True)
    assert out.num_sampled_nodes is not None
    for edge_type in EDGE_TYPES:
        dst_type = edge_type[2]
        n_seeds = out.num_sampled_nodes[dst_type][0]
        degree = in_degree(data, edge_type)[out.node[dst_type][:n_seeds]]
        got = torch.bincount(out.col[edge_type], minlength=n_seeds)
        assert torch.equal(got, torch.where(degree > 0, 3, 0))


@pytest.mark.filterwarnings("ignore:Cannot convert to bidirectional graph:UserWarning")
def test_sampler_bidirectional_subgraph_is_symmetric() -> None:
    data = tiny_graph()
    sampler = TorchNeighborSampler(data, num_neighbors=[2], subgraph_type="bidirectional")
    torch.manual_seed(0)
    out = sampler.sample_from_nodes(NodeSamplerInput(None, torch.tensor([0, 5]), input_type="user"))
    assert isinstance(out, HeteroSamplerOutput)
    pairs = set(zip(out.row[FRIEND].tolist(), out.col[FRIEND].tolist(), strict=True))
    assert pairs and all((b, a) in pairs for a, b in pairs)


def test_sampler_unsupported_options_raise_without_compiled_ops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(torch_geometric.typing, "WITH_PYG_LIB", False)
    monkeypatch.setattr(torch_geometric.typing, "WITH_TORCH_SPARSE", False)
    hetero = TorchNeighborSampler(tiny_graph(), num_neighbors=[2], disjoint=True)
    with pytest.raises(NotImplementedError, match="disjoint"):
        hetero._sample(seeds())
    induced = TorchNeighborSampler(tiny_graph(), num_neighbors=[2], subgraph_type="induced")
    with pytest.raises(NotImplementedError, match="induced"):
        induced._sample(seeds())
    homo = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2)
    with pytest.raises(NotImplementedError, match="homogeneous"):
        TorchNeighborSampler(homo, num_neighbors=[2])._sample(torch.tensor([0]))


def test_sampler_unsupported_options_defer_to_pyg(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def fake_sample(self: NeighborSampler, seed: object, seed_time: object = None) -> str:
        calls.append(seed)
        return "pyg"

    monkeypatch.setattr(torch_geometric.typing, "WITH_TORCH_SPARSE", True)
    monkeypatch.setattr(NeighborSampler, "_sample", fake_sample)
    sampler = TorchNeighborSampler(tiny_graph(), num_neighbors=[2], disjoint=True)
    assert sampler._sample(seeds()) == "pyg"
    assert len(calls) == 1


def test_sampler_silences_only_the_pyg_lib_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TorchNeighborSampler(tiny_graph(), num_neighbors=[2])
        TorchNeighborSampler(tiny_graph(), num_neighbors=[2], directed=False)
    messages = [str(w.message) for w in caught]
    assert not any("pyg-lib" in m for m in messages)
    assert any("'directed' argument" in m for m in messages)


def supervision_edges(data: HeteroData) -> Tensor:
    """``[2, E]`` supervision edges: every rating."""
    return data[RATES].edge_index


def test_link_loader_covers_every_supervision_edge() -> None:
    data = tiny_graph()
    edge_index = supervision_edges(data)
    sampler = TorchNeighborSampler(data, num_neighbors=[3, 2])
    loader = LinkNeighborLoader(
        data,
        num_neighbors=[3, 2],
        edge_label_index=(RATES, edge_index),
        batch_size=16,
        shuffle=True,
        neighbor_sampler=sampler,
    )
    torch.manual_seed(0)
    seen: list[Tensor] = []
    for batch in loader:
        input_id = batch[RATES].input_id
        label_index = batch[RATES].edge_label_index
        users = batch["user"].n_id[label_index[0]]
        titles = batch["title"].n_id[label_index[1]]
        assert torch.equal(torch.stack([users, titles]), edge_index[:, input_id])
        # Message-passing edges are real edges too, with e_id mapped through perm.
        local = batch[RATES].edge_index
        real = torch.stack([batch["user"].n_id[local[0]], batch["title"].n_id[local[1]]])
        assert torch.equal(real, data[RATES].edge_index[:, batch[RATES].e_id])
        seen.append(input_id)
    ids = torch.cat(seen)
    assert ids.numel() == edge_index.size(1)
    assert torch.equal(ids.sort().values, torch.arange(edge_index.size(1)))


def test_link_loader_triplet_negative_sampling() -> None:
    data = tiny_graph()
    edge_index = supervision_edges(data)
    loader = LinkNeighborLoader(
        data,
        num_neighbors=[2],
        edge_label_index=(RATES, edge_index),
        batch_size=20,
        shuffle=True,
        neg_sampling="triplet",
        neighbor_sampler=TorchNeighborSampler(data, num_neighbors=[2]),
    )
    torch.manual_seed(0)
    batches = 0
    for batch in loader:
        src, pos = batch["user"].src_index, batch["title"].dst_pos_index
        neg = batch["title"].dst_neg_index
        n = batch[RATES].input_id.numel()
        assert src.shape == pos.shape == neg.shape == (n,)
        for index, node_type in ((src, "user"), (pos, "title"), (neg, "title")):
            assert int(index.min()) >= 0
            assert int(index.max()) < batch[node_type].n_id.numel()
        pairs = torch.stack([batch["user"].n_id[src], batch["title"].n_id[pos]])
        assert torch.equal(pairs, edge_index[:, batch[RATES].input_id])
        batches += 1
    assert batches == math.ceil(edge_index.size(1) / 20)
