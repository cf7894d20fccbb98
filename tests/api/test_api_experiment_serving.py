"""A running experiment through the API: sticky variants, X-Experiment, cache separation, the
served-list log and the attribution of a click, counted by the app's own consumer."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from graph import served
from learning.assignment import pick
from learning.entries import STREAM

from .api_keys import ADMIN, PRO

if TYPE_CHECKING:
    from collections.abc import Callable

    import neo4j
    import redis

    from graph.connection import Connection
    from graph.settings import Settings

pytestmark = pytest.mark.anyio

USERS = ["u1", "u2", "u3", "u4", "u5", "u6"]
SHARES = [("control", 50.0), ("treatment", 50.0)]


async def _feed(client: AsyncTestClient, user: str) -> tuple[dict, dict]:
    answer = await client.get("/v1/recommendations", params={"user_id": user}, headers=PRO)
    assert answer.status_code == 200, answer.text
    return answer.json(), dict(answer.headers)


async def _wait_for(check: Callable[[], bool], seconds: float = 15.0) -> None:
    """Poll (yielding to the app's own consumer, which runs on this event loop)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the served-list consumer did not count in time"
        await anyio.sleep(0.2)


async def test_variants_are_served_logged_and_attributed(
    client: AsyncTestClient, connection: Connection
) -> None:
    body = {
        "name": "weights",
        "variants": [
            {"name": "control", "traffic_percent": 50},
            {"name": "treatment", "traffic_percent": 50, "config": {"diversity": 0.8}},
        ],
    }
    assert (await client.post("/v1/experiments", json=body, headers=ADMIN)).status_code == 201
    before, headers = await _feed(client, "u1")
    assert "x-experiment" not in headers and before["experiment"] is None
    assert (await client.post("/v1/experiments/weights/start", headers=ADMIN)).status_code == 200

    lists = {}
    for user in USERS:
        expected = f"weights_{pick(user, 'weights', SHARES)}"
        first, headers = await _feed(client, user)
        assert headers["x-experiment"] == expected
        assert first["experiment"] == expected
        assert headers["x-cache"] == "miss"  # the variant's answer is cached apart
        _, headers = await _feed(client, user)
        assert headers["x-experiment"] == expected and headers["x-cache"] == "hit"
        lists[user] = first
    shown = lists["u1"]["recommendations"][0]["item_id"]
    click = {
        "user_id": "u1",
        "item_id": shown,
        "action": "click",
        "context": {
            "source": "homepage",
            "position": 1,
            "recommendation_id": lists["u1"]["request_id"],
        },
    }
    assert (await client.post("/v1/interactions", json=click, headers=PRO)).status_code == 202

    def counted() -> bool:
        rows = served.daily_counts(connection, "weights")
        return sum(r.clicks for r in rows) == 1

    await _wait_for(counted)
    impressions = sum(len(lists[u]["recommendations"]) for u in USERS) * 2  # miss, then hit
    rows = served.daily_counts(connection, "weights")
    assert sum(r.impressions for r in rows) == impressions
    clicked = {r.variant for r in rows if r.clicks}
    assert clicked == {pick("u1", "weights", SHARES)}
    assigned = served.users_per_variant(connection, "weights")
    assert sum(assigned.values()) == len(USERS)
    assert served.switched_users(connection, "weights") == 0

    report = await client.get("/v1/experiments/weights/report", headers=ADMIN)
    assert sum(v["clicks"] for v in report.json()["variants"]) == 1

    assert (await client.post("/v1/experiments/weights/stop", headers=ADMIN)).status_code == 200
    after, headers = await _feed(client, "u1")
    assert "x-experiment" not in headers and after["experiment"] is None


async def test_the_served_list_log_can_be_turned_off(
    seeded: neo4j.Driver, api_settings: Settings, redis_client: redis.Redis
) -> None:
    """GRAPHREC_SERVED_LOG=0 (the benchmark's baseline): lists and clicks are served and stored,
    nothing is appended to the stream and no consumer starts."""
    from api.app import create_app

    off = msgspec.structs.replace(api_settings, served_log=False)
    async with AsyncTestClient(app=create_app(off)) as client:
        body, _ = await _feed(client, "u1")
        click = {
            "user_id": "u1",
            "item_id": body["recommendations"][0]["item_id"],
            "action": "click",
            "context": {"position": 1, "recommendation_id": body["request_id"]},
        }
        answer = await client.post("/v1/interactions", json=click, headers=PRO)
        assert answer.status_code == 202
        await anyio.sleep(0.5)  # after-response tasks would have appended by now
    assert body["recommendations"]
    assert redis_client.exists(STREAM) == 0  # no entry, and no consumer group created it
