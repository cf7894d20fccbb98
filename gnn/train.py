"""Training loop of :class:`gnn.model.GraphSAGERec`: full softmax over titles, early stopping.

Each epoch the train interactions are split at random into message-passing edges (a fraction
``mp_ratio``) and supervision edges (the rest), so a user never predicts a title she is
aggregating (no identity shortcut). The loss is the cross-entropy of every supervision title
against **all** titles (cosine / ``temperature``): cheap for catalogues up to ~10⁵ titles and
much stronger than BPR. Users are processed in batches of ``user_batch`` (one optimiser step
each), so memory is bounded by ``user_batch × num_titles`` logits plus one full-graph pass.
Title id embeddings are dropped at rate ``title_id_dropout`` so that content features alone
carry a title (cold start). Validation NDCG picks the checkpoint. Large graphs: mini-batches.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import msgspec
import torch

from gnn.data import FEATURE_TYPES, GraphData
from gnn.model import EdgeDict, GraphSAGERec, relation_edges, user_scores
from gnn.optim import Optimiser, optimiser

__all__ = ["TrainConfig", "TrainResult", "encode", "model_edges", "train_model"]


class TrainConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Hyperparameters of GraphSAGE training (flags or a TOML file of the same names).

    Model: ``dim``, ``num_layers``, ``dropout`` (on layer inputs), ``use_friends`` (user ←
    friend messages), ``user_id_embedding``, ``rezero`` (each layer's output enters through a
    gate that starts at 0, so training starts from the id embeddings and opens the message
    passing only as far as it helps), ``title_from_users`` (title ← user messages).
    Objective: ``temperature`` of the cosine softmax; each epoch a fraction ``mp_ratio`` of
    the train interactions carries messages and the rest are targets; ``title_id_dropout``.
    Optimisation: Adam ``lr``, ``weight_decay``, at most ``epochs``, validation every
    ``eval_every`` epochs, early stop after ``patience`` evaluations without improvement.
    Batching: ``batching`` (``auto`` = full-graph steps up to ``full_batch_max_edges``
    interactions, ``LinkNeighborLoader`` mini-batches beyond); ``user_batch`` users per
    full-graph step; ``edge_batch`` target edges and ``fanout`` sampled neighbours per relation
    and layer per mini-batch. ``item_head``: blend the GNN's scores with the closed-form
    item-item head of :mod:`gnn.head` (its ``λ`` and weight chosen on valid), over the
    ``head_items`` most interacted titles at most (its time grows with their cube).
    """

    dim: int = 128
    num_layers: int = 1
    dropout: float = 0.1
    temperature: float = 0.2
    lr: float = 0.01
    weight_decay: float = 1e-6
    epochs: int = 300
    eval_every: int = 5
    patience: int = 6
    mp_ratio: float = 0.2
    title_id_dropout: float = 0.2
    user_batch: int = 2048
    use_friends: bool = True
    user_id_embedding: bool = True
    rezero: bool = True
    title_from_users: bool = False
    seed: int = 0
    batching: Literal["auto", "full", "minibatch"] = "auto"
    full_batch_max_edges: int = 3_000_000
    edge_batch: int = 2048
    fanout: int = 20
    item_head: bool = True
    head_items: int = 10_000


@dataclass
class TrainResult:
    """Outcome of :func:`train_model`.

    Attributes:
        model: The model restored to its best validation checkpoint (eval mode).
        losses: Mean training loss per epoch.
        valid_ndcg: Best validation NDCG (``nan`` without a validation function).
        best_epoch: Epoch of the kept checkpoint.
        minibatch: Whether sampled mini-batches were used (else full-graph steps).
    """

    model: GraphSAGERec
    losses: list[float] = field(default_factory=list)
    valid_ndcg: float = float("nan")
    best_epoch: int = 0
    seconds: float = 0.0
    minibatch: bool = False


Validate = Callable[[dict[str, torch.Tensor]], float]
Progress = Callable[[int, float, float | None], None]


def model_edges(graph: GraphData, rates: torch.Tensor | None = None) -> EdgeDict:
    """Message-passing edges of a graph (``rates`` replaces its interaction edges)."""
    data = graph.data
    feats = {kind: data["title", f"has_{kind}", kind].edge_index for kind in FEATURE_TYPES}
    inter = data["user", "rates", "title"].edge_index if rates is None else rates
    return relation_edges(inter, feats, data["user", "friend", "user"].edge_index)


def num_nodes(graph: GraphData) -> dict[str, int]:
    """Node count per type."""
    return {kind: len(keys) for kind, keys in graph.ids.items()}


def build_model(graph: GraphData, cfg: TrainConfig) -> GraphSAGERec:
    """A fresh model sized for ``graph``."""
    return GraphSAGERec(
        num_nodes(graph),
        cfg.dim,
        cfg.num_layers,
        cfg.dropout,
        cfg.use_friends,
        cfg.user_id_embedding,
        cfg.rezero,
        cfg.title_from_users,
    )


