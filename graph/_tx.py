"""How the async repositories run statements: reads auto-commit, writes in managed transactions.

Every statement goes through :func:`run_rows`, which also notes the shape of each served
statement for :mod:`graph.plans`; every unit of work goes through :func:`read` or
:func:`write`, which turn the driver's outage errors into :class:`graph.errors.UnavailableError`
and :class:`graph.errors.BusyError`, so nothing above ``graph/`` sees the driver.

Every unit of work has a deadline (what is left of the budget of the request it serves,
:func:`budget`; else ``BACKGROUND_SECONDS``): a restarting Neo4j opens its Bolt port before its
database is ready and then answers nothing for as long as its start takes; past the deadline the
call is cancelled (the driver drops the connection) and the caller sees ``UnavailableError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
import weakref
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

import msgspec
import neo4j.exceptions

import cypher
from graph import plans
from graph.errors import ConflictError, NotFoundError, UnavailableError, from_driver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

__all__ = [
    "DEADLINE_SECONDS",
    "RETRY_SECONDS",
    "Runner",
    "budget",
    "create",
    "read",
    "read_record",
    "run_many",
    "run_rows",
    "write",
]

P = ParamSpec("P")
T = TypeVar("T")

#: How long a unit of work is retried on transient errors. The driver's default (30 s) would
#: hold an HTTP request for half a minute while Neo4j is down; the API answers 503 instead.
RETRY_SECONDS = 1.0
#: The longest one unit of work may take, its retries included, where no request waits on it
#: (``Store.answers`` at start uses it too).
DEADLINE_SECONDS = 1.2
#: The same for the background loops (served-list counts, refreshes, warm-up): no request waits
#: on them, and a large flush on a big graph may take seconds; still never unbounded.
BACKGROUND_SECONDS = 30.0
#: What the server allows one of the API's statements (the client gave up long before): a
#: statement abandoned at the deadline does not go on running in Neo4j.
SERVER_TIMEOUT_SECONDS = 3.0
#: First wait before a read is tried again; doubled on each further try.
_FIRST_RETRY_DELAY = 0.05
#: Transactions that have written: a statement run after a write is planned apart.
_WROTE: weakref.WeakSet[Any] = weakref.WeakSet()
#: When the budget of the current request ends (``time.monotonic()``), None outside one.
_BUDGET_ENDS: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "graph_budget_ends", default=None
)


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Every unit of work run inside shares one deadline, ``seconds`` from now.

    A request that reads several times gives up on Neo4j within ``seconds`` in all, not
    ``DEADLINE_SECONDS`` per read.
    """
    token = _BUDGET_ENDS.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _BUDGET_ENDS.reset(token)


def _budget_left() -> float | None:
    """Seconds left of the current request's budget (None outside a request)."""
    ends = _BUDGET_ENDS.get()
    return None if ends is None else ends - time.monotonic()


def _time_left() -> float:
    """Seconds the next unit of work may take: what is left of the request's budget, else
    ``BACKGROUND_SECONDS``.

    Raises:
        UnavailableError: The request's budget is spent.
    """
    left = _budget_left()
    if left is None:
        left = BACKGROUND_SECONDS
    if left <= 0:
        raise UnavailableError("Neo4j did not answer within the request's budget")
    return left


@contextlib.asynccontextmanager
async def _deadline() -> AsyncIterator[None]:
    """Cancel the work inside at its deadline, as ``UnavailableError``."""
    left = _time_left()
    try:
        async with asyncio.timeout(left):
            yield
    except TimeoutError as exc:
        raise UnavailableError(f"Neo4j did not answer within {left:.1f} s") from exc


class Runner(Protocol):
    """What runs a statement: a managed transaction, or a session (auto-commit)."""

    async def run(self, query: Any, parameters: dict[str, Any] | None = None) -> Any:
        """Run one statement and return its result."""


