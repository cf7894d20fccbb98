"""Concurrent batched writes: every batch lands once, contention is retried, errors surface."""

from __future__ import annotations

from typing import TYPE_CHECKING

import neo4j
import pytest

from graph.batches import ParallelWriter, write_all

if TYPE_CHECKING:
    from graph.connection import Connection

_HUBS = 5


def _batches(n_batches: int, per_batch: int) -> list[tuple[list[dict], int]]:
    """Every batch links its own users to the same few hub titles: concurrent batches contend
    for the hubs' locks, which is what the immediate retry is for."""
    out = []
    for b in range(n_batches):
        rows = [
            {
                "u": f"u{b}-{i}",
                "items": [{"t": f"hub{(b + i + h) % _HUBS}", "at": None} for h in range(_HUBS)],
            }
            for i in range(per_batch)
        ]
        out.append((rows, len(rows)))
    return out


def _users(conn: Connection, ids: list[str]) -> None:
    rows = [{"id": i, "name": None, "age": None, "gender": None, "occupation": None} for i in ids]
    conn.write("load_merge_users", {"rows": rows, "dataset": "t"})


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_write_all_lands_every_batch_once(conn: Connection, workers: int) -> None:
    titles = [
        {"id": f"hub{h}", "title": f"Hub {h}", "year": None, "kind": "movie", "imdbId": None,
         "tmdbId": None, "genres": [], "keywords": [], "keywordCounts": [], "platforms": [],
         "cast": [], "directors": []}
        for h in range(_HUBS)
    ]  # fmt: skip
    conn.write("load_merge_titles", {"rows": titles, "dataset": "t", "unknown_genre": "-"})
    batches = _batches(n_batches=12, per_batch=50)
    _users(conn, [row["u"] for rows, _ in batches for row in rows])
    seen: list[int] = []
    write_all(conn, "load_merge_liked", batches, {}, workers=workers, on_done=seen.append)
    records, _, _ = conn.driver.execute_query(
        "MATCH (u:User)-[r:LIKED]->(:Title) RETURN count(DISTINCT u) AS users, count(r) AS likes",
        database_=conn.database,
    )
    assert records[0]["users"] == 12 * 50
    assert records[0]["likes"] == 12 * 50 * _HUBS
    assert sorted(seen) == [50] * 12  # on_done saw each batch exactly once


def test_a_failing_batch_raises_and_later_batches_are_not_queued(conn: Connection) -> None:
    def user(user_id: str | None) -> list[dict]:
        return [{"id": user_id, "name": None, "age": None, "gender": None, "occupation": None}]

    # A user without an id cannot be merged: Neo4j refuses the second batch.
    batches = [(user("a"), 1), (user(None), 1), *[(user(f"z{i}"), 1) for i in range(50)]]
    with (
        pytest.raises(neo4j.exceptions.ClientError, match="null property value"),
        ParallelWriter(conn, workers=1) as writer,
    ):
        for rows, value in batches:
            writer.submit("load_merge_users", {"rows": rows, "dataset": "t"}, value)
    records, _, _ = conn.driver.execute_query(
        "MATCH (u:User) RETURN collect(u.userId) AS ids", database_=conn.database
    )
    # The first batch landed; the refused one left nothing and nothing after it was written.
    assert records[0]["ids"] == ["a"]
