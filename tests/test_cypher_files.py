"""Every shipped .cypher file loads, and the loader refuses unknown names."""

from __future__ import annotations

import re
import time
from importlib import resources

import pytest

import cypher
from graph.recommendations import Filters, ModelInfo, home_params


def test_cypher_names_lists_every_file() -> None:
    names = cypher.names()
    assert "constraints" in names
    assert "ping" in names
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in names)


@pytest.mark.parametrize("name", cypher.names())
def test_cypher_file_loads_and_uses_only_parameters(name: str) -> None:
    text = cypher.load(name)
    assert text, f"{name}.cypher is empty"
    # Values come in as $parameters, never as Python formatting placeholders.
    assert "{}" not in text and "%s" not in text and "{0}" not in text


def test_a_served_statement_is_not_replanned_after_the_statistics_drift(
    neo4j_driver, services
) -> None:
    """Five times the nodes make Neo4j discard a cached plan; ``replan=skip`` keeps it.

    Told apart by the time a run takes right after the drift: a replan of the home statement
    costs hundreds of ms, a cached plan a few.
    """
    query = cypher.load("get_home_candidates")
    plain = query.removeprefix("CYPHER replan=skip\n") + "\n// replan test: plain"
    kept = query + "\n// replan test: kept"
    params = home_params(
        "nobody", ModelInfo(version=None, vector_index=False), frozenset(), 1, 1, Filters()
    )
    db = services.neo4j_database
    with neo4j_driver.session(database=db) as session:
        for text in (plain, kept):
            session.run(text, params).consume()
        count = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        session.run(
            "UNWIND range(1, $k) AS i CREATE (:ReplanScratch {i: i})", k=4 * count + 1000
        ).consume()
        try:
            time.sleep(11)  # past Neo4j's minimum replan interval (10 s)
            elapsed = {}
            for name, text in (("plain", plain), ("kept", kept)):
                start = time.perf_counter()
                session.run(text, params).consume()
                elapsed[name] = time.perf_counter() - start
        finally:
            session.run("MATCH (x:ReplanScratch) DETACH DELETE x").consume()
    assert elapsed["kept"] * 5 < elapsed["plain"], elapsed


def test_cypher_load_unknown_name_raises() -> None:
    with pytest.raises(cypher.CypherNotFoundError, match=r"no cypher/nope\.cypher"):
        cypher.load("nope")


_SCHEMA_COMMAND = re.compile(r"(CREATE|DROP|SHOW)\s+(?!\()", re.IGNORECASE)


def _is_schema_command(text: str) -> bool:
    """Constraint, index and SHOW commands cannot be EXPLAINed; the schema tests run them."""
    body = re.sub(r"//[^\n]*", "", text).strip()
    return bool(_SCHEMA_COMMAND.match(body))


@pytest.mark.parametrize(
    "name", [n for n in cypher.names() if not _is_schema_command(cypher.load(n))]
)
def test_cypher_file_compiles_on_real_neo4j(name: str, neo4j_driver, services) -> None:
    """EXPLAIN plans the statement without running it: a syntax or semantic error (an unknown
    function, a variable out of scope, a wrong CALL form) fails here rather than in production."""
    with neo4j_driver.session(database=services.neo4j_database) as session:
        summary = session.run("EXPLAIN " + cypher.load(name)).consume()
    assert summary.plan is not None, f"{name}.cypher produced no plan"


def test_schema_commands_are_recognised() -> None:
    assert _is_schema_command(cypher.load("constraints"))
    assert not _is_schema_command("CREATE (n:User {userId: $id})")


def test_load_drops_comment_lines_and_keeps_the_statement() -> None:
    source = (resources.files("cypher") / "get_home_candidates.cypher").read_text("utf-8")
    text = cypher.load("get_home_candidates")
    assert any(line.lstrip().startswith("//") for line in source.splitlines())
    assert not any(line.lstrip().startswith("//") for line in text.splitlines())
    assert text.startswith("CYPHER replan=skip\nMATCH (u:User {userId: $user_id})")
    assert "RETURN anchor_rows AS anchors, genres, basis, sources" in text
