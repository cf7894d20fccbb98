"""Inductive cold start: embed titles and users added after training, without retraining.

A new title enters the promoted model's training graph with a zero id embedding and its
feature edges (genres, people, keywords the model knows); a new user enters with her
interactions and friendships. One forward pass gives their vectors; their ``embedding`` and
top-k ``SIMILAR_TO`` / ``SIMILAR_USER`` edges of the promoted version are written. The promoted
model is loaded once per version and cached in-process.

This module is the API's one seam into the GNN (``POST /v1/items`` embeds the new title).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import torch

from gnn import artifacts, write_back
from gnn.data import FEATURE_TYPES, GraphRecords
from gnn.errors import NoPromotedModelError
from gnn.names import DEFAULT_MODEL
from graph import models as registry
from graph import similarity

if TYPE_CHECKING:
    from gnn.model import EdgeDict
    from graph.connection import Connection
    from graph.models import ModelRecord

__all__ = ["NoPromotedModelError", "embed_new_titles", "embed_new_users"]


def _promoted(conn: Connection) -> tuple[ModelRecord, artifacts.Artifact]:
    record = registry.get_promoted(conn, DEFAULT_MODEL)
    if record is None:
        raise NoPromotedModelError(f"no {DEFAULT_MODEL} model is promoted; run `graphrec train`")
    return record, artifacts.load_artifact(Path(record.artifact_path))


def _active(art: artifacts.Artifact, kind: similarity.Kind) -> torch.Tensor:
    """``[N]`` bool: the titles / users with at least one training interaction."""
    rates = art.graph.data["user", "rates", "title"].edge_index
    active = torch.zeros(art.embeddings[kind].shape[0], dtype=torch.bool)
    active[rates[1 if kind == "title" else 0]] = True
    return active


def _write(
    conn: Connection,
    kind: similarity.Kind,
    art: artifacts.Artifact,
    version: str,
    ids: list[str],
    vectors: torch.Tensor,
    k: int,
    self_rows: torch.Tensor | None = None,
) -> None:
    """Replace the nodes' edges of the version with their top-k, and store their vectors."""
    idx, val = write_back.neighbours(
        vectors, art.embeddings[kind], k, _active(art, kind), self_rows
    )
    similarity.delete_versions(conn, DEFAULT_MODEL, [version], source_ids={kind: ids})
    rows = write_back.neighbour_rows(ids, art.graph.ids[kind], idx, val)
    similarity.write_similar(conn, kind, rows, model=DEFAULT_MODEL, version=version)
    similarity.write_embeddings(conn, kind, ids, vectors.tolist(), version)


def _upstream(
    edges: EdgeDict, targets: dict[str, torch.Tensor], layers: int
) -> dict[str, torch.Tensor]:
    """The nodes (sorted global indices per type) whose inputs reach ``targets`` within
    ``layers`` hops of message passing, the targets included."""
    nodes = {kind: ids.unique() for kind, ids in targets.items()}
    frontier = dict(nodes)
    for _ in range(layers):
        reached: dict[str, list[torch.Tensor]] = {}
        for (src, _, dst), index in edges.items():
            if dst in frontier and index.shape[1]:
                reached.setdefault(src, []).append(index[0, torch.isin(index[1], frontier[dst])])
        frontier = {kind: torch.cat(parts).unique() for kind, parts in reached.items()}
        for kind, ids in frontier.items():
            nodes[kind] = torch.cat([nodes[kind], ids]).unique() if kind in nodes else ids
    return nodes


@torch.no_grad()
def _forward(art: artifacts.Artifact, kind: str, extra: int, edges_extra: EdgeDict) -> torch.Tensor:
    """``[extra, d]`` vectors of ``extra`` new nodes of ``kind`` joined by ``edges_extra``.

    Only the subgraph upstream of the new nodes is encoded (their ``num_layers``-hop
    neighbourhood): a new node's vector is exactly the full graph's, at the cost of its
    neighbourhood rather than of the graph (10 M interactions: a 4 GB pass per call).
    """
    from gnn.train import model_edges

    edges = model_edges(art.graph)
    for rel, index in edges_extra.items():
        edges[rel] = torch.cat([edges[rel], index], dim=1) if rel in edges else index
    tables = {k: cast(torch.nn.Embedding, t).weight for k, t in art.model.emb.items()}
    known = tables[kind].shape[0]
    inputs = {
        **tables,
        kind: torch.cat([tables[kind], tables[kind].new_zeros(extra, art.model.dim)]),
    }
    nodes = _upstream(edges, {kind: torch.arange(known, known + extra)}, len(art.model.convs))
    nodes = {k: nodes.get(k, torch.empty(0, dtype=torch.long)) for k in inputs}
    local: EdgeDict = {}
    for (src, name, dst), index in edges.items():
        keep = torch.isin(index[0], nodes[src]) & torch.isin(index[1], nodes[dst])
        local[(src, name, dst)] = torch.stack([
            torch.searchsorted(nodes[src], index[0, keep]),
            torch.searchsorted(nodes[dst], index[1, keep]),
        ])  # fmt: skip
    out = art.model.forward_inputs({k: inputs[k][ids] for k, ids in nodes.items()}, local)
    return out[kind][torch.searchsorted(nodes[kind], torch.arange(known, known + extra))]


