"""The asynchronous door to Neo4j for the API: one driver, repositories per unit of work.

``Store.repositories()`` opens one session (connected lazily, on its first statement) and hands
out every repository over it; the API builds them nowhere else.

Sessions are ready for a cluster (``neo4j://`` routing URI): their auto-commit statements (every
read, :func:`graph._tx.read`) run in ``READ`` access mode, so a cluster routes them to followers
and read replicas and a write among them is refused; managed write transactions
(:func:`graph._tx.write`) go to the leader. A session given a user's last write bookmarks starts
once the server it reads from has applied those writes (read-your-writes across processes).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import neo4j
import neo4j.exceptions

from graph import experiments
from graph._tx import DEADLINE_SECONDS, RETRY_SECONDS, budget
from graph.driver import async_driver
from graph.experiments import ExperimentRecord
from graph.interactions import InteractionRepository
from graph.items import ItemRepository, SummaryCache
from graph.recommendations import RecommendationRepository
from graph.served import ServedRepository
from graph.social import SocialRepository
from graph.users import UserRepository

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from graph.settings import Settings

__all__ = ["Repositories", "Store", "budget"]


class Repositories:
    """Every repository of the API over one session (one unit of work)."""

    def __init__(self, session: neo4j.AsyncSession, titles: SummaryCache) -> None:
        """Wrap an open session; ``titles`` is the process's cache of title metadata."""
        self._session = session
        self.recs = RecommendationRepository(session)
        self.items = ItemRepository(session, titles)
        self.users = UserRepository(session)
        self.social = SocialRepository(session)
        self.interactions = InteractionRepository(session)
        self.served = ServedRepository(session)

    async def experiments(self) -> list[ExperimentRecord]:
        """The running experiments."""
        return await experiments.running(self._session)

    async def bookmarks(self) -> list[str]:
        """The bookmarks of this unit of work's last transaction (after a write: that write),
        for a later session that must see it (``Store.repositories(bookmarks)``)."""
        return sorted((await self._session.last_bookmarks()).raw_values)


class Store:
    """The API's driver, the database it reads and the process's cache of title metadata."""

    def __init__(self, settings: Settings) -> None:
        """Create the driver (it connects on first use)."""
        self.settings = settings
        self.driver = async_driver(settings)
        self.titles = SummaryCache()

    @property
    def database(self) -> str:
        """The database every statement runs in."""
        return self.settings.neo4j_database

    def session(self, bookmarks: Iterable[str] = ()) -> neo4j.AsyncSession:
        """A session on the database whose transactions are retried for at most 1 s.

        Args:
            bookmarks: Writes the session must see (it waits until its server has them).
        """
        return self.driver.session(
            database=self.database,
            default_access_mode=neo4j.READ_ACCESS,
            bookmarks=neo4j.Bookmarks.from_raw_values(bookmarks) if bookmarks else None,
            max_transaction_retry_time=RETRY_SECONDS,
            notifications_min_severity="OFF",
        )

    @contextlib.asynccontextmanager
    async def repositories(self, bookmarks: Iterable[str] = ()) -> AsyncIterator[Repositories]:
        """Every repository over one new session (closed on leaving), after ``bookmarks``."""
        async with self.session(bookmarks) as session:
            yield Repositories(session, self.titles)

    async def answers(self) -> bool:
        """True when Neo4j accepts connections now (within a unit of work's deadline)."""
        try:
            async with asyncio.timeout(DEADLINE_SECONDS):
                await self.driver.verify_connectivity()
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, TimeoutError, OSError):
            return False
        return True

    async def close(self) -> None:
        """Close the driver."""
        await self.driver.close()
