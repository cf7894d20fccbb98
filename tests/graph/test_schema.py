"""Constraints are idempotent and enforced by the real database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import neo4j
import pytest

from graph import schema

if TYPE_CHECKING:
    from graph.connection import Connection
    from graph.settings import Settings


def test_apply_constraints_twice_leaves_the_same_constraints(conn: Connection) -> None:
    schema.apply_constraints(conn)
    first = schema.show_constraints(conn)
    schema.apply_constraints(conn)
    second = schema.show_constraints(conn)
    assert first == second
    names = {row["name"] for row in first}
    assert {"user_id", "title_id", "genre_name", "person_id", "keyword_name"} <= names


@pytest.mark.parametrize(("label", "key"), [("User", "userId"), ("Title", "titleId")])
def test_duplicate_id_is_refused_by_the_database(
    graph_db: neo4j.Driver, services: Settings, label: str, key: str
) -> None:
    # Test-only statements: the label and key come from the parametrize list above.
    create = f"CREATE (:{label} {{{key}: $id}})"
    graph_db.execute_query(create, id="dup-1", database_=services.neo4j_database)
    with pytest.raises(neo4j.exceptions.ConstraintError):
        graph_db.execute_query(create, id="dup-1", database_=services.neo4j_database)
    records, _, _ = graph_db.execute_query(
        f"MATCH (n:{label} {{{key}: $id}}) RETURN count(n) AS c",
        id="dup-1",
        database_=services.neo4j_database,
    )
    assert records[0]["c"] == 1


def test_clear_dataset_keeps_other_datasets(conn: Connection) -> None:
    db, graph_db = conn.database, conn.driver
    graph_db.execute_query(
        "UNWIND $rows AS row CREATE (:User {userId: row.id, dataset: row.ds})",
        rows=[{"id": "a1", "ds": "a"}, {"id": "a2", "ds": "a"}, {"id": "b1", "ds": "b"}],
        database_=db,
    )
    assert schema.clear(conn, dataset="a") == 2
    records, _, _ = graph_db.execute_query("MATCH (u:User) RETURN u.userId AS id", database_=db)
    assert [r["id"] for r in records] == ["b1"]
