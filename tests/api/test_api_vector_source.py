"""The vector-index source (user embedding -> title_embedding) and the sample statements."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from graph import schema

from .api_keys import PRO

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j
    from litestar.testing import AsyncTestClient

    from graph.connection import Connection
    from graph.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def title_index(seeded: neo4j.Driver, services: Settings) -> Iterator[int]:
    """The title_embedding vector index (created here unless the GNN's exists) and its size."""
    db = services.neo4j_database
    records, _, _ = seeded.execute_query(
        "SHOW VECTOR INDEXES YIELD name, options WHERE name = 'title_embedding' "
        "RETURN options.indexConfig['vector.dimensions'] AS dims",
        database_=db,
    )
    created = not records
    dims = 4 if created else int(records[0]["dims"])
    if created:
        seeded.execute_query(
            "CREATE VECTOR INDEX title_embedding IF NOT EXISTS FOR (t:Title) ON t.embedding "
            "OPTIONS {indexConfig: {`vector.dimensions`: $dims, "
            "`vector.similarity_function`: 'cosine'}}",
            dims=dims,
            database_=db,
        )
        seeded.execute_query("CALL db.awaitIndexes(60)", database_=db)
    yield dims
    if created:
        seeded.execute_query("DROP INDEX title_embedding IF EXISTS", database_=db)


async def test_vector_source_recommends_titles_near_the_users_embedding(
    client: AsyncTestClient, seeded: neo4j.Driver, services: Settings, title_index: int
) -> None:
    dims = title_index
    base = [1.0] + [0.0] * (dims - 1)
    far = [0.0] * (dims - 1) + [1.0]
    seeded.execute_query(
        "MATCH (t:Title) SET t.embedding = CASE WHEN t.titleId = 't9' THEN $near ELSE $far END, "
        "t.embeddingVersion = 'v1' "
        "WITH count(*) AS n MATCH (u:User {userId: 'u1'}) "
        "SET u.embedding = $near, u.embeddingVersion = 'v1'",
        near=base,
        far=far,
        database_=services.neo4j_database,
    )
    client.app.state.graphrec.model.invalidate()
    r = await client.get("/v1/recommendations", params={"user_id": "u1"}, headers=PRO)
    recs = {rec["item_id"]: rec for rec in r.json()["recommendations"]}
    # t9 is reachable only through the vector index (its SIMILAR_TO edge is of v0).
    assert recs["t9"]["explanation"]["kind"] == "taste_profile"
    assert recs["t9"]["explanation"]["reason"] == "Matches your taste profile"


def test_sample_ids_list_users_with_history_and_popular_titles(
    seeded: neo4j.Driver, connection: Connection
) -> None:
    users, titles = schema.sample_ids(connection, 3)
    assert users == ["u1", "u2", "u3"]
    assert titles == ["t11", "t1", "t5"]
