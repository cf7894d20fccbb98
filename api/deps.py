"""Dependency providers: the app state, the repositories of one session per request, and the
idempotency key of a write."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

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


def provide_retry_key(
    idempotency_key: IdempotencyKeyHeader = None,
    x_idempotency_key: XIdempotencyKeyHeader = None,
) -> str | None:
    """The key that makes a retried write answer once: ``Idempotency-Key``, else its alias
    ``X-Idempotency-Key`` (None when the request names neither)."""
    return idempotency_key or x_idempotency_key or None


DEPENDENCIES = {
    "app_state": Provide(provide_app_state, sync_to_thread=False),
    "repos": Provide(provide_repos),
    "retry_key": Provide(provide_retry_key, sync_to_thread=False),
}
