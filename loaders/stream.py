"""A dataset as re-iterable streams of canonical records, so large loads never sit in memory.

The writer reads each kind of record once, in the order people, titles, users, friendships,
interactions. A materialised :class:`~graph.dataset.Dataset` is wrapped by
:class:`DatasetStreams`; the synthetic generator streams natively.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from graph.dataset import Dataset, Friendship, Interaction, Person, Title, User

__all__ = ["DatasetStream", "DatasetStreams", "as_stream"]


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
