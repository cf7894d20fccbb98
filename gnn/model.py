"""GraphSAGE recommender: id embeddings + content feature nodes, heterogeneous ``SAGEConv``.

Layer 0 gives every node a learnable id embedding (feature nodes too, so a title's content is
the mean of its genre/person/keyword embeddings after one layer). Each layer is a
``HeteroConv`` of explicit per-relation ``SAGEConv``s (mean aggregation, root weight):
user ← titles interacted with, user ← friends, title ← its features (genres, people,
keywords) and, with ``title_from_users``, title ← users who interacted (off by default: it
lowered validation NDCG on ml-latest-small and FilmTrust and changed nothing on Last.fm).
Node outputs are the id embedding plus each layer's output (a residual "jumping knowledge"),
L2 normalised; a user–title score is a cosine divided by a temperature,
plus a per-title bias.

With ``rezero`` (the default) each layer's output is added through a learnable gate per node
type that starts at zero (Bachlechner et al., ReZero, 2020): training starts as a matrix
factorisation of the id embeddings and opens the message passing as far as it lowers the loss.
Without the gates, the freshly initialised aggregations drowned the id embeddings and the
model ended below plain factorisation (docs/evaluation.md).
"""

from __future__ import annotations

import warnings
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, SAGEConv

from gnn.data import FEATURE_TYPES

__all__ = ["GraphSAGERec", "relation_edges", "user_scores"]

EdgeDict = dict[tuple[str, str, str], Tensor]


def relation_edges(rates: Tensor, features: dict[str, Tensor], friends: Tensor) -> EdgeDict:
    """Return the message-passing edges (source → destination) of every relation.

    Args:
        rates: ``[2, E]`` user → title interaction edges used for message passing.
        features: ``type -> [2, F]`` title → feature edges.
        friends: ``[2, S]`` user → user edges (both directions).
    """
    edges: EdgeDict = {
        ("user", "rates", "title"): rates,
        ("title", "rated_by", "user"): rates.flip(0),
        ("user", "friend", "user"): friends,
    }
    for kind, index in features.items():
        edges[(kind, "describes", "title")] = index.flip(0)
    return edges


def user_scores(emb: dict[str, Tensor], users: Tensor, temperature: float) -> Tensor:
    """Logits ``[B, num_titles]`` of users ``[B]``: cosine / temperature + title bias."""
    return emb["user"][users] @ emb["title"].T / temperature + emb["bias"]