@torch.no_grad()
def encode(model: GraphSAGERec, graph: GraphData) -> dict[str, torch.Tensor]:
    """Embeddings of every user and title with all interaction edges (eval mode).

    Returns:
        ``{"user": [U, d], "title": [T, d]}``, L2-normalised, and ``"bias": [T]``, on CPU.
    """
    model.eval()
    device = next(model.parameters()).device
    edges = {rel: idx.to(device) for rel, idx in model_edges(graph).items()}
    return {kind: v.cpu() for kind, v in model(edges).items()}


def _step_loss(
    model: GraphSAGERec,
    edges: EdgeDict,
    sup: torch.Tensor,
    weight: torch.Tensor,
    cfg: TrainConfig,
    title_mask: torch.Tensor,
) -> torch.Tensor:
    """Weighted softmax cross-entropy of each target title against every title."""
    emb = model(edges, title_id_mask=title_mask)
    users, local = torch.unique(sup[0], return_inverse=True)
    logits = user_scores(emb, users, cfg.temperature)
    log_prob = logits[local, sup[1]] - torch.logsumexp(logits, dim=1)[local]
    return -(log_prob * weight).sum() / weight.sum()


def uses_minibatches(graph: GraphData, cfg: TrainConfig) -> bool:
    """Whether :func:`train_model` samples subgraphs (``LinkNeighborLoader``) for ``graph``.

    ``auto`` keeps full-graph steps (every title scored by a full softmax) while the graph has
    at most ``full_batch_max_edges`` interactions, and samples mini-batches beyond that.
    """
    if cfg.batching != "auto":
        return cfg.batching == "minibatch"
    return int(graph.data["user", "rates", "title"].edge_index.shape[1]) > cfg.full_batch_max_edges


class _Epoch:
    """One training epoch's random split of the train edges: a fraction ``mp_ratio`` carries
    messages, the rest are targets (a user never predicts a title she aggregates)."""

    def __init__(self, graph: GraphData, cfg: TrainConfig, gen: torch.Generator) -> None:
        store = graph.data["user", "rates", "title"]
        keep = torch.rand(store.edge_index.shape[1], generator=gen) < cfg.mp_ratio
        self.mp = store.edge_index[:, keep]
        self.sup = store.edge_index[:, ~keep]
        self.sup_w = store.edge_weight[~keep]


def _step(opt: Optimiser, loss: torch.Tensor) -> float:
    """One optimiser step on ``loss``; returns its value."""
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.detach())


def _full_batch_epoch(
    model: GraphSAGERec,
    opt: Optimiser,
    graph: GraphData,
    base: EdgeDict,
    cfg: TrainConfig,
    gen: torch.Generator,
    device: str,
) -> float:
    """Full-graph steps: users in batches of ``user_batch``, full softmax over all titles."""
    split = _Epoch(graph, cfg, gen)
    n_users, n_titles = len(graph.ids["user"]), len(graph.ids["title"])
    edges = dict(base)
    edges[("user", "rates", "title")] = split.mp.to(device)
    edges[("title", "rated_by", "user")] = split.mp.flip(0).to(device)
    order = torch.randperm(n_users, generator=gen)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(n_users)
    batch_of = rank[split.sup[0]] // cfg.user_batch
    total, steps = 0.0, 0
    for b in torch.unique(batch_of).tolist():
        sel = batch_of == b
        title_mask = (torch.rand(n_titles, generator=gen) >= cfg.title_id_dropout).float()
        loss = _step_loss(
            model,
            edges,
            split.sup[:, sel].to(device),
            split.sup_w[sel].to(device),
            cfg,
            title_mask.to(device),
        )
        total, steps = total + _step(opt, loss), steps + 1
    return total / max(steps, 1)


