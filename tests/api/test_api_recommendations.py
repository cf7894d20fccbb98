"""The read endpoints over the seeded graph: sources, filters, explanations, fallbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .api_graphdata import write_graph
from .api_keys import PRO

if TYPE_CHECKING:
    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.settings import Settings
    from graph.store import Store

pytestmark = pytest.mark.anyio

SEEN_OR_REJECTED = {"t1", "t2", "t3", "t11"}


async def test_home_feed_merges_sources_and_filters_seen_titles(client: AsyncTestClient) -> None:
    r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
    assert r.status_code == 200
    body = r.json()
    ids = [rec["item_id"] for rec in body["recommendations"]]
    assert body["model_version"] == "v1" and body["user_id"] == "u1" and body["request_id"]
    assert not SEEN_OR_REJECTED & set(ids)
    assert "t9" not in ids  # only reachable through the stale v0 edge
    assert [rec["rank"] for rec in body["recommendations"]] == list(range(1, len(ids) + 1))
    scores = [rec["score"] for rec in body["recommendations"]]
    assert scores[0] == max(scores)
    by_id = {rec["item_id"]: rec for rec in body["recommendations"]}
    # Inception: GNN neighbour of The Matrix, rated 5 stars (weight 5: more than Amelie's like,
    # 2, in graph/signals.py) and watched by a friend; then Chocolat, Amelie's neighbour,
    # watched and liked by two friends (its main source).
    assert ids[:2] == ["t5", "t6"]
    assert by_id["t5"]["explanation"]["reason"] == "Because you watched The Matrix"
    assert by_id["t6"]["explanation"]["reason"] == "2 of your friends watched this: Bob and Cid"
    assert {"similar", "friends"} <= set(by_id["t6"]["explanation"]["sources"])
    assert by_id["t12"]["explanation"]["kind"] == "social"
    assert by_id["t12"]["explanation"]["reason"] == "2 of your friends watched this: Bob and Cid"
    assert by_id["t10"]["explanation"]["kind"] == "similar_users"
    assert by_id["t4"]["metadata"] == {
        "title": "Dark City",
        "category": "Sci-Fi",
        "rating": None,
        "thumbnail_url": None,
        "genres": ["Sci-Fi"],
        "year": 1999,
        "kind": "movie",
        "popularity": 30.0,
    }


async def test_home_feed_respects_exclude_limit_and_genre(client: AsyncTestClient) -> None:
    r = await client.get(
        "/v1/recommendations",
        params={"user_id": "u1", "exclude": "t6,t12", "limit": 3},
        headers=PRO,
    )
    ids = [rec["item_id"] for rec in r.json()["recommendations"]]
    assert len(ids) == 3 and not {"t6", "t12"} & set(ids)
    r = await client.get(
        "/v1/recommendations", params={"user_id": "u1", "context": "genre:Sci-Fi"}, headers=PRO
    )
    recs = r.json()["recommendations"]
    assert recs and all("Sci-Fi" in rec["metadata"]["genres"] for rec in recs)


async def test_cold_start_user_gets_popular_titles_of_preferred_genres(
    client: AsyncTestClient,
) -> None:
    r = await client.get("/v1/recommendations", params={"user_id": "u5"}, headers=PRO)
    body = r.json()
    assert body["cold_start"] is True
    recs = body["recommendations"]
    assert [rec["item_id"] for rec in recs][:2] == ["t11", "t12"]  # most popular comedies
    assert all(rec["explanation"]["kind"] == "popular" for rec in recs)
    assert recs[0]["explanation"]["reason"] == "Popular in Comedy, genres you said you like"


async def test_unknown_user_is_404_not_an_empty_list(client: AsyncTestClient) -> None:
    for url in (
        "/v1/recommendations?user_id=ghost",
        "/v1/users/ghost/because-you-watched",
        "/v1/users/ghost/social",
        "/v1/users/ghost",
        "/v1/recommendations/t1/explain?user_id=ghost",
    ):
        r = await client.get(url, headers=PRO)
        assert r.status_code == 404, url
        assert r.json()["error"]["code"] == "NOT_FOUND"
        assert r.json()["error"]["details"]["field"] == "user_id"


async def test_because_you_watched_rows_follow_recent_positive_anchors(
    client: AsyncTestClient,
) -> None:
    r = await client.get("/v1/users/u1/because-you-watched", params={"rows": 3}, headers=PRO)
    rows = r.json()["rows"]
    # Most recent first: Heat (watched 2024-01-03), Amelie (liked 01-02), The Matrix (rated 01-01).
    assert [row["anchor"]["title"] for row in rows] == ["Heat", "Amelie", "The Matrix"]
    assert rows[0]["reason"] == "Because you watched Heat"
    assert [i["item_id"] for i in rows[1]["items"]] == ["t6", "t7"]
    assert all(row["source"] == "gnn" for row in rows)
    seen = [i["item_id"] for row in rows for i in row["items"]]
    assert len(seen) == len(set(seen)) and not SEEN_OR_REJECTED & set(seen)


_LONG_HISTORY = """
MATCH (u:User {userId: 'u6'}), (matrix:Title {titleId: 't1'}), (dark:Title {titleId: 't4'})
MERGE (u)-[old:RATED]->(matrix) SET old.rating = 5.0, old.at = datetime('2000-01-01T00:00:00Z')
MERGE (u)-[new:LIKED]->(dark) SET new.at = datetime('2024-06-01T00:00:00Z')
WITH u
UNWIND range(1, $n) AS i
MERGE (t:Title {titleId: 'filler' + i}) SET t.title = 'Filler ' + i
MERGE (u)-[r:RATED]->(t)
SET r.rating = 1.0, r.at = datetime('2010-01-01T00:00:00Z') + duration({minutes: i})
"""


async def test_anchors_come_from_the_latest_interactions_of_a_long_history(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings
) -> None:
    from graph.recommendations import HISTORY_SCAN

    # u6: a 5/5 for The Matrix long ago, then HISTORY_SCAN low ratings, then a like of Dark City.
    seeded.execute_query(_LONG_HISTORY, n=HISTORY_SCAN, database_=services.neo4j_database)
    r = await client.get("/v1/users/u6/because-you-watched", params={"rows": 5}, headers=PRO)
    assert r.status_code == 200
    # Only the latest HISTORY_SCAN interactions count: the old 5/5 is no anchor any more.
    assert [row["anchor"]["title"] for row in r.json()["rows"]] == ["Dark City"]


async def test_social_names_friends_and_similar_users(client: AsyncTestClient) -> None:
    r = await client.get("/v1/users/u1/social", headers=PRO)
    recs = {rec["item_id"]: rec for rec in r.json()["recommendations"]}
    assert set(recs) == {"t5", "t6", "t10", "t12"}
    names = {p["name"] for p in recs["t6"]["explanation"]["people"]}
    assert names == {"Bob", "Cid"}
    assert recs["t5"]["explanation"]["reason"] == "1 friend watched this: Bob"
    assert recs["t10"]["explanation"]["reason"] == "Viewers like you watched this"
    assert recs["t10"]["explanation"]["people"][0]["user_id"] == "u4"


async def test_similar_items_use_the_promoted_model_then_content(client: AsyncTestClient) -> None:
    r = await client.get("/v1/items/t1/similar", headers=PRO)
    body = r.json()
    assert body["source"] == "gnn" and body["model_version"] == "v1"
    assert [i["item_id"] for i in body["similar_items"]] == ["t4", "t5"]
    assert body["similar_items"][0]["similarity_reason"].startswith("Graph neighbours")
    # t7 has no SIMILAR_TO edges: content fallback, shared genre named.
    r = await client.get("/v1/items/t7/similar", params={"limit": 2}, headers=PRO)
    body = r.json()
    assert body["source"] == "content" and len(body["similar_items"]) == 2
    assert body["similar_items"][0]["similarity_reason"] == "Shares genre Comedy"
    # An explicit older version reads that version's edges.
    r = await client.get("/v1/items/t1/similar", params={"model": "v0"}, headers=PRO)
    assert [i["item_id"] for i in r.json()["similar_items"]] == ["t9"]
    r = await client.get("/v1/items/nope/similar", headers=PRO)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "item_id"


async def test_explain_lists_factors_paths_and_people(client: AsyncTestClient) -> None:
    r = await client.get("/v1/recommendations/t5/explain", params={"user_id": "u1"}, headers=PRO)
    body = r.json()
    assert body["eligible"] is True
    assert abs(sum(f["weight"] for f in body["explanation"]["contributing_factors"]) - 1.0) < 1e-3
    assert {f["factor"] for f in body["explanation"]["contributing_factors"]} >= {
        "similar_items",
        "friends",
        "genre_preference",
    }
    assert body["anchors"] == [{"item_id": "t1", "title": "The Matrix"}]
    assert [f["name"] for f in body["friends"]] == ["Bob"]
    texts = [p["text"] for p in body["paths"]]
    assert "you -RATED-> The Matrix -SIMILAR_TO (0.80)-> Inception" in texts
    assert "you -FRIENDS_WITH- Bob -WATCHED-> Inception" in texts
    r = await client.get("/v1/recommendations/t1/explain", params={"user_id": "u1"}, headers=PRO)
    assert r.json()["eligible"] is False and "rated" in r.json()["note"]
    r = await client.get("/v1/recommendations/zz/explain", params={"user_id": "u1"}, headers=PRO)
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "item_id"


async def test_explain_names_the_genres_and_people_the_user_knows(client: AsyncTestClient) -> None:
    # u1 rated The Matrix (Action, Sci-Fi; Keanu Reeves) and fully watched Heat (Action, Crime;
    # Robert De Niro); u5 has no history and prefers Comedy.
    r = await client.get("/v1/recommendations/t4/explain", params={"user_id": "u1"}, headers=PRO)
    factors = {
        f["factor"]: f["description"] for f in r.json()["explanation"]["contributing_factors"]
    }
    assert factors["people"] == "With Keanu Reeves, whom you watched before"
    assert factors["genre_preference"] == "In Sci-Fi, genres you watch or prefer"
    r = await client.get("/v1/recommendations/t8/explain", params={"user_id": "u1"}, headers=PRO)
    factors = {
        f["factor"]: f["description"] for f in r.json()["explanation"]["contributing_factors"]
    }
    assert factors["people"] == "With Robert De Niro, whom you watched before"  # Heat
    assert (
        factors["genre_preference"] == "In Action and Crime, genres you watch or prefer"
    )  # 2, then 1
    r = await client.get("/v1/recommendations/t10/explain", params={"user_id": "u1"}, headers=PRO)
    factors = {
        f["factor"]: f["description"] for f in r.json()["explanation"]["contributing_factors"]
    }
    assert "people" not in factors  # Arrival lists nobody
    assert factors["genre_preference"] == "In Sci-Fi, genres you watch or prefer"  # not Drama
    r = await client.get("/v1/recommendations/t7/explain", params={"user_id": "u5"}, headers=PRO)
    factors = {
        f["factor"]: f["description"] for f in r.json()["explanation"]["contributing_factors"]
    }
    assert factors["genre_preference"] == "In Comedy, genres you watch or prefer"
    assert "people" not in factors


async def test_without_promoted_model_content_and_popularity_explain(
    graph_db: neo4j.Driver, services: Settings, api_settings: Settings, redis_client: object
) -> None:
    from litestar.testing import AsyncTestClient

    from api.app import create_app

    write_graph(graph_db, services.neo4j_database, promoted=False)
    async with AsyncTestClient(app=create_app(api_settings)) as client:
        r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
        body = r.json()
        assert body["model_version"] is None
        types = {rec["explanation"]["kind"] for rec in body["recommendations"]}
        assert "because_you_watched" not in types and "similar_users" not in types
        assert "similar_content" in types
        content = next(
            rec
            for rec in body["recommendations"]
            if rec["explanation"]["kind"] == "similar_content"
        )
        assert content["explanation"]["reason"].startswith("Similar to ")
        r = await client.get("/v1/items/t1/similar", headers=PRO)
        assert r.json()["source"] == "content" and r.json()["model_version"] is None
        # Dark City shares Keanu Reeves (2) and Sci-Fi (1); people come first, then genres.
        first = r.json()["similar_items"][0]
        assert first["item_id"] == "t4"
        assert first["shared"] == ["person Keanu Reeves", "genre Sci-Fi"]
        assert first["similarity_reason"] == "Shares person Keanu Reeves and genre Sci-Fi"
        r = await client.get("/v1/users/u1/because-you-watched", headers=PRO)
        assert {row["source"] for row in r.json()["rows"]} == {"content"}
        metrics = (await client.get("/metrics")).text
        assert 'graphrec_fallbacks_total{kind="no_model"}' in metrics


async def test_anchor_strengths_are_the_weights_of_graph_signals(store: Store) -> None:
    from graph import signals
    from graph.recommendations import Filters, ModelInfo

    async with store.repositories() as repos:
        rows = await repos.recs.home_sources(
            "u1",
            model=ModelInfo(version="v1", vector_index=False),
            sources=frozenset({"similar"}),
            k=5,
            anchors=6,
            filters=Filters(),
        )
    # u1 rated The Matrix 5 stars, liked Amelie and watched all of Heat.
    assert {a.item_id: a.strength for a in rows.anchors} == {
        "t1": signals.weight("rating", 5.0),
        "t2": signals.weight("like"),
        "t3": signals.interaction_weight("view", completion=1.0),
    }
