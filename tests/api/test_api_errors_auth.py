"""The error envelope for every code, API keys, tiers and the Redis rate limit."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

import pytest

from .api_keys import FREE, PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


def _assert_envelope(body: dict, code: str) -> dict:  # type: ignore[type-arg]
    error = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert {"field", "reason"} <= set(error["details"])
    assert error["code"] == code and error["request_id"]
    text = str(body).lower()
    assert "traceback" not in text and "neo4j" not in text and "match (" not in text
    return error


async def test_missing_or_unknown_key_is_401(client: AsyncTestClient) -> None:
    r = await client.get("/v1/users/u1")
    _assert_envelope(r.json(), "UNAUTHORIZED")
    assert r.status_code == 401
    r = await client.get("/v1/users/u1", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    r = await client.get("/v1/users/u1", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    for path in ("/health", "/ready", "/metrics", "/schema/openapi.json"):
        assert (await client.get(path)).status_code == 200, path


async def test_validation_errors_name_the_field(client: AsyncTestClient) -> None:
    cases = [
        ("/v1/recommendations?user_id=u1&limit=101", "INVALID_INPUT", "limit"),
        ("/v1/recommendations?user_id=u1&limit=abc", "INVALID_INPUT", "limit"),
        ("/v1/recommendations?user_id=u1&context=weird", "INVALID_INPUT", "context"),
        ("/v1/recommendations?user_id=u1&exclude=a,b%20c", "INVALID_INPUT", "exclude"),
        ("/v1/recommendations?user_id=u1&kind=book", "INVALID_INPUT", "kind"),
        ("/v1/recommendations?user_id=u1&category=a%0Ab", "INVALID_INPUT", "category"),
        ("/v1/recommendations", "INVALID_USER_ID", "user_id"),
        ("/v1/recommendations?user_id=%27%20OR%201%3D1%20%2F%2F", "INVALID_USER_ID", "user_id"),
        ("/v1/users/u1/because-you-watched?rows=0", "INVALID_INPUT", "rows"),
    ]
    for url, code, field in cases:
        r = await client.get(url, headers=PRO)
        assert r.status_code == 400, url
        assert _assert_envelope(r.json(), code)["details"]["field"] == field, url


async def test_unknown_route_method_and_big_body(client: AsyncTestClient) -> None:
    r = await client.get("/v1/nothing-here", headers=PRO)
    assert r.status_code == 404
    _assert_envelope(r.json(), "NOT_FOUND")
    r = await client.delete("/v1/recommendations?user_id=u1", headers=PRO)
    assert r.status_code == 405
    _assert_envelope(r.json(), "INVALID_INPUT")
    big = {"user_id": "u1", "item_id": "t1", "action": "view", "session_id": "x" * 100_000}
    r = await client.post("/v1/interactions", json=big, headers=PRO)
    assert r.status_code == 413
    _assert_envelope(r.json(), "INVALID_INPUT")
    r = await client.post(
        "/v1/interactions",
        content=b"{not json",
        headers={**PRO, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    _assert_envelope(r.json(), "INVALID_INPUT")


async def test_free_tier_is_rate_limited_with_headers(client: AsyncTestClient) -> None:
    r = await client.get("/v1/users/u1", headers=FREE)
    assert r.headers["X-RateLimit-Limit"] == "60"
    assert r.headers["X-RateLimit-Remaining"] == "59"
    # A Unix time: the end of the current one-minute window.
    assert 0 < int(r.headers["X-RateLimit-Reset"]) - time.time() <= 61
    statuses = [(await client.get("/v1/users/u1", headers=FREE)).status_code for _ in range(60)]
    # The window may roll over during the loop; then the count restarts.
    if statuses.count(429) == 0:
        pytest.skip("the minute window rolled over during the loop")
    r = await client.get("/v1/users/u1", headers=FREE)
    assert r.status_code == 429
    details = _assert_envelope(r.json(), "RATE_LIMITED")["details"]
    assert r.headers["X-RateLimit-Remaining"] == "0" and "Retry-After" in r.headers
    assert details["limit"] == 60 and details["remaining"] == 0
    reset_at = dt.datetime.fromisoformat(details["reset_at"]).timestamp()
    assert reset_at == int(r.headers["X-RateLimit-Reset"])
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Other keys have their own budget.
    assert (await client.get("/v1/users/u1", headers=PRO)).status_code == 200


async def test_internal_error_hides_details(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    # A title someone wrote with a malformed year (a string): reading it fails inside the API.
    seeded.execute_query(
        "MERGE (t:Title {titleId: 'broken'}) SET t.title = 'Broken', t.year = 'MCMXCIX'",
        database_=services.neo4j_database,
    )
    r = await client.get("/v1/items/broken", headers=PRO)
    assert r.status_code == 500
    error = _assert_envelope(r.json(), "INTERNAL_ERROR")
    assert error["message"] == "internal error" and "MCMXCIX" not in str(r.json())
