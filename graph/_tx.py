"""Transaction functions shared by the async repositories, and auto-commit reads."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

import neo4j.exceptions

import cypher
from graph.sessions import RETRY_SECONDS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ["Runner", "read", "run_many", "run_rows"]

P = ParamSpec("P")
T = TypeVar("T")

#: First wait before a read is tried again; doubled on each further try.
_FIRST_RETRY_DELAY = 0.05


class Runner(Protocol):
    """What runs a statement: a managed transaction, or a session (auto-commit)."""

    async def run(self, query: Any, parameters: dict[str, Any] | None = None) -> Any:
        """Run one statement and return its result."""


async def _dicts(result: neo4j.AsyncResult) -> list[dict[str, Any]]:
    """The records as dicts, values as the driver decoded them.

    Our statements return values, lists and maps, never nodes or relationships, so this skips
    ``Result.data()``'s recursive export, which cost the API more CPU than the decoding itself.
    """
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) async for record in result]


async def run_rows(tx: Runner, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the named statement and return its records as plain dicts (safe to retry)."""
    return await _dicts(await tx.run(cypher.load(name), params))


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
    CPU and ~0.3 ms of Neo4j CPU on a home-feed request. Reads need no transaction, so the API
    runs them straight on the session, retrying what the driver would retry (transient errors,
    a lost connection) for at most ``RETRY_SECONDS``.

    Args:
        session: An open session.
        work: The reads, given the session to run statements on.
        *args: Passed to ``work``.
        **kwargs: Passed to ``work``.

    Returns:
        What ``work`` returns.
    """
    deadline = time.monotonic() + RETRY_SECONDS
    delay = _FIRST_RETRY_DELAY
    while True:
        try:
            return await work(session, *args, **kwargs)
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError) as exc:
            if not exc.is_retryable() or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay *= 2
