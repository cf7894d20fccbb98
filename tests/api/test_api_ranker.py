"""The home feed ranks with the promoted model's learned ranker when it stores one."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import msgspec
import pytest

from api.ranking import SOURCE_WEIGHTS
from gnn import ranker as learned
from graph import models as registry
from graph.connection import Connection

from .api_graphdata import TITLES
from .api_keys import PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio

POPULARITY = {t["id"]: t["pop"] for t in TITLES}


@pytest.fixture
def unpopular_first(seeded: neo4j.Driver, services: Settings) -> learned.Ranker:
    """A ranker stored on the promoted v1 that reads popularity alone: least popular first."""
    n = len(learned.FEATURES)
    ranker = learned.Ranker(
        features=list(learned.FEATURES),
        mean=[0.0] * n,
        std=[1.0] * n,
        weights=[-1.0 if f == "popularity" else 0.0 for f in learned.FEATURES],
        bias=4.0,
    )
    with Connection(services) as conn:
        registry.set_ranker(conn, "graphsage:v1", msgspec.json.encode(ranker).decode(), "{}")
    return ranker


async def test_the_learned_ranker_of_the_promoted_model_scores_the_feed(
    unpopular_first: learned.Ranker, client: AsyncTestClient
) -> None:
    r = await client.get("/v1/recommendations", params={"user_id": "u1", "limit": 4}, headers=PRO)
    assert r.status_code == 200
    recs = r.json()["recommendations"]
    assert recs, r.json()
    for rec in recs:
        expected = 1 / (1 + math.exp(-(4.0 - math.log1p(POPULARITY[rec["item_id"]]))))
        assert rec["score"] == pytest.approx(expected, abs=1e-4), rec["item_id"]
    pops = [POPULARITY[rec["item_id"]] for rec in recs]
    assert pops == sorted(pops)  # least popular first; the hand blend puts Inception (85) first
    # the explanation still names the source behind each title
    assert all(rec["explanation"]["sources"] for rec in recs)


async def test_without_a_ranker_the_hand_weights_rank(client: AsyncTestClient) -> None:
    r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
    recs = r.json()["recommendations"]
    by_id = {rec["item_id"]: rec for rec in recs}
    # Inception: similar (Matrix's neighbour, 0.8 of the best 0.9 x 5) + 1 of 2 friends + popular.
    assert recs[0]["item_id"] == "t5"
    assert by_id["t5"]["score"] > SOURCE_WEIGHTS["similar"]
