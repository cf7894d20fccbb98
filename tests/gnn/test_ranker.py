"""The feed's learned ranker: features, training on a temporal split, keeping, storing, loading."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import numpy as np
import pytest

from api import ranking
from gnn import ranker as learned
from gnn.ranker_fit import FitConfig, train_ranker
from graph import models as registry
from graph import similarity
from graph.bulk import write_dataset
from graph.connection import Connection
from graph.dataset import Dataset, Friendship, Interaction, Title, User
from graph.peers import Peer
from graph.recommendations import Anchor, Row, SourceRows
from graph.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j

    from graph.settings import Settings

SUBJECTS = 20
HELPERS = 4
DECOYS = 30


@pytest.fixture
def conn(graph_db: neo4j.Driver, services: Settings, tmp_path: Path) -> Iterator[Connection]:
    """A connection to the emptied graph, with model artifacts under a temporary home."""
    with Connection(msgspec.structs.replace(services, home=tmp_path)) as connection:
        yield connection


def planted(target_friends: int, decoy_friends: int, seed: int = 0) -> Dataset:
    """Subjects who, after a history in their home genre, rate two titles their friends liked.

    Each subject has four friends of its own (too few interactions to be sampled). Its friends
    like 22 decoys of genre X, ``decoy_friends`` friends each, and its two targets, titles of
    its home genre, ``target_friends`` friends each. The subject rates 20 titles of its home
    genre (times 1..20), then the targets (times 100, 101): the later likes the split holds out.
    """
    rng = random.Random(seed)
    home = {g: [f"{g}_{j:02d}" for j in range(40)] for g in ("A", "B")}
    titles = [Title(title_id=t, title=t, genres=(g,)) for g, ts in home.items() for t in ts]
    titles += [Title(title_id=f"X_{j:02d}", title=f"X {j}", genres=("X",)) for j in range(DECOYS)]
    users, friends, inter = [], [], []
    for s in range(SUBJECTS):
        subject, genre = f"s{s:02d}", "AB"[s % 2]
        helpers = [f"h{s:02d}_{j}" for j in range(HELPERS)]
        users += [User(user_id=u) for u in [subject, *helpers]]
        friends += [Friendship(user_id=subject, friend_id=h) for h in helpers]
        for n, t in enumerate(rng.sample(home[genre], 20), start=1):
            inter.append(
                Interaction(user_id=subject, title_id=t, type="rating", value=4.0, timestamp=n)
            )
        targets = [f"T{s:02d}_{j}" for j in range(2)]
        titles += [Title(title_id=t, title=t, genres=(genre,)) for t in targets]
        for n, t in enumerate(targets):
            inter.append(
                Interaction(
                    user_id=subject, title_id=t, type="rating", value=4.5, timestamp=100 + n
                )
            )
        liked = [(t, target_friends) for t in targets] + [
            (f"X_{j:02d}", decoy_friends) for j in rng.sample(range(DECOYS), 22)
        ]
        for t, count in liked:
            for h in rng.sample(helpers, count):
                inter.append(Interaction(user_id=h, title_id=t, type="like", timestamp=50))
    return Dataset(
        name="planted", users=users, titles=titles, friendships=friends, interactions=inter
    )


def _promoted_v1(conn: Connection) -> None:
    """A promoted graphsage v1 whose ``SIMILAR_TO`` links each home-genre title to the next
    three of its genre (never a target): item similarity the later likes owe nothing to."""
    registry.register(
        conn, name="graphsage", version="v1", algorithm="none", hyperparameters={},
        artifact_path="", status="ready",
    )  # fmt: skip
    neighbours = [
        (f"{g}_{j:02d}", [(f"{g}_{(j + n) % 40:02d}", 1.0 - n / 10) for n in (1, 2, 3)])
        for g in "AB"
        for j in range(40)
    ]
    similarity.write_similar(conn, "title", neighbours, model="graphsage", version="v1")
    registry.promote(conn, "graphsage", "v1")


FIT = FitConfig(users=SUBJECTS * (HELPERS + 1), min_interactions=15, seed=1)


def test_hand_scores_of_the_features_are_the_merged_blend() -> None:
    """The feature rows reproduce exactly what api.ranking's hand-set blend scores."""
    rows = SourceRows(
        anchors=[
            Anchor(item_id="a1", title=None, strength=5.0),
            Anchor(item_id="a2", title=None, strength=2.0),
        ],
        similar=[Row("t1", 0.9, "a1"), Row("t2", 0.5, "a1"), Row("t2", 0.8, "a2")],
        content=[Row("t3", 3.0, "a2")],
        friends=[Row("t2", 2.0, people=[Peer(user_id="f")]), Row("t4", 1.0)],
        similar_users=[Row("t5", 1.7)],
        vector=[Row("t1", 0.7), Row("t6", 0.6)],
        popular=[Row("t6", 300.0), Row("t7", 20.0)],
    )
    merged = ranking.merge_sources(rows)
    ids, x = learned.features(rows, {})
    assert ids == sorted(merged) and x.shape == (7, len(learned.FEATURES))
    hand = dict(zip(ids, learned.hand_scores(x).tolist(), strict=True))
    assert hand == pytest.approx({i: c.score for i, c in merged.items()})
    # t2: two anchors of two, the latest first (recency 1); t1 in two sources.
    col = {f: n for n, f in enumerate(learned.FEATURES)}
    assert x[ids.index("t2"), col["similar_anchors"]] == 1.0
    assert x[ids.index("t2"), col["anchor_recency"]] == 1.0
    assert x[ids.index("t1"), col["source_count"]] == 2


