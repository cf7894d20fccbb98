"""Model artifacts on disk: ``<models_dir>/<name>/<version>/``.

Files: ``weights.pt`` (state dict), ``config.json`` (hyperparameters), ``ids.json`` (id map of
every node type), ``graph.pt`` (the training graph's edge tensors, for inductive embedding) and
``embeddings.pt`` (``{"user": [U, d], "title": [T, d]}`` normalised vectors) and ``head.json``
(``λ`` and blend weight of the item-item head of :mod:`gnn.head`; absent: no head).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import msgspec
import torch
from torch_geometric.data import HeteroData

from gnn.data import FEATURE_TYPES, GraphData
from gnn.model import GraphSAGERec
from gnn.train import TrainConfig, build_model

__all__ = ["Artifact", "artifact_dir", "load_artifact", "save_artifact"]


@dataclass(frozen=True)
class Artifact:
    """A trained model loaded from disk (eval mode, CPU)."""

    path: Path
    config: TrainConfig
    model: GraphSAGERec
    graph: GraphData
    embeddings: dict[str, torch.Tensor]
    #: ``(λ, weight)`` of the item-item head (weight 0: the GNN alone).
    head: tuple[float, float] = (0.0, 0.0)


def artifact_dir(models_dir: Path, name: str, version: str) -> Path:
    """Directory of one model version's artifacts."""
    return models_dir / name / version


def _edge_tensors(graph: GraphData) -> dict[str, torch.Tensor]:
    data = graph.data
    out = {
        "rates": data["user", "rates", "title"].edge_index,
        "rates_weight": data["user", "rates", "title"].edge_weight,
        "friend": data["user", "friend", "user"].edge_index,
    }
    for kind in FEATURE_TYPES:
        out[kind] = data["title", f"has_{kind}", kind].edge_index
    return out


def save_artifact(
    path: Path,
    model: GraphSAGERec,
    config: TrainConfig,
    graph: GraphData,
    embeddings: dict[str, torch.Tensor],
    head: tuple[float, float] = (0.0, 0.0),
) -> Path:
    """Write a model's artifacts into ``path`` (created)."""
    path.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path / "weights.pt")
    (path / "config.json").write_bytes(msgspec.json.encode(config))
    (path / "ids.json").write_text(json.dumps(graph.ids), encoding="utf-8")
    torch.save(_edge_tensors(graph), path / "graph.pt")
    torch.save(embeddings, path / "embeddings.pt")
    (path / "head.json").write_text(
        json.dumps({"lambda": head[0], "weight": head[1]}), encoding="utf-8"
    )
    return path


@functools.lru_cache(maxsize=4)
def load_artifact(path: Path) -> Artifact:
    """Load (and cache per path, in-process) a model version's artifacts."""
    config = msgspec.json.decode((path / "config.json").read_bytes(), type=TrainConfig)
    ids = json.loads((path / "ids.json").read_text(encoding="utf-8"))
    edges = torch.load(path / "graph.pt", weights_only=True)
    data = HeteroData()
    for node_type, keys in ids.items():
        data[node_type].num_nodes = len(keys)
    data["user", "rates", "title"].edge_index = edges["rates"]
    data["user", "rates", "title"].edge_weight = edges["rates_weight"]
    data["user", "friend", "user"].edge_index = edges["friend"]
    for kind in FEATURE_TYPES:
        data["title", f"has_{kind}", kind].edge_index = edges[kind]
    graph = GraphData(data, ids)
    model = build_model(graph, config)
    model.load_state_dict(torch.load(path / "weights.pt", weights_only=True))
    model.eval()
    embeddings = torch.load(path / "embeddings.pt", weights_only=True)
    head = (0.0, 0.0)
    if (path / "head.json").is_file():
        raw = json.loads((path / "head.json").read_text(encoding="utf-8"))
        head = (float(raw["lambda"]), float(raw["weight"]))
    return Artifact(path, config, model, graph, embeddings, head)
