"""``/v1/experiments`` (admin) and ``/v1/trending`` against the real stack."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from graph.store import Store
from learning.log import Interaction
from learning.trending import Trending

from .api_keys import ADMIN, PRO

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _body(name: str, *variants: tuple[str, float, dict[str, object]], **extra: object) -> dict:
    return {
        "name": name,
        "variants": [{"name": n, "traffic_percent": p, "config": c} for n, p, c in variants],
        **extra,
    }


async def test_experiments_are_created_refused_started_reported_and_stopped(
    client: AsyncTestClient,
) -> None:
    body = _body("ranker", ("control", 50, {}), ("treatment", 50, {"model_version": "v1"}))
    assert (await client.post("/v1/experiments", json=body, headers=PRO)).status_code == 403
    created = await client.post("/v1/experiments", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    assert created.json()["variants"][1]["config"]["model_version"] == "v1"

    refusals = [
        # An unknown model version is an unknown id: 404, as an unknown genre or user.
        ("variant t.model_version", 404, ("t", 50, {"model_version": "v7"})),
        ("variants.traffic_percent", 400, ("t", 40, {})),
        ("variants", 400, ("c", 50, {})),  # names repeat
        ("variants", 400, ("t", 50, {"diversity": 1.5})),  # past the schema's maximum
    ]
    for field, status, variant in refusals:
        bad = _body("b", ("c", 50, {}), variant)
        answer = await client.post("/v1/experiments", json=bad, headers=ADMIN)
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["details"]["field"] == field
    again = await client.post("/v1/experiments", json=body, headers=ADMIN)
    assert again.status_code == 409

    started = await client.post("/v1/experiments/ranker/start", headers=ADMIN)
    assert started.json()["status"] == "running"
    other = _body("other", ("c", 50, {}), ("t", 50, {}))
    await client.post("/v1/experiments", json=other, headers=ADMIN)
    clash = await client.post("/v1/experiments/other/start", headers=ADMIN)
    assert clash.status_code == 409  # a conflict with the running experiment, not bad input
    assert clash.json()["error"]["details"]["field"] == "independent"

    report = await client.get("/v1/experiments/ranker/report", headers=ADMIN)
    assert report.status_code == 200
    assert [v["name"] for v in report.json()["variants"]] == ["control", "treatment"]
    assert "too small to decide" in report.json()["verdict"]

    stopped = await client.post("/v1/experiments/ranker/stop", headers=ADMIN)
    assert stopped.json()["status"] == "analyzing"
    assert stopped.json()["variants"][0]["metrics"]["impressions"] == 0
    listed = await client.get("/v1/experiments", headers=ADMIN)
    assert {e["name"] for e in listed.json()} == {"ranker", "other"}
    missing = await client.get("/v1/experiments/nope", headers=ADMIN)
    assert missing.status_code == 404


async def test_trending_answers_per_window_and_genre(
    client: AsyncTestClient, services: Settings
) -> None:
    now = time.time()
    redis_client = aioredis.Redis.from_url(services.redis_url)
    store = Store(services)
    try:
        await Trending(redis_client, store).add(
            [
                Interaction(user="u1", item="t2", action="watch", at=now - 60),
                Interaction(user="u2", item="t3", action="like", at=now - 3 * 3600),
            ]
        )
    finally:
        await redis_client.aclose()
        await store.close()

    hour = await client.get("/v1/trending", params={"window": "1h"}, headers=PRO)
    assert hour.status_code == 200, hour.text
    assert [i["item_id"] for i in hour.json()["items"]] == ["t2"]
    first = hour.json()["items"][0]
    assert first["metadata"]["title"] == "Amelie"
    assert first["explanation"] == "Trending this hour"
    day = await client.get("/v1/trending", headers=PRO)
    assert [i["item_id"] for i in day.json()["items"]] == ["t2", "t3"]
    crime = await client.get("/v1/trending", params={"genre": "Crime"}, headers=PRO)
    assert [i["item_id"] for i in crime.json()["items"]] == ["t3"]
    assert crime.json()["items"][0]["explanation"] == "Trending today in Crime"
    bad = await client.get("/v1/trending", params={"window": "2h"}, headers=PRO)
    assert bad.status_code == 400
