"""``graphrec train`` end to end: export → train → write back → register (→ promote).

Versions are ``v1, v2, …`` per model name. A new version's edges are written while the promoted
one serves; :func:`promote_version` flips the registry atomically, then writes the promoted
vectors to ``embedding`` properties and prunes the edges of versions beyond the last ``keep``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import torch

from gnn import artifacts, write_back
from gnn.data import GraphData, GraphRecords, build_graph
from gnn.errors import NoPromotedModelError, TrainingDataError
from gnn.head import HEAD_MAX_ITEMS, EaseGram, ItemHead, fit_head
from gnn.memory import peak_rss_mib
from gnn.model import user_scores
from gnn.names import DEFAULT_MODEL
from gnn.promotion import Comparison, check_comparable, compare_with_promoted
from gnn.protocol import Split, evaluate_scores, split_matrix, valid_users
from gnn.train import TrainConfig, encode, train_model
from graph import models as registry
from graph import similarity

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = [
    "DEFAULT_MODEL",
    "TrainReport",
    "WriteBack",
    "promote_version",
    "rollback",
    "train_and_register",
    "write_similarity",
]

Phase = Callable[[str, int, int], None]
#: Users the item head's grid is chosen on, at most (:func:`gnn.protocol.valid_users`).
HEAD_VALID_USERS = 2_000


@dataclass
class TrainReport:
    """What one ``graphrec train`` run did."""

    model_id: str
    version: str
    metrics: dict[str, Any] = field(default_factory=dict)
    promoted: bool = False
    pruned_edges: int = 0
    #: The new version against the promoted one (``None``: nothing was promoted, or no gate).
    gate: Comparison | None = None


@dataclass
class WriteBack:
    """Edges written per kind (``title``, ``user``); seconds finding the neighbours (the item
    head's refit included) and writing them to Neo4j."""

    edges: dict[str, int] = field(default_factory=dict)
    neighbour_seconds: float = 0.0
    write_seconds: float = 0.0


def _scorer(
    emb: dict[str, torch.Tensor], temperature: float
) -> Callable[[np.ndarray], torch.Tensor]:
    return lambda users: user_scores(emb, torch.from_numpy(users), temperature)


def _positives(graph: GraphData) -> sp.csr_matrix:
    """The graph's positive pairs as a binary ``[U, T]`` matrix."""
    rows, cols = graph.data["user", "rates", "title"].edge_index.numpy()
    shape = (len(graph.ids["user"]), len(graph.ids["title"]))
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)


def _holdout(graph: GraphData, seed: int) -> tuple[Split, GraphData]:
    """Per-user random 90/10 split of the graph's positives for early stopping."""
    store = graph.data["user", "rates", "title"]
    rows, cols = store.edge_index.numpy()
    full = _positives(graph)
    train, valid, test = split_matrix(full, seed, valid_fraction=0.1, test_fraction=0.0)
    split = Split(graph.ids["user"], graph.ids["title"], train, valid, test)
    coo = train.tocoo()
    n_titles = train.shape[1]
    kept = coo.row.astype(np.int64) * n_titles + coo.col
    mask = torch.from_numpy(np.isin(rows.astype(np.int64) * n_titles + cols, kept))
    data = graph.data.clone()
    data["user", "rates", "title"].edge_index = store.edge_index[:, mask]
    data["user", "rates", "title"].edge_weight = store.edge_weight[mask]
    return split, GraphData(data, graph.ids)


def write_similarity(
    conn: Connection,
    graph: GraphData,
    embeddings: dict[str, torch.Tensor],
    *,
    model: str,
    version: str,
    k: int = 20,
    phase: Phase | None = None,
    head: tuple[float, float] = (0.0, 0.0),
    head_items: int = HEAD_MAX_ITEMS,
) -> WriteBack:
    """Write top-k ``SIMILAR_TO`` for every title and ``SIMILAR_USER`` for users with history.

    Neighbours are restricted to titles / users with at least one interaction. With an item
    head (``(λ, weight)``, weight > 0) it is fitted on every positive of ``graph`` and title
    neighbours rank the blend of :meth:`gnn.head.ItemHead.title_similarity`.
    """
    out, started = WriteBack(), time.perf_counter()
    adjust: write_back.Adjust | None = None
    if head[1] > 0:
        gram = EaseGram(_positives(graph), max_items=head_items)
        item_head = ItemHead(gram, head[0], head[1], gram.weights(head[0]))
        adjust = item_head.title_similarity(len(graph.ids["title"]))
    rates = graph.data["user", "rates", "title"].edge_index
    plan: tuple[tuple[similarity.Kind, int], ...] = (("title", 1), ("user", 0))
    for kind, row in plan:
        n = len(graph.ids[kind])
        active = torch.zeros(n, dtype=torch.bool)
        active[rates[row]] = True
        emb = embeddings[kind]
        sources = torch.arange(n) if kind == "title" else torch.nonzero(active).ravel()
        idx, val = write_back.neighbours(
            emb[sources], emb, k, active, self_rows=sources,
            adjust=adjust if kind == "title" else None,
        )  # fmt: skip
        ids = graph.ids[kind]

        def report(done: int, total: int, kind: str = kind) -> None:
            if phase:
                phase(f"SIMILAR_{'TO' if kind == 'title' else 'USER'}", done, total)

        rows = write_back.neighbour_rows([ids[i] for i in sources.tolist()], ids, idx, val)
        written = time.perf_counter()
        out.neighbour_seconds += written - started
        out.edges[kind] = similarity.write_similar(
            conn, kind, rows, model=model, version=version, progress=report,
            total=int(val.isfinite().sum()),
        )  # fmt: skip
        started = time.perf_counter()
        out.write_seconds += started - written
    return out


