"""Aggregates of served lists in the graph: what was shown, clicked and converted, by day.

``(:ServedDaily {key, day, experiment, variant, endpoint, source, modelVersion, impressions,
clicks, conversions, engagement})`` — one node per combination, so the space grows with days and
configurations, not with traffic; ``(:User)-[:ASSIGNED_TO {at}]->(:Variant)`` records a user's
variant the first time one of the experiment's lists is served to them. Raw entries live in a
Redis stream and expire; these aggregates are what is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from graph._tx import read, run_rows

if TYPE_CHECKING:
    import neo4j

    from graph.connection import Connection

__all__ = [
    "Assignment",
    "Counts",
    "ServedRepository",
    "by_source",
    "daily_counts",
    "switched_users",
    "users_per_variant",
]


class Counts(msgspec.Struct, kw_only=True):
    """The counts of one aggregate: to add (the consumer) or read (the reports, which fill in
    the fields they group by and leave the others empty)."""

    day: str = ""
    experiment: str = ""
    variant: str = ""
    endpoint: str = ""
    source: str = ""
    model_version: str = ""
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    engagement: float = 0.0

    @property
    def key(self) -> str:
        """The aggregate's identity."""
        parts = (self.day, self.experiment, self.variant, self.endpoint, self.source)
        return "|".join((*parts, self.model_version))


class Assignment(msgspec.Struct, frozen=True):
    """A user's variant in an experiment."""

    user: str
    experiment: str
    variant: str


class ServedRepository:
    """Writes of the served-list log's consumer (one session)."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        self._session = session

    async def flush(
        self, counts: list[Counts], assignments: list[Assignment], engaged: list[str]
    ) -> None:
        """Add ``counts`` to their aggregates, record ``assignments`` and bring the popularity
        of the ``engaged`` titles up to date, in one transaction."""
        rows = [{**msgspec.structs.asdict(c), "key": c.key} for c in counts]
        assigned = [msgspec.structs.asdict(a) for a in assignments]

        async def work(tx: neo4j.AsyncManagedTransaction) -> None:
            if rows:
                await run_rows(tx, "served_flush", {"rows": rows}, background=True)
            if assigned:
                await run_rows(tx, "served_assign", {"rows": assigned}, background=True)
            if engaged:
                await run_rows(tx, "set_popularity", {"ids": engaged}, background=True)

        await self._session.execute_write(work)

    async def title_scopes(self, ids: list[str]) -> dict[str, tuple[list[str], list[str]]]:
        """``title id → (genres, platforms)`` of the titles that exist among ``ids``."""
        rows = await read(
            self._session, run_rows, "trend_title_scopes", {"ids": ids}, background=True
        )
        return {r["item_id"]: (r["genres"], r["platforms"]) for r in rows}


def daily_counts(conn: Connection, experiment: str) -> list[Counts]:
    """Each variant's counts per day (ordered by variant, then day)."""
    rows = conn.rows("served_daily", {"experiment": experiment})
    return [msgspec.convert(row, Counts) for row in rows]


def by_source(conn: Connection, days: int = 7) -> list[Counts]:
    """Counts per candidate source and model version over the last ``days`` days."""
    return [msgspec.convert(r, Counts) for r in conn.rows("served_by_source", {"days": days})]


def users_per_variant(conn: Connection, experiment: str) -> dict[str, int]:
    """Users assigned to each variant, in declared order."""
    rows = conn.rows("experiment_users", {"name": experiment})
    return {row["variant"]: int(row["users"]) for row in rows}


def switched_users(conn: Connection, experiment: str) -> int:
    """Users recorded in more than one variant of the experiment (0 when assignment sticks)."""
    return int(conn.rows("experiment_switched", {"name": experiment})[0]["switched"])
