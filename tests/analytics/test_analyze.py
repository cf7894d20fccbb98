"""``graphrec analyze`` against a real Neo4j: planted communities recovered and written back,
versions replaced atomically, and a clear message on a graph without what it needs."""

from __future__ import annotations

import pytest

from analytics import AnalysisConfig, AnalysisDataError, adjusted_rand_index, run_analysis
from graph import analytics as store
from graph.bulk import write_dataset
from graph.connection import Connection
from graph.dataset import Dataset, Interaction, Title, User

from .planted import GENRES, group_of, planted_dataset


def _members(conn: Connection, kind: str) -> dict[str, str]:
    rows = conn.driver.execute_query(
        "MATCH (a:Analysis {status: 'active'}) "
        "MATCH (n)-[:MEMBER_OF]->(c:Community {analysisVersion: a.version, kind: $kind}) "
        "RETURN coalesce(n.userId, n.titleId) AS id, c.id AS community",
        kind=kind, database_=conn.database,
    ).records  # fmt: skip
    return {r["id"]: r["community"] for r in rows}


def _count(conn: Connection, query: str, **params: object) -> int:
    return conn.driver.execute_query(query, params, database_=conn.database).records[0][0]


def test_analyze_recovers_planted_communities_and_writes_them_back(conn: Connection) -> None:
    write_dataset(conn, planted_dataset(seed=1))
    phases: list[str] = []
    report = run_analysis(conn, phase=lambda name, done, total: phases.append(name))
    assert report.version == "v1" and report.previous is None
    assert {"read links", "user communities", "title projection", "write users"} <= set(phases)
    for kind in ("user", "title"):
        members = _members(conn, kind)
        assert len(members) == 160 if kind == "user" else len(members) >= 95
        ids = sorted(members)
        ari = adjusted_rand_index([group_of(i) for i in ids], [members[i] for i in ids])
        assert ari >= 0.8, (kind, ari)
    # The user communities carry their group's genre first; sizes add up.
    rows = conn.driver.execute_query(
        "MATCH (c:Community {analysisVersion: 'v1'}) "
        "RETURN c.kind AS kind, c.size AS size, c.topGenres AS genres, "
        "COUNT { (c)<-[:MEMBER_OF]-() } AS members",
        database_=conn.database,
    ).records
    assert all(r["size"] == r["members"] for r in rows)
    big = [r for r in rows if r["kind"] == "user" and r["size"] >= 30]
    assert len(big) == 4
    assert {r["genres"][0] for r in big} == set(GENRES[:4])
    # Influence on every user with friends, averaging 1; homophily well above chance.
    avg = _count(conn, "MATCH (u:User) WHERE u.influenceVersion = 'v1' RETURN avg(u.influence)")
    assert avg == pytest.approx(1.0, abs=0.01)
    m = report.metrics
    assert m["links_inside_communities"] > 0.8 > m["links_inside_expected"]
    assert m["friends_taste_similarity"] > 2 * m["random_taste_similarity"]
    assert report.influencers and report.influencers[0].influence >= 1.0
    assert [a.status for a in store.list_analyses(conn)] == ["active"]


def test_rerun_replaces_its_own_version_only(conn: Connection) -> None:
    write_dataset(conn, planted_dataset(groups=3, users_per_group=25, seed=2))
    first = run_analysis(conn, AnalysisConfig(keep=2))
    communities_v1 = _count(conn, "MATCH (c:Community {analysisVersion: 'v1'}) RETURN count(c)")
    conn.driver.execute_query(
        "MERGE (:Community {id: 'someone-else', kind: 'user', analysisVersion: 'other'})",
        database_=conn.database,
    )
    second = run_analysis(conn, AnalysisConfig(keep=2, seed=5))
    assert (first.version, second.version, second.previous) == ("v1", "v2", "v1")
    statuses = {a.version: a.status for a in store.list_analyses(conn)}
    assert statuses == {"v2": "active", "v1": "retired"}
    assert _count(conn, "MATCH (c:Community {analysisVersion: 'v1'}) RETURN count(c)") == (
        communities_v1
    )
    assert _count(conn, "MATCH (u:User) WHERE u.influenceVersion = 'v1' RETURN count(u)") == 0
    third = run_analysis(conn, AnalysisConfig(keep=2))
    assert third.pruned == ["v1"]
    assert _count(conn, "MATCH (c:Community {analysisVersion: 'v1'}) RETURN count(c)") == 0
    assert _count(conn, "MATCH ()-[m:MEMBER_OF {analysisVersion: 'v1'}]->() RETURN count(m)") == 0
    assert _count(conn, "MATCH (c:Community {id: 'someone-else'}) RETURN count(c)") == 1
    assert {a.version for a in store.list_analyses(conn)} == {"v2", "v3"}


