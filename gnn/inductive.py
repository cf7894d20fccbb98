"""Inductive cold start: embed titles and users added after training, without retraining.

A new title enters the promoted model's training graph with a zero id embedding and its
feature edges (genres, people, keywords the model knows); a new user enters with her
interactions and friendships. One forward pass gives their vectors; their ``embedding`` and
top-k ``SIMILAR_TO`` / ``SIMILAR_USER`` edges of the promoted version are written. The promoted
model is loaded once per version and cached in-process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import torch

import cypher
from gnn import artifacts, write_back
from gnn.data import FEATURE_TYPES
from gnn.errors import NoPromotedModelError
from gnn.export import export_records
from graph import models as registry

if TYPE_CHECKING:
    import neo4j

    from graph.models import ModelRecord
    from graph.settings import Settings

__all__ = ["embed_new_titles", "embed_new_users"]

MODEL_NAME = "graphsage"


def _promoted(drv: neo4j.Driver, settings: Settings) -> tuple[ModelRecord, artifacts.Artifact]:
    record = registry.get_promoted(drv, MODEL_NAME, settings)
    if record is None:
        raise NoPromotedModelError(f"no {MODEL_NAME} model is promoted; run `graphrec train`")
    return record, artifacts.load_artifact(Path(record.artifact_path))


def _lacking(drv: neo4j.Driver, settings: Settings, kind: str, version: str) -> list[str]:
    name = "gnn_titles_lacking_embedding" if kind == "title" else "gnn_users_lacking_embedding"
    records, _, _ = drv.execute_query(
        cypher.load(name), version=version, database_=settings.neo4j_database, routing_="r"
    )
    return [r["titleId" if kind == "title" else "userId"] for r in records]


def _active(art: artifacts.Artifact, row: int, size: int) -> torch.Tensor:
    active = torch.zeros(size, dtype=torch.bool)
    active[art.graph.data["user", "rates", "title"].edge_index[row]] = True
    return active


def _write(
    drv: neo4j.Driver,
    settings: Settings,
    kind: write_back.Kind,
    art: artifacts.Artifact,
    version: str,
    ids: list[str],
    vectors: torch.Tensor,
    k: int,
    self_rows: torch.Tensor | None = None,
) -> None:
    keys = art.embeddings[kind]
    active = _active(art, 1 if kind == "title" else 0, keys.shape[0])
    idx, val = write_back.neighbours(vectors, keys, k, active, self_rows)
    write_back.delete_versions(drv, settings, MODEL_NAME, [version], source_ids={kind: ids})
    write_back.write_similar(
        drv, settings, kind, ids, art.graph.ids[kind], idx, val, model=MODEL_NAME, version=version
    )
    write_back.write_embeddings(drv, settings, kind, ids, vectors, version)


def _rewrite_known(
    drv: neo4j.Driver,
    settings: Settings,
    kind: write_back.Kind,
    art: artifacts.Artifact,
    known: dict[str, int],
    version: str,
    wanted_ids: Sequence[str] | None,
    k: int,
) -> tuple[int, list[str]]:
    """Write again, from the trained embeddings, the wanted nodes the model already knows.

    ``known`` is the model's ``id -> row`` index of ``kind``. Returns how many were written and
    the sorted ids the model has never seen (to embed).
    """
    wanted = list(wanted_ids) if wanted_ids is not None else _lacking(drv, settings, kind, version)
    old = [n for n in wanted if n in known]
    if old:
        rows = torch.tensor([known[n] for n in old])
        vectors = art.embeddings[kind][rows]
        _write(drv, settings, kind, art, version, old, vectors, k, self_rows=rows)
    return len(old), sorted({n for n in wanted if n not in known})


@torch.no_grad()
def _forward(art: artifacts.Artifact, kind: str, extra: int, edges_extra: dict) -> torch.Tensor:
    from gnn.train import model_edges

    edges = model_edges(art.graph)
    for rel, index in edges_extra.items():
        edges[rel] = torch.cat([edges[rel], index], dim=1) if rel in edges else index
    table = cast(torch.nn.Embedding, art.model.emb[kind]).weight
    override = {kind: torch.cat([table, torch.zeros(extra, table.shape[1])])}
    out = art.model(edges, x_override=override)
    return out[kind][table.shape[0] :]


def embed_new_titles(
    driver: neo4j.Driver,
    settings: Settings,
    title_ids: Sequence[str] | None = None,
    *,
    k: int = 20,
) -> int:
    """Embed titles with the promoted model from their features and write vectors and edges.

    Args:
        driver: An open driver.
        settings: Settings.
        title_ids: Titles to embed (default: every title lacking an embedding of the promoted
            version).
        k: ``SIMILAR_TO`` edges per title.

    Returns:
        The number of titles embedded.

    Raises:
        NoPromotedModelError: No model is promoted.
    """
    record, art = _promoted(driver, settings)
    known = art.graph.index("title")
    done, new = _rewrite_known(driver, settings, "title", art, known, record.version, title_ids, k)
    if new:
        recs = export_records(driver, settings, title_ids=new)
        base = len(known)
        extra: dict = {}
        for kind in FEATURE_TYPES:
            findex = art.graph.index(kind)
            pairs = [
                (findex[key], base + n)
                for n, t in enumerate(new)
                for k2, key in sorted(recs.features.get(t, ()))
                if k2 == kind and key in findex
            ]
            if pairs:
                extra[(kind, "describes", "title")] = torch.tensor(pairs, dtype=torch.long).t()
        vectors = _forward(art, "title", len(new), extra)
        _write(driver, settings, "title", art, record.version, new, vectors, k)
    return done + len(new)


def embed_new_users(
    driver: neo4j.Driver,
    settings: Settings,
    user_ids: Sequence[str] | None = None,
    *,
    k: int = 20,
) -> int:
    """Embed users with the promoted model from their interactions and friends.

    Args:
        driver: An open driver.
        settings: Settings.
        user_ids: Users to embed (default: users with interactions lacking an embedding of the
            promoted version).
        k: ``SIMILAR_USER`` edges per user.

    Returns:
        The number of users embedded.

    Raises:
        NoPromotedModelError: No model is promoted.
    """
    record, art = _promoted(driver, settings)
    known = art.graph.index("user")
    done, new = _rewrite_known(driver, settings, "user", art, known, record.version, user_ids, k)
    if new:
        recs = export_records(driver, settings, user_ids=new)
        titles = art.graph.index("title")
        local = {u: len(known) + n for n, u in enumerate(new)}
        users = {**known, **local}
        rates = [
            (local[u], titles[t]) for (u, t) in sorted(recs.positives) if u in local and t in titles
        ]
        friends = [
            (users[a], users[b]) for a, b in sorted(recs.friendships) if a in users and b in users
        ]
        extra: dict = {}
        if rates:
            index = torch.tensor(rates, dtype=torch.long).t()
            extra[("user", "rates", "title")] = index
            extra[("title", "rated_by", "user")] = index.flip(0)
        if friends:
            index = torch.tensor(friends, dtype=torch.long).t()
            extra[("user", "friend", "user")] = torch.cat([index, index.flip(0)], dim=1)
        vectors = _forward(art, "user", len(new), extra)
        _write(driver, settings, "user", art, record.version, new, vectors, k)
    return done + len(new)
