"""Training loop of :class:`gnn.model.GraphSAGERec`: full softmax over titles, early stopping.

Each epoch the train interactions are split at random into message-passing edges (a fraction
``mp_ratio``) and supervision edges (the rest), so a user never predicts a title she is
aggregating (no identity shortcut). The loss is the cross-entropy of every supervision title
against **all** titles (cosine / ``temperature``): cheap for catalogues up to ~10⁵ titles and
much stronger than BPR. Users are processed in batches of ``user_batch`` (one optimiser step
each), so memory is bounded by ``user_batch × num_titles`` logits plus one full-graph pass.
Title id embeddings are dropped at rate ``title_id_dropout`` so that content features alone
carry a title (inductive cold start). Validation NDCG picks the checkpoint.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec
import torch

from gnn.data import FEATURE_TYPES, GraphData
from gnn.model import EdgeDict, GraphSAGERec, relation_edges, user_scores

__all__ = ["TrainConfig", "TrainResult", "encode", "model_edges", "train_model"]


class TrainConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Hyperparameters of GraphSAGE training (flags or a TOML file of the same names)."""

    dim: int = 64
    num_layers: int = 1
    dropout: float = 0.1
    temperature: float = 0.2
    lr: float = 0.01
    weight_decay: float = 1e-6
    epochs: int = 300
    eval_every: int = 5
    patience: int = 6
    mp_ratio: float = 0.5
    title_id_dropout: float = 0.2
    user_batch: int = 2048
    use_friends: bool = True
    user_id_embedding: bool = True
    seed: int = 0


@dataclass
class TrainResult:
    """Outcome of :func:`train_model`.

    Attributes:
        model: The model restored to its best validation checkpoint (eval mode).
        losses: Mean training loss per epoch.
        valid_ndcg: Best validation NDCG (``nan`` without a validation function).
        best_epoch: Epoch of the kept checkpoint.
    """

    model: GraphSAGERec
    losses: list[float] = field(default_factory=list)
    valid_ndcg: float = float("nan")
    best_epoch: int = 0
    seconds: float = 0.0


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
    emb = model(edges, title_id_mask=title_mask)
    users, local = torch.unique(sup[0], return_inverse=True)
    logits = user_scores(emb, users, cfg.temperature)
    log_prob = logits[local, sup[1]] - torch.logsumexp(logits, dim=1)[local]
    return -(log_prob * weight).sum() / weight.sum()


def train_model(
    graph: GraphData,
    cfg: TrainConfig,
    validate: Validate | None = None,
    progress: Progress | None = None,
    device: str = "cpu",
) -> TrainResult:
    """Train GraphSAGE on the interaction edges of ``graph``.

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
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    base = {rel: idx.to(device) for rel, idx in model_edges(graph).items()}
    store = graph.data["user", "rates", "title"]
    inter, weights = store.edge_index, store.edge_weight
    n_users, n_titles = len(graph.ids["user"]), len(graph.ids["title"])
    result = TrainResult(model=model)
    best_state, bad = copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        keep = torch.rand(inter.shape[1], generator=gen) < cfg.mp_ratio
        mp, sup, sup_w = inter[:, keep], inter[:, ~keep], weights[~keep]
        edges = dict(base)
        edges[("user", "rates", "title")] = mp.to(device)
        edges[("title", "rated_by", "user")] = mp.flip(0).to(device)
        order = torch.randperm(n_users, generator=gen)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(n_users)
        batch_of = rank[sup[0]] // cfg.user_batch
        total, steps = 0.0, 0
        for b in torch.unique(batch_of).tolist():
            sel = batch_of == b
            title_mask = (torch.rand(n_titles, generator=gen) >= cfg.title_id_dropout).float()
            loss = _step_loss(
                model,
                edges,
                sup[:, sel].to(device),
                sup_w[sel].to(device),
                cfg,
                title_mask.to(device),
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, steps = total + float(loss.detach()), steps + 1
        result.losses.append(total / max(steps, 1))
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