def test_a_failure_midway_leaves_the_previous_analysis_in_place(conn: Connection) -> None:
    write_dataset(conn, planted_dataset(groups=3, users_per_group=25, seed=3))
    run_analysis(conn)
    before = _members(conn, "user")
    influence = _count(conn, "MATCH (u:User) RETURN sum(u.influence)")

    def crash(name: str, done: int, total: int) -> None:
        if name == "write users":
            raise RuntimeError("killed while writing")

    with pytest.raises(RuntimeError, match="killed"):
        run_analysis(conn, phase=crash)
    assert _members(conn, "user") == before
    assert _count(conn, "MATCH (u:User) RETURN sum(u.influence)") == influence
    assert [(a.version, a.status) for a in store.list_analyses(conn)] == [("v1", "active")]
    assert _count(conn, "MATCH (c:Community) WHERE c.analysisVersion <> 'v1' RETURN count(c)") == 0
    # A run killed outright leaves its version `writing`: the next run deletes it first.
    store.begin(conn, "v2", {})
    store.write_communities(
        conn, "v2", [store.CommunityRow(id="v2:user:0", kind="user", rank=0, size=1, top_genres=[])]
    )
    assert _members(conn, "user") == before
    report = run_analysis(conn)
    assert report.discarded == ["v2"] and report.version == "v2"
    assert {a.status for a in store.list_analyses(conn)} == {"active", "retired"}


@pytest.mark.parametrize(
    ("friends", "interactions", "missing"),
    [
        (False, False, ["no friendships or trust links", "no positive user-title interactions"]),
        (False, True, ["no friendships or trust links"]),
        (True, False, ["no positive user-title interactions"]),
    ],
)
def test_a_graph_without_friendships_or_interactions_says_what_is_missing(
    conn: Connection, friends: bool, interactions: bool, missing: list[str]
) -> None:
    ds = Dataset(name="thin", users=[User(user_id="a"), User(user_id="b")],
                 titles=[Title(title_id="t", title="T")])  # fmt: skip
    if interactions:
        ds.interactions.append(Interaction(user_id="a", title_id="t", type="like"))
    write_dataset(conn, ds)
    if friends:
        conn.driver.execute_query(
            "MATCH (a:User {userId: 'a'}), (b:User {userId: 'b'}) MERGE (a)-[:FRIENDS_WITH]->(b)",
            database_=conn.database,
        )
    with pytest.raises(AnalysisDataError) as error:
        run_analysis(conn)
    for text in missing:
        assert text in str(error.value)
    assert "nothing analysed" in str(error.value)
    assert store.list_analyses(conn) == []


def test_adjusted_rand_index_is_one_for_the_same_grouping_and_near_zero_for_noise() -> None:
    assert adjusted_rand_index(list("aabbcc"), [7, 7, 1, 1, 2, 2]) == pytest.approx(1.0)
    assert adjusted_rand_index(list("aabb"), list("abab")) < 0
    import random

    rng = random.Random(0)
    a = [rng.randrange(4) for _ in range(2000)]
    b = [rng.randrange(4) for _ in range(2000)]
    assert abs(adjusted_rand_index(a, b)) < 0.02
    with pytest.raises(ValueError, match="different lengths"):
        adjusted_rand_index([1], [1, 2])


def test_influence_is_networkx_pagerank_scaled_to_an_average_of_one() -> None:
    import networkx as nx
    import numpy as np

    from analytics.measures import influence

    graph = nx.gnp_random_graph(60, 0.08, seed=1, directed=True)
    graph.add_node(60)  # no links: scores 0
    src = np.array([a for a, _ in graph.edges()])
    dst = np.array([b for _, b in graph.edges()])
    weight = np.linspace(0.5, 2.0, src.size)
    for (a, b), w in zip(graph.edges(), weight, strict=True):
        graph[a][b]["weight"] = w
    linked = nx.DiGraph(graph.subgraph([v for v in graph if graph.degree(v) > 0]))
    expected = nx.pagerank(linked, alpha=0.85, weight="weight", tol=1e-10)
    scores = influence(61, (src, dst, weight))
    for node, value in expected.items():
        assert scores[node] == pytest.approx(value * len(expected), rel=1e-4)
    assert scores[60] == 0.0
    assert np.mean([scores[v] for v in expected]) == pytest.approx(1.0)
