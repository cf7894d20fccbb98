"""Assembling a canonical :class:`~graph.dataset.Dataset` from parsed rows.

Every parser feeds a :class:`DatasetBuilder`, which applies the ``--id-prefix``, creates users
on first sight, stores each mutual friendship once and merges repeated interactions:
views add up (count, first and last time), any other type keeps the last value seen.
"""

from __future__ import annotations

import msgspec

from graph.dataset import NO_GENRES, Dataset, Friendship, Interaction, InteractionType, Title, User

__all__ = ["NO_GENRES", "DatasetBuilder", "ReadReport"]


class ReadReport(msgspec.Struct, kw_only=True):
    """What a parser saw besides the dataset: lines read, merged duplicates, skipped lines."""

    lines: int = 0
    duplicates: int = 0
    skipped: int = 0
    skipped_examples: list[str] = msgspec.field(default_factory=list)


class DatasetBuilder:
    """Collects users, titles, friendships and interactions, deduplicated, in source order."""

    def __init__(self, name: str, id_prefix: str = "") -> None:
        self.name = name
        self.prefix = id_prefix
        self.users: dict[str, User] = {}
        self.titles: dict[str, Title] = {}
        self.friendships: dict[tuple[str, str], Friendship] = {}
        self.interactions: dict[tuple[str, str, str], Interaction] = {}
        self.report = ReadReport()

    def uid(self, raw: str) -> str:
        """Return the prefixed id of a source id."""
        return self.prefix + raw.strip()

    def add_user(self, user: User) -> None:
        """Add or replace a user (``user.user_id`` already prefixed)."""
        self.users[user.user_id] = user

    def touch_user(self, user_id: str) -> None:
        """Make sure a user exists (a bare one when the source has no user file)."""
        if user_id not in self.users:
            self.users[user_id] = User(user_id=user_id)

    def add_title(self, title: Title) -> None:
        """Add or replace a title (``title.title_id`` already prefixed)."""
        self.titles[title.title_id] = title

    def add_friendship(
        self, a: str, b: str, *, mutual: bool, weight: float | None = None, since: int | None = None
    ) -> None:
        """Add a friendship (mutual: stored once for both directions) or a directed link."""
        if a == b:
            return
        key = (min(a, b), max(a, b)) if mutual else (a, b)
        if key in self.friendships:
            self.report.duplicates += not mutual
        self.touch_user(a)
        self.touch_user(b)
        self.friendships[key] = Friendship(
            user_id=key[0], friend_id=key[1], mutual=mutual, weight=weight, since=since
        )

    def add_interaction(
        self,
        user_id: str,
        title_id: str,
        kind: InteractionType,
        *,
        value: float | None = None,
        timestamp: int | None = None,
        session_id: str | None = None,
        completion: float | None = None,
    ) -> None:
        """Add an interaction; repeats of a (user, title, type) are merged (see module doc)."""
        self.touch_user(user_id)
        key = (user_id, title_id, kind)
        old = self.interactions.get(key)
        first = None
        if old is not None:
            self.report.duplicates += 1
        if old is not None and kind == "view":
            # Views add up: their count, the first and last times, a session and a completion.
            times = [t for t in (old.first_timestamp, old.timestamp, timestamp) if t is not None]
            value = (old.value if old.value is not None else 1.0) + (
                value if value is not None else 1.0
            )
            first, timestamp = (min(times), max(times)) if times else (None, None)
            first = first if first != timestamp else None
            session_id = session_id or old.session_id
            completion = completion if completion is not None else old.completion
        self.interactions[key] = Interaction(
            user_id=user_id,
            title_id=title_id,
            type=kind,
            value=value,
            timestamp=timestamp,
            first_timestamp=first,
            session_id=session_id,
            completion=completion,
        )

    def build(self) -> Dataset:
        """Return the dataset collected so far."""
        return Dataset(
            name=self.name,
            users=list(self.users.values()),
            titles=list(self.titles.values()),
            friendships=list(self.friendships.values()),
            interactions=list(self.interactions.values()),
        )
