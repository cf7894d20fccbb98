"""``/v1/interactions`` and ``/v1/feedback``: signals that change the next recommendations."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from litestar import Controller, MediaType, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api import cache
from api.errors import ApiError, ErrorCode
from api.params import EventIdHeader, IdempotencyKeyHeader
from api.schemas.interactions import (
    FeedbackAccepted,
    FeedbackCreate,
    InteractionAccepted,
    InteractionCreate,
)
from api.state import AppState
from graph import signals
from graph.interactions import Action, Feedback, NewEvent
from graph.store import Repositories

__all__ = ["FeedbackController", "InteractionController"]


def _check_value(data: JSONBody[InteractionCreate]) -> None:
    if data.action == "rating" and (data.value is None or not 0.5 <= data.value <= 5):
        raise ApiError(
            400,
            ErrorCode.INVALID_INPUT,
            "the request is invalid",
            field="value",
            reason="a rating needs a value between 0.5 and 5",
        )
    if data.action in ("watch", "abandon") and data.value is not None and data.value > 1:
        raise ApiError(
            400,
            ErrorCode.INVALID_INPUT,
            "the request is invalid",
            field="value",
            reason="the fraction watched is between 0 and 1",
        )


class InteractionController(Controller):
    """Interactions (impressions, views, likes, ratings ...)."""

    path = "/v1/interactions"
    tags = ("interactions",)

    @post("", operation_id="RecordInteraction", status_code=202, response_model=InteractionAccepted)
    async def record_interaction(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[InteractionCreate],
        event_id_header: EventIdHeader = None,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[InteractionAccepted]:
        """Store one interaction exactly once per event id; it shows in the next request.

        The same ``X-Event-ID`` / ``Idempotency-Key`` twice (even concurrently) stores one
        Event and returns the same body.
        """
        _check_value(data)
        event_id = event_id_header or idempotency_key or uuid.uuid4().hex
        stored = await cache.get_idempotent(app_state, event_id)
        if stored is not None:
            previous = msgspec.json.decode(stored, type=InteractionAccepted)
            if (previous.user_id, previous.item_id, previous.action) != (
                data.user_id,
                data.item_id,
                data.action,
            ):
                raise ApiError(
                    409,
                    ErrorCode.INVALID_INPUT,
                    "event id reused",
                    field="X-Event-ID",
                    reason="used for a different interaction",
                )
            return Response(content=stored, status_code=202, media_type=MediaType.JSON)  # type: ignore[arg-type]
        at = data.timestamp or dt.datetime.now(dt.UTC)
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        record = await repos.interactions.record(
            NewEvent(
                event_id=event_id,
                user_id=data.user_id,
                item_id=data.item_id,
                action=Action(data.action),
                value=data.value,
                at=at,
                session_id=data.session_id,
            )
        )
        body = msgspec.json.encode(
            InteractionAccepted(
                event_id=record.event_id,
                user_id=record.user_id,
                item_id=record.item_id,
                action=record.action,
                weight=signals.weight(record.action, record.value),
                recorded_at=record.at.isoformat(),
            )
        )
        if record.created:
            await cache.drop_user(app_state, data.user_id, bookmarks=await repos.bookmarks())
        await cache.put_idempotent(app_state, event_id, body)
        return Response(content=body, status_code=202, media_type=MediaType.JSON)  # type: ignore[arg-type]


class FeedbackController(Controller):
    """Explicit feedback on recommendations."""

    path = "/v1/feedback"
    tags = ("feedback",)

    @post("", operation_id="GiveFeedback", status_code=200)
    async def give_feedback(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[FeedbackCreate],
    ) -> FeedbackAccepted:
        """``not_interested`` (with a reason) or ``dislike``: the title never comes back."""
        kind = Feedback(data.feedback)
        await repos.interactions.feedback(
            data.user_id, data.item_id, kind, data.reason, dt.datetime.now(dt.UTC)
        )
        await cache.drop_user(app_state, data.user_id, bookmarks=await repos.bookmarks())
        stored = "NOT_INTERESTED" if kind is Feedback.NOT_INTERESTED else "DISLIKED"
        return FeedbackAccepted(
            user_id=data.user_id,
            item_id=data.item_id,
            feedback=data.feedback,
            actions=[
                f"stored {stored} for this user and title",
                "the title is excluded from this user's recommendations from now on",
                "this user's cached recommendations were dropped",
            ],
        )
