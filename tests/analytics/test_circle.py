"""The "popular in your circle" source of the home feed: what the user's community (the active
analysis) engages with, explained with the names of the people behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from analytics import run_analysis
from graph.bulk import write_dataset
from graph.dataset import Friendship, Interaction, User
from tests.api.api_keys import KEYS, PRO

from .planted import planted_dataset

if TYPE_CHECKING:
    from graph.connection import Connection
    from graph.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _social_feed(services: Settings, user_id: str) -> list[dict]:
    from api.app import create_app

    settings = msgspec.structs.replace(services, api_keys=KEYS, api_keys_file="")
    async with AsyncTestClient(app=create_app(settings)) as client:
        r = await client.get(
            "/v1/recommendations",
            params={"user_id": user_id, "context": "social", "limit": 20},
            headers=PRO,
        )
    assert r.status_code == 200, r.text
    return r.json()["recommendations"]


async def test_the_circle_source_recommends_what_the_community_watches(
    conn: Connection, services: Settings
) -> None:
    ds = planted_dataset(groups=2, users_per_group=20, seed=4)
    # A newcomer befriends one member of group 0 and has watched one of its titles.
    ds.users.append(User(user_id="me", name="Me"))
    ds.friendships.append(Friendship(user_id="me", friend_id="u0_000"))
    ds.interactions.append(Interaction(user_id="me", title_id="t0_000", type="view"))
    write_dataset(conn, ds)
    run_analysis(conn)
    members = {
        r["name"]
        for r in conn.driver.execute_query(
            "MATCH (a:Analysis {status: 'active'}) "
            "MATCH (:User {userId: 'me'})-[:MEMBER_OF {analysisVersion: a.version}]->(c) "
            "MATCH (v:User)-[:MEMBER_OF]->(c) WHERE v.userId <> 'me' RETURN v.name AS name",
            database_=conn.database,
        ).records
    }
    assert len(members) >= 5 and all(n.startswith("Name 0.") for n in members)
    recs = await _social_feed(services, "me")
    circle = [r for r in recs if "circle" in r["explanation"]["sources"]]
    assert circle, [r["explanation"]["reason"] for r in recs]
    lead = next(r for r in circle if r["explanation"]["reason"].startswith("Popular with people"))
    explanation = lead["explanation"]
    assert explanation["type"] == "social"
    names = explanation["reason"].removeprefix("Popular with people in your circle: ")
    named = [n.strip() for part in names.split(" and ") for n in part.split(",")]
    assert named and set(named) <= members
    assert {p["relation"] for p in explanation["people"]} >= {"circle"}
    assert all(r["item_id"].startswith("t0_") for r in circle)
    assert "t0_000" not in {r["item_id"] for r in recs}


async def test_no_active_analysis_means_no_circle_source(
    conn: Connection, services: Settings
) -> None:
    ds = planted_dataset(groups=2, users_per_group=10, seed=5)
    write_dataset(conn, ds)
    recs = await _social_feed(services, "u0_000")
    assert recs and all("circle" not in r["explanation"]["sources"] for r in recs)
