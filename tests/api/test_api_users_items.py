"""Writes of users, preferences, friendships and titles (admin keys), stored literally."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .api_keys import ADMIN, PRO

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

pytestmark = pytest.mark.anyio

INJECTIONS = ["' OR 1=1 //", "}) DETACH DELETE n //", "Robert'); DROP TABLE users;--"]


async def test_create_user_needs_admin_and_refuses_duplicates(client: AsyncTestClient) -> None:
    payload = {"user_id": "new-1", "name": INJECTIONS[1], "preferred_genres": ["Comedy"]}
    r = await client.post("/v1/users", json=payload, headers=PRO)
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    r = await client.post("/v1/users", json=payload, headers=ADMIN)
    assert r.status_code == 201
    assert r.json()["name"] == INJECTIONS[1]
    assert r.json()["preferred_genres"] == ["Comedy"]
    r = await client.get("/v1/users/new-1", headers=PRO)
    assert r.status_code == 200 and r.json()["name"] == INJECTIONS[1]
    r = await client.post("/v1/users", json=payload, headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"]["details"]["field"] == "user_id"
    # The graph survived the injection-looking name: the seeded titles are all still there.
    r = await client.get("/v1/items/t1", headers=PRO)
    assert r.status_code == 200


async def test_new_user_onboarding_preferences_drive_cold_start(client: AsyncTestClient) -> None:
    r = await client.post("/v1/users", json={"user_id": "fresh"}, headers=ADMIN)
    assert r.status_code == 201
    r = await client.put("/v1/users/fresh/preferences", json={"genres": ["Sci-Fi"]}, headers=ADMIN)
    assert r.status_code == 200
    assert r.json() == {"user_id": "fresh", "favorite_categories": ["Sci-Fi"], "genres": ["Sci-Fi"]}
    r = await client.get("/v1/recommendations", params={"user_id": "fresh"}, headers=PRO)
    recs = r.json()["recommendations"]
    assert r.json()["cold_start"] is True
    assert recs and all("Sci-Fi" in rec["metadata"]["genres"] for rec in recs)
    assert recs[0]["item_id"] == "t1"  # most popular Sci-Fi title
    r = await client.put("/v1/users/fresh/preferences", json={"genres": ["Nope"]}, headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "genres"
    r = await client.put("/v1/users/ghost/preferences", json={"genres": []}, headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "user_id"
    # Onboarding is the app's: any key sets preferences.
    body = {"favorite_categories": ["Drama"]}
    r = await client.put("/v1/users/fresh/preferences", json=body, headers=PRO)
    assert r.status_code == 200 and r.json()["favorite_categories"] == ["Drama"]


async def test_idempotency_key_comes_before_its_alias_and_both_are_checked(
    client: AsyncTestClient,
) -> None:
    path = "/v1/users/u1/preferences"
    both = {**PRO, "Idempotency-Key": "prefs-a", "X-Idempotency-Key": "prefs-b"}
    r = await client.put(path, json={"genres": ["Comedy"]}, headers=both)
    assert r.status_code == 200
    # The answer was kept under Idempotency-Key: another body with it is 409, whatever the alias.
    other = {**PRO, "Idempotency-Key": "prefs-a", "X-Idempotency-Key": "prefs-c"}
    r = await client.put(path, json={"genres": ["Drama"]}, headers=other)
    assert r.status_code == 409 and r.json()["error"]["details"]["field"] == "Idempotency-Key"
    # The alias alone was never used as a key.
    r = await client.put(
        path, json={"genres": ["Drama"]}, headers={**PRO, "X-Idempotency-Key": "prefs-b"}
    )
    assert r.status_code == 200 and r.json()["genres"] == ["Drama"]
    for header, field in (
        ("Idempotency-Key", "idempotency_key"),
        ("X-Idempotency-Key", "x_idempotency_key"),
    ):
        r = await client.put(path, json={"genres": ["Drama"]}, headers={**PRO, header: "a b"})
        assert r.status_code == 400 and r.json()["error"]["details"]["field"] == field, r.text


async def test_friends_put_and_delete_change_the_social_row(client: AsyncTestClient) -> None:
    r = await client.get("/v1/users/u5/social", headers=PRO)
    assert r.json()["recommendations"] == []
    r = await client.put("/v1/users/u5/friends/u2", headers=ADMIN)
    assert r.status_code == 200 and r.json()["changed"] is True
    r = await client.put("/v1/users/u2/friends/u5", headers=ADMIN)
    assert r.json()["changed"] is False  # stored once, either direction
    r = await client.get("/v1/users/u5/social", headers=PRO)
    ids = {rec["item_id"] for rec in r.json()["recommendations"]}
    assert ids == {"t5", "t6", "t12"}
    r = await client.delete("/v1/users/u5/friends/u2", headers=ADMIN)
    assert r.status_code == 200 and r.json()["friends"] is False
    r = await client.get("/v1/users/u5/social", headers=PRO)
    assert r.json()["recommendations"] == []
    r = await client.delete("/v1/users/u5/friends/u2", headers=ADMIN)
    assert r.status_code == 200 and r.json()["changed"] is False
    r = await client.put("/v1/users/u5/friends/ghost", headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "friend_id"
    r = await client.put("/v1/users/u5/friends/u5", headers=ADMIN)
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_USER_ID"
    r = await client.put("/v1/users/u5/friends/u2", headers=PRO)
    assert r.status_code == 403


async def test_create_item_with_features_then_more_like_this(client: AsyncTestClient) -> None:
    payload = {
        "item_id": "new-t",
        "title": INJECTIONS[0],
        "year": 2001,
        "genres": ["Sci-Fi", "Thriller"],
        "keywords": ["Simulation"],
        "platforms": ["Netflix"],
        "cast": [{"person_id": "p1", "name": "Keanu Reeves"}],
        "directors": [{"person_id": "p9", "name": INJECTIONS[2]}],
    }
    r = await client.post("/v1/items", json=payload, headers=PRO)
    assert r.status_code == 403
    r = await client.post("/v1/items", json=payload, headers=ADMIN)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["item"]["title"] == INJECTIONS[0]
    assert body["item"]["directors"] == [INJECTIONS[2]]
    assert body["item"]["keywords"] == ["simulation"]
    assert body["similarity"]["method"] in {"inductive_gnn", "content"}
    r = await client.get("/v1/items/new-t/similar", headers=PRO)
    items = r.json()["similar_items"]
    if body["similarity"]["method"] == "content":
        assert r.json()["source"] == "content"
        # Shares Keanu Reeves (person weight 2) and Sci-Fi with The Matrix.
        assert items[0]["item_id"] == "t1"
        assert "person Keanu Reeves" in items[0]["shared"]
    r = await client.post("/v1/items", json=payload, headers=ADMIN)
    assert r.status_code == 409
    r = await client.get("/v1/items/missing", headers=PRO)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
