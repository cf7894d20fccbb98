"""A small graph for the API tests, written with test-only UNWIND statements (parameters only).

Titles t1..t12, users u1..u6, a promoted model v1 (plus stale v0 edges that must be ignored):
u1 rated t1 5.0, liked t2, fully watched t3, disliked t11; friends u2 (watched t5, t6) and u3
(liked t6); SIMILAR_USER u1 -> u4 (watched t10); u5 is new and prefers Comedy; u6 has nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import neo4j

TITLES: list[dict[str, Any]] = [
    {
        "id": "t1",
        "title": "The Matrix",
        "genres": ["Action", "Sci-Fi"],
        "pop": 90,
        "people": ["p1"],
    },
    {"id": "t2", "title": "Amelie", "genres": ["Comedy", "Romance"], "pop": 60, "people": ["p2"]},
    {"id": "t3", "title": "Heat", "genres": ["Action", "Crime"], "pop": 70, "people": ["p3"]},
    {"id": "t4", "title": "Dark City", "genres": ["Sci-Fi"], "pop": 30, "people": ["p1"]},
    {"id": "t5", "title": "Inception", "genres": ["Action", "Sci-Fi"], "pop": 85, "people": []},
    {"id": "t6", "title": "Chocolat", "genres": ["Comedy", "Romance"], "pop": 40, "people": ["p2"]},
    {"id": "t7", "title": "Delicatessen", "genres": ["Comedy"], "pop": 20, "people": []},
    {"id": "t8", "title": "Ronin", "genres": ["Action", "Crime"], "pop": 35, "people": ["p3"]},
    {"id": "t9", "title": "Old Edge Film", "genres": ["Drama"], "pop": 10, "people": []},
    {"id": "t10", "title": "Arrival", "genres": ["Sci-Fi", "Drama"], "pop": 50, "people": []},
    {"id": "t11", "title": "Disliked Film", "genres": ["Comedy"], "pop": 95, "people": []},
    {"id": "t12", "title": "Airplane!", "genres": ["Comedy"], "pop": 80, "people": []},
]
PEOPLE = [
    {"id": "p1", "name": "Keanu Reeves"},
    {"id": "p2", "name": "Audrey Tautou"},
    {"id": "p3", "name": "Robert De Niro"},
]
USERS = [
    {"id": "u1", "name": "Ann"},
    {"id": "u2", "name": "Bob"},
    {"id": "u3", "name": "Cid"},
    {"id": "u4", "name": "Dee"},
    {"id": "u5", "name": "Eve"},
    {"id": "u6", "name": "Fay"},
]
# (user, title, type, value)
EDGES = [
    ("u1", "t1", "RATED", 5.0),
    ("u1", "t2", "LIKED", None),
    ("u1", "t3", "WATCHED", 1.0),
    ("u1", "t11", "DISLIKED", None),
    ("u2", "t5", "WATCHED", 1.0),
    ("u2", "t6", "WATCHED", 0.9),
    ("u3", "t6", "LIKED", None),
    ("u4", "t10", "WATCHED", 1.0),
    ("u2", "t12", "WATCHED", 1.0),
    ("u3", "t12", "WATCHED", 1.0),
]
SIMILAR = [
    ("t1", "t4", 0.9, "v1"),
    ("t1", "t5", 0.8, "v1"),
    ("t2", "t6", 0.85, "v1"),
    ("t2", "t7", 0.7, "v1"),
    ("t3", "t8", 0.75, "v1"),
    ("t1", "t9", 0.99, "v0"),
    ("t4", "t1", 0.9, "v1"),
]

_WRITE_GRAPH = """
UNWIND $titles AS row
MERGE (t:Title {titleId: row.id})
SET t.title = row.title, t.popularity = row.pop, t.kind = 'movie', t.year = 1999, t.dataset = 'test'
WITH t, row
UNWIND row.genres AS g
MERGE (genre:Genre {name: g})
MERGE (t)-[:IN_GENRE]->(genre)
"""
_WRITE_PEOPLE = """
UNWIND $titles AS row
UNWIND row.people AS pid
MATCH (t:Title {titleId: row.id})
MERGE (p:Person {personId: pid})
SET p.name = $names[pid]
MERGE (p)-[:ACTED_IN {order: 0}]->(t)
"""
_WRITE_USERS = """
UNWIND $users AS row
MERGE (u:User {userId: row.id}) SET u.name = row.name, u.dataset = 'test'
"""
_WRITE_EDGES = """
UNWIND $edges AS e
MATCH (u:User {userId: e[0]}), (t:Title {titleId: e[1]})
FOREACH (_ IN CASE WHEN e[2] = 'RATED' THEN [1] ELSE [] END |
  MERGE (u)-[r:RATED]->(t) SET r.rating = e[3], r.at = datetime('2024-01-01T00:00:00Z'))
FOREACH (_ IN CASE WHEN e[2] = 'LIKED' THEN [1] ELSE [] END |
  MERGE (u)-[r:LIKED]->(t) SET r.at = datetime('2024-01-02T00:00:00Z'))
FOREACH (_ IN CASE WHEN e[2] = 'DISLIKED' THEN [1] ELSE [] END |
  MERGE (u)-[r:DISLIKED]->(t) SET r.at = datetime('2024-01-02T00:00:00Z'))
FOREACH (_ IN CASE WHEN e[2] = 'WATCHED' THEN [1] ELSE [] END |
  MERGE (u)-[r:WATCHED]->(t)
  SET r.count = 1, r.completion = e[3], r.lastAt = datetime('2024-01-03T00:00:00Z'))
"""
_WRITE_SOCIAL = """
MATCH (u1:User {userId: 'u1'}), (u2:User {userId: 'u2'}), (u3:User {userId: 'u3'}),
      (u4:User {userId: 'u4'}), (c:Genre {name: 'Comedy'}), (u5:User {userId: 'u5'})
MERGE (u1)-[:FRIENDS_WITH]->(u2)
MERGE (u3)-[:FRIENDS_WITH]->(u1)
MERGE (u1)-[s:SIMILAR_USER]->(u4)
SET s.score = 0.9, s.rank = 1, s.model = 'graphsage', s.modelVersion = $version
MERGE (u5)-[:PREFERS]->(c)
"""
_WRITE_SIMILAR = """
UNWIND $similar AS s
MATCH (a:Title {titleId: s[0]}), (b:Title {titleId: s[1]})
MERGE (a)-[r:SIMILAR_TO {modelVersion: s[3]}]->(b)
SET r.score = s[2], r.rank = 1, r.model = 'graphsage'
"""
_WRITE_MODEL = """
MERGE (m:Model {modelId: 'graphsage:' + $version})
SET m.name = 'graphsage', m.version = $version, m.status = 'promoted',
    m.promotedAt = datetime()
"""


def write_graph(drv: neo4j.Driver, database: str, *, promoted: bool = True) -> None:
    """Write the test graph (and, with ``promoted``, the promoted model v1)."""
    names = {p["id"]: p["name"] for p in PEOPLE}
    run = drv.execute_query
    run(_WRITE_GRAPH, titles=TITLES, database_=database)
    run(_WRITE_PEOPLE, titles=TITLES, names=names, database_=database)
    run(_WRITE_USERS, users=USERS, database_=database)
    run(_WRITE_EDGES, edges=[list(e) for e in EDGES], database_=database)
    run(_WRITE_SOCIAL, version="v1", database_=database)
    run(_WRITE_SIMILAR, similar=[list(s) for s in SIMILAR], database_=database)
    if promoted:
        run(_WRITE_MODEL, version="v1", database_=database)
