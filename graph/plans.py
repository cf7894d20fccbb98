"""Plans of the served statements: what the API has run, replayed so Neo4j plans it early.

Neo4j plans a statement the first time it sees its text with a given set of parameter *types*
(``None`` and a string are two types, as are an empty and a non-empty list), and apart again
when it runs after a write in the same transaction. Planning ``get_home_candidates`` takes
1-3 s of a core, the others 0.1-0.6 s; after a deploy or a restart of Neo4j every request that
arrives first with a shape would wait for it.

The **served** statements are the ones that keep their plan: their text starts with
``CYPHER replan=skip`` (see :mod:`cypher`). Each time one of them runs, :data:`BOOK` notes its
shape (the type of every parameter, and whether it ran after a write) with the parameters of
its first run; the API keeps the shapes it has seen in Redis (``api/warmup.py``), and
:func:`replay` runs each again, in a transaction that is rolled back (after a throwaway write
for shapes that ran after one), which leaves the plan in Neo4j's cache and nothing in the graph.
A new endpoint's statements are covered as soon as they have served once, with no list to keep.

The local Neo4j runs with ``internal.cypher.use_parameter_size=false`` (see
``servers/neo4j_server.py``): otherwise the plan cache also keys on the size bucket of every
string and list parameter (a one-character user id and a two-character one are planned apart).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import msgspec
import neo4j.exceptions

import cypher
from graph.errors import from_driver

if TYPE_CHECKING:
    import neo4j

__all__ = ["BOOK", "SERVED", "PlanBook", "Shape", "replay"]

#: The statements the API runs while answering requests (their text keeps its plan).
SERVED: frozenset[str] = frozenset(
    name for name in cypher.names() if cypher.load(name).startswith("CYPHER replan=skip")
)


class Shape(msgspec.Struct, frozen=True, array_like=True):
    """What Neo4j's plan cache keys on besides the text, and parameters that have it."""

    name: str
    types: tuple[tuple[str, str], ...]
    after_write: bool
    params: dict[str, Any] = {}

    @property
    def key(self) -> str:
        """A stable key of the shape (without its parameters)."""
        types = ",".join(f"{k}:{t}" for k, t in self.types)
        return f"{self.name}|{int(self.after_write)}|{types}"


def _types(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Each parameter's type as the plan cache sees it (an empty list is a type of its own)."""
    return tuple(
        sorted(
            (key, "empty list" if value == [] else type(value).__name__)
            for key, value in params.items()
        )
    )


class PlanBook:
    """The shapes this process has run, and those not yet handed on (thread-safe)."""

    def __init__(self) -> None:
        """Start empty."""
        self._seen: set[tuple[str, tuple[tuple[str, str], ...], bool]] = set()
        self._new: list[Shape] = []
        self._lock = threading.Lock()
        #: Statements run on a request path without ``CYPHER replan=skip`` (a test keeps it empty).
        self.unmarked: set[str] = set()

    def note(self, name: str, params: dict[str, Any], *, after_write: bool) -> None:
        """Note a run of a request-path statement (cheap when the shape was seen before)."""
        if name not in SERVED:
            self.unmarked.add(name)
            return
        types = _types(params)
        key = (name, types, after_write)
        if key in self._seen:
            return
        with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self._new.append(Shape(name, types, after_write, dict(params)))

    def give_back(self, shapes: list[Shape]) -> None:
        """Shapes taken that could not be handed on: ``take_new`` returns them again."""
        with self._lock:
            self._new[:0] = shapes

    def take_new(self) -> list[Shape]:
        """The shapes noted since the last call."""
        with self._lock:
            new, self._new = self._new, []
        return new

    @property
    def names(self) -> set[str]:
        """The statements noted so far."""
        return {name for name, _, _ in self._seen}


#: This process's book.
BOOK = PlanBook()


async def replay(driver: neo4j.AsyncDriver, database: str, shapes: list[Shape]) -> list[Shape]:
    """Run each shape's statement in a transaction that is rolled back; writes nothing.

    Args:
        driver: The API's driver.
        database: The database.
        shapes: What to plan.

    Returns:
        The shapes Neo4j refused (their statement changed since they were noted: a parameter
        it no longer takes, or one it now needs); they are not worth keeping.

    Raises:
        UnavailableError, BusyError: Neo4j is down or busy (the transaction is rolled back
            either way).
    """
    try:
        return await _replay(driver, database, shapes)
    except (neo4j.exceptions.DriverError, neo4j.exceptions.TransientError, OSError) as exc:
        raise from_driver(exc) from exc


async def _replay(driver: neo4j.AsyncDriver, database: str, shapes: list[Shape]) -> list[Shape]:
    refused = []
    probe = cypher.load("plan_write_probe")
    async with driver.session(database=database, notifications_min_severity="OFF") as session:
        for shape in shapes:
            if shape.name not in SERVED:
                refused.append(shape)
                continue
            tx = await session.begin_transaction()
            try:
                if shape.after_write:
                    await (await tx.run(probe)).consume()
                await (await tx.run(cypher.load(shape.name), shape.params)).consume()
            except neo4j.exceptions.ClientError:
                refused.append(shape)
            finally:
                await tx.rollback()
    return refused