def train_and_register(
    conn: Connection,
    cfg: TrainConfig,
    *,
    name: str = DEFAULT_MODEL,
    k: int = 20,
    dataset: str | None = None,
    promote: bool = True,
    force: bool = False,
    keep: int = 2,
    epoch_progress: Callable[[int, float, float | None], None] | None = None,
    phase: Phase | None = None,
) -> TrainReport:
    """Export the graph, train GraphSAGE, write its edges, register (and promote) the version.

    Args:
        conn: The connection (its settings give the device and the models directory).
        cfg: Hyperparameters.
        name: Model name in the registry.
        k: Neighbours per title / user.
        dataset: Train on one dataset tag only (default the whole graph).
        promote: Promote the new version when done, if it is not worse than the promoted one
            beyond the noise (:mod:`gnn.promotion`; the comparison is in the report).
        force: Promote even when the gate finds the new version worse.
        keep: Versions whose edges are kept after promotion.
        epoch_progress: Called after each epoch with (epoch, loss, valid NDCG or None).
        phase: Called with (phase name, done, total) during export and write-back.

    Returns:
        The report, with the metrics stored on the Model node.

    Raises:
        TrainingDataError: Nothing to train on.
        GnnError: A version is promoted but its artifacts are gone (unless ``force``).
    """
    start = time.perf_counter()
    settings = conn.settings
    if promote and not force:
        check_comparable(conn, name)
    torch.set_num_threads(max(1, min(torch.get_num_threads(), 2)))
    # The records (Python objects, ~3 GB at 10 M interactions) die once the tensors are built.
    graph = build_graph(GraphRecords.read(conn, dataset=dataset))
    n_edges = graph.data["user", "rates", "title"].edge_index.shape[1]
    if n_edges == 0 or not graph.ids["title"]:
        raise TrainingDataError("the graph has no positive user-title interactions to train on")
    export_s = time.perf_counter() - start
    peaks = {"export": peak_rss_mib()}
    if phase:
        phase("export", n_edges, n_edges)
    split, train_graph = _holdout(graph, cfg.seed)
    users = valid_users(split, cfg.seed)

    def validate(score: Callable[[np.ndarray], torch.Tensor]) -> float:
        return evaluate_scores(score, split, k, "valid", users=users)[1]

    result = train_model(
        train_graph,
        cfg,
        validate=lambda emb: validate(_scorer(emb, cfg.temperature)),
        progress=epoch_progress,
        device=settings.device,
    )
    gnn = _scorer(encode(result.model, train_graph), cfg.temperature)
    peaks["train"] = peak_rss_mib()
    head, scorer = (0.0, 0.0), gnn
    if cfg.item_head:
        # Its grid (7 λ × 8 weights) on 2,000 users: 3.5 min per λ on 10,000 at 50,000 titles.
        few = valid_users(split, cfg.seed, HEAD_VALID_USERS)
        fitted, _ = fit_head(
            split.train, gnn, lambda s: evaluate_scores(s, split, k, "valid", users=few)[1],
            users=few, max_items=cfg.head_items,
        )  # fmt: skip
        head, scorer = (fitted.lam, fitted.weight), fitted.scorer(gnn)
    peaks["head"] = peak_rss_mib()
    recall, ndcg, n_users = evaluate_scores(scorer, split, k, "valid", users=users)
    gate = compare_with_promoted(conn, name, split, scorer, k, users) if promote else None
    embeddings = encode(result.model, graph)
    version = registry.next_version(conn, name)
    path = artifacts.artifact_dir(settings.models_dir, name, version)
    model_id = registry.register(
        conn, name=name, version=version, algorithm="graphsage-hetero-sage-softmax+ease-head",
        hyperparameters={**_plain(cfg), "k": k}, artifact_path=str(path),
    )  # fmt: skip
    artifacts.save_artifact(path, result.model.cpu(), cfg, graph, embeddings, head)
    t0 = time.perf_counter()
    wrote = write_similarity(
        conn, graph, embeddings, model=name, version=version, k=k, phase=phase, head=head,
        head_items=cfg.head_items,
    )  # fmt: skip
    write_s = time.perf_counter() - t0
    peaks["write"] = peak_rss_mib()
    metrics = {
        f"valid_recall@{k}": round(recall, 5),
        f"valid_ndcg@{k}": round(ndcg, 5),
        f"gnn_valid_ndcg@{k}": round(result.valid_ndcg, 5),
        "head_lambda": head[0],
        "head_weight": head[1],
        "valid_users": n_users,
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.losses),
        "final_loss": round(result.losses[-1], 5) if result.losses else None,
        "users": len(graph.ids["user"]),
        "titles": len(graph.ids["title"]),
        "interactions": n_edges,
        "similar_to_edges": wrote.edges["title"],
        "similar_user_edges": wrote.edges["user"],
        "export_seconds": round(export_s, 2),
        "train_seconds": round(result.seconds, 2),
        "write_seconds": round(write_s, 2),
        "neighbour_seconds": round(wrote.neighbour_seconds, 2),
        "cypher_write_seconds": round(wrote.write_seconds, 2),
        "edges_per_second": round(sum(wrote.edges.values()) / max(wrote.write_seconds, 1e-9)),
        **{f"peak_rss_mib_{name}": mib for name, mib in peaks.items()},  # the peak so far
        **(gate.as_metrics() if gate else {}),
    }
    registry.set_status(conn, model_id, "ready", metrics)
    report = TrainReport(model_id, version, metrics, gate=gate)
    promote = promote and (gate is None or gate.not_worse or force)
    if promote:
        report.pruned_edges = promote_version(conn, name, version, keep=keep)
        report.promoted = True
    metrics["total_seconds"] = round(time.perf_counter() - start, 2)
    registry.set_status(conn, model_id, "promoted" if promote else "ready", metrics)
    return report


