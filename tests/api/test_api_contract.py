"""The HTTP contract of the API document (``seeds/003_…``), replayed against the real stack.

Every example request of the document is sent as it is written (its ids are the titles and
users of a small catalogue created through the API itself), and every field its example
response names is checked, with the document's values wherever they follow from the data.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import pytest

from .api_keys import ADMIN, FREE, PRO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings

pytestmark = pytest.mark.anyio

NOLAN = {"person_id": "p_nolan", "name": "Christopher Nolan"}
TITLES: list[dict[str, Any]] = [
    {"item_id": "movie_123", "title": "The Matrix", "genres": ["Action", "Sci-Fi"]},
    {"item_id": "movie_234", "title": "Blade Runner", "genres": ["Sci-Fi"]},
    {
        "item_id": "movie_456",
        "title": "Inception",
        "genres": ["Sci-Fi", "Thriller"],
        "directors": [NOLAN],
        "thumbnail_url": "https://cdn.example.com/inception.jpg",
    },
    {
        "item_id": "movie_789",
        "title": "Interstellar",
        "genres": ["Sci-Fi"],
        "directors": [NOLAN],
        "thumbnail_url": "https://cdn.example.com/interstellar.jpg",
    },
    {"item_id": "movie_901", "title": "Amelie", "genres": ["Comedy"]},
]
USERS = ["user_123", "user_456", "rater_1", "rater_2"]
# (user, title, stars): user_123 loved The Matrix and liked Blade Runner; Inception averages
# 4.8 and Interstellar 4.7, as in the document's metadata.
RATINGS = [
    ("user_123", "movie_123", 5.0),
    ("user_123", "movie_234", 4.5),
    ("rater_1", "movie_456", 5.0),
    ("rater_2", "movie_456", 4.6),
    ("rater_1", "movie_789", 4.7),
    ("rater_2", "movie_789", 4.7),
    ("rater_1", "movie_901", 4.0),
]
# GraphSAGE neighbours of the promoted model v1 (from, to, cosine).
SIMILAR = [
    ("movie_123", "movie_456", 0.95),
    ("movie_234", "movie_456", 0.8),
    ("movie_456", "movie_789", 0.89),
    ("movie_123", "movie_789", 0.7),
]
_WRITE = """
UNWIND $ratings AS r
MATCH (u:User {userId: r[0]}), (t:Title {titleId: r[1]})
MERGE (u)-[x:RATED]->(t) SET x.rating = r[2], x.at = datetime('2024-01-10T00:00:00Z')
WITH count(*) AS done
UNWIND $similar AS s
MATCH (a:Title {titleId: s[0]}), (b:Title {titleId: s[1]})
MERGE (a)-[e:SIMILAR_TO {modelVersion: 'v1'}]->(b)
SET e.score = s[2], e.rank = 1, e.model = 'graphsage'
WITH count(*) AS done
MATCH (t:Title) SET t.popularity = COUNT { (t)<-[:RATED]-() } * 10
WITH count(*) AS done
MERGE (m:Model {modelId: 'graphsage:v1'})
SET m.name = 'graphsage', m.version = 'v1', m.status = 'promoted', m.promotedAt = datetime()
"""


@pytest.fixture
async def doc(
    graph_db: neo4j.Driver, services: Settings, api_settings: Settings, redis_client: object
) -> AsyncIterator[AsyncTestClient]:
    """A client of a fresh app on the document's catalogue (created through the API)."""
    from litestar.testing import AsyncTestClient

    from api.app import create_app

    app = create_app(api_settings)
    async with AsyncTestClient(app=app) as client:
        for title in TITLES:
            r = await client.post("/v1/items", json=title, headers=ADMIN)
            assert r.status_code == 201, r.text
        for user in USERS:
            r = await client.post("/v1/users", json={"user_id": user}, headers=ADMIN)
            assert r.status_code == 201, r.text
        graph_db.execute_query(
            _WRITE,
            ratings=[list(r) for r in RATINGS],
            similar=[list(s) for s in SIMILAR],
            database_=services.neo4j_database,
        )
        app.state.graphrec.model.invalidate()
        yield client


