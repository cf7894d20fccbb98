"""Dependency providers: the app state, one session per request, one repository per aggregate."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import neo4j
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from api.state import AppState
from graph.interactions import InteractionRepository
from graph.items import ItemRepository
from graph.recommendations import RecommendationRepository
from graph.sessions import open_async_session
from graph.social import SocialRepository
from graph.users import UserRepository

__all__ = ["DEPENDENCIES"]


def provide_app_state(state: State) -> AppState:
    """The shared objects the lifespan created."""
    return state.graphrec  # type: ignore[no-any-return]


async def provide_session(
    app_state: NamedDependency[AppState],
) -> AsyncGenerator[neo4j.AsyncSession, None]:
    """One Neo4j session for the request's unit of work (connects lazily)."""
    async with open_async_session(app_state.driver, app_state.settings) as session:
        yield session


def provide_recs(session: NamedDependency[neo4j.AsyncSession]) -> RecommendationRepository:
    """Candidate sources."""
    return RecommendationRepository(session)


def provide_items(
    session: NamedDependency[neo4j.AsyncSession], app_state: NamedDependency[AppState]
) -> ItemRepository:
    """Titles, with the process's cache of title metadata."""
    return ItemRepository(session, app_state.titles)


def provide_users(session: NamedDependency[neo4j.AsyncSession]) -> UserRepository:
    """Users."""
    return UserRepository(session)


def provide_social(session: NamedDependency[neo4j.AsyncSession]) -> SocialRepository:
    """Friendships."""
    return SocialRepository(session)


def provide_interactions(session: NamedDependency[neo4j.AsyncSession]) -> InteractionRepository:
    """Interactions and feedback."""
    return InteractionRepository(session)


DEPENDENCIES = {
    "app_state": Provide(provide_app_state, sync_to_thread=False),
    "session": Provide(provide_session),
    "recs": Provide(provide_recs, sync_to_thread=False),
    "items": Provide(provide_items, sync_to_thread=False),
    "users": Provide(provide_users, sync_to_thread=False),
    "social": Provide(provide_social, sync_to_thread=False),
    "interactions": Provide(provide_interactions, sync_to_thread=False),
}
