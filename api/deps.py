"""Dependency providers: the app state, the repositories of one session per request, and a
write's answer once per idempotency key."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from api.idempotency import Once
from api.params import IdempotencyKeyHeader, XIdempotencyKeyHeader
from api.state import AppState
from graph.store import Repositories

__all__ = ["DEPENDENCIES"]


def provide_app_state(state: State) -> AppState:
    """The shared objects the lifespan created."""
    return state.graphrec  # type: ignore[no-any-return]


async def provide_repos(
    app_state: NamedDependency[AppState],
) -> AsyncGenerator[Repositories, None]:
    """Every repository over one Neo4j session for the request (connects lazily)."""
    async with app_state.store.repositories() as repos:
        yield repos


def provide_once(
    request: Request[Any, Any, Any],
    app_state: NamedDependency[AppState],
    idempotency_key: IdempotencyKeyHeader = None,
    x_idempotency_key: XIdempotencyKeyHeader = None,
) -> Once:
    """The request's write, answered once per ``Idempotency-Key`` (else its alias
    ``X-Idempotency-Key``): a retry with the key gets the first answer again."""
    return Once(app_state, request, idempotency_key or x_idempotency_key or None)


DEPENDENCIES = {
    "app_state": Provide(provide_app_state, sync_to_thread=False),
    "repos": Provide(provide_repos),
    "once": Provide(provide_once, sync_to_thread=False),
}
