"""Users for the API: profile, creation, onboarding preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from graph._tx import create, read, read_record, run_rows, write
from graph.dataset import User
from graph.errors import NotFoundError

if TYPE_CHECKING:
    import neo4j

__all__ = ["NewUser", "UnknownGenresError", "UserProfile", "UserRepository"]


class UnknownGenresError(NotFoundError):
    """Some of the named genres are not in the graph."""

    def __init__(self, genres: list[str]) -> None:
        """Name the unknown genres."""
        super().__init__("genres", ", ".join(genres))
        self.genres = genres


class UserProfile(User, frozen=True, kw_only=True):
    """A user as the API shows it."""

    created_at: str | None = None
    preferred_genres: list[str] = msgspec.field(default_factory=list)
    friends: int = 0
    interactions: int = 0
    has_embedding: bool = False


class NewUser(User, frozen=True, kw_only=True):
    """A user to create."""

    dataset: str = "api"


class UserRepository:
    """Reads and writes users in one session."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        """Wrap an open session (one per unit of work)."""
        self._session = session

    async def get(self, user_id: str) -> UserProfile:
        """Return one user's profile.

        Raises:
            NotFoundError: No user has that id.
        """
        return await read_record(self._session, "get_user", "user_id", user_id, UserProfile)

    async def existing(self, user_ids: list[str]) -> set[str]:
        """Return which of ``user_ids`` exist."""
        rows = await read(self._session, run_rows, "get_existing_users", {"ids": user_ids})
        return set(rows[0]["ids"]) if rows else set()

    async def create(self, user: NewUser) -> None:
        """Create a user.

        Raises:
            ConflictError: A user with that id exists (nothing is changed).
        """
        await create(self._session, "create_user", user, "user_id")

    async def check_genres(self, genres: list[str]) -> None:
        """Raise UnknownGenresError unless every genre exists."""
        rows = await read(self._session, run_rows, "get_unknown_genres", {"genres": genres})
        if rows and rows[0]["unknown"]:
            raise UnknownGenresError(rows[0]["unknown"])

    async def set_preferences(self, user_id: str, genres: list[str]) -> int:
        """Replace the user's preferred genres.

        Returns:
            The number of preferred genres now stored.

        Raises:
            UnknownGenresError: A genre is not in the graph (nothing is changed).
            NotFoundError: No user has that id.
        """
        return int(await write(self._session, _set_preferences, user_id, genres))


async def _set_preferences(
    tx: neo4j.AsyncManagedTransaction, user_id: str, genres: list[str]
) -> int:
    if not (await run_rows(tx, "get_existing_users", {"ids": [user_id]}))[0]["ids"]:
        raise NotFoundError("user_id", user_id)
    unknown = (await run_rows(tx, "get_unknown_genres", {"genres": genres}))[0]["unknown"]
    if unknown:
        raise UnknownGenresError(unknown)
    rows = await run_rows(tx, "set_user_preferences", {"user_id": user_id, "genres": genres})
    return int(rows[0]["genres"]) if rows else 0
