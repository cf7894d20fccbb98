"""``/v1/interactions``: signals that change the next recommendations, stored exactly once."""

from __future__ import annotations

import datetime as dt
import hashlib

import msgspec
from litestar import Controller, MediaType, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api import cache
from api.errors import ApiError, ErrorCode
from api.params import DeviceHeader, EventIdHeader, IdempotencyKeyHeader, SessionHeader
from api.schemas.interactions import InteractionAccepted, InteractionContext, InteractionCreate
from api.security import BEARER
from api.served_log import log_event
from api.state import AppState
from graph import signals
from graph.errors import ConflictError
from graph.interactions import NewEvent
from graph.store import Repositories
from learning.entries import Interaction

__all__ = ["InteractionController", "derive_event_id", "when"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: How far ahead of the server's clock a timestamp may be (clients' clocks drift).
_AHEAD = dt.timedelta(days=1)


def _invalid(field: str, reason: str) -> ApiError:
    return ApiError(
        400, ErrorCode.INVALID_INPUT, "the request is invalid", field=field, reason=reason
    )


def _check_value(data: InteractionCreate) -> None:
    if data.action == "rating" and (data.value is None or not 0.5 <= data.value <= 5):
        raise _invalid("value", "a rating needs a value between 0.5 and 5")
    if data.action in ("watch", "abandon") and data.value is not None and data.value > 1:
        raise _invalid("value", "the fraction watched is between 0 and 1")


def when(timestamp: dt.datetime | None) -> dt.datetime:
    """When the interaction happened: the timestamp (UTC when it has no offset), else now.

    Raises:
        ApiError: 400 for a timestamp before 1970 or more than a day ahead.
    """
    now = dt.datetime.now(dt.UTC)
    if timestamp is None:
        return now
    at = timestamp if timestamp.tzinfo is not None else timestamp.replace(tzinfo=dt.UTC)
    if at < _EPOCH:
        raise _invalid("timestamp", "before 1970-01-01T00:00:00Z")
    if at > now + _AHEAD:
        raise _invalid("timestamp", "more than a day ahead of the server's clock")
    return at


def derive_event_id(user_id: str, item_id: str, action: str, at: dt.datetime) -> str:
    """The event id of a request that names none: a digest of user, title, action and time, so
    a blind retry of the same request (same ``timestamp``) stores one Event."""
    instant = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    digest = hashlib.sha256("\x1f".join((user_id, item_id, action, instant)).encode())
    return "evt_" + digest.hexdigest()[:32]


def _reused() -> ApiError:
    """The one 409 of a reused event id, whichever header (or none) carried it."""
    return ApiError(
        409,
        ErrorCode.INVALID_INPUT,
        "event id reused",
        field="event_id",
        reason="the event id was used for a different interaction",
    )


class InteractionController(Controller):
    """Interactions (impressions, clicks, views, likes, ratings, purchases ...)."""

    path = "/v1/interactions"
    tags = ("interactions",)
    security = BEARER

    @post("", operation_id="RecordInteraction", status_code=202, response_model=InteractionAccepted)
    async def record_interaction(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[InteractionCreate],
        event_id_header: EventIdHeader = None,
        idempotency_key: IdempotencyKeyHeader = None,
        session_header: SessionHeader = None,
        device_header: DeviceHeader = None,
    ) -> Response[InteractionAccepted]:
        """Store one interaction exactly once per event id; it shows in the next request.

        The event id is ``X-Event-ID``, else ``Idempotency-Key``, else derived from the user,
        title, action and ``timestamp``. The same id twice (even concurrently) stores one Event
        and returns the same body; with a different interaction it is 409. The context (body
        ``context``, else the ``X-Session-Id`` / ``X-Device-Type`` headers) is kept on the Event.
        """
        _check_value(data)
        at = when(data.timestamp)
        context = data.context or InteractionContext()
        action = str(data.action)
        event = NewEvent(
            event_id=event_id_header
            or idempotency_key
            or derive_event_id(data.user_id, data.item_id, action, at),
            user_id=data.user_id,
            item_id=data.item_id,
            action=data.action,
            value=data.value,
            at=at,
            session_id=context.session_id or data.session_id or session_header,
            device_type=context.device_type or device_header,
            source=context.source,
            position=context.position,
        )
        stored = await cache.get_idempotent(app_state, event.event_id)
        if stored is not None:
            previous = msgspec.json.decode(stored, type=InteractionAccepted)
            if (previous.user_id, previous.item_id, previous.action, previous.value) != (
                data.user_id,
                data.item_id,
                action,
                data.value,
            ):
                raise _reused()
            return Response(content=stored, status_code=202, media_type=MediaType.JSON)  # type: ignore[arg-type]
        try:
            record = await repos.interactions.record(event)
        except ConflictError:
            raise _reused() from None
        body = msgspec.json.encode(
            InteractionAccepted(
                event_id=record.event_id,
                user_id=record.user_id,
                item_id=record.item_id,
                action=record.action,
                value=record.value,
                weight=signals.weight(record.action, record.value),
                recorded_at=record.at.isoformat(),
            )
        )
        if record.created:
            await cache.drop_user(app_state, data.user_id, bookmarks=await repos.bookmarks())
            logged = Interaction(
                user=data.user_id,
                item=data.item_id,
                action=action,
                value=data.value,
                list_id=context.recommendation_id or "",
                position=context.position,
                at=at.timestamp(),
            )
            await log_event(app_state, logged)
        await cache.put_idempotent(app_state, event.event_id, body)
        return Response(content=body, status_code=202, media_type=MediaType.JSON)  # type: ignore[arg-type]
