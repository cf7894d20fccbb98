"""GNN against a real Neo4j: export, train end to end, versions, inductive cold start."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest
import torch

from gnn.data import FEATURE_TYPES, GraphRecords, build_graph, records_from_dataset
from gnn.errors import GnnError, NoPromotedModelError
from gnn.evaluate import run_evaluation
from gnn.inductive import embed_new_titles, embed_new_users
from gnn.pipeline import promote_version, rollback, train_and_register
from gnn.train import TrainConfig
from graph import models as registry
from graph.bulk import write_dataset
from graph.connection import Connection
from graph.dataset import Dataset, Interaction, Title, User
from loaders import generate

from .conftest import clustered_dataset

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j

    from graph.settings import Settings

FAST = TrainConfig(dim=32, epochs=30, eval_every=5, patience=3, seed=0)


@pytest.fixture
def conn(graph_db: neo4j.Driver, services: Settings, tmp_path: Path) -> Iterator[Connection]:
    """A connection to the emptied graph, with model artifacts under a temporary home."""
    with Connection(msgspec.structs.replace(services, home=tmp_path)) as connection:
        yield connection


def _rows(conn: Connection, name: str, **params: object) -> list[dict]:
    return conn.rows(name, params)


def _edges_by_version(conn: Connection) -> dict[tuple[str, str], int]:
    rows = _rows(conn, "gnn_count_similar_edges", model="graphsage")
    return {(r["type"], r["version"]): r["edges"] for r in rows}


def test_export_from_neo4j_equals_dataset_build(conn: Connection) -> None:
    ds = clustered_dataset(clusters=3, titles_per_cluster=6, users_per_cluster=5, per_user=4)
    write_dataset(conn, ds, dataset_tag="clustered")
    from_db = build_graph(GraphRecords.read(conn))
    from_ds = build_graph(records_from_dataset(ds))
    assert from_db.ids == from_ds.ids
    for edge_type in from_ds.data.edge_types:
        assert torch.equal(from_db.data[edge_type].edge_index, from_ds.data[edge_type].edge_index)
    rates = ("user", "rates", "title")
    assert torch.equal(from_db.data[rates].edge_weight, from_ds.data[rates].edge_weight)
    assert all(len(from_ds.ids[kind]) > 0 for kind in FEATURE_TYPES)


def test_train_end_to_end_writes_edges_and_beats_mostpop(conn: Connection) -> None:
    ds = generate(users=600, titles=240, seed=7)
    write_dataset(conn, ds)
    losses: list[float] = []
    report = train_and_register(
        conn, FAST, k=10, epoch_progress=lambda e, loss, n: losses.append(loss)
    )
    assert losses[-1] < losses[0]
    assert report.version == "v1" and report.promoted
    model = registry.get_promoted(conn, "graphsage")
    assert model is not None and model.version == "v1"
    assert model.metrics["similar_to_edges"] > 0 and "valid_ndcg@10" in model.metrics
    # The peak memory after each phase, as it grew (the first to jump is the costly one).
    peaks = [model.metrics[f"peak_rss_mib_{p}"] for p in ("export", "train", "head", "write")]
    assert 0 < peaks[0] <= peaks[1] <= peaks[2] <= peaks[3]
    counts = _edges_by_version(conn)
    assert counts[("SIMILAR_TO", "v1")] == model.metrics["similar_to_edges"]
    some = ds.titles[0].title_id
    nbrs = _rows(conn, "gnn_similar_titles_of", title_id=some, version="v1")
    assert 0 < len(nbrs) <= 10
    assert [n["rank"] for n in nbrs] == list(range(1, len(nbrs) + 1))
    scores = [n["score"] for n in nbrs]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    art_dir = Path(model.artifact_path)
    assert (art_dir / "weights.pt").is_file() and (art_dir / "ids.json").is_file()
    vector = _rows(conn, "gnn_query_similar_titles", k=5, vector=[0.1] * 32)
    assert len(vector) == 5
    # offline, same synthetic data: GraphSAGE beats MostPop
    grid = {"dim": [32], "epochs": [60], "eval_every": [10]}
    result = run_evaluation(ds, models=("graphsage", "mostpop"), sage_grid=grid)
    sage, pop = result["results"]["graphsage"], result["results"]["mostpop"]
    assert sage["ndcg"] > pop["ndcg"] and sage["recall"] > pop["recall"]


def test_versions_promote_rollback_and_prune(conn: Connection) -> None:
    ds = clustered_dataset(clusters=3, titles_per_cluster=8, users_per_cluster=6, per_user=5)
    write_dataset(conn, ds)
    cfg = msgspec.structs.replace(FAST, epochs=5)
    title = ds.titles[0].title_id

    def embedding_version() -> str:
        return _rows(conn, "gnn_title_embedding", title_id=title)[0]["version"]

    train_and_register(conn, cfg, k=5)
    v2 = train_and_register(conn, cfg, k=5, promote=False)
    assert v2.version == "v2"
    assert registry.get_promoted(conn, "graphsage").version == "v1"  # v1 serves
    assert embedding_version() == "v1"
    promote_version(conn, "graphsage", "v2", keep=2)
    statuses = {m.version: m.status for m in registry.list_models(conn, "graphsage")}
    assert statuses == {"v1": "retired", "v2": "promoted"}
    assert embedding_version() == "v2"
    train_and_register(conn, cfg, k=5)  # v3 promoted, v1 pruned (keep 2)
    versions = {v for _, v in _edges_by_version(conn)}
    assert versions == {"v2", "v3"}
    assert rollback(conn, "graphsage") == "v2"
    assert registry.get_promoted(conn, "graphsage").version == "v2"
    assert embedding_version() == "v2"
    assert {v for _, v in _edges_by_version(conn)} == {"v2", "v3"}
    promote_version(conn, "graphsage", "v1", keep=1)  # pruned: rewritten first
    assert {v for _, v in _edges_by_version(conn)} == {"v1"}


def test_inductive_new_title_joins_its_cluster(conn: Connection) -> None:
    ds = clustered_dataset(clusters=4, titles_per_cluster=12, users_per_cluster=15, per_user=8)
    write_dataset(conn, ds)
    with pytest.raises(NoPromotedModelError):
        embed_new_titles(conn, ["nope"])
    train_and_register(conn, msgspec.structs.replace(FAST, epochs=40), k=10)
    new = Title(
        title_id="new_c2", title="Fresh", genres=("G2a", "G2b"), cast=("p2_0", "p2_1"),
        directors=("d2",), keywords=("kw2",),
    )  # fmt: skip
    write_dataset(conn, Dataset(name="clustered", titles=[new]))
    assert embed_new_titles(conn, k=10) == 1  # the only title lacking one
    nbrs = _rows(conn, "gnn_similar_titles_of", title_id="new_c2", version="v1")
    assert len(nbrs) == 10
    in_cluster = sum(n["titleId"].startswith("t2_") for n in nbrs)
    assert in_cluster >= 7, nbrs
    # a new user who watched cluster-1 titles gets cluster-1 neighbours
    watched = [Interaction(user_id="newbie", title_id=f"t1_{j:02d}", type="view") for j in range(3)]
    newbie = Dataset(name="clustered", users=[User(user_id="newbie")], interactions=watched)
    write_dataset(conn, newbie)
    assert embed_new_users(conn, ["newbie"], k=10) == 1
    users = _rows(conn, "gnn_similar_users_of", user_id="newbie", version="v1")
    assert len(users) == 10
    assert sum(r["userId"].startswith("u1_") for r in users) >= 7


def test_a_worse_model_is_not_promoted_without_force(conn: Connection) -> None:
    ds = clustered_dataset(clusters=4, titles_per_cluster=12, users_per_cluster=15, per_user=8)
    write_dataset(conn, ds)
    good = train_and_register(conn, msgspec.structs.replace(FAST, epochs=40), k=5)
    assert good.promoted and good.gate is None  # nothing to compare with
    # One epoch at a tiny learning rate, and no item head (on these clusters the closed-form
    # head alone nearly matches the trained model and would rescue the untrained GNN).
    worse_cfg = msgspec.structs.replace(FAST, epochs=1, eval_every=1, lr=1e-4, item_head=False)
    worse = train_and_register(conn, worse_cfg, k=5)
    assert worse.gate is not None and worse.gate.promoted == "v1"
    assert not worse.gate.not_worse, worse.gate
    assert worse.gate.new_ndcg < worse.gate.promoted_ndcg - worse.gate.noise
    assert not worse.promoted
    assert registry.get_promoted(conn, "graphsage").version == "v1"
    stored = registry.get_model(conn, "graphsage", worse.version)
    assert stored.status == "ready"
    assert stored.metrics["gate_passed"] is False
    assert stored.metrics["gate_promoted_ndcg"] == round(worse.gate.promoted_ndcg, 5)
    forced = train_and_register(conn, worse_cfg, k=5, force=True)
    assert forced.promoted and forced.gate is not None and not forced.gate.not_worse
    assert registry.get_promoted(conn, "graphsage").version == forced.version
    # The same model again is not worse than itself: promoted without force.
    again = train_and_register(conn, worse_cfg, k=5)
    assert again.gate is not None and again.gate.difference == pytest.approx(0.0, abs=1e-9)
    assert again.promoted
    # Without the promoted version's artifacts there is nothing to compare with: refused
    # before training unless forced.
    shutil.rmtree(registry.get_promoted(conn, "graphsage").artifact_path)
    with pytest.raises(GnnError, match="no artifacts"):
        train_and_register(conn, worse_cfg, k=5)