def _event(drv: neo4j.Driver, settings: Settings, event_id: str) -> dict[str, Any]:
    records, _, _ = drv.execute_query(
        "MATCH (e:Event {eventId: $id}) RETURN e {.*} AS e, count(*) AS n",
        id=event_id,
        database_=settings.neo4j_database,
    )
    assert len(records) == 1 and records[0]["n"] == 1
    return dict(records[0]["e"])


async def test_get_personalized_recommendations_as_written(doc: AsyncTestClient) -> None:
    r = await doc.get(
        "/v1/recommendations?user_id=user_123&context=homepage&limit=50",
        headers={**PRO, "X-Session-Id": "session_abc", "X-Device-Type": "mobile"},
    )
    assert r.status_code == 200, r.text
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert int(r.headers[header]) >= 0
    assert int(r.headers["X-RateLimit-Reset"]) > time.time()
    body = r.json()
    assert body["request_id"] == r.headers["X-Request-ID"]
    assert body["model_version"] == "v1"
    assert dt.datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    recs = body["recommendations"]
    assert [rec["rank"] for rec in recs] == list(range(1, len(recs) + 1))
    for rec in recs:
        assert isinstance(rec["item_id"], str) and isinstance(rec["score"], float)
        assert {"title", "category", "thumbnail_url", "rating"} <= set(rec["metadata"])
        explanation = rec["explanation"]
        assert isinstance(explanation["type"], str) and isinstance(explanation["reason"], str)
        assert isinstance(explanation["similar_items"], list)
        assert isinstance(explanation["matching_attributes"], list)
    first = recs[0]
    assert first["item_id"] == "movie_456" and first["rank"] == 1
    assert first["score"] == max(rec["score"] for rec in recs)
    assert first["metadata"] | {"genres": None} == {
        "title": "Inception",
        "category": "Sci-Fi",
        "thumbnail_url": "https://cdn.example.com/inception.jpg",
        "rating": 4.8,
        "genres": None,
        "year": None,
        "kind": "movie",
        "popularity": 20.0,
    }
    assert first["explanation"]["type"] == "collaborative"
    assert first["explanation"]["reason"] == "Because you watched The Matrix"
    assert first["explanation"]["similar_items"] == ["movie_123"]
    second = next(rec for rec in recs if rec["item_id"] == "movie_789")
    assert second["metadata"]["title"] == "Interstellar"
    assert second["metadata"]["category"] == "Sci-Fi" and second["metadata"]["rating"] == 4.7


async def test_recommendation_defaults_category_and_content_based_explanations(
    doc: AsyncTestClient,
) -> None:
    # context defaults to homepage, limit to 20; category=all is no filter.
    r = await doc.get("/v1/recommendations?user_id=user_456&category=all", headers=PRO)
    assert r.status_code == 200 and r.json()["context"] == "homepage"
    assert {rec["item_id"] for rec in r.json()["recommendations"]} >= {"movie_901", "movie_456"}
    # category filters by genre: "Popular in Sci-Fi", matching on genre (content based).
    r = await doc.get("/v1/recommendations?user_id=user_456&category=Sci-Fi", headers=PRO)
    recs = r.json()["recommendations"]
    assert recs and all("Sci-Fi" in rec["metadata"]["genres"] for rec in recs)
    assert recs[0]["explanation"]["type"] == "content_based"
    assert recs[0]["explanation"]["reason"] == "Popular in Sci-Fi"
    assert recs[0]["explanation"]["matching_attributes"] == ["genre"]
    # exclude: string[] (repeated) or comma-separated.
    r = await doc.get(
        "/v1/recommendations?user_id=user_456&exclude=movie_456&exclude=movie_789,movie_123",
        headers=PRO,
    )
    ids = {rec["item_id"] for rec in r.json()["recommendations"]}
    assert ids and not ids & {"movie_456", "movie_789", "movie_123"}
    r = await doc.get("/v1/recommendations?user_id=user_456&category=Western", headers=PRO)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "category"


