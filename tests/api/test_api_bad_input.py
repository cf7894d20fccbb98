"""Hostile input: never a 500, always the envelope, nothing stored; /metrics counts statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .api_keys import ADMIN, FREE, PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio

JSON = {"Content-Type": "application/json"}
# Every endpoint that takes a body, with a valid body for it.
BODIES = [
    ("POST", "/v1/interactions", b'{"user_id": "u1", "item_id": "t7", "action": "click"}'),
    ("POST", "/v1/feedback", b'{"user_id": "u1", "item_id": "t7", "feedback_type": "dislike"}'),
    ("PUT", "/v1/feedback/fb_dTEKdDc", b'{"feedback_type": "dislike"}'),
    ("PUT", "/v1/users/u1/preferences", b'{"favorite_categories": ["Drama"]}'),
    ("POST", "/v1/users", b'{"user_id": "new-user"}'),
    ("POST", "/v1/items", b'{"item_id": "new-title", "title": "New"}'),
    ("PUT", "/v1/items/t7/features", b'{"genres": ["Drama"]}'),
]


def _census(drv: neo4j.Driver, settings: Settings) -> list[object]:
    query = """
    CALL () { MATCH (n) RETURN count(n) AS nodes }
    CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
    CALL () { MATCH (:User)-[r]->(:Title) RETURN collect(type(r) + r.reason) AS reasons }
    RETURN nodes, rels, reasons
    """
    records, _, _ = drv.execute_query(query, database_=settings.neo4j_database)
    return list(records[0].values())


def _envelope(body: dict, code: str = "INVALID_INPUT") -> dict:  # type: ignore[type-arg]
    error = body["error"]
    assert error["code"] == code and error["request_id"], body
    return error  # type: ignore[no-any-return]


def _invalid_utf8(body: bytes) -> list[bytes]:
    """The body with an invalid byte in a value, a lone continuation byte, one in a key."""
    last = body.rindex(b'"')
    return [
        body[:last] + b"\xff" + body[last:],
        body[:last] + b"\x80" + body[last:],
        body.replace(b'{"', b'{"\xfe', 1),
    ]


def _deep(body: bytes) -> list[bytes]:
    """Nested 1,000 deep (under 64 KiB) as a list and as an object, alone and in a field."""
    lists = b"[" * 1000 + b"]" * 1000
    objects = b'{"a":' * 1000 + b"1" + b"}" * 1000
    return [lists, objects, body[:-1] + b', "x": ' + lists + b"}"]


@pytest.mark.parametrize(("method", "path", "body"), BODIES)
async def test_malformed_bodies_are_400_and_store_nothing(
    client: AsyncTestClient,
    seeded: neo4j.Driver,
    services: Settings,
    method: str,
    path: str,
    body: bytes,
) -> None:
    before = _census(seeded, services)
    for bad in [*_invalid_utf8(body), *_deep(body)]:
        assert len(bad) < 64 * 1024
        r = await client.request(method, path, content=bad, headers={**ADMIN, **JSON})
        assert r.status_code == 400, (bad[:60], r.text)
        assert _envelope(r.json())["details"]["field"] in ("body", "x"), r.text
    r = await client.request(
        method, path, content=body, headers={**ADMIN, "Content-Type": "text/plain"}
    )
    assert r.status_code == 415 and _envelope(r.json())["details"]["field"] == "Content-Type"
    assert _census(seeded, services) == before


async def test_strings_for_numbers_and_timestamps_out_of_bounds_are_400(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    before = _census(seeded, services)
    base = {"user_id": "u1", "item_id": "t7"}
    cases = [
        ({**base, "action": "rating", "value": "5"}, "value"),
        ({**base, "action": "click", "context": {"position": "3"}}, "context.position"),
        ({**base, "action": "click", "timestamp": "1969-12-31T23:59:59Z"}, "timestamp"),
        ({**base, "action": "click", "timestamp": "2999-01-01T00:00:00Z"}, "timestamp"),
        ({**base, "action": "click", "timestamp": 1700000000}, "timestamp"),
        ({**base, "user_id": "u1\n", "action": "click"}, "user_id"),
    ]
    for body, field in cases:
        r = await client.post("/v1/interactions", json=body, headers=PRO)
        assert r.status_code == 400, (body, r.text)
        assert _envelope(r.json(), r.json()["error"]["code"])["details"]["field"] == field, body
    r = await client.post("/v1/users", json={"user_id": "x\n"}, headers=ADMIN)
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_USER_ID"
    for genre in ("Dra\nma", "Tab\tbed", "Nul\x00l"):
        payload = {"item_id": "ctl", "title": "Ctl", "genres": [genre], "platforms": ["ok"]}
        r = await client.post("/v1/items", json=payload, headers=ADMIN)
        assert r.status_code == 400 and r.json()["error"]["details"]["field"] == "genres", genre
        payload = {"item_id": "ctl", "title": "Ctl", "platforms": [genre]}
        r = await client.post("/v1/items", json=payload, headers=ADMIN)
        assert r.status_code == 400, genre
    assert _census(seeded, services) == before


async def test_unknown_genres_are_404_and_errors_echo_at_most_200_characters(
    client: AsyncTestClient,
) -> None:
    for params in ({"context": "genre:Nope"}, {"category": "Nope"}):
        r = await client.get("/v1/recommendations", params={"user_id": "u1", **params}, headers=PRO)
        assert r.status_code == 404, params
        assert _envelope(r.json(), "NOT_FOUND")["details"]["field"] == next(iter(params))
    long = "x" * 5000
    r = await client.post(
        "/v1/interactions",
        json={"user_id": "u1", "item_id": "t7", "action": "click", long: 1},
        headers=PRO,
    )
    details = _envelope(r.json())["details"]
    assert r.status_code == 400 and len(details["field"]) <= 200 and len(details["reason"]) <= 200
    r = await client.put(
        "/v1/users/u1/preferences", json={"favorite_categories": ["G" * 100] * 50}, headers=PRO
    )
    assert r.status_code == 404 and len(r.json()["error"]["details"]["reason"]) <= 200


async def test_metrics_count_401_and_429_as_such(client: AsyncTestClient) -> None:
    assert (await client.get("/v1/users/u1")).status_code == 401
    statuses = [(await client.get("/v1/users/u1", headers=FREE)).status_code for _ in range(130)]
    assert 429 in statuses
    metrics = (await client.get("/metrics")).text
    counts = {
        line.split('status="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("graphrec_http_request_duration_seconds_count")
        and 'route="/v1/users/{user_id}"' in line
    }
    assert counts.get("401") == 1.0 and counts.get("429") == statuses.count(429)
    assert "500" not in counts
