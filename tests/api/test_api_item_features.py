"""``PUT /v1/items/{id}/features``: the features are replaced and the similar titles follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from gnn.pipeline import train_and_register
from gnn.train import TrainConfig
from graph.bulk import write_dataset
from graph.connection import Connection

from ..gnn.conftest import clustered_dataset
from .api_keys import ADMIN, PRO

if TYPE_CHECKING:
    from pathlib import Path

    import neo4j

    from graph.settings import Settings

pytestmark = pytest.mark.anyio

# The features of cluster 3 of ``clustered_dataset`` (genres, people, keyword).
CLUSTER_3 = {
    "genres": ["G3a", "G3b"],
    "cast": [{"person_id": "p3_0", "name": "Three"}, {"person_id": "p3_1", "name": "Three B"}],
    "directors": [{"person_id": "d3", "name": "Director Three"}],
    "keywords": ["kw3"],
}


async def test_features_are_replaced_in_one_write_with_an_admin_key(
    client: AsyncTestClient, seeded: neo4j.Driver
) -> None:
    body = {
        "genres": ["Drama"],
        "keywords": ["Space"],
        "directors": [{"person_id": "p1", "name": "Keanu Reeves"}],
        "thumbnail_url": "https://cdn.example.com/t4.jpg",
    }
    r = await client.put("/v1/items/t4/features", json=body, headers=PRO)
    assert r.status_code == 403
    headers = {**ADMIN, "X-Idempotency-Key": "features-t4"}
    r = await client.put("/v1/items/t4/features", json=body, headers=headers)
    assert r.status_code == 200, r.text
    item = r.json()["item"]
    assert item["genres"] == ["Drama"] and item["keywords"] == ["space"]
    assert item["cast"] == [] and item["directors"] == ["Keanu Reeves"]
    assert item["thumbnail_url"] == "https://cdn.example.com/t4.jpg"
    again = await client.put("/v1/items/t4/features", json=body, headers=headers)
    assert again.content == r.content
    r = await client.put("/v1/items/t4/features", json={"genres": []}, headers=headers)
    assert r.status_code == 409
    r = await client.put("/v1/items/nope/features", json=body, headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "item_id"
    r = await client.put("/v1/items/t4/features", json={"genre": ["x"]}, headers=ADMIN)
    assert r.status_code == 400


async def test_a_trained_title_given_other_features_is_embedded_again_among_them(
    graph_db: neo4j.Driver,
    services: Settings,
    api_settings: Settings,
    redis_client: object,
    tmp_path: Path,
) -> None:
    settings = msgspec.structs.replace(api_settings, home=tmp_path)
    with Connection(settings) as conn:
        write_dataset(conn, clustered_dataset(4, 12, 15, 8))
        train_and_register(
            conn, TrainConfig(dim=32, epochs=40, eval_every=5, patience=3, seed=0), k=10
        )
    from api.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as client:
        before = await client.get("/v1/items/t0_00/similar?limit=10", headers=PRO)
        assert sum(i["item_id"].startswith("t0_") for i in before.json()["similar_items"]) >= 7
        r = await client.put("/v1/items/t0_00/features", json=CLUSTER_3, headers=ADMIN)
        assert r.status_code == 200, r.text
        assert r.json()["similarity"]["method"] == "inductive_gnn"
        after = await client.get("/v1/items/t0_00/similar?limit=10", headers=PRO)
        ids = [i["item_id"] for i in after.json()["similar_items"]]
        assert len(ids) == 10 and "t0_00" not in ids
        assert sum(i.startswith("t3_") for i in ids) >= 7, ids
