"""``graphrec load --bulk``: Neo4j's import tool on the real local test server.

Each import stops and restarts the session's server (about a minute on two busy cores), so the
equality, refusal and overwrite checks share one import.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from typer.testing import CliRunner

from graph import schema
from graph.bulk import write_dataset
from graph.bulk_import import write_import_files
from graph.dataset import NO_GENRES, Dataset, Friendship, Interaction, Title, User
from graph.settings import get_settings
from graphrec.bulkload import BulkRefusedError, bulk_import
from graphrec.cli import app
from loaders import generate
from servers import neo4j_import

if TYPE_CHECKING:
    from pathlib import Path

    import neo4j

    from graph.connection import Connection
    from graph.settings import Settings


@pytest.fixture
def local(services: Settings) -> Settings:
    """The session's settings when its Neo4j is the local server (the import tool's own)."""
    if services.neo4j_external:
        pytest.skip("the bulk path needs the local server; NEO4J_URI names another one")
    return services


_ODD = 'u "odd", one'


def _dataset() -> Dataset:
    """A small synthetic dataset plus the cases MERGE collapses or a CSV file could break."""
    data = generate(120, 40, seed=7)
    data.users.append(
        User(user_id=_ODD, name='Line one\nline two, "quoted"', age=None, occupation="")
    )
    data.titles.append(
        Title(
            title_id="t-odd",
            title='Comma, "quote"; semicolon',
            year=None,
            genres=(NO_GENRES, NO_GENRES),
            keywords=("Space", "space", "Heist"),
            keyword_counts=(2, 5),
            cast=("p0", "p-credit-only", "p0"),
            directors=("p-credit-only", "p-credit-only"),
            platforms=("Max", "Max"),
            imdb_id="0114709",
        )
    )
    data.friendships += [
        Friendship(user_id=_ODD, friend_id="u1", weight=0.25, since=1_700_000_000),
        Friendship(user_id="u2", friend_id=_ODD, mutual=False, weight=0.75),
    ]
    data.interactions += [
        Interaction(
            user_id=_ODD,
            title_id="t-odd",
            type="view",
            value=3.0,
            timestamp=1_700_000_500,
            first_timestamp=1_600_000_000,
            completion=1 / 3,
            session_id='s "1"',
        ),
        Interaction(user_id=_ODD, title_id="t-odd", type="rating", value=0.1 + 0.2),
        Interaction(user_id=_ODD, title_id="t-odd", type="share"),
        Interaction(user_id=_ODD, title_id="no-such-title", type="like", timestamp=1),
    ]
    return data


def _rows(drv: neo4j.Driver, settings: Settings, query: str) -> list[dict[str, Any]]:
    records, _, _ = drv.execute_query(query, database_=settings.neo4j_database)
    return [r.data() for r in records]


_KEY = "coalesce(n.userId, n.titleId, n.personId, n.name)"


def _snapshot(drv: neo4j.Driver, settings: Settings) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relationship (type, ends, properties), sorted;
    ``createdAt`` by its type only (the load's own time)."""
    nodes = _rows(drv, settings, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS p")
    for node in nodes:
        if "createdAt" in node["p"]:
            node["p"]["createdAt"] = type(node["p"]["createdAt"]).__name__
        node["p"] = sorted(node["p"].items())
    rels = _rows(
        drv,
        settings,
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, properties(r) AS p, "
        f"labels(a) AS from, {_KEY.replace('n.', 'a.')} AS a, "
        f"labels(b) AS to, {_KEY.replace('n.', 'b.')} AS b",
    )
    for rel in rels:
        rel["p"] = sorted(rel["p"].items())
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


def test_bulk_import_refuses_data_then_overwrites_with_the_transactional_graph(
    local: Settings, graph_db: neo4j.Driver, conn: Connection
) -> None:
    data = _dataset()
    written = write_dataset(conn, data, batch_size=500)
    expected = _snapshot(graph_db, local)
    constraints = [c["name"] for c in schema.show_constraints(conn)]
    assert len(expected[0]) > 250 and len(expected[1]) > 1_500

    with pytest.raises(BulkRefusedError, match=r"holds [\d,]+ nodes .* --overwrite"):
        bulk_import(data, echo=lambda _: None)
    assert _snapshot(graph_db, local) == expected

    lines: list[str] = []
    outcome = bulk_import(data, overwrite=True, echo=lines.append)
    conn.reset_bookmarks()  # the session's driver last saw a transaction of the old store
    nodes, rels = _snapshot(graph_db, local)
    assert len(nodes) == len(expected[0]) and nodes == expected[0]
    assert len(rels) == len(expected[1]) and rels == expected[1]
    assert [c["name"] for c in schema.show_constraints(conn)] == constraints
    counts = outcome.result.counts
    assert (counts.users, counts.titles, counts.people) == (
        written.users,
        written.titles,
        written.people,
    )
    assert (counts.friendships, counts.trusts) == (written.friendships, written.trusts)
    # The like of a title the data lacks is sent by the transactional writer (its MATCH finds
    # nothing) and dropped here.
    assert counts.total_interactions == written.total_interactions - 1 and outcome.dropped == 1
    assert outcome.result.graph == schema.count_dataset(conn, "synthetic")
    assert any(line.startswith("import tool: Relationships") for line in lines), lines
    assert outcome.tool_peak_rss_bytes > 0


def test_bad_import_line_is_named_and_the_server_comes_back_empty(
    local: Settings, graph_db: neo4j.Driver, conn: Connection, tmp_path: Path
) -> None:
    files = write_import_files(generate(30, 20, seed=3), tmp_path / "files")
    path = files.nodes["Title"]
    lines = path.read_text().splitlines()
    # titleId, title, year: the second title's year is no integer.
    lines[2] = re.sub(r'^("[^"]*","[^"]*"),\d+,', r"\1,19x5,", lines[2])
    assert "19x5" in lines[2]
    path.write_text("\n".join(lines) + "\n")
    try:
        with (
            pytest.raises(neo4j_import.ImportToolError) as failed,
            neo4j_import.offline(local, echo=lambda _: None),
        ):
            neo4j_import.import_full(local, files, echo=lambda _: None)
        message = str(failed.value)
        assert f"{path} line 3" in message, message
        assert "year" in message and "'19x5'" in message, message
        conn.reset_bookmarks()
        assert schema.count_nodes(conn) == 0
    finally:
        conn.reset_bookmarks()
        schema.apply_constraints(conn)


def test_cli_bulk_refuses_a_database_with_data(
    local: Settings, graph_db: neo4j.Driver, conn: Connection
) -> None:
    write_dataset(conn, generate(20, 15, seed=1))
    before = schema.count_nodes(conn)
    result = CliRunner().invoke(app, ["load", "synthetic", "--users", "50", "--bulk"])
    assert result.exit_code == 1
    assert "--overwrite" in result.output and f"holds {before:,} nodes" in result.output
    assert schema.count_nodes(conn) == before


def test_cli_bulk_against_another_server_says_it_needs_the_local_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j://db.example.invalid:7687")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["load", "synthetic", "--bulk"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "--bulk needs the local server" in result.output and "NEO4J_URI" in result.output


def test_overwrite_without_bulk_is_refused() -> None:
    result = CliRunner().invoke(app, ["load", "synthetic", "--overwrite"])
    assert result.exit_code == 1 and "--overwrite goes with --bulk" in result.output


def test_import_files_quote_every_string_and_flag_multiline_values(tmp_path: Path) -> None:
    files = write_import_files(_dataset(), tmp_path)
    users = files.nodes["User"].read_text()
    assert '"u ""odd"", one","Line one\nline two, ""quoted""",,,""' in users
    assert files.multiline == [files.nodes["User"]]
    header = files.relationships["WATCHED"].read_text().splitlines()[0]
    assert header == (
        ":START_ID(User),:END_ID(Title),count:long,completion:double,sessionId,"
        "firstAt:datetime,lastAt:datetime"
    )
    assert msgspec.to_builtins(files.counts)["interactions"]["view"] > 0
