"""Bulk writes of the loaders: a canonical dataset (or stream) into the property graph.

Nodes first (people, titles with their features, users), then friendships and trust links,
then interactions, then ``Title.popularity``. Each batch is one ``UNWIND $rows`` statement in
one managed write transaction; every statement MERGEs on keys and SETs values taken from the
source, so a rerun (after a kill, or of the same source) leaves identical counts and values.
A producer thread turns records into rows while the previous batch is being written.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import msgspec

from graph.batches import ParallelWriter
from graph.dataset import (
    NO_GENRES,
    Dataset,
    DatasetStream,
    Friendship,
    Interaction,
    Person,
    Title,
    User,
    as_stream,
)

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["LoadCounts", "Progress", "write_dataset"]

Progress = Callable[[str, int, int | None], None]
"""``progress(phase, rows_just_written, phase_total_or_None)``."""

_INTERACTION_QUERY = {
    "view": "load_merge_watched",
    "rating": "load_merge_rated",
    "like": "load_merge_liked",
    "dislike": "load_merge_disliked",
    "share": "load_merge_shared",
    "add_to_list": "load_merge_added_to_list",
}
_NESTED = frozenset(_INTERACTION_QUERY.values())
_Batch = tuple[str, list[dict[str, Any]]]
_Payload = tuple[str, list[dict[str, Any]], int]


class LoadCounts(msgspec.Struct, kw_only=True):
    """Records written by one load, per kind, and the time it took."""

    dataset: str
    people: int = 0
    titles: int = 0
    users: int = 0
    friendships: int = 0
    trusts: int = 0
    interactions: dict[str, int] = msgspec.field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_interactions(self) -> int:
        """All interactions written, every type together."""
        return sum(self.interactions.values())


def _person_row(p: Person) -> dict[str, Any]:
    return {"id": p.person_id, "name": p.name}


def _title_row(t: Title) -> dict[str, Any]:
    keywords = [k.lower() for k in t.keywords]
    counts = list(t.keyword_counts) + [1] * (len(keywords) - len(t.keyword_counts))
    return {
        "id": t.title_id,
        "title": t.title,
        "year": t.year,
        "kind": t.kind,
        "imdbId": t.imdb_id,
        "tmdbId": t.tmdb_id,
        "genres": list(t.genres),
        "keywords": keywords,
        "keywordCounts": counts[: len(keywords)],
        "platforms": list(t.platforms),
        "cast": list(t.cast),
        "directors": list(t.directors),
    }


def _user_row(u: User) -> dict[str, Any]:
    return {
        "id": u.user_id,
        "name": u.name,
        "age": u.age,
        "gender": u.gender,
        "occupation": u.occupation,
    }


def _link_row(f: Friendship) -> _Batch:
    if not f.mutual:
        return "load_merge_trusts", [{"a": f.user_id, "b": f.friend_id, "weight": f.weight}]
    a, b = sorted((f.user_id, f.friend_id))
    return "load_merge_friendships", [{"a": a, "b": b, "weight": f.weight, "since": f.since}]


def _interaction_row(i: Interaction) -> dict[str, Any]:
    if i.type == "view":
        return {
            "u": i.user_id,
            "t": i.title_id,
            "count": int(i.value) if i.value is not None else 1,
            "completion": i.completion,
            "first": i.first_timestamp if i.first_timestamp is not None else i.timestamp,
            "last": i.timestamp,
            "session": i.session_id,
        }
    row: dict[str, Any] = {"u": i.user_id, "t": i.title_id, "at": i.timestamp}
    if i.type == "rating":
        row["rating"] = i.value
    elif i.type == "share":
        row["count"] = int(i.value) if i.value is not None else 1
    return row


def _batches(rows: Iterable[tuple[str, dict[str, Any]]], size: int) -> Iterator[_Batch]:
    """Group ``(query, row)`` pairs into per-query batches of ``size`` rows."""
    pending: dict[str, list[dict[str, Any]]] = {}
    for query, row in rows:
        bucket = pending.setdefault(query, [])
        bucket.append(row)
        if len(bucket) >= size:
            yield query, bucket
            pending[query] = []
    for query, bucket in pending.items():
        if bucket:
            yield query, bucket


def _nest(batch: _Batch) -> tuple[str, list[dict[str, Any]], int]:
    """Group an interaction batch's consecutive rows of one user under one ``MATCH``.

    Returns:
        The query, the rows to send (``{u, items}`` for interactions) and the record count.
    """
    query, rows = batch
    if query not in _NESTED:
        return query, rows, len(rows)
    nested: list[dict[str, Any]] = []
    for row in rows:
        user = row.pop("u")
        if not nested or nested[-1]["u"] != user:
            nested.append({"u": user, "items": []})
        nested[-1]["items"].append(row)
    return query, nested, len(rows)


def _prefetch(batches: Iterator[_Batch], depth: int = 2) -> Iterator[_Payload]:
    """Build batches in a background thread while the caller writes the previous ones."""
    q: queue.Queue[_Payload | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                q.put(_nest(batch))
            q.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            q.put(exc)

    thread = threading.Thread(target=produce, name="graphrec-load-rows", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def write_dataset(
    conn: Connection,
    data: Dataset | DatasetStream,
    *,
    dataset_tag: str | None = None,
    batch_size: int = 10_000,
    progress: Progress | None = None,
    workers: int = 2,
) -> LoadCounts:
    """Write a dataset (materialised or streamed) into the graph, idempotently.

    Args:
        conn: The connection; the schema (constraints) must already be applied.
        data: The canonical dataset, or a :class:`~graph.dataset.DatasetStream`.
        dataset_tag: The ``dataset`` property of users, titles and people (default the
            dataset's name).
        batch_size: Rows per transaction.
        progress: Called after every batch with the phase, the rows written and the phase total.
        workers: Concurrent write transactions for relationships (nodes are written by one).

    Returns:
        The counts of records written per kind.
    """
    stream = as_stream(data)
    tag = dataset_tag or stream.name
    counts = LoadCounts(dataset=tag)
    sizes = stream.sizes()
    started = time.perf_counter()
    params: dict[str, Any] = {"dataset": tag, "unknown_genre": NO_GENRES}
    title_ids: list[str] = []

    def titles() -> Iterator[tuple[str, dict[str, Any]]]:
        for t in stream.titles():
            title_ids.append(t.title_id)
            yield "load_merge_titles", _title_row(t)

    phases: list[tuple[str, Iterable[tuple[str, dict[str, Any]]]]] = [
        ("people", (("load_merge_people", _person_row(p)) for p in stream.people())),
        ("titles", titles()),
        ("users", (("load_merge_users", _user_row(u)) for u in stream.users())),
        ("friendships", ((q, r[0]) for q, r in map(_link_row, stream.friendships()))),
        (
            "interactions",
            ((_INTERACTION_QUERY[i.type], _interaction_row(i)) for i in stream.interactions()),
        ),
    ]

    def done(value: tuple[str, str, int]) -> None:
        phase, query, written = value
        _count(counts, query, written)
        if progress:
            progress(phase, written, sizes.get(phase))

    with ParallelWriter(conn, workers=workers, on_done=done) as writer:
        for phase, rows in phases:
            # Nodes one batch at a time (MERGE on a unique key); relationships concurrently.
            limit = workers if phase in ("friendships", "interactions") else 1
            for query, payload, records in _prefetch(_batches(rows, batch_size)):
                batch = {**params, "rows": payload}
                writer.submit(query, batch, (phase, query, records), limit=limit)
            writer.drain()
    for start in range(0, len(title_ids), batch_size):
        ids = title_ids[start : start + batch_size]
        conn.write("set_popularity", {"ids": ids})
        if progress:
            progress("popularity", len(ids), len(title_ids))
    counts.seconds = time.perf_counter() - started
    return counts


def _count(counts: LoadCounts, query: str, n: int) -> None:
    kind = query.removeprefix("load_merge_")
    if kind in ("people", "titles", "users", "friendships", "trusts"):
        setattr(counts, kind, getattr(counts, kind) + n)
    else:
        name = next(t for t, q in _INTERACTION_QUERY.items() if q == query)
        counts.interactions[name] = counts.interactions.get(name, 0) + n
