"""The recommendation bodies: home feed, because-you-watched rows, social, more like this.

Each feed takes a :class:`FeedContext` (the repositories of one session, the promoted model,
the metrics, Redis) and its endpoint's query, and returns the body; it reads the graph only
through the repositories, and what trends now from Redis (``learning/trending.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api import ranker, ranking
from api.schemas.common import TitleRef
from api.schemas.recommendations import (
    BecauseYouWatched,
    BecauseYouWatchedRow,
    RecommendationList,
    SimilarItem,
    SimilarItems,
)
from graph.errors import NotFoundError
from graph.experiments import VariantConfig
from graph.recommendations import ALL_SOURCES, HOME_ANCHORS, Filters, per_source
from graph.users import UnknownGenresError
from learning import trending

if TYPE_CHECKING:
    from api.metrics import Metrics
    from api.queries import BecauseQuery, HomeQuery
    from api.redisguard import RedisGuard
    from graph.recommendations import ModelInfo
    from graph.store import Repositories

__all__ = ["FeedContext", "because_you_watched", "home_feed", "similar_items"]


#: Serving as configured: no experiment variant changes anything.
NO_VARIANT = VariantConfig()
#: The window of the trending source ("Trending this week"), and the window and depth of its
#: titles explained as "Trending now".
TRENDING_WINDOW = "7d"
TRENDING_NOW = ("1h", 10)


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What every feed works with: one session's repositories, the model, the metrics, Redis
    (``None``: no trending source)."""

    repos: Repositories
    model: ModelInfo
    metrics: Metrics
    variant: VariantConfig = NO_VARIANT
    redis: RedisGuard | None = None


_CONTEXT_SOURCES = {
    "homepage": ALL_SOURCES,
    "because_you_watched": frozenset({"similar", "popular"}),
    "social": frozenset({"social", "popular"}),
    "genre": ALL_SOURCES,
}


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


async def home_feed(ctx: FeedContext, query: HomeQuery) -> RecommendationList:
    """Candidates from every source of the context, merged, ranked, diversified and explained.

    Popular titles only fill the row in the non-home contexts (and are the whole answer for a
    user with no history: cold start). ``query.fill`` off leaves them out altogether.
    """
    context, limit, model, genre = query.context, query.limit, ctx.model, query.genre
    sources = _CONTEXT_SOURCES[context.split(":", 1)[0]]
    if genre is not None:
        field = "context" if context.startswith("genre:") else "category"
        await _check_genre(ctx.repos, genre, field)
    filters = Filters(exclude=list(query.exclude), kind=query.kind, genre=genre)
    k = ctx.variant.candidates or per_source(limit)
    trend, now = await _trending(ctx, genre, k) if "trending" in sources else ([], set())
    rows = await ctx.repos.recs.home_sources(
        query.user_id,
        model=model,
        sources=sources,
        k=k,
        anchors=HOME_ANCHORS,
        filters=filters,
        trending=trend,
    )
    if model.version is None:
        ctx.metrics.fallbacks.labels(kind="no_model").inc()
    cands = ranking.merge_sources(rows, ctx.variant.source_weights)
    await ranker.rerank(ctx.repos.items, cands, rows, model, ctx.variant)
    for item_id in now & cands.keys():
        cands[item_id].trending_now = True
    general = ranking.GENERAL_SOURCES
    personal = [c for c in cands.values() if set(c.contributions) - general]
    fillers = [c for c in cands.values() if not set(c.contributions) - general]
    pool = personal + fillers if context == "homepage" or len(personal) < limit else personal
    if not query.fill:
        pool = personal
    cold_start = not personal
    ordered = sorted(pool, key=lambda c: (-c.score, c.item_id))[: limit * 3]
    titles = await ctx.repos.items.summaries([c.item_id for c in ordered])
    diversity = ctx.variant.diversity
    picked = ranking.diversify(
        ordered, titles, limit, ranking.DIVERSITY if diversity is None else diversity
    )
    return RecommendationList(
        recommendations=ranking.to_recommendations(picked, titles),
        model_version=model.version,
        generated_at=now_iso(),
        user_id=query.user_id,
        context=context,
        cold_start=cold_start,
    )