class GraphSAGERec(nn.Module):
    """Heterogeneous GraphSAGE encoder for user → title ranking.

    Args:
        num_nodes: Node count per type (``user``, ``title``, ``genre``, ``person``, ``keyword``).
        dim: Embedding and hidden size ``d``.
        num_layers: Message-passing layers.
        dropout: Dropout on layer inputs.
        use_friends: Whether user ← friend messages are used.
        user_id_embedding: Whether users have learnable id embeddings; without them a user is
            known only through her titles and friends (fully inductive users).
        rezero: Gate each layer's output with a learnable scalar per node type, initially 0.
        title_from_users: Whether titles aggregate the users who interacted with them.
    """

    def __init__(
        self,
        num_nodes: dict[str, int],
        dim: int = 64,
        num_layers: int = 2,
        dropout: float = 0.1,
        use_friends: bool = True,
        user_id_embedding: bool = True,
        rezero: bool = False,
        title_from_users: bool = False,
    ) -> None:
        super().__init__()
        self.user_id_embedding = user_id_embedding
        self.dim = dim
        self.dropout = dropout
        self.emb = nn.ModuleDict(
            {kind: nn.Embedding(max(count, 1), dim) for kind, count in num_nodes.items()}
        )
        for table in self.emb.values():
            nn.init.normal_(cast(nn.Embedding, table).weight, std=0.1)
        #: Per-title popularity bias added to user-title logits (not to title-title cosine).
        self.title_bias = nn.Parameter(torch.zeros(max(num_nodes.get("title", 0), 1)))
        self.rezero = rezero
        #: ``[num_layers, 2]`` gates of the user and title outputs of each layer (``rezero``).
        self.gates = nn.Parameter(torch.zeros(num_layers, 2))
        self.convs = nn.ModuleList()
        self.relations: list[set[tuple[str, str, str]]] = []
        for _ in range(num_layers):
            rels: dict[tuple[str, str, str], SAGEConv] = {
                ("title", "rated_by", "user"): SAGEConv(dim, dim),
            }
            if title_from_users:
                rels[("user", "rates", "title")] = SAGEConv(dim, dim)
            if use_friends:
                rels[("user", "friend", "user")] = SAGEConv(dim, dim)
            for kind in FEATURE_TYPES:
                if num_nodes.get(kind, 0) > 0:
                    rels[(kind, "describes", "title")] = SAGEConv(dim, dim, root_weight=False)
            with warnings.catch_warnings():
                # Feature nodes are sources only: their id embeddings are not updated, on purpose.
                warnings.filterwarnings("ignore", message="There exist node types")
                self.convs.append(HeteroConv(rels, aggr="sum"))
            self.relations.append(set(rels))

    def forward(
        self,
        edges: EdgeDict,
        title_id_mask: Tensor | None = None,
        x_override: dict[str, Tensor] | None = None,
    ) -> dict[str, Tensor]:
        """Encode every user and title of the full graph.

        Args:
            edges: Message-passing edges from :func:`relation_edges`.
            title_id_mask: ``[num_titles]`` 0/1 multiplier on title id embeddings (0 = cold:
                the title is known only through its features and neighbours).
            x_override: Replace layer-0 inputs of some node types (used for new nodes).

        Returns:
            ``{"user": [num_users, d], "title": [num_titles, d]}``, L2-normalised, and
            ``"bias": [num_titles]`` (zero for titles beyond the trained id table).
        """
        x: dict[str, Tensor] = {
            kind: cast(nn.Embedding, table).weight for kind, table in self.emb.items()
        }
        if x_override:
            x.update(x_override)
        n_titles = x["title"].shape[0]
        bias: Tensor = self.title_bias
        if n_titles > bias.shape[0]:
            bias = torch.cat([bias, bias.new_zeros(n_titles - bias.shape[0])])
        return self._encode(x, edges, bias, title_id_mask)

    def forward_subgraph(
        self,
        n_id: dict[str, Tensor],
        edges: EdgeDict,
        title_id_mask: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Encode the nodes of a sampled subgraph (mini-batch training).

        Args:
            n_id: ``type -> [N_type]`` global ids of the subgraph's nodes (local index = position).
            edges: Message-passing edges in local indices, keyed like :func:`relation_edges`.
            title_id_mask: ``[N_title]`` 0/1 multiplier on the subgraph's title id embeddings.

        Returns:
            ``{"user": [N_user, d], "title": [N_title, d]}``, L2-normalised, and
            ``"bias": [N_title]``. The id tables get sparse gradients (``SparseAdam``).
        """
        x: dict[str, Tensor] = {}
        for kind, table in self.emb.items():
            weight = cast(nn.Embedding, table).weight
            ids = n_id.get(kind, weight.new_empty(0, dtype=torch.long))
            # Sparse gradients: a step updates the subgraph's rows, not 500,000 × d zeros.
            x[kind] = F.embedding(ids, weight, sparse=True)
        return self._encode(x, edges, self.title_bias[n_id["title"]], title_id_mask)

    def forward_inputs(self, x: dict[str, Tensor], edges: EdgeDict) -> dict[str, Tensor]:
        """Encode the nodes of a subgraph from their layer-0 inputs ``x`` (``type -> [N, d]``,
        local indices as in ``edges``): new nodes enter with the inputs they are given."""
        return self._encode(dict(x), edges, x["title"].new_zeros(x["title"].shape[0]), None)

    def _encode(
        self, x: dict[str, Tensor], edges: EdgeDict, bias: Tensor, title_id_mask: Tensor | None
    ) -> dict[str, Tensor]:
        """Message passing from layer-0 inputs ``x`` (``type -> [N_type, d]``)."""
        if not self.user_id_embedding:
            x["user"] = torch.zeros_like(x["user"])
        if title_id_mask is not None:
            x["title"] = x["title"] * title_id_mask.unsqueeze(-1)
            bias = bias * title_id_mask
        usable = {rel: index for rel, index in edges.items() if rel[0] in x and rel[2] in x}
        out = {"user": x["user"], "title": x["title"]}
        last = len(self.convs) - 1
        for layer, (conv, relations) in enumerate(zip(self.convs, self.relations, strict=True)):
            h = {k: F.dropout(v, self.dropout, self.training) for k, v in x.items()}
            new = conv(h, {rel: idx for rel, idx in usable.items() if rel in relations})
            for kind in ("user", "title"):
                if kind in new:
                    x[kind] = new[kind] if layer == last else F.leaky_relu(new[kind], 0.1)
            if self.rezero:
                gate = self.gates[layer]
                out = {
                    "user": out["user"] + gate[0] * x["user"],
                    "title": out["title"] + gate[1] * x["title"],
                }
            else:
                out = {kind: out[kind] + x[kind] for kind in out}
        result = {kind: F.normalize(v, dim=-1) for kind, v in out.items()}
        result["bias"] = bias
        return result
