"""Auto-commit reads: statements run on the session, retried like a managed transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import neo4j.exceptions
import pytest

from graph._tx import Runner, read, run_rows
from graph.errors import UnavailableError
from graph.store import Store

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from graph.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _read(services: Settings, work: Callable[[Runner], Awaitable[Any]]) -> Any:
    """``read(session, work)`` on a session of a new store against the test instance."""
    store = Store(services)
    try:
        async with store.session() as session:
            return await read(session, work)
    finally:
        await store.close()


async def test_read_runs_the_statement_on_the_session(services: Settings) -> None:
    async def ping(tx: Runner) -> list[dict[str, Any]]:
        return await run_rows(tx, "ping", {})

    assert await _read(services, ping) == [{"one": 1}]


async def test_read_retries_a_retryable_error_then_answers(services: Settings) -> None:
    calls = []

    async def flaky(tx: Runner) -> list[dict[str, Any]]:
        calls.append(1)
        if len(calls) < 3:
            raise neo4j.exceptions.SessionExpired("connection lost")
        return await run_rows(tx, "ping", {})

    assert await _read(services, flaky) == [{"one": 1}]
    assert len(calls) == 3


async def test_read_gives_up_after_the_retry_time(services: Settings) -> None:
    calls = []

    async def down(tx: Runner) -> None:
        calls.append(1)
        raise neo4j.exceptions.ServiceUnavailable("no server")

    with pytest.raises(UnavailableError):
        await _read(services, down)
    # 50, 100, 200 and 400 ms waits fit in the 1 s budget; the next (800 ms) does not.
    assert len(calls) == 5


async def test_read_does_not_retry_a_client_error(services: Settings) -> None:
    calls = []

    async def wrong(tx: Runner) -> None:
        calls.append(1)
        await tx.run("RETURN $missing_parameter")

    with pytest.raises(neo4j.exceptions.ClientError):
        await _read(services, wrong)
    assert calls == [1]
