"""``GET /v1/trending``: what is engaged with now, globally, in a genre or on a platform."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.errors import request_id_of
from api.params import LimitQuery
from api.schemas.common import TitleMetadata, view
from api.schemas.learning import TrendingItem, TrendingList, Window
from api.security import BEARER
from api.state import AppState
from graph.store import Repositories
from learning import trending

__all__ = ["TrendingController"]

#: The seed's wording per window.
_EXPLAIN = {"1h": "Trending this hour", "24h": "Trending today", "7d": "Trending this week"}

NameQuery = Annotated[
    str | None,
    QueryParameter(max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$", description="A name"),
]


class TrendingController(Controller):
    """Live trending titles."""

    path = "/v1/trending"
    tags = ("recommendations",)
    security = BEARER

    @get("", operation_id="GetTrending")
    async def trending(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        window: Annotated[Window, QueryParameter(description="1h, 24h or 7d")] = "24h",
        genre: NameQuery = None,
        platform: NameQuery = None,
        limit: LimitQuery = 20,
    ) -> TrendingList:
        """Titles by decayed engagement in the window (empty while Redis is down)."""
        scope = trending.scope_key(genre=genre, platform=platform)
        nothing: list[tuple[str, float]] = []
        ranked = await app_state.redis.run(
            lambda client: trending.top(client, window, scope, limit), nothing
        )
        titles = await repos.items.summaries([item for item, _ in ranked])
        items = [
            TrendingItem(
                item_id=item,
                score=round(score, 4),
                rank=rank,
                metadata=view(titles[item], TitleMetadata),
                explanation=_EXPLAIN[window] + (f" in {genre}" if genre else ""),
            )
            for rank, (item, score) in enumerate(
                ((i, s) for i, s in ranked if i in titles), start=1
            )
        ]
        return TrendingList(
            window=window,
            genre=genre,
            platform=platform,
            items=items,
            request_id=request_id_of(request),
        )