def _plain(cfg: TrainConfig) -> dict[str, Any]:
    return {f: getattr(cfg, f) for f in cfg.__struct_fields__}


def promote_version(conn: Connection, name: str, version: str, *, keep: int = 2) -> int:
    """Promote ``version``: flip the registry, write its embeddings, prune old versions' edges.

    A version whose edges were pruned gets them rewritten from its artifacts first, so the
    flip only happens once the version can serve.

    Returns:
        The number of edges deleted from versions beyond the last ``keep``.

    Raises:
        graph.errors.NotFoundError: Unknown version.
    """
    from gnn.inductive import embed_new_titles, embed_new_users

    record = registry.get_model(conn, name, version)
    art = artifacts.load_artifact(Path(record.artifact_path))
    edges = record.metrics.get("similar_to_edges", 0) + record.metrics.get("similar_user_edges", 0)
    if similarity.edge_counts(conn, name).get(version, 0) < edges:
        k = int(record.hyperparameters.get("k", 20))
        write_similarity(
            conn, art.graph, art.embeddings, model=name, version=version, k=k, head=art.head,
            head_items=art.config.head_items,
        )  # fmt: skip
    registry.promote(conn, name, version)
    similarity.ensure_vector_indexes(conn, art.config.dim)
    kinds: tuple[similarity.Kind, ...] = ("title", "user")
    for kind in kinds:
        vectors = art.embeddings[kind].tolist()
        similarity.write_embeddings(conn, kind, art.graph.ids[kind], vectors, version)
    embed_new_titles(conn)
    embed_new_users(conn)
    return _prune(conn, name, version, keep)


def _prune(conn: Connection, name: str, promoted: str, keep: int) -> int:
    others = [m.version for m in registry.list_models(conn, name) if m.version != promoted]
    stale = others[max(keep - 1, 0) :]
    return similarity.delete_versions(conn, name, stale)


def rollback(conn: Connection, name: str = DEFAULT_MODEL, keep: int = 2) -> str:
    """Promote the version that was promoted before the current one.

    Returns:
        The version now promoted.

    Raises:
        NoPromotedModelError: Nothing is promoted, or no earlier promoted version exists.
    """
    current = registry.get_promoted(conn, name)
    if current is None:
        raise NoPromotedModelError(f"no promoted {name} model to roll back from")
    earlier = [
        m for m in registry.list_models(conn, name)
        if m.version != current.version and m.promoted_at is not None
    ]  # fmt: skip
    if not earlier:
        raise NoPromotedModelError(f"no version of {name} was promoted before {current.version}")
    target = max(earlier, key=lambda m: m.promoted_at or "")
    promote_version(conn, name, target.version, keep=keep)
    return target.version
