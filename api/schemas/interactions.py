"""Interactions and feedback."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal, get_args

import msgspec
from msgspec import Meta

from api.schemas.common import Id
from graph.signals import Action

__all__ = [
    "FEEDBACK_ID_PATTERN",
    "FeedbackCreate",
    "FeedbackDeleted",
    "FeedbackRecorded",
    "FeedbackUpdate",
    "InteractionAccepted",
    "InteractionContext",
    "InteractionCreate",
]

_END = r"(?![\s\S])"
#: A session id: 1–128 printable ASCII characters without spaces.
SessionId = Annotated[str, Meta(pattern=rf"^[\x21-\x7e]{{1,128}}{_END}")]
#: A device type (``mobile``, ``web``, ``tv`` ...).
DeviceType = Annotated[str, Meta(pattern=rf"^[A-Za-z0-9_.-]{{1,32}}{_END}")]
#: Where an item was shown (``homepage``, ``search``, ``because_you_watched`` ...).
Source = Annotated[str, Meta(pattern=rf"^[A-Za-z0-9_.:/-]{{1,64}}{_END}")]
#: When an interaction happened: RFC 3339 (an offset-less time is UTC), 1970 to a day ahead.
Timestamp = Annotated[
    dt.datetime,
    Meta(
        description="RFC 3339 date-time (without an offset: UTC), from 1970-01-01T00:00:00Z to "
        "a day ahead of the server's clock",
        extra_json_schema={"format": "date-time"},
    ),
]
#: The fraction watched of ``watch`` and ``abandon``.
_FRACTION = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]}
_WITH_FRACTION = [Action.WATCH.value, Action.ABANDON.value]


class InteractionContext(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the interaction happened: the list (``source``) and rank (``position``, from 1 or
    0 as the client counts) it was shown at, the session and the device."""

    source: Source | None = None
    position: Annotated[int, Meta(ge=0, le=10_000)] | None = None
    session_id: SessionId | None = None
    device_type: DeviceType | None = None
    #: graphrec's addition: the ``request_id`` of the list the title was shown in (clicks are
    #: attributed to the user's last list showing the title without it).
    recommendation_id: SessionId | None = None


class InteractionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One interaction. ``value``: the rating (0.5–5) for ``rating``; the fraction watched
    (0–1) for ``watch`` and ``abandon``; ignored otherwise. ``timestamp``: when it happened
    (ISO 8601, from 1970 to a day ahead; default now). ``session_id`` is the same as
    ``context.session_id``."""

    user_id: Id
    item_id: Id
    action: Action
    value: Annotated[float, Meta(ge=0, le=10)] | None = None
    timestamp: Timestamp | None = None
    context: InteractionContext | None = None
    session_id: SessionId | None = None

    #: ``value`` as each action needs it (OpenAPI, ``api/schemas/openapi.py``).
    schema_rules: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {
                "properties": {
                    "action": {"const": Action.RATING.value},
                    "value": {"type": "number", "minimum": 0.5, "maximum": 5},
                },
                "required": ["value"],
            },
            {"properties": {"action": {"enum": _WITH_FRACTION}, "value": _FRACTION}},
            {
                "properties": {
                    "action": {
                        "enum": [
                            a.value
                            for a in Action
                            if a is not Action.RATING and a.value not in _WITH_FRACTION
                        ]
                    }
                }
            },
        ]
    }


class InteractionAccepted(msgspec.Struct, frozen=True, kw_only=True):
    """The interaction is stored (the same body for every retry of one event id)."""

    status: Literal["accepted"] = "accepted"
    event_id: str
    user_id: str
    item_id: str
    action: str
    value: float | None = None
    weight: float
    recorded_at: str


FeedbackKind = Literal["not_interested", "dislike"]
Reason = Annotated[str, Meta(max_length=500)]
#: Feedback ids: ``fb_`` and the base64url of the user and the title.
FEEDBACK_ID_PATTERN = rf"^fb_[A-Za-z0-9_-]{{4,400}}{_END}"


def _one_kind() -> dict[str, Any]:
    """``feedback_type`` or ``feedback`` (or both, the same), as a JSON Schema rule."""
    names = ("feedback_type", "feedback")
    return {
        "anyOf": [
            {
                "properties": {name: {"const": kind}, other: {"enum": [kind, None]}},
                "required": [name],
            }
            for kind in get_args(FeedbackKind)
            for name, other in (names, names[::-1])
        ]
    }


class FeedbackUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The feedback that replaces the stored one: ``feedback_type`` or ``feedback`` (the same;
    when both are given they must agree)."""

    feedback_type: FeedbackKind | None = None
    feedback: FeedbackKind | None = None
    reason: Reason | None = None

    schema_rules: ClassVar[dict[str, Any]] = _one_kind()


class FeedbackCreate(FeedbackUpdate, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Explicit feedback on a recommended title."""

    user_id: Id
    item_id: Id


class _FeedbackDone(msgspec.Struct, frozen=True, kw_only=True):
    """What was done, in the API document's words (``action_taken``), and to what."""

    action_taken: str
    feedback_id: str
    user_id: str
    item_id: str


class FeedbackRecorded(_FeedbackDone, frozen=True, kw_only=True):
    """The feedback is stored (``actions``: what was done, in full)."""

    status: Literal["recorded"] = "recorded"
    feedback_type: str
    reason: str | None
    actions: list[str]


class FeedbackDeleted(_FeedbackDone, frozen=True, kw_only=True):
    """The feedback is undone (``removed`` false when there was none: a retry)."""

    status: Literal["deleted"] = "deleted"
    removed: bool
