"""The shared writer against a real Neo4j: graph model, idempotency, resume, tags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import neo4j
import pytest

from graph import schema
from graph.bulk import write_dataset
from loaders import LoadError, generate, load_source, read_dataset

from .loader_samples import FILMTRUST, LASTFM, ML_LATEST, write

if TYPE_CHECKING:
    from graph.connection import Connection
    from graph.settings import Settings

_REL_TYPE = {
    "view": "WATCHED",
    "rating": "RATED",
    "like": "LIKED",
    "dislike": "DISLIKED",
    "share": "SHARED",
    "add_to_list": "ADDED_TO_LIST",
}


#: Runs a statement on the test graph: its rows as dicts.
Query = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def query(graph_db: neo4j.Driver, services: Settings) -> Query:
    """A statement runner on the graph emptied before the test."""

    def run(text: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = graph_db.execute_query(text, params, database_=services.neo4j_database)
        return [r.data() for r in records]

    return run


def _snapshot(query: Query) -> tuple[list[str], list[str]]:
    nodes = query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, "
        "coalesce(a.userId, a.titleId, a.personId) AS a, "
        "coalesce(b.userId, b.titleId, b.name) AS b",
    )
    for node in nodes:
        node["p"].pop("createdAt", None)
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


def test_synthetic_graph_follows_the_model(query: Query, conn: Connection) -> None:
    dataset = generate(150, 60, seed=5)
    counts = write_dataset(conn, dataset, batch_size=700)
    assert counts.users == 150 and counts.titles == 60 and counts.people == len(dataset.people)
    graph = schema.count_dataset(conn, "synthetic")
    assert graph["User"] == 150 and graph["Title"] == 60 and graph["Person"] == len(dataset.people)
    by_type = Counter(_REL_TYPE[i.type] for i in dataset.interactions)
    assert set(by_type) == set(_REL_TYPE.values())
    for rel_type, expected in by_type.items():
        assert graph[rel_type] == expected, rel_type
    assert graph["FRIENDS_WITH"] == len(dataset.friendships)
    both_ways = query(
        "MATCH (a)-[:FRIENDS_WITH]->(b)-[:FRIENDS_WITH]->(a) RETURN count(*) AS n",
    )
    assert both_ways == [{"n": 0}]
    watched = query("MATCH (:User)-[w:WATCHED]->(:Title) RETURN properties(w) AS w LIMIT 1")[0]["w"]
    assert isinstance(watched["count"], int) and 0 <= watched["completion"] <= 1
    assert watched["sessionId"] and watched["firstAt"] <= watched["lastAt"]
    assert isinstance(watched["lastAt"], neo4j.time.DateTime)
    rated = query("MATCH ()-[r:RATED]->() RETURN properties(r) AS r LIMIT 1")[0]["r"]
    assert 0.5 <= rated["rating"] <= 5 and isinstance(rated["at"], neo4j.time.DateTime)
    order = query("MATCH ()-[r:ACTED_IN]->() RETURN min(r.order) AS o")
    assert order == [{"o": 0}]
    kw = query("MATCH ()-[r:HAS_KEYWORD]->() RETURN min(r.count) AS c")
    assert kw[0]["c"] >= 1
    assert query("MATCH (t:Title) WHERE t.dataset <> 'synthetic' RETURN t") == []
    mismatch = query(
        "MATCH (t:Title) WITH t, COUNT { MATCH (u:User)-->(t) RETURN DISTINCT u } AS n "
        "WHERE t.popularity <> n RETURN t.titleId",
    )
    assert mismatch == []
    assert query("MATCH (t:Title) RETURN max(t.popularity) AS m")[0]["m"] > 0


def test_second_load_changes_nothing(query: Query, conn: Connection) -> None:
    dataset = generate(100, 40, seed=11)
    write_dataset(conn, dataset, batch_size=300)
    first = _snapshot(query)
    created = query("MATCH (u:User) RETURN u.userId AS id, u.createdAt AS c")
    write_dataset(conn, dataset, batch_size=1_000)
    assert _snapshot(query) == first
    again = query("MATCH (u:User) RETURN u.userId AS id, u.createdAt AS c")
    assert sorted(again, key=str) == sorted(created, key=str)


def test_interrupted_load_reruns_to_completion(query: Query, conn: Connection) -> None:
    dataset = generate(100, 40, seed=13)
    write_dataset(conn, dataset, batch_size=200)
    complete = _snapshot(query)
    schema.clear(conn)
    seen = []

    def killed(phase: str, rows: int, total: int | None) -> None:
        seen.append(phase)
        if phase == "interactions" and seen.count(phase) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(conn, dataset, batch_size=200, progress=killed)
    assert _snapshot(query) != complete
    write_dataset(conn, dataset, batch_size=200)
    assert _snapshot(query) == complete


def test_tags_and_prefixes_live_side_by_side(conn: Connection) -> None:
    for tag in ("a", "b"):
        data = generate(100, 30, seed=1, id_prefix=f"{tag}:", name=tag)
        write_dataset(conn, data, batch_size=500)
    assert schema.count_dataset(conn, "a")["User"] == 100
    assert schema.count_dataset(conn, "b")["User"] == 100
    schema.clear(conn, dataset="a")
    assert "User" not in schema.count_dataset(conn, "a")
    assert schema.count_dataset(conn, "b")["User"] == 100


def test_movielens_into_graph(query: Query, conn: Connection, tmp_path: Path) -> None:
    result = load_source(conn, "movielens", write(tmp_path / "ml", ML_LATEST))
    assert result.graph["RATED"] == 4 and "WATCHED" not in result.graph
    assert result.graph["Genre"] == 7 and result.graph["Keyword"] == 2
    unknown = query("MATCH (g:Genre {unknown: true}) RETURN g.name AS n")
    assert unknown == [{"n": "(no genres listed)"}]
    titles = query(
        "MATCH (t:Title {titleId: '1'})-[k:HAS_KEYWORD]->(w) "
        "RETURN t.title AS title, t.year AS year, t.popularity AS p, w.name AS w, k.count AS c",
    )
    assert titles == [{"title": "Toy Story", "year": 1995, "p": 2, "w": "pixar", "c": 2}]
    again = load_source(conn, "movielens", write(tmp_path / "ml", ML_LATEST))
    assert again.graph == result.graph


def test_social_sources_into_graph(query: Query, conn: Connection, tmp_path: Path) -> None:
    ft = load_source(conn, "filmtrust", write(tmp_path / "ft", FILMTRUST))
    assert ft.graph["TRUSTS"] == 3 and ft.graph["RATED"] == 4 and ft.graph["User"] == 4
    fm = load_source(conn, "lastfm", write(tmp_path / "fm", LASTFM), id_prefix="fm:")
    assert fm.graph["FRIENDS_WITH"] == 2 and fm.graph["WATCHED"] == 3
    plays = query(
        "MATCH (:User {userId: 'fm:2'})-[w:WATCHED]->(:Title {titleId: 'fm:1'}) "
        "RETURN w.count AS c",
    )
    assert plays == [{"c": 13883}]


def test_bad_input_writes_nothing(query: Query, conn: Connection, tmp_path: Path) -> None:
    ratings = ML_LATEST["ratings.csv"] + "9,1,not-a-number,1\r\n"
    path = write(tmp_path / "ml", {**ML_LATEST, "ratings.csv": ratings})
    with pytest.raises(LoadError, match="line 6"):
        load_source(conn, "movielens", path)
    assert query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    read = read_dataset("movielens", path, skip_bad_lines=True)
    assert len(read.interactions) == 4


def test_clear_dataset_deletes_relationships_in_batches(conn: Connection) -> None:
    for tag in ("keep", "drop"):
        data = generate(120, 40, seed=2, id_prefix=f"{tag}:", name=tag)
        write_dataset(conn, data, batch_size=500)
    kept = schema.count_dataset(conn, "keep")
    deleted = schema.clear(conn, "drop")
    assert deleted == 120 + 40 + len(generate(120, 40, seed=2).people)
    assert schema.count_dataset(conn, "drop") == {}
    assert schema.count_dataset(conn, "keep") == kept
