"""Interactions and feedback."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.schemas.common import Id

__all__ = [
    "FeedbackAccepted",
    "FeedbackCreate",
    "InteractionAccepted",
    "InteractionCreate",
]

ActionName = Literal[
    "impression",
    "click",
    "view",
    "watch",
    "complete",
    "abandon",
    "like",
    "dislike",
    "rating",
    "share",
    "add_to_list",
    "remove_from_list",
]


class InteractionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One interaction. ``value``: the rating (0.5–5) for ``rating``; the fraction watched
    (0–1) for ``watch`` and ``abandon``; ignored otherwise."""

    user_id: Id
    item_id: Id
    action: ActionName
    value: Annotated[float, Meta(ge=0, le=10)] | None = None
    timestamp: dt.datetime | None = None
    session_id: Annotated[str, Meta(min_length=1, max_length=128)] | None = None


class InteractionAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The interaction is stored (the same body for every retry of one event id)."""

    status: Literal["accepted"] = "accepted"
    event_id: str
    user_id: str
    item_id: str
    action: str
    weight: float
    recorded_at: str


FeedbackKind = Literal["not_interested", "dislike"]


class FeedbackCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Explicit feedback on a recommended title."""

    user_id: Id
    item_id: Id
    feedback: FeedbackKind
    reason: Annotated[str, Meta(max_length=500)] | None = None


class FeedbackAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """What was done."""

    status: Literal["applied"] = "applied"
    user_id: str
    item_id: str
    feedback: str
    actions: list[str]
