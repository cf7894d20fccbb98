"""``/v1/feedback``: explicit feedback on recommendations, replaced or undone by its id."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from functools import partial
from typing import Annotated

from litestar import Controller, Response, delete, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api import cache
from api.errors import ApiError, ErrorCode
from api.idempotency import Once
from api.schemas.common import ID_PATTERN
from api.schemas.interactions import (
    FEEDBACK_ID_PATTERN,
    FeedbackCreate,
    FeedbackDeleted,
    FeedbackRecorded,
    FeedbackUpdate,
)
from api.security import BEARER
from api.state import AppState
from graph.interactions import Feedback
from graph.store import Repositories

__all__ = ["FeedbackController", "feedback_id"]

_ID_RE = re.compile(ID_PATTERN)
_EXCLUDED = "item_excluded_from_future_recommendations"
FeedbackIdPath = Annotated[
    str,
    PathParameter(pattern=FEEDBACK_ID_PATTERN, description="The feedback (from POST /v1/feedback)"),
]


def feedback_id(user_id: str, item_id: str) -> str:
    """The id of a user's feedback on a title (one per pair): ``fb_`` and their base64url."""
    raw = f"{user_id}\n{item_id}".encode()
    return "fb_" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _pair(fid: str) -> tuple[str, str]:
    """The user and title of a feedback id.

    Raises:
        ApiError: 404 when the id is not one this API hands out.
    """
    text = fid.removeprefix("fb_")
    try:
        user_id, item_id = (
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().split("\n")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        user_id = item_id = ""
    if not (_ID_RE.match(user_id) and _ID_RE.match(item_id)):
        raise ApiError(
            404, ErrorCode.NOT_FOUND, "feedback not found", field="feedback_id", reason="unknown id"
        )
    return user_id, item_id


def _kind(data: FeedbackCreate | FeedbackUpdate) -> Feedback:
    """``feedback_type`` (or its alias ``feedback``).

    Raises:
        ApiError: 400 when neither is given, or both with different values.
    """
    kinds = {k for k in (data.feedback_type, data.feedback) if k is not None}
    if len(kinds) != 1:
        reason = "required" if not kinds else "feedback and feedback_type differ"
        raise ApiError(
            400,
            ErrorCode.INVALID_INPUT,
            "the request is invalid",
            field="feedback_type",
            reason=reason,
        )
    return Feedback(kinds.pop())


async def _store(
    state: AppState,
    repos: Repositories,
    user_id: str,
    item_id: str,
    data: FeedbackCreate | FeedbackUpdate,
    *,
    replace: bool,
) -> FeedbackRecorded:
    kind = _kind(data)
    await repos.interactions.feedback(
        user_id, item_id, kind, data.reason, dt.datetime.now(dt.UTC), replace=replace
    )
    await cache.drop_user(state, user_id, bookmarks=await repos.bookmarks())
    stored = "NOT_INTERESTED" if kind is Feedback.NOT_INTERESTED else "DISLIKED"
    actions = [f"stored {stored} for this user and title"]
    if replace:
        actions.insert(0, "removed this user's earlier feedback on the title")
    return FeedbackRecorded(
        action_taken=_EXCLUDED,
        feedback_id=feedback_id(user_id, item_id),
        user_id=user_id,
        item_id=item_id,
        feedback_type=str(kind),
        reason=data.reason,
        actions=[
            *actions,
            "the title is excluded from this user's recommendations from now on",
            "this user's cached recommendations were dropped",
        ],
    )


class FeedbackController(Controller):
    """Explicit feedback on recommendations."""

    path = "/v1/feedback"
    tags = ("feedback",)
    security = BEARER

    @post("", operation_id="GiveFeedback", status_code=200, response_model=FeedbackRecorded)
    async def give_feedback(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        data: JSONBody[FeedbackCreate],
        once: NamedDependency[Once],
    ) -> Response[FeedbackRecorded]:
        """``not_interested`` (with a reason) or ``dislike``: the title never comes back.

        The answer names the feedback's id (``PUT`` / ``DELETE /v1/feedback/{id}``). With
        ``Idempotency-Key`` a retry gets the first answer again.
        """
        store = partial(_store, app_state, repos, data.user_id, data.item_id, data, replace=False)
        return await once("feedback", data, store)

    @put("/{feedback_id:str}", operation_id="ReplaceFeedback", response_model=FeedbackRecorded)
    async def replace_feedback(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        feedback_id: FeedbackIdPath,
        data: JSONBody[FeedbackUpdate],
        once: NamedDependency[Once],
    ) -> Response[FeedbackRecorded]:
        """Replace the feedback (its type and reason); it is created if it was undone."""
        store = partial(_store, app_state, repos, *_pair(feedback_id), data, replace=True)
        return await once("feedback", data, store)

    @delete("/{feedback_id:str}", operation_id="DeleteFeedback", status_code=200)
    async def delete_feedback(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        feedback_id: FeedbackIdPath,
    ) -> FeedbackDeleted:
        """Undo the feedback (a ``not_interested`` or ``dislike``): the title may come back.

        Safe to retry: a second call answers ``removed: false``.
        """
        user_id, item_id = _pair(feedback_id)
        removed = await repos.interactions.remove_feedback(user_id, item_id)
        if removed:
            await cache.drop_user(app_state, user_id, bookmarks=await repos.bookmarks())
        return FeedbackDeleted(
            action_taken="item_allowed_in_future_recommendations",
            feedback_id=feedback_id,
            user_id=user_id,
            item_id=item_id,
            removed=removed,
        )