async def _trending(
    ctx: FeedContext, genre: str | None, k: int
) -> tuple[list[tuple[str, float]], set[str]]:
    """The titles trending this week (in ``genre`` when given), and those trending now.

    Empty while Redis is down. More than ``k`` are read: the graph filters out the seen ones.
    """
    if ctx.redis is None:
        return [], set()
    scope = trending.scope_key(genre=genre)
    nothing: list[tuple[str, float]] = []
    week = await ctx.redis.run(
        lambda client: trending.top(client, TRENDING_WINDOW, scope, k + 20), nothing
    )
    if not week:
        return [], set()
    window, depth = TRENDING_NOW
    now = await ctx.redis.run(lambda client: trending.top(client, window, scope, depth), nothing)
    return week, {item_id for item_id, _ in now}


async def _check_genre(repos: Repositories, genre: str, field: str) -> None:
    """Raise NotFoundError naming ``field`` unless the genre exists."""
    try:
        await repos.users.check_genres([genre])
    except UnknownGenresError as exc:
        raise NotFoundError(field, genre) from exc


async def because_you_watched(ctx: FeedContext, query: BecauseQuery) -> BecauseYouWatched:
    """One row per recent, strongly positive anchor: its GNN neighbours, else content ones."""
    rows, limit = query.rows, query.limit
    found = await ctx.repos.recs.home_sources(
        query.user_id,
        model=ctx.model,
        sources=frozenset({"similar"}),
        k=limit + rows * 2,
        anchors=rows,
        filters=Filters(),
    )
    anchors, gnn, content = found.anchors, found.similar, found.content
    if content:
        ctx.metrics.fallbacks.labels(kind="content_similarity").inc()
    titles = await ctx.repos.items.summaries(sorted({r.item_id for r in gnn + content}))
    used: set[str] = set()
    out: list[BecauseYouWatchedRow] = []
    for anchor in anchors:
        source = "gnn" if any(r.anchor_id == anchor.item_id for r in gnn) else "content"
        mine = [r for r in (gnn if source == "gnn" else content) if r.anchor_id == anchor.item_id]
        mine = [r for r in mine if r.item_id not in used][:limit]
        if not mine:
            continue
        used.update(r.item_id for r in mine)
        cands = []
        ref = TitleRef(item_id=anchor.item_id, title=anchor.title)
        source_name = "similar" if source == "gnn" else "content"
        best = max(r.score for r in mine) or 1.0
        for r in mine:
            cand = ranking.Candidate(item_id=r.item_id, anchor=ref)
            cand.contributions[source_name] = r.score / best
            cand.shared = ranking.shared_text(r)[:4]
            cands.append(cand)
        out.append(
            BecauseYouWatchedRow(
                anchor=ref,
                reason=f"Because you watched {anchor.title or anchor.item_id}",
                source=source,
                items=ranking.to_recommendations(cands, titles),
            )
        )
    return BecauseYouWatched(
        user_id=query.user_id, rows=out, model_version=ctx.model.version, generated_at=now_iso()
    )


async def similar_items(
    repos: Repositories,
    metrics: Metrics,
    *,
    item_id: str,
    model_version: str | None,
    limit: int,
    request_id: str,
) -> SimilarItems:
    """GNN neighbours of the given model version, else titles sharing content features.

    Raises:
        NotFoundError: The title does not exist.
    """
    items = repos.items
    source_item = await items.get(item_id)
    source, chosen = await repos.recs.more_like_this(item_id, model_version=model_version, k=limit)
    if source == "content":
        metrics.fallbacks.labels(kind="content_similarity").inc()
    titles = await items.summaries([r.item_id for r in chosen])
    result = []
    for rank, row in enumerate(chosen, start=1):
        shared = ranking.shared_text(row)
        if source == "gnn":
            reason = f"Graph neighbours (GraphSAGE {model_version}, cosine {row.score:.2f})"
        else:
            reason = "Shares " + ranking.names_text(shared[:4]) if shared else "Shares features"
        result.append(
            SimilarItem(
                item_id=row.item_id,
                similarity_score=round(row.score, 4),
                rank=rank,
                metadata=ranking.metadata_of(titles.get(row.item_id)),
                source=source,
                similarity_reason=reason,
                shared=shared[:8],
            )
        )
    return SimilarItems(
        source_item=TitleRef(item_id=item_id, title=source_item.title),
        similar_items=result,
        item_id=item_id,
        source=source,
        model_version=model_version if source == "gnn" else None,
        request_id=request_id,
        generated_at=now_iso(),
    )
