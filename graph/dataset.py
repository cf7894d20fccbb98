"""The canonical in-memory dataset that every loader produces.

The same records feed the Neo4j writer (``loaders``) and the GNN's offline evaluation
(``gnn``), so both paths see identical data. Ids are strings as they appear in the source
(optionally prefixed by the loader's ``--id-prefix``).
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "INTERACTION_TYPES",
    "Dataset",
    "Friendship",
    "Interaction",
    "InteractionType",
    "Person",
    "Title",
    "User",
]

InteractionType = Literal["view", "rating", "like", "dislike", "share", "add_to_list"]
INTERACTION_TYPES: tuple[InteractionType, ...] = (
    "view",
    "rating",
    "like",
    "dislike",
    "share",
    "add_to_list",
)


class User(msgspec.Struct, frozen=True, kw_only=True):
    """A user; demographic fields only where the source has them."""

    user_id: str
    name: str | None = None
    age: int | None = None
    gender: str | None = None
    occupation: str | None = None


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A person who acts in or directs titles."""

    person_id: str
    name: str


class Title(msgspec.Struct, frozen=True, kw_only=True):
    """A title (movie, show, artist ...) with its content features.

    ``cast`` and ``directors`` hold ``Person.person_id`` values, in billing order.
    ``keyword_counts`` (optional, parallel to ``keywords``) says how many times each keyword
    was applied; missing entries count 1.
    """

    title_id: str
    title: str
    year: int | None = None
    kind: str = "movie"
    genres: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    keyword_counts: tuple[int, ...] = ()
    imdb_id: str | None = None
    tmdb_id: str | None = None


class Friendship(msgspec.Struct, frozen=True, kw_only=True):
    """A social link. ``mutual`` links are friendships (stored once, either direction);
    others are directed (``user_id`` trusts/follows ``friend_id``)."""

    user_id: str
    friend_id: str
    mutual: bool = True
    weight: float | None = None
    since: int | None = None


class Interaction(msgspec.Struct, frozen=True, kw_only=True):
    """One user-title interaction.

    Attributes:
        type: view (``value`` = play/view count when known), rating (``value`` = the rating),
            like, dislike, share, add_to_list.
        timestamp: Unix seconds, when known.
        session_id: The watch session, when known.
        completion: Fraction of the title watched in [0, 1], for views.
        first_timestamp: For views aggregated over several events, the first one's Unix
            seconds (``timestamp`` is then the last one's).
    """

    user_id: str
    title_id: str
    type: InteractionType
    value: float | None = None
    timestamp: int | None = None
    session_id: str | None = None
    completion: float | None = None
    first_timestamp: int | None = None


class Dataset(msgspec.Struct, kw_only=True):
    """A whole dataset in canonical form."""

    name: str
    users: list[User] = msgspec.field(default_factory=list)
    titles: list[Title] = msgspec.field(default_factory=list)
    people: list[Person] = msgspec.field(default_factory=list)
    friendships: list[Friendship] = msgspec.field(default_factory=list)
    interactions: list[Interaction] = msgspec.field(default_factory=list)
