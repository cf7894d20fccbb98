"""Concurrent batched writes: every batch lands once, contention is retried, errors surface."""

from __future__ import annotations

from typing import TYPE_CHECKING

import neo4j
import pytest

from graph.batches import ParallelWriter, write_all

if TYPE_CHECKING:
    from graph.settings import Settings

# Every batch links its own users to the same few hub titles: concurrent batches contend for
# the hubs' locks, which is what the immediate retry is for.
_LINK = """
UNWIND $rows AS row
MERGE (u:User {userId: row.u})
WITH u, row
UNWIND row.titles AS tid
MERGE (t:Title {titleId: tid})
MERGE (u)-[:LIKED]->(t)
"""


def _batches(n_batches: int, per_batch: int, hubs: int) -> list[tuple[list[dict], int]]:
    out = []
    for b in range(n_batches):
        rows = [
            {"u": f"u{b}-{i}", "titles": [f"hub{(b + i + h) % hubs}" for h in range(hubs)]}
            for i in range(per_batch)
        ]
        out.append((rows, len(rows)))
    return out


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_write_all_lands_every_batch_once(
    graph_db: neo4j.Driver, services: Settings, workers: int
) -> None:
    # Titles first, one writer: MERGE of new nodes on a unique key is not for concurrent batches.
    titles = [([{"u": "seed", "titles": [f"hub{h}" for h in range(5)]}], 1)]
    write_all(graph_db, services.neo4j_database, _LINK, titles, {})
    seen: list[int] = []
    batches = _batches(n_batches=12, per_batch=50, hubs=5)
    write_all(
        graph_db, services.neo4j_database, _LINK, batches, {}, workers=workers, on_done=seen.append
    )
    records, _, _ = graph_db.execute_query(
        "MATCH (u:User)-[r:LIKED]->(:Title) WHERE u.userId <> 'seed' "
        "RETURN count(DISTINCT u) AS users, count(r) AS likes",
        database_=services.neo4j_database,
    )
    assert records[0]["users"] == 12 * 50
    assert records[0]["likes"] == 12 * 50 * 5
    assert sorted(seen) == [50] * 12  # on_done saw each batch exactly once


def test_a_failing_batch_raises_and_later_batches_are_not_queued(
    graph_db: neo4j.Driver, services: Settings
) -> None:
    graph_db.execute_query("CREATE (:User {userId: 'taken'})", database_=services.neo4j_database)
    create = "UNWIND $rows AS row CREATE (:User {userId: row.u})"
    batches = [
        ([{"u": "a"}], 1),
        ([{"u": "taken"}], 1),
        *[([{"u": f"z{i}"}], 1) for i in range(50)],
    ]
    with (
        pytest.raises(neo4j.exceptions.ConstraintError),
        ParallelWriter(graph_db, services.neo4j_database, workers=1) as writer,
    ):
        for rows, value in batches:
            writer.submit(create, {"rows": rows}, value)
    records, _, _ = graph_db.execute_query(
        "MATCH (u:User) RETURN count(u) AS n", database_=services.neo4j_database
    )
    # 'a' and 'taken' exist; the refused batch left nothing and nothing after it was written.
    assert records[0]["n"] == 2
