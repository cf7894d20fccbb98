"""Interactions and feedback: Events recorded exactly once, aggregate edges updated with them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import msgspec
import neo4j

from graph._tx import run_rows, write
from graph.errors import ConflictError, NotFoundError
from graph.signals import Action

__all__ = ["Action", "EventRecord", "Feedback", "InteractionRepository", "NewEvent"]


class Feedback(enum.StrEnum):
    """Explicit feedback on a recommendation."""

    NOT_INTERESTED = "not_interested"
    DISLIKE = "dislike"


# Which aggregate statement an action runs (impression, click, add_to_cart, purchase, pause and
# skip record only the Event).
_AGGREGATE: dict[Action, str] = {
    Action.VIEW: "update_watched",
    Action.PLAY: "update_watched",
    Action.SAVE: "add_to_list",
    Action.WATCH: "update_watched",
    Action.COMPLETE: "update_watched",
    Action.ABANDON: "update_watched",
    Action.LIKE: "set_liked",
    Action.DISLIKE: "set_disliked",
    Action.RATING: "set_rating",
    Action.SHARE: "set_shared",
    Action.ADD_TO_LIST: "add_to_list",
    Action.REMOVE_FROM_LIST: "remove_from_list",
}


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An interaction to record, with its context: the session, the device, the list
    (``source``) and rank (``position``) the title was shown at. The Event also keeps the hour
    of day of ``at`` (in ``at``'s own offset: the client's local time when it sends one)."""

    event_id: str
    user_id: str
    item_id: str
    action: Action
    value: float | None = None
    at: dt.datetime
    session_id: str | None = None
    device_type: str | None = None
    source: str | None = None
    position: int | None = None


class EventRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The stored Event; ``created`` is False when an earlier request stored it."""

    created: bool
    event_id: str
    user_id: str
    item_id: str
    action: str
    value: float | None
    at: dt.datetime


class InteractionRepository:
    """Writes interactions and feedback in one session."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        """Wrap an open session (one per unit of work)."""
        self._session = session

    async def record(self, event: NewEvent) -> EventRecord:
        """Store the Event and, only when it is new, update the aggregate edge, atomically.

        Returns:
            The stored Event (the first request's fields when the id was seen before).

        Raises:
            NotFoundError: The user or the title does not exist.
            ConflictError: The event id was used for a different user, title, action or value.
        """
        try:
            record = await write(self._session, _record, event)
        except _ConcurrentCreate:
            # Another transaction created the same event between our MERGE and commit.
            record = await write(self._session, _record, event)
        if (record.user_id, record.item_id, record.action, record.value) != (
            event.user_id,
            event.item_id,
            str(event.action),
            event.value,
        ):
            raise ConflictError("event_id", event.event_id)
        return record

    async def feedback(
        self,
        user_id: str,
        item_id: str,
        kind: Feedback,
        reason: str | None,
        at: dt.datetime,
        *,
        replace: bool = False,
    ) -> None:
        """Store feedback: the title is excluded for that user from now on.

        Args:
            user_id: The user.
            item_id: The title.
            kind: ``not_interested`` or ``dislike``.
            reason: Why (stored with ``not_interested``).
            at: When.
            replace: Remove the user's other feedback on the title first (in the same
                transaction).

        Raises:
            NotFoundError: The user or the title does not exist.
        """
        params = {"user_id": user_id, "item_id": item_id, "reason": reason, "at": at}
        name = "set_not_interested" if kind is Feedback.NOT_INTERESTED else "set_disliked"
        names = ["delete_feedback", name] if replace else [name]
        await write(self._session, _write_checked, names, params)

    async def remove_feedback(self, user_id: str, item_id: str) -> bool:
        """Undo the user's feedback on the title (``not_interested`` and ``dislike``).

        Returns:
            Whether there was feedback to remove.

        Raises:
            NotFoundError: The user or the title does not exist.
        """
        params = {"user_id": user_id, "item_id": item_id}
        rows = await write(self._session, _write_checked, ["delete_feedback"], params)
        return bool(rows[0]["removed"])


class _ConcurrentCreate(Exception):
    """A uniqueness violation on the Event: retry once, it will match."""


async def _raise_missing(tx: neo4j.AsyncManagedTransaction, user_id: str, item_id: str) -> None:
    users = (await run_rows(tx, "get_existing_users", {"ids": [user_id]}))[0]["ids"]
    if not users:
        raise NotFoundError("user_id", user_id)
    raise NotFoundError("item_id", item_id)


async def _record(tx: neo4j.AsyncManagedTransaction, event: NewEvent) -> EventRecord:
    params: dict[str, Any] = {
        "event_id": event.event_id,
        "user_id": event.user_id,
        "item_id": event.item_id,
        "action": str(event.action),
        "value": event.value,
        "at": event.at,
        "session_id": event.session_id,
        "device_type": event.device_type,
        "source": event.source,
        "position": event.position,
        "hour": event.at.hour,
    }
    try:
        rows = await run_rows(tx, "record_event", params)
    except neo4j.exceptions.ConstraintError as exc:
        raise _ConcurrentCreate from exc
    if not rows:
        await _raise_missing(tx, event.user_id, event.item_id)
    row = rows[0]
    statement = _AGGREGATE.get(event.action)
    if row["created"] and statement is not None:
        params.update(_watch_params(event))
        await run_rows(tx, statement, params)
    row["at"] = row["at"].to_native()
    return msgspec.convert(row, EventRecord)


def _watch_params(event: NewEvent) -> dict[str, Any]:
    if event.action is Action.COMPLETE:
        return {"count_increment": 0, "completion": 1.0}
    if event.action is Action.ABANDON:
        return {"count_increment": 0, "completion": event.value}
    return {
        "count_increment": 1,
        "completion": event.value if event.action is Action.WATCH else None,
    }


async def _write_checked(
    tx: neo4j.AsyncManagedTransaction, names: list[str], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run the statements in order; the first one's rows (none: the user or title is missing)."""
    first: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        rows = await run_rows(tx, name, params)
        if not rows:
            await _raise_missing(tx, params["user_id"], params["item_id"])
        if i == 0:
            first = rows
    return first
