"""Batched writes from several sessions at once, each batch one transaction retried at once.

Bulk writers (the loaders, the GNN write-back) send ``UNWIND $rows`` batches. Two batches in
flight keep both Neo4j's cores busy while Python builds the next; when two concurrent batches
deadlock on a shared node, Neo4j aborts one with a transient error and it is retried
immediately (the driver's own retry waits a second or more, which halves the throughput).
Every batch must be idempotent, as every bulk statement of the project is.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, TypeVar

import cypher

if TYPE_CHECKING:
    import neo4j

    from graph.connection import Connection

__all__ = ["ParallelWriter", "run_consumed", "write_all", "write_batch"]

T = TypeVar("T")

#: Attempts per batch before a transient error is raised to the caller.
RETRIES = 20


def run_consumed(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    """Transaction function: run one write statement and consume its result (safe to retry)."""
    tx.run(query, params).consume()


def write_batch(session: neo4j.Session, query: str, params: dict[str, Any]) -> int:
    """Run one batch in one write transaction, retried at once (then briefly later) when Neo4j
    reports a transient error such as a deadlock between two concurrent batches.

    Returns:
        The number of retries it took (0: written at the first attempt).
    """
    import neo4j.exceptions

    for attempt in range(RETRIES):
        try:
            session.execute_write(run_consumed, query, params)
            return attempt
        except (neo4j.exceptions.TransientError, neo4j.exceptions.SessionExpired):
            if attempt == RETRIES - 1:
                raise
            time.sleep(min(0.01 * 2**attempt, 1.0) * random.random())
    return RETRIES


class ParallelWriter:
    """Up to ``workers`` batches in flight, one session per worker thread.

    ``submit`` blocks while ``workers`` batches are pending, so memory stays bounded by the
    batches in flight; ``on_done`` is called in the submitting thread with each finished
    batch's value; ``retries`` counts the retries after transient errors. Use as a context
    manager: leaving it waits for every batch and closes the sessions; the first failed batch's
    error is raised.
    """

    def __init__(
        self,
        conn: Connection,
        *,
        workers: int = 2,
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        self._driver = conn.driver
        self._database = conn.database
        self._workers = max(1, workers)
        self._on_done = on_done
        self._local = threading.local()
        self._sessions: list[neo4j.Session] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="graphrec-write")
        self._pending: set[Future[Any]] = set()
        self.retries = 0

    def _session(self) -> neo4j.Session:
        if not hasattr(self._local, "session"):
            # No driver-side retry delay: write_batch retries transient errors at once.
            session = self._driver.session(database=self._database, max_transaction_retry_time=0)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return self._local.session

    def _write(self, query: str, params: dict[str, Any], value: T) -> T:
        retries = write_batch(self._session(), query, params)
        if retries:
            with self._lock:
                self.retries += retries
        return value

    def submit(
        self, name: str, params: dict[str, Any], value: Any = None, *, limit: int = 0
    ) -> None:
        """Queue one batch of the statement ``name``; ``value`` goes to ``on_done`` once written.

        ``limit`` (default ``workers``) is how many batches may be in flight: 1 for batches
        that must not run concurrently with each other (e.g. node batches).
        """
        while len(self._pending) >= (limit or self._workers):
            self._collect()
        query = cypher.load(name)
        self._pending.add(self._pool.submit(self._write, query, params, value))

    def drain(self) -> None:
        """Wait for every pending batch."""
        while self._pending:
            self._collect()

    def _collect(self) -> None:
        done, _ = wait(self._pending, return_when=FIRST_COMPLETED)
        for future in done:
            self._pending.discard(future)
            value = future.result()
            if self._on_done:
                self._on_done(value)

    def __enter__(self) -> ParallelWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.drain()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            for session in self._sessions:
                session.close()


def write_all(
    conn: Connection,
    name: str,
    batches: Iterable[tuple[list[dict[str, Any]], Any]],
    params: dict[str, Any],
    *,
    workers: int = 2,
    on_done: Callable[[Any], None] | None = None,
) -> int:
    """Write every ``(rows, value)`` batch of one statement with up to ``workers`` in flight.

    Returns:
        The number of retries after transient errors (deadlocks between concurrent batches).
    """
    with ParallelWriter(conn, workers=workers, on_done=on_done) as writer:
        for rows, value in batches:
            writer.submit(name, {**params, "rows": rows}, value)
    return writer.retries
