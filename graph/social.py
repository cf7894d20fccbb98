"""Friendships written through the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph._tx import read, run_rows, write
from graph.errors import NotFoundError

if TYPE_CHECKING:
    import neo4j

__all__ = ["SocialRepository"]


class SocialRepository:
    """Adds and removes mutual friendships in one session."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        """Wrap an open session (one per unit of work)."""
        self._session = session

    async def befriend(self, user_id: str, friend_id: str) -> bool:
        """Make two users friends (stored once, mutual).

        Returns:
            True when the friendship is new, False when it existed.

        Raises:
            NotFoundError: One of the users does not exist (``args[0]`` names it).
        """
        params = {"user_id": user_id, "friend_id": friend_id}
        rows = await write(self._session, run_rows, "merge_friendship", params)
        if not rows:
            await self._raise_missing(user_id, friend_id)
        return bool(rows[0]["created"])

    async def unfriend(self, user_id: str, friend_id: str) -> bool:
        """Remove a friendship.

        Returns:
            True when one was removed, False when there was none.

        Raises:
            NotFoundError: One of the users does not exist.
        """
        params = {"user_id": user_id, "friend_id": friend_id}
        rows = await write(self._session, run_rows, "delete_friendship", params)
        deleted = int(rows[0]["deleted"]) if rows else 0
        if not deleted:
            await self._raise_missing(user_id, friend_id)
        return deleted > 0

    async def _raise_missing(self, user_id: str, friend_id: str) -> None:
        ids = [user_id, friend_id]
        rows = await read(self._session, run_rows, "get_existing_users", {"ids": ids})
        existing = set(rows[0]["ids"]) if rows else set()
        for field, value in (("user_id", user_id), ("friend_id", friend_id)):
            if value not in existing:
                raise NotFoundError(field, value)
