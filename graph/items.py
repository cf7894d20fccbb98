"""Titles for the API: read one, create one with its content features."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import msgspec

from graph._tx import read, read_record, run_rows, write
from graph.errors import ConflictError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import neo4j

__all__ = [
    "Credit",
    "ItemRepository",
    "NewTitle",
    "SummaryCache",
    "TitleBasics",
    "TitleDetail",
    "TitleFeatures",
    "TitleSummary",
]


class TitleBasics(msgspec.Struct, frozen=True, kw_only=True):
    """What every record of a title read for the API starts with: its id, name, year, kind and
    popularity (``Title`` node properties, the same in a list and in a title's detail)."""

    item_id: str
    title: str | None = None
    year: int | None = None
    kind: str | None = None
    popularity: float | None = None


class TitleSummary(TitleBasics, frozen=True, kw_only=True, gc=False):
    """Display metadata of a title.

    Each API process caches thousands of these (``SummaryCache``). Holding only strings and
    numbers they cannot form reference cycles, so they stay out of the garbage collector's
    sight (``gc=False``, genres a tuple): a full collection no longer walks them all.
    """

    genres: tuple[str, ...] = ()
    rating: float | None = None
    thumbnail_url: str | None = None


class Credit(msgspec.Struct, frozen=True, kw_only=True):
    """A person on a title: an actor (``order`` is the billing order) or a director."""

    person_id: str | None = None
    name: str | None = None
    order: int | None = None


class TitleDetail(TitleBasics, frozen=True, kw_only=True):
    """A title with its content features (names sorted, the cast in billing order)."""

    genres: list[str] = msgspec.field(default_factory=list)
    cast: list[Credit] = msgspec.field(default_factory=list)
    directors: list[str] = msgspec.field(default_factory=list)
    keywords: list[str] = msgspec.field(default_factory=list)
    platforms: list[str] = msgspec.field(default_factory=list)
    imdb_id: str | None = None
    tmdb_id: str | None = None
    thumbnail_url: str | None = None
    has_embedding: bool = False


class TitleFeatures(msgspec.Struct, frozen=True, kw_only=True):
    """A title's content features (and its picture)."""

    thumbnail_url: str | None = None
    genres: list[str] = msgspec.field(default_factory=list)
    keywords: list[str] = msgspec.field(default_factory=list)
    platforms: list[str] = msgspec.field(default_factory=list)
    cast: list[Credit] = msgspec.field(default_factory=list)
    directors: list[Credit] = msgspec.field(default_factory=list)


class NewTitle(TitleFeatures, frozen=True, kw_only=True):
    """A title to create."""

    item_id: str
    title: str
    year: int | None = None
    kind: str = "movie"
    dataset: str = "api"


class SummaryCache:
    """Display metadata of titles, kept in this process for ``ttl`` seconds.

    Every recommendation needs the metadata of a few dozen titles, mostly the same popular ones;
    it changes only when a dataset is reloaded, so a TTL of minutes bounds how stale it can be.
    At ``max_items`` the cache starts over.
    """

    def __init__(self, ttl: float = 600.0, max_items: int = 200_000) -> None:
        """An empty cache."""
        self.ttl = ttl
        self.max_items = max_items
        self._entries: dict[str, tuple[float, TitleSummary]] = {}

    def lookup(self, ids: Iterable[str]) -> tuple[dict[str, TitleSummary], list[str]]:
        """The fresh summaries among ``ids``, and the ids to read."""
        now = time.monotonic()
        found: dict[str, TitleSummary] = {}
        missing: list[str] = []
        for item_id in ids:
            entry = self._entries.get(item_id)
            if entry is not None and entry[0] > now:
                found[item_id] = entry[1]
            else:
                missing.append(item_id)
        return found, missing

    def store(self, summaries: Iterable[TitleSummary]) -> None:
        """Keep these summaries for ``ttl`` seconds."""
        if len(self._entries) >= self.max_items:
            self._entries.clear()
        expires = time.monotonic() + self.ttl
        for summary in summaries:
            self._entries[summary.item_id] = (expires, summary)


class ItemRepository:
    """Reads and writes titles in one session."""

    def __init__(self, session: neo4j.AsyncSession, summaries: SummaryCache | None = None) -> None:
        """Wrap an open session (one per unit of work), with an optional summary cache."""
        self._session = session
        self._summaries = summaries

    async def get(self, item_id: str) -> TitleDetail:
        """Return one title.

        Raises:
            NotFoundError: No title has that id.
        """
        return await read_record(self._session, "get_title", "item_id", item_id, TitleDetail)

    async def summaries(self, ids: list[str]) -> dict[str, TitleSummary]:
        """Return display metadata of the titles that exist among ``ids``."""
        found, missing = self._summaries.lookup(ids) if self._summaries else ({}, ids)
        if missing:
            params = {"ids": missing}
            rows = await read(self._session, run_rows, "get_titles_by_ids", params)
            fetched = [msgspec.convert(row, TitleSummary) for row in rows]
            if self._summaries is not None:
                self._summaries.store(fetched)
            found.update((s.item_id, s) for s in fetched)
        return found

    async def create(self, title: NewTitle) -> None:
        """Create a title with its genres, people, keywords and platforms in one transaction.

        Raises:
            ConflictError: A title with that id exists (nothing is changed).
        """
        created = await write(self._session, _create, title)
        if not created:
            raise ConflictError("item_id", title.item_id)

    async def replace_features(self, item_id: str, features: TitleFeatures) -> None:
        """Replace the title's genres, keywords, platforms, cast and directors (and its picture
        when given) in one transaction.

        Raises:
            NotFoundError: No title has that id (nothing is changed).
        """
        params = {"item_id": item_id, "dataset": "api", **msgspec.to_builtins(features)}
        rows = await write(self._session, run_rows, "replace_title_features", params)
        if not rows:
            raise NotFoundError("item_id", item_id)


async def _create(tx: neo4j.AsyncManagedTransaction, title: NewTitle) -> bool:
    """Create the title node, then its features, in one transaction; False when it exists."""
    params = msgspec.to_builtins(title)
    rows = await run_rows(tx, "create_title", params)
    if not rows or not rows[0]["created"]:
        return False
    await run_rows(tx, "replace_title_features", params)
    return True
