"""``/v1/recommendations``: the home feed and explanations."""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api import feeds
from api.errors import ApiError, ErrorCode, request_id_of
from api.explain import build_explanation
from api.params import ContextQuery, ItemIdPath, KindQuery, LimitQuery, UserIdQuery
from api.queries import HomeQuery
from api.schemas.common import ID_PATTERN
from api.schemas.recommendations import RecommendationExplain, RecommendationList
from api.serving import cached_response
from api.state import AppState
from graph.store import Repositories

__all__ = ["RecommendationController"]

_ID_RE = re.compile(ID_PATTERN)
ExcludeQuery = Annotated[
    str | None,
    QueryParameter(max_length=13_000, description="Comma-separated title ids to leave out"),
]


def _parse_exclude(raw: str | None) -> tuple[str, ...]:
    ids = tuple(sorted({part.strip() for part in (raw or "").split(",") if part.strip()}))
    bad = next((i for i in ids if not _ID_RE.match(i)), None)
    if bad is not None or len(ids) > 100:
        reason = f"invalid id {bad!r}" if bad is not None else "at most 100 ids"
        raise ApiError(
            400, ErrorCode.INVALID_INPUT, "the request is invalid", field="exclude", reason=reason
        )
    return ids


class RecommendationController(Controller):
    """Personalised recommendations."""

    path = "/v1/recommendations"
    tags = ("recommendations",)

    @get("", operation_id="ListRecommendations", response_model=RecommendationList)
    async def list_recommendations(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        user_id: UserIdQuery,
        context: ContextQuery = "home",
        limit: LimitQuery = 20,
        category: KindQuery = None,
        exclude: ExcludeQuery = None,
    ) -> Response[RecommendationList]:
        """The home feed: several graph sources merged, ranked, diversified and explained."""
        query = HomeQuery(
            user_id=user_id,
            context=context,
            limit=limit,
            category=category,
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
        model = await app_state.model.get(app_state)
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