def test_the_ranker_learns_the_planted_feature_and_is_kept(
    conn: Connection, services: Settings
) -> None:
    """Later likes are the friends' titles of the subject's genre; decoys have more friends,
    similar titles more similarity: the hand blend misses them, the ranker learns genre
    affinity, is kept, and the API reads it with the promoted model."""
    write_dataset(conn, planted(target_friends=1, decoy_friends=2))
    _promoted_v1(conn)
    report = train_ranker(conn, "graphsage", "v1", FIT)
    assert report.valid_users + report.train_users == SUBJECTS
    m = report.metrics
    assert m["hand_recall@20"] < 0.5 < m["ranker_recall@20"], m
    assert report.ranker.weight_of("genre_affinity") > 0
    assert report.kept
    stored = registry.get_model(conn, "graphsage", "v1")
    assert stored.ranker_metrics["kept"] is True
    assert stored.ranker_metrics["ranker_recall@20"] == m["ranker_recall@20"]

    async def served_ranker() -> learned.Ranker | None:
        store = Store(services)
        try:
            async with store.repositories() as repos:
                return learned.load((await repos.recs.model_info()).ranker)
        finally:
            await store.close()

    loaded = asyncio.run(served_ranker())
    assert loaded is not None and loaded.weights == report.ranker.weights


def test_a_ranker_that_does_not_beat_the_hand_weights_is_not_kept(conn: Connection) -> None:
    """When the hand blend already ranks every later like first, the learned ranker can at
    best tie: it is not kept, and the ranker stored before is removed."""
    write_dataset(conn, planted(target_friends=3, decoy_friends=1))
    _promoted_v1(conn)
    registry.set_ranker(conn, "graphsage:v1", '{"features": []}', "{}")
    report = train_ranker(conn, "graphsage", "v1", FIT)
    assert report.metrics["hand_recall@20"] == 1.0
    assert report.metrics["ranker_recall@20"] <= 1.0
    assert not report.kept
    props = conn.rows("model_get", {"name": "graphsage", "version": "v1"})[0]["model"]
    assert props.get("ranker") is None
    assert registry.get_model(conn, "graphsage", "v1").ranker_metrics["kept"] is False


def test_the_ranker_scores_in_unit_interval_and_standardises() -> None:
    ranker = learned.Ranker(
        features=list(learned.FEATURES),
        mean=[1.0] * len(learned.FEATURES),
        std=[2.0] * len(learned.FEATURES),
        weights=[0.0] * (len(learned.FEATURES) - 1) + [1.0],
        bias=0.0,
    )
    x = np.ones((2, len(learned.FEATURES)))
    x[1, -1] = 3.0  # source_count: z = 0 and 1
    assert ranker.scores(x).tolist() == pytest.approx([0.5, 1 / (1 + np.exp(-1.0))])
    assert learned.load(msgspec.json.encode(ranker).decode()) == ranker
    assert (
        learned.load('{"features": ["other"], "mean": [], "std": [], "weights": [], "bias": 0}')
        is None
    )
    assert learned.load(None) is None and learned.load("not json") is None
