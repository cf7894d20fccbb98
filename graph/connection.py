"""The synchronous door to Neo4j for batch work: loading, training, write-back, the CLI.

A :class:`Connection` holds one driver and the settings naming the database. Every statement is
named (a file of ``cypher/``) and takes ``$parameters`` only; callers outside ``graph/`` use
the functions of its modules (``graph.similarity``, ``graph.export``, ``graph.bulk`` ...),
which run their statements through these few methods. The API, which is async, has its own
door (``graph.store``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import neo4j
import neo4j.exceptions

import cypher
from graph.driver import driver
from graph.errors import UnavailableError
from graph.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

__all__ = ["Connection", "connect"]


class Connection:
    """One driver to the configured database (use as a context manager, or ``close()``)."""

    def __init__(self, settings: Settings | None = None) -> None:
        """Create the driver (it connects on first use).

        Args:
            settings: Where Neo4j is (default: the environment).
        """
        self.settings = settings or get_settings()
        self.driver = driver(self.settings)

    @property
    def database(self) -> str:
        """The database every statement runs in."""
        return self.settings.neo4j_database

    def verify(self) -> None:
        """Check that Neo4j answers.

        Raises:
            UnavailableError: It does not (the message says where it was looked for).
        """
        try:
            self.driver.verify_connectivity()
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            raise UnavailableError(
                f"Neo4j does not answer at {self.settings.neo4j_uri} ({exc.__class__.__name__})"
            ) from exc

    def rows(
        self, name: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[dict[str, Any]]:
        """Run one statement (a read unless ``write``) and return its records as dicts."""
        records, _, _ = self.driver.execute_query(
            cypher.load(name),
            params or {},
            database_=self.database,
            routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ,
        )
        return [record.data() for record in records]

    def write(self, name: str, params: dict[str, Any] | None = None) -> None:
        """Run one write statement in a managed transaction (retried on transient errors)."""
        query = cypher.load(name)
        with self.driver.session(database=self.database) as session:
            session.execute_write(_consume, query, params or {})

    def each(
        self, name: str, params: dict[str, Any], visit: Callable[[neo4j.Record], None]
    ) -> None:
        """Stream a read's records one by one into ``visit``, inside one read transaction.

        Nothing is materialised: memory holds the record being visited. ``visit`` must be
        safe to run again from the first record (a transaction the driver retries).
        """
        query = cypher.load(name)

        def work(tx: neo4j.ManagedTransaction) -> None:
            for record in tx.run(query, params):
                visit(record)

        with self.driver.session(database=self.database) as session:
            session.execute_read(work)

    def delete_in_batches(self, name: str, params: dict[str, Any]) -> int:
        """Run a statement that deletes a bounded batch and returns ``deleted``, until it
        deletes nothing; every batch is a transaction of its own.

        Returns:
            The number of things deleted.
        """
        query = cypher.load(name)
        total = 0
        with self.driver.session(database=self.database) as session:
            while deleted := session.execute_write(_deleted, query, params):
                total += deleted
        return total

    def reset_bookmarks(self) -> None:
        """Restart the causal chain of :meth:`rows` from the database as it is now.

        ``execute_query`` waits for the last bookmark it saw; after the store was replaced
        (a bulk import) that bookmark names a transaction the new store may never reach, and
        every later statement would wait for it until Neo4j gives up.
        """
        with self.driver.session(database=self.database) as session:
            session.run(cypher.load("ping")).consume()
            fresh = session.last_bookmarks().raw_values
        manager = self.driver.execute_query_bookmark_manager
        manager.update_bookmarks(manager.get_bookmarks(), fresh)

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def connect(settings: Settings | None = None) -> Connection:
    """A connection to the configured Neo4j (see :class:`Connection`)."""
    return Connection(settings)


def _consume(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def _deleted(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    record = tx.run(query, params).single()
    return int(record["deleted"]) if record else 0