async def test_get_similar_items_as_written(doc: AsyncTestClient) -> None:
    r = await doc.get("/v1/items/movie_456/similar?limit=10", headers=PRO)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source_item"] == {"item_id": "movie_456", "title": "Inception"}
    assert body["request_id"] == r.headers["X-Request-ID"]
    first = body["similar_items"][0]
    assert first["item_id"] == "movie_789" and first["similarity_score"] == 0.89
    assert first["metadata"]["title"] == "Interstellar"
    assert first["metadata"]["category"] == "Sci-Fi"
    assert isinstance(first["similarity_reason"], str) and first["similarity_reason"]


async def test_record_user_interaction_as_written(
    doc: AsyncTestClient, graph_db: neo4j.Driver, services: Settings
) -> None:
    request = {
        "user_id": "user_123",
        "item_id": "movie_456",
        "action": "click",
        "context": {"source": "homepage", "position": 3, "session_id": "session_abc"},
        "timestamp": "2024-01-20T15:30:00Z",
    }
    r = await doc.post("/v1/interactions", json=request, headers=PRO)
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "accepted" and isinstance(body["event_id"], str)
    # Without an event id header, a blind retry is the same event (derived from the request).
    again = await doc.post("/v1/interactions", json=request, headers=PRO)
    assert again.status_code == 202 and again.json()["event_id"] == body["event_id"]
    event = _event(graph_db, services, body["event_id"])
    assert event["sessionId"] == "session_abc" and event["source"] == "homepage"
    assert event["position"] == 3 and event["hour"] == 15 and event["action"] == "click"
    assert event["at"].to_native() == dt.datetime(2024, 1, 20, 15, 30, tzinfo=dt.UTC)
    # The session and device headers are kept when the body has no context.
    r = await doc.post(
        "/v1/interactions",
        json={"user_id": "user_123", "item_id": "movie_789", "action": "impression"},
        headers={**PRO, "X-Session-Id": "session_abc", "X-Device-Type": "mobile"},
    )
    event = _event(graph_db, services, r.json()["event_id"])
    assert event["sessionId"] == "session_abc" and event["deviceType"] == "mobile"


@pytest.mark.parametrize(
    ("action", "weight"),
    [
        ("impression", 0.1),
        ("click", 1.0),
        ("add_to_cart", 2.0),
        ("purchase", 5.0),
        ("watch", 3.0),
        ("like", 2.0),
        ("dislike", -3.0),
    ],
)
async def test_every_action_type_of_the_document_is_accepted_with_its_weight(
    doc: AsyncTestClient, action: str, weight: float
) -> None:
    r = await doc.post(
        "/v1/interactions",
        json={"user_id": "user_456", "item_id": "movie_901", "action": action},
        headers=PRO,
    )
    assert r.status_code == 202, r.text
    assert r.json()["weight"] == weight


async def test_get_recommendation_explanation_as_written(doc: AsyncTestClient) -> None:
    r = await doc.get("/v1/recommendations/movie_456/explain?user_id=user_123", headers=PRO)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["item_id"] == "movie_456" and body["user_id"] == "user_123"
    explanation = body["explanation"]
    assert explanation["primary_reason"] == "collaborative_filtering"
    factors = explanation["contributing_factors"]
    assert factors and abs(sum(f["weight"] for f in factors) - 1.0) < 1e-3
    for factor in factors:
        assert set(factor) == {"factor", "weight", "description"}
        assert isinstance(factor["description"], str) and factor["description"]
    assert factors[0]["factor"] == "similar_items"
    assert explanation["similar_items_watched"] == ["movie_123", "movie_234"]
    # (0.95 x 5 + 0.8 x 4.5) / 1.75, the user's ratings weighted by similarity.
    assert explanation["predicted_rating"] == 4.8


