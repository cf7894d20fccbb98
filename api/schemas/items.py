"""Titles: creation with content features, detail."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from api.schemas.common import PRINTABLE, Id
from graph.items import Credit, TitleDetail, TitleFeatures

__all__ = ["Item", "ItemCreate", "ItemCreated", "ItemFeatures", "PersonIn", "Similarity"]

Text = Annotated[str, Meta(min_length=1, max_length=300, pattern=PRINTABLE)]
Feature = Annotated[str, Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
#: An http(s) URL (the title's picture): a host name or IPv4 address (no IPv6 literal, no user
#: info), an optional port, then printable ASCII.
Url = Annotated[
    str,
    Meta(
        pattern=r"^https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?([/?#][\x21-\x7e]{0,1780})?(?![\s\S])",
        max_length=2048,
    ),
]


class PersonIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A cast member or director (created when the id is new)."""

    person_id: Id
    name: Text


class ItemFeatures(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A title's content features, each list replacing the stored one (admin key); the picture
    is kept when ``thumbnail_url`` is not given."""

    thumbnail_url: Url | None = None
    genres: Annotated[list[Feature], Meta(max_length=20)] = msgspec.field(default_factory=list)
    keywords: Annotated[list[Feature], Meta(max_length=50)] = msgspec.field(default_factory=list)
    platforms: Annotated[list[Feature], Meta(max_length=20)] = msgspec.field(default_factory=list)
    cast: Annotated[list[PersonIn], Meta(max_length=50)] = msgspec.field(default_factory=list)
    directors: Annotated[list[PersonIn], Meta(max_length=10)] = msgspec.field(default_factory=list)

    def to_graph(self) -> TitleFeatures:
        """The features as the graph stores them (names deduplicated, keywords lower-case)."""
        return TitleFeatures(
            thumbnail_url=self.thumbnail_url,
            genres=sorted(set(self.genres)),
            keywords=sorted({k.lower() for k in self.keywords}),
            platforms=sorted(set(self.platforms)),
            cast=[
                Credit(person_id=p.person_id, name=p.name, order=i) for i, p in enumerate(self.cast)
            ],
            directors=[Credit(person_id=p.person_id, name=p.name) for p in self.directors],
        )


class ItemCreate(ItemFeatures, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new title with its features (admin key)."""

    item_id: Id
    title: Text
    year: Annotated[int, Meta(ge=1800, le=2200)] | None = None
    kind: Annotated[str, Meta(pattern=r"^(movie|show|artist|item)(?![\s\S])")] = "movie"


class Item(TitleDetail, frozen=True, kw_only=True):
    """A title with its content features (names sorted, the cast in billing order)."""


class Similarity(msgspec.Struct, frozen=True, kw_only=True):
    """How "more like this" works for the new title."""

    method: str
    embedded: int
    reason: str


class ItemCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The created title and how its similar titles are found."""

    item: Item
    similarity: Similarity