async def run_rows(
    tx: Runner, name: str, params: dict[str, Any], *, background: bool = False
) -> list[dict[str, Any]]:
    """Run the named statement and return its records as plain dicts (safe to retry).

    ``background`` statements (the served-list consumer's) are not noted in the plan book: no
    request waits on them, so they are neither re-planned after a restart nor required to
    carry ``CYPHER replan=skip``.

    Our statements return values, lists and maps, never nodes or relationships, so the records
    are zipped with their keys instead of going through ``Result.data()``'s recursive export,
    which cost the API more CPU than the decoding itself.
    """
    query: Any = cypher.load(name)
    if not background and isinstance(tx, neo4j.AsyncSession):
        # Never shorter than the request's own budget (a test's may be long).
        left = _budget_left() or 0.0
        query = neo4j.Query(query, timeout=max(SERVER_TIMEOUT_SECONDS, left))
    result = await tx.run(query, params)
    keys = result.keys()
    rows = [dict(zip(keys, record, strict=True)) async for record in result]
    if not background:
        plans.BOOK.note(name, params, after_write=tx in _WROTE)
    if isinstance(tx, neo4j.AsyncManagedTransaction):
        summary = await result.consume()
        if summary.counters.contains_updates:
            _WROTE.add(tx)
    return rows


async def run_many(
    tx: Runner, batch: list[tuple[str, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """Run several named statements, in order; one row list per statement."""
    return [await run_rows(tx, name, params) for name, params in batch]


async def read(
    session: neo4j.AsyncSession,
    work: Callable[Concatenate[Runner, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run read-only ``work`` as auto-commit statements, retried like a managed transaction.

    A managed transaction costs two more round trips (BEGIN, COMMIT) per read: ~1 ms of API
    CPU and ~0.3 ms of Neo4j CPU on a home-feed request. Reads need no transaction, so they run
    straight on the session, retrying what the driver would retry (transient errors, a lost
    connection) for at most ``RETRY_SECONDS``.

    Raises:
        UnavailableError: Neo4j does not answer (within the deadline).
        BusyError: It kept refusing with a transient error.
    """
    async with _deadline():
        deadline = time.monotonic() + RETRY_SECONDS
        delay = _FIRST_RETRY_DELAY
        while True:
            try:
                return await work(session, *args, **kwargs)
            except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError) as exc:
                if not exc.is_retryable() or time.monotonic() + delay > deadline:
                    raise from_driver(exc) from exc
            await asyncio.sleep(delay)
            delay *= 2


async def write(
    session: neo4j.AsyncSession,
    work: Callable[Concatenate[neo4j.AsyncManagedTransaction, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run ``work`` in one managed write transaction (the driver retries it).

    A write cancelled at its deadline may have committed or not: the caller answers 503 and
    the client's retry (same event id, same request) finds it or stores it.

    Raises:
        UnavailableError: Neo4j does not answer (within the deadline).
        BusyError: It kept refusing with a transient error.
    """
    timed = neo4j.unit_of_work(timeout=SERVER_TIMEOUT_SECONDS)(work)
    try:
        async with _deadline():
            return await session.execute_write(timed, *args, **kwargs)
    except (neo4j.exceptions.DriverError, neo4j.exceptions.TransientError) as exc:
        raise from_driver(exc) from exc


async def read_record(
    session: neo4j.AsyncSession, name: str, key: str, value: str, into: type[T]
) -> T:
    """The record statement ``name`` returns for ``{key: value}``, as ``into``.

    Raises:
        NotFoundError: It returns none (nothing has that ``key``).
    """
    rows = await read(session, run_rows, name, {key: value})
    if not rows:
        raise NotFoundError(key, value)
    return msgspec.convert(rows[0], into)


async def create(session: neo4j.AsyncSession, name: str, record: msgspec.Struct, key: str) -> None:
    """Create ``record`` with statement ``name``, which returns ``created`` (false: it exists).

    Raises:
        ConflictError: Something with that ``key`` exists already (nothing is changed).
    """
    rows = await write(session, run_rows, name, msgspec.to_builtins(record))
    if not rows or not rows[0]["created"]:
        raise ConflictError(key, getattr(record, key))