def _title_edges(art: artifacts.Artifact, new: list[str], recs: GraphRecords) -> EdgeDict:
    """Feature → title edges of the new titles (features the model knows)."""
    base = len(art.graph.ids["title"])
    extra: EdgeDict = {}
    for kind in FEATURE_TYPES:
        findex = art.graph.index(kind)
        pairs = [
            (findex[key], base + n)
            for n, title in enumerate(new)
            for feature, key in sorted(recs.features.get(title, ()))
            if feature == kind and key in findex
        ]
        if pairs:
            extra[(kind, "describes", "title")] = torch.tensor(pairs, dtype=torch.long).t()
    return extra


def _user_edges(art: artifacts.Artifact, new: list[str], recs: GraphRecords) -> EdgeDict:
    """Interaction and friendship edges of the new users (titles and users the model knows)."""
    known = art.graph.index("user")
    titles = art.graph.index("title")
    local = {u: len(known) + n for n, u in enumerate(new)}
    users = {**known, **local}
    rates = [(local[u], titles[t]) for u, t in sorted(recs.positives) if u in local and t in titles]
    friends = [
        (users[a], users[b]) for a, b in sorted(recs.friendships) if a in users and b in users
    ]
    extra: EdgeDict = {}
    if rates:
        index = torch.tensor(rates, dtype=torch.long).t()
        extra[("user", "rates", "title")] = index
        extra[("title", "rated_by", "user")] = index.flip(0)
    if friends:
        index = torch.tensor(friends, dtype=torch.long).t()
        extra[("user", "friend", "user")] = torch.cat([index, index.flip(0)], dim=1)
    return extra


def _embed(
    conn: Connection,
    kind: similarity.Kind,
    wanted_ids: Sequence[str] | None,
    k: int,
    *,
    from_features: bool = False,
) -> int:
    """Write the wanted nodes the model knows from their trained vectors, and embed the others
    from the graph around them."""
    record, art = _promoted(conn)
    known = art.graph.index(kind)
    wanted = (
        list(wanted_ids)
        if wanted_ids is not None
        else similarity.lacking_embeddings(conn, kind, record.version)
    )
    old = [n for n in wanted if n in known and not from_features]
    if old:
        rows = torch.tensor([known[n] for n in old])
        _write(conn, kind, art, record.version, old, art.embeddings[kind][rows], k, rows)
    new = sorted(set(wanted) - set(old))
    if new:
        if kind == "title":
            edges = _title_edges(art, new, GraphRecords.read(conn, title_ids=new))
        else:
            edges = _user_edges(art, new, GraphRecords.read(conn, user_ids=new))
        vectors = _forward(art, kind, len(new), edges)
        # A known node embedded afresh is not its own (trained) neighbour.
        own = torch.tensor([known.get(n, -1) for n in new])
        _write(conn, kind, art, record.version, new, vectors, k, own)
    return len(old) + len(new)


def embed_new_titles(
    conn: Connection,
    title_ids: Sequence[str] | None = None,
    *,
    k: int = 20,
    from_features: bool = False,
) -> int:
    """Embed ``title_ids`` (default: every title lacking an embedding of the promoted version)
    from their features with the promoted model; write vectors and ``k`` ``SIMILAR_TO`` edges
    each. A title the model was trained on keeps its trained vector unless ``from_features``
    (its features changed). Returns how many were embedded; raises NoPromotedModelError
    without a model."""
    return _embed(conn, "title", title_ids, k, from_features=from_features)


def embed_new_users(conn: Connection, user_ids: Sequence[str] | None = None, *, k: int = 20) -> int:
    """The same for users (default: those with interactions lacking an embedding), from their
    interactions and friends, with ``k`` ``SIMILAR_USER`` edges each."""
    return _embed(conn, "user", user_ids, k)