async def test_user_feedback_as_written_then_replaced_and_undone(doc: AsyncTestClient) -> None:
    request = {
        "user_id": "user_123",
        "item_id": "movie_456",
        "feedback_type": "not_interested",
        "reason": "already_seen",
    }
    headers = {**PRO, "Idempotency-Key": "3b1f8f0e-5d0c-4c57-9d43-2f0a9e4b7c11"}
    r = await doc.post("/v1/feedback", json=request, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "recorded"
    assert body["action_taken"] == "item_excluded_from_future_recommendations"
    # The same key again: the same status and body, nothing new written.
    again = await doc.post("/v1/feedback", json=request, headers=headers)
    assert (again.status_code, again.content) == (r.status_code, r.content)
    other = await doc.post("/v1/feedback", json={**request, "reason": "other"}, headers=headers)
    assert other.status_code == 409
    ids = await _feed(doc, "user_123")
    assert "movie_456" not in ids
    # PUT /v1/feedback/{id} replaces it (idempotent), DELETE undoes it (safe to retry).
    path = f"/v1/feedback/{body['feedback_id']}"
    put = {"feedback_type": "dislike"}
    r = await doc.put(path, json=put, headers={**PRO, "Idempotency-Key": "put-1"})
    assert r.status_code == 200 and r.json()["feedback_type"] == "dislike"
    r2 = await doc.put(path, json=put, headers={**PRO, "Idempotency-Key": "put-1"})
    assert r2.content == r.content
    assert "movie_456" not in await _feed(doc, "user_123")
    r = await doc.delete(path, headers=PRO)
    assert r.status_code == 200 and r.json()["removed"] is True
    assert r.json()["action_taken"] == "item_allowed_in_future_recommendations"
    r = await doc.delete(path, headers=PRO)
    assert r.status_code == 200 and r.json()["removed"] is False
    assert "movie_456" in await _feed(doc, "user_123")
    r = await doc.delete("/v1/feedback/fb_AAAA", headers=PRO)
    assert r.status_code == 404


async def _feed(client: AsyncTestClient, user_id: str) -> list[str]:
    r = await client.get("/v1/recommendations", params={"user_id": user_id}, headers=PRO)
    assert r.status_code == 200, r.text
    return [rec["item_id"] for rec in r.json()["recommendations"]]


async def test_update_user_preferences_with_an_app_key_and_idempotency_key(
    doc: AsyncTestClient,
) -> None:
    headers = {**PRO, "X-Idempotency-Key": "prefs-1"}
    body = {"favorite_categories": ["Comedy"]}
    r = await doc.put("/v1/users/user_456/preferences", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["favorite_categories"] == ["Comedy"]
    again = await doc.put("/v1/users/user_456/preferences", json=body, headers=headers)
    assert again.content == r.content
    other = {"favorite_categories": ["Sci-Fi"]}
    r = await doc.put("/v1/users/user_456/preferences", json=other, headers=headers)
    assert r.status_code == 409
    recs = (await doc.get("/v1/recommendations?user_id=user_456", headers=PRO)).json()
    assert recs["recommendations"][0]["item_id"] == "movie_901"


async def test_error_examples_of_the_document(doc: AsyncTestClient) -> None:
    r = await doc.get("/v1/recommendations?user_id=user%20123", headers=PRO)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "INVALID_USER_ID" and isinstance(error["message"], str)
    assert error["details"]["field"] == "user_id" and error["details"]["reason"]
    assert error["request_id"] == r.headers["X-Request-ID"]
    # 429: details {limit, remaining, reset_at}, Retry-After.
    for _ in range(130):
        r = await doc.get("/v1/users/user_123", headers=FREE)
        if r.status_code == 429:
            break
    assert r.status_code == 429
    error = r.json()["error"]
    assert error["code"] == "RATE_LIMITED"
    assert error["message"] == "Rate limit exceeded. Please try again later."
    details = error["details"]
    assert details["limit"] == 60 and details["remaining"] == 0
    assert details["reset_at"].endswith("Z")
    reset = dt.datetime.fromisoformat(details["reset_at"]).timestamp()
    assert reset == int(r.headers["X-RateLimit-Reset"]) and int(r.headers["Retry-After"]) >= 1
