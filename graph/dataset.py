"""The canonical dataset that every loader produces, whole or as re-iterable streams.

The same records feed the Neo4j writer (``loaders``) and the GNN's offline evaluation
(``gnn``), so both paths see identical data. Ids are strings as they appear in the source
(optionally prefixed by the loader's ``--id-prefix``). Large loads never sit in memory: the
writer reads a :class:`DatasetStream`, each kind of record once, in the order people, titles,
users, friendships, interactions; a materialised :class:`Dataset` is wrapped by
:class:`DatasetStreams`, and the synthetic generator streams natively.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol, runtime_checkable

import msgspec

__all__ = [
    "INTERACTION_TYPES",
    "NO_GENRES",
    "Dataset",
    "DatasetStream",
    "DatasetStreams",
    "Friendship",
    "Interaction",
    "InteractionType",
    "Person",
    "Title",
    "User",
    "as_stream",
]

#: The placeholder genre of titles their source lists without genres (MovieLens' own name).
NO_GENRES = "(no genres listed)"

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


@runtime_checkable
class DatasetStream(Protocol):
    """Anything that can produce a dataset's records, each method callable more than once."""

    name: str

    def people(self) -> Iterator[Person]:
        """Yield every person."""
        ...

    def titles(self) -> Iterator[Title]:
        """Yield every title."""
        ...

    def users(self) -> Iterator[User]:
        """Yield every user."""
        ...

    def friendships(self) -> Iterator[Friendship]:
        """Yield every social link (each mutual pair once)."""
        ...

    def interactions(self) -> Iterator[Interaction]:
        """Yield every interaction (at most one per user, title and type)."""
        ...

    def sizes(self) -> dict[str, int | None]:
        """Return the number of records of each kind, where known (for progress bars)."""
        ...


class DatasetStreams:
    """A materialised dataset seen as streams."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.name = dataset.name

    def people(self) -> Iterator[Person]:
        """Yield every person."""
        return iter(self.dataset.people)

    def titles(self) -> Iterator[Title]:
        """Yield every title."""
        return iter(self.dataset.titles)

    def users(self) -> Iterator[User]:
        """Yield every user."""
        return iter(self.dataset.users)

    def friendships(self) -> Iterator[Friendship]:
        """Yield every social link."""
        return iter(self.dataset.friendships)

    def interactions(self) -> Iterator[Interaction]:
        """Yield every interaction."""
        return iter(self.dataset.interactions)

    def sizes(self) -> dict[str, int | None]:
        """Return the exact record counts."""
        d = self.dataset
        return {
            "people": len(d.people),
            "titles": len(d.titles),
            "users": len(d.users),
            "friendships": len(d.friendships),
            "interactions": len(d.interactions),
        }


def as_stream(data: Dataset | DatasetStream) -> DatasetStream:
    """Return ``data`` as a :class:`DatasetStream`."""
    return DatasetStreams(data) if isinstance(data, Dataset) else data
