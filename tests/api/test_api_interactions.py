"""Interactions and feedback: exactly once, durable, visible in the next request."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio
import pytest

from .api_keys import PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _count(drv: neo4j.Driver, settings: Settings, query: str, **params: object) -> int:
    records, _, _ = drv.execute_query(query, params, database_=settings.neo4j_database)
    return int(records[0][0])


async def _feed_ids(client: AsyncTestClient, user_id: str) -> list[str]:
    r = await client.get("/v1/recommendations", params={"user_id": user_id}, headers=PRO)
    assert r.status_code == 200
    return [rec["item_id"] for rec in r.json()["recommendations"]]


async def test_interaction_is_accepted_and_the_next_request_reflects_it(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    assert "t6" in await _feed_ids(client, "u1")  # now cached
    r = await client.post(
        "/v1/interactions",
        json={"user_id": "u1", "item_id": "t6", "action": "complete"},
        headers=PRO,
    )
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "accepted" and body["event_id"] and body["weight"] == 4.0
    assert "t6" not in await _feed_ids(client, "u1")
    # Completed most recently, Chocolat is now the first because-you-watched anchor.
    r = await client.get("/v1/users/u1/because-you-watched", headers=PRO)
    assert r.json()["rows"][0]["anchor"]["item_id"] == "t6"
    q = "MATCH (:User {userId: $u})-[w:WATCHED]->(:Title {titleId: $t}) RETURN w.completion"
    assert _count(seeded, services, q, u="u1", t="t6") == 1
    q = "MATCH (e:Event {eventId: $e})-[:BY]->(:User {userId: 'u1'}) RETURN count(e)"
    assert _count(seeded, services, q, e=body["event_id"]) == 1


async def test_fifty_concurrent_posts_of_one_event_store_one_interaction(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    responses: list[tuple[int, bytes]] = []

    async def post() -> None:
        r = await client.post(
            "/v1/interactions",
            json={"user_id": "u1", "item_id": "t7", "action": "view"},
            headers={**PRO, "X-Event-ID": "evt-concurrent-1"},
        )
        responses.append((r.status_code, r.content))

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(post)
    assert {status for status, _ in responses} == {202}
    assert len({body for _, body in responses}) == 1
    q = "MATCH (e:Event {eventId: 'evt-concurrent-1'}) RETURN count(e)"
    assert _count(seeded, services, q) == 1
    q = "MATCH (:User {userId: 'u1'})-[w:WATCHED]->(:Title {titleId: 't7'}) RETURN w.count"
    assert _count(seeded, services, q) == 1


async def test_idempotency_key_replays_the_same_body_and_refuses_other_payloads(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings, redis_client: object
) -> None:
    payload = {"user_id": "u1", "item_id": "t4", "action": "share"}
    headers = {**PRO, "Idempotency-Key": "idem-42"}
    first = await client.post("/v1/interactions", json=payload, headers=headers)
    second = await client.post("/v1/interactions", json=payload, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    q = "MATCH (:User {userId: 'u1'})-[s:SHARED]->(:Title {titleId: 't4'}) RETURN s.count"
    assert _count(seeded, services, q) == 1
    other = await client.post(
        "/v1/interactions", json={**payload, "item_id": "t5"}, headers=headers
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "INVALID_INPUT"
    # Without the Redis record the graph still refuses a reused id for another title.
    redis_client.flushdb()  # type: ignore[attr-defined]
    other = await client.post(
        "/v1/interactions", json={**payload, "item_id": "t5"}, headers=headers
    )
    assert other.status_code == 409
    again = await client.post("/v1/interactions", json=payload, headers=headers)
    assert again.status_code == 202 and again.json() == first.json()


def _edge_query(rel: str, expr: str) -> str:
    # Test-only statement; rel and expr come from the parametrize list below.
    return f"MATCH (:User {{userId: 'u1'}})-[r:{rel}]->(:Title {{titleId: 't8'}}) RETURN {expr}"


@pytest.mark.parametrize(
    ("action", "value", "query", "expected"),
    [
        ("like", None, _edge_query("LIKED", "count(r)"), 1),
        ("dislike", None, _edge_query("DISLIKED", "count(r)"), 1),
        ("rating", 4.5, _edge_query("RATED", "r.rating * 10"), 45),
        ("watch", 0.5, _edge_query("WATCHED", "r.completion * 10"), 5),
        ("abandon", 0.2, _edge_query("WATCHED", "r.count"), 1),
        ("add_to_list", None, _edge_query("ADDED_TO_LIST", "count(r)"), 1),
        ("share", None, _edge_query("SHARED", "r.count"), 1),
        ("click", None, _edge_query("WATCHED|LIKED|RATED|SHARED", "count(r)"), 0),
        (
            "impression",
            None,
            "MATCH (e:Event {action: 'impression'})-[:ON]->(:Title {titleId: 't8'}) "
            "RETURN count(e)",
            1,
        ),
    ],
)
async def test_each_action_updates_its_aggregate_edge(
    client: AsyncTestClient,
    seeded: neo4j.Driver,
    services: Settings,
    action: str,
    value: float | None,
    query: str,
    expected: int,
) -> None:
    payload = {"user_id": "u1", "item_id": "t8", "action": action, "value": value}
    r = await client.post("/v1/interactions", json=payload, headers=PRO)
    assert r.status_code == 202, r.text
    assert _count(seeded, services, query) == expected


async def test_like_then_dislike_and_list_round_trip(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    for action in ("like", "dislike", "add_to_list", "remove_from_list"):
        payload = {"user_id": "u1", "item_id": "t10", "action": action}
        assert (await client.post("/v1/interactions", json=payload, headers=PRO)).status_code == 202
    q = (
        "MATCH (:User {userId: 'u1'})-[r:LIKED|ADDED_TO_LIST]->(:Title {titleId: 't10'}) "
        "RETURN count(r)"
    )
    assert _count(seeded, services, q) == 0
    q = "MATCH (:User {userId:'u1'})-[r:DISLIKED]->(:Title {titleId:'t10'}) RETURN count(r)"
    assert _count(seeded, services, q) == 1


async def test_interaction_validation_and_unknown_ids(client: AsyncTestClient) -> None:
    bad = [
        ({"user_id": "u1", "item_id": "t1", "action": "rating"}, "value"),
        ({"user_id": "u1", "item_id": "t1", "action": "rating", "value": 7}, "value"),
        ({"user_id": "u1", "item_id": "t1", "action": "teleport"}, "action"),
        ({"user_id": "u1", "item_id": "t1", "action": "view", "extra": 1}, None),
    ]
    for payload, field in bad:
        r = await client.post("/v1/interactions", json=payload, headers=PRO)
        assert r.status_code == 400, payload
        assert r.json()["error"]["code"] == "INVALID_INPUT"
        if field:
            assert r.json()["error"]["details"]["field"] == field
    r = await client.post(
        "/v1/interactions", json={"user_id": "u 1", "item_id": "t1", "action": "view"}, headers=PRO
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_USER_ID"
    r = await client.post(
        "/v1/interactions",
        json={"user_id": "ghost", "item_id": "t1", "action": "view"},
        headers=PRO,
    )
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "user_id"
    r = await client.post(
        "/v1/interactions",
        json={"user_id": "u1", "item_id": "ghost", "action": "view"},
        headers=PRO,
    )
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "item_id"


@pytest.mark.parametrize("feedback", ["not_interested", "dislike"])
async def test_feedback_removes_the_title_for_good(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings, feedback: str
) -> None:
    assert "t6" in await _feed_ids(client, "u1")
    r = await client.post(
        "/v1/feedback",
        json={"user_id": "u1", "item_id": "t6", "feedback": feedback, "reason": "' OR 1=1 //"},
        headers=PRO,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "recorded" and body["feedback_type"] == feedback
    assert body["action_taken"] == "item_excluded_from_future_recommendations"
    assert any("excluded" in action for action in body["actions"])
    assert "t6" not in await _feed_ids(client, "u1")
    r = await client.get("/v1/users/u1/social", headers=PRO)
    assert "t6" not in [rec["item_id"] for rec in r.json()["recommendations"]]
    r = await client.get("/v1/users/u1/because-you-watched", headers=PRO)
    assert "t6" not in [i["item_id"] for row in r.json()["rows"] for i in row["items"]]
    if feedback == "not_interested":
        q = (
            "MATCH (:User {userId:'u1'})-[n:NOT_INTERESTED]->(:Title {titleId:'t6'}) "
            "WHERE n.reason = $reason RETURN count(n)"
        )
        assert _count(seeded, services, q, reason="' OR 1=1 //") == 1
