"""``/v1/recommendations``: the home feed and explanations."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import QueryParameter
from msgspec import Meta

from api import feeds
from api.errors import ApiError, ErrorCode, request_id_of
from api.explain import build_explanation
from api.params import (
    CategoryQuery,
    ContextQuery,
    DeviceHeader,
    ItemIdPath,
    KindQuery,
    LimitQuery,
    SessionHeader,
    UserIdQuery,
)
from api.queries import HomeQuery
from api.schemas.common import ID_PATTERN
from api.schemas.openapi import to_spec
from api.schemas.recommendations import RecommendationExplain, RecommendationList
from api.security import BEARER
from api.serving import cached_response
from api.state import AppState
from api.variants import merged, model_for
from graph.store import Repositories

__all__ = ["RecommendationController"]

_ID_RE = re.compile(ID_PATTERN)
_ID_LIST = ID_PATTERN.removeprefix("^").removesuffix("(?![\\s\\S])")
#: One ``exclude`` value: ids, comma-separated (empty: none).
_EXCLUDED = Annotated[
    str, Meta(pattern=rf"^({_ID_LIST}(,{_ID_LIST})*)?(?![\s\S])", max_length=13_000)
]
#: What OpenAPI documents: the API document's ``string[]``, one id (or nothing) per value. The
#: comma-separated alias is accepted beyond it (within 100 ids in all, which JSON Schema cannot
#: count across values).
_DOCUMENTED = Annotated[
    list[Annotated[str, Meta(pattern=rf"^({_ID_LIST})?(?![\s\S])", max_length=128)]],
    Meta(max_length=100),
]
ExcludeQuery = Annotated[
    list[_EXCLUDED] | None,
    QueryParameter(
        max_items=100,
        description="Title ids to leave out, at most 100: repeated (exclude=a&exclude=b); an "
        "empty value leaves nothing out. Also accepted: comma-separated (exclude=a,b), within "
        "100 ids in all",
        schema_extra={
            "one_of": [to_spec(msgspec.json.schema(_DOCUMENTED)), Schema(type=OpenAPIType.NULL)]
        },
    ),
]


def _parse_exclude(raw: list[str] | None) -> tuple[str, ...]:
    parts = (part.strip() for text in raw or [] for part in text.split(","))
    ids = tuple(sorted({part for part in parts if part}))
    bad = next((i for i in ids if not _ID_RE.match(i)), None)
    if bad is not None or len(ids) > 100:
        reason = f"invalid id {bad!r}" if bad is not None else "at most 100 ids"
        raise ApiError(
            400, ErrorCode.INVALID_INPUT, "the request is invalid", field="exclude", reason=reason
        )
    return ids


def _genre(context: str, category: str) -> str | None:
    """The genre filter: ``category`` (unless ``all``) or the genre of ``context=genre:<name>``.

    Raises:
        ApiError: 400 when the two name different genres.
    """
    wanted = None if category.lower() == "all" else category
    named = context.split(":", 1)[1] if context.startswith("genre:") else None
    if wanted is not None and named is not None and wanted != named:
        raise ApiError(
            400,
            ErrorCode.INVALID_INPUT,
            "the request is invalid",
            field="category",
            reason="names another genre than the context",
        )
    return wanted or named


class RecommendationController(Controller):
    """Personalised recommendations."""

    path = "/v1/recommendations"
    tags = ("recommendations",)
    security = BEARER

    @get("", operation_id="ListRecommendations", response_model=RecommendationList)
    async def list_recommendations(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        user_id: UserIdQuery,
        context: ContextQuery = "homepage",
        limit: LimitQuery = 20,
        category: CategoryQuery = "all",
        kind: KindQuery = None,
        exclude: ExcludeQuery = None,
        session_id: SessionHeader = None,
        device_type: DeviceHeader = None,
    ) -> Response[RecommendationList]:
        """The home feed: several graph sources merged, ranked, diversified and explained.

        ``category`` names a genre (``all``: every genre; with ``context=genre:<name>`` the
        same genre, else 400); ``X-Session-Id`` and ``X-Device-Type`` are accepted as the API
        document sends them (the interactions that follow store them).
        """
        context = "homepage" if context == "home" else context
        query = HomeQuery(
            user_id=user_id,
            context=context,
            limit=limit,
            genre=_genre(context, category),
            kind=kind,
            exclude=_parse_exclude(exclude),
        )
        return await cached_response(app_state, query, feeds.home_feed, request_id_of(request))

    @get("/{item_id:str}/explain", operation_id="ExplainRecommendation")
    async def explain_recommendation(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        item_id: ItemIdPath,
        user_id: UserIdQuery,
    ) -> RecommendationExplain:
        """Why this title for this user: factors, anchors, people and graph paths."""
        assigned = await app_state.experiments.assign(app_state.store, user_id)
        model = model_for(await app_state.model.get(app_state), user_id, merged(assigned))
        data = await repos.recs.explain(user_id, item_id, model.version)
        titles = await repos.items.summaries([item_id])
        return build_explanation(
            data,
            user_id=user_id,
            item_id=item_id,
            title=titles.get(item_id),
            model_version=model.version,
            request_id=request_id_of(request),
        )