def _minibatch_epoch(
    model: GraphSAGERec,
    opt: Optimiser,
    graph: GraphData,
    cfg: TrainConfig,
    gen: torch.Generator,
    device: str,
) -> float:
    """Sampled steps: ``LinkNeighborLoader`` over the target edges, sampled softmax.

    Each batch holds ``edge_batch`` target edges, one uniformly drawn negative title per edge,
    and the ``fanout``-neighbour subgraph around them, so memory does not grow with the graph.
    A target's candidates are every title of the batch (the other targets and the negatives);
    logits are corrected by the log of each title's expected count in a batch (in-batch
    negatives follow popularity); the user's other targets are masked out.
    """
    from torch_geometric.data import HeteroData
    from torch_geometric.loader import LinkNeighborLoader
    from torch_geometric.sampler import NegativeSampling

    from gnn.sampling import TorchNeighborSampler

    split = _Epoch(graph, cfg, gen)
    n_titles = len(graph.ids["title"])
    data = HeteroData()
    for kind, keys in graph.ids.items():
        data[kind].num_nodes = len(keys)
    for rel, index in model_edges(graph, rates=split.mp).items():
        data[rel].edge_index = index
    fanouts = {rel: [cfg.fanout] * cfg.num_layers for rel in data.edge_types}
    loader = LinkNeighborLoader(
        data,
        num_neighbors=fanouts,
        edge_label_index=(("user", "rates", "title"), split.sup),
        batch_size=cfg.edge_batch,
        shuffle=True,
        neg_sampling=NegativeSampling("triplet", amount=1),
        neighbor_sampler=TorchNeighborSampler(data, num_neighbors=fanouts),
    )
    # Expected occurrences of each title among a batch's candidates (logQ correction).
    degree = torch.bincount(split.sup[1], minlength=n_titles).float()
    expected = cfg.edge_batch * (degree / max(split.sup.shape[1], 1) + 1.0 / n_titles)
    log_q = torch.log(expected.clamp(min=1e-9))
    total, steps = 0.0, 0
    for batch in loader:
        n_id = {kind: batch[kind].n_id.to(device) for kind in batch.node_types}
        edges = {rel: batch[rel].edge_index.to(device) for rel in batch.edge_types}
        n_local = n_id["title"].shape[0]
        title_mask = (torch.rand(n_local, generator=gen) >= cfg.title_id_dropout).float()
        emb = model.forward_subgraph(n_id, edges, title_mask.to(device))
        src = batch["user"].src_index.to(device)
        pos = batch["title"].dst_pos_index.to(device)
        cand = torch.unique(torch.cat([pos, batch["title"].dst_neg_index.view(-1).to(device)]))
        target = torch.searchsorted(cand, pos)
        logits = emb["user"][src] @ emb["title"][cand].T / cfg.temperature
        logits = logits + emb["bias"][cand] - log_q.to(device)[n_id["title"][cand]]
        # The user's other targets in this batch are positives, not negatives.
        users, row_user = torch.unique(src, return_inverse=True)
        positives = torch.zeros(len(users), len(cand), dtype=torch.bool, device=device)
        positives[row_user, target] = True
        others = positives[row_user]
        others[torch.arange(len(target), device=device), target] = False
        logits = logits.masked_fill(others, -torch.inf)
        weight = split.sup_w[batch["user", "rates", "title"].input_id].to(device)
        log_prob = logits.gather(1, target.unsqueeze(1)).squeeze(1) - torch.logsumexp(logits, 1)
        loss = -(log_prob * weight).sum() / weight.sum()
        total, steps = total + _step(opt, loss), steps + 1
    return total / max(steps, 1)


def train_model(
    graph: GraphData,
    cfg: TrainConfig,
    validate: Validate | None = None,
    progress: Progress | None = None,
    device: str = "cpu",
) -> TrainResult:
    """Train GraphSAGE on the interaction edges of ``graph``.

    Small graphs take full-graph steps with a full softmax over titles; large ones (see
    :func:`uses_minibatches`) take ``LinkNeighborLoader`` mini-batches with a sampled softmax.

    Args:
        graph: Graph whose ``(user, rates, title)`` edges are the training positives.
        cfg: Hyperparameters.
        validate: Returns validation NDCG from embeddings (see :func:`encode`); enables early
            stopping. Without it the last epoch is kept.
        progress: Called as ``progress(epoch, loss, valid_ndcg_or_None)`` after each epoch.
        device: Torch device.

    Returns:
        The trained model and its curves.
    """
    start = time.perf_counter()
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model = build_model(graph, cfg)
    model.to(device)
    minibatch = uses_minibatches(graph, cfg)
    opt = optimiser(model, cfg.lr, cfg.weight_decay, minibatch=minibatch)
    base = {rel: idx.to(device) for rel, idx in model_edges(graph).items()}
    result = TrainResult(model=model, minibatch=minibatch)
    best_state, bad = copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        if minibatch:
            loss = _minibatch_epoch(model, opt, graph, cfg, gen, device)
        else:
            loss = _full_batch_epoch(model, opt, graph, base, cfg, gen, device)
        result.losses.append(loss)
        ndcg: float | None = None
        if validate is not None and (epoch % cfg.eval_every == 0 or epoch == cfg.epochs):
            ndcg = validate(encode(model, graph))
            if ndcg > result.valid_ndcg or result.best_epoch == 0:
                result.valid_ndcg, result.best_epoch, bad = ndcg, epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                bad += 1
        if progress is not None:
            progress(epoch, result.losses[-1], ndcg)
        if validate is not None and bad >= cfg.patience:
            break
    if validate is None:
        result.best_epoch, best_state = len(result.losses), model.state_dict()
    model.load_state_dict(best_state)
    model.eval()
    result.seconds = time.perf_counter() - start
    return result
