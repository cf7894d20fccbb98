"""Dependency providers: the app state, and the repositories of one session per request."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

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


DEPENDENCIES = {
    "app_state": Provide(provide_app_state, sync_to_thread=False),
    "repos": Provide(provide_repos),
}
