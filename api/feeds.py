"""The recommendation bodies: home feed, because-you-watched rows, social, more like this."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from api import ranking
from api.schemas.common import TitleRef
from api.schemas.recommendations import (
    BecauseYouWatched,
    BecauseYouWatchedRow,
    RecommendationList,
    SimilarItem,
    SimilarItems,
)
from graph.recommendations import ALL_SOURCES, HOME_ANCHORS, Filters, per_source

if TYPE_CHECKING:
    from api.metrics import Metrics
    from graph.items import ItemRepository
    from graph.recommendations import ModelInfo, RecommendationRepository

__all__ = ["because_you_watched", "home_feed", "similar_items"]

_CONTEXT_SOURCES = {
    "home": ALL_SOURCES,
    "because_you_watched": frozenset({"similar", "popular"}),
    "social": frozenset({"social", "popular"}),
    "genre": ALL_SOURCES,
}


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


async def home_feed(
    recs: RecommendationRepository,
    items: ItemRepository,
    metrics: Metrics,
    *,
    model: ModelInfo,
    user_id: str,
    context: str,
    limit: int,
    kind: str | None,
    exclude: list[str],
    request_id: str,
    fill: bool = True,
) -> RecommendationList:
    """Candidates from every source of the context, merged, ranked, diversified and explained.

    Popular titles only fill the row in the non-home contexts (and are the whole answer for a
    user with no history: cold start). ``fill=False`` leaves them out altogether.
    """
    genre = context.split(":", 1)[1] if context.startswith("genre:") else None
    sources = _CONTEXT_SOURCES[context.split(":", 1)[0]]
    filters = Filters(exclude=exclude, kind=kind, genre=genre)
    k = per_source(limit)
    rows = await recs.home_sources(
        user_id, model=model, sources=sources, k=k, anchors=HOME_ANCHORS, filters=filters
    )
    if model.version is None:
        metrics.fallbacks.labels(kind="no_model").inc()
    cands = ranking.merge_sources(rows)
    personal = [c for c in cands.values() if set(c.contributions) - {"popular"}]
    fillers = [c for c in cands.values() if not set(c.contributions) - {"popular"}]
    pool = personal + fillers if context == "home" or len(personal) < limit else personal
    if not fill:
        pool = personal
    cold_start = not personal
    ordered = sorted(pool, key=lambda c: (-c.score, c.item_id))[: limit * 3]
    titles = await items.summaries([c.item_id for c in ordered])
    picked = ranking.diversify(ordered, titles, limit)
    return RecommendationList(
        recommendations=ranking.to_recommendations(picked, titles),
        request_id=request_id,
        model_version=model.version,
        generated_at=now_iso(),
        user_id=user_id,
        context=context,
        cold_start=cold_start,
    )


async def because_you_watched(
    recs: RecommendationRepository,
    items: ItemRepository,
    metrics: Metrics,
    *,
    model: ModelInfo,
    user_id: str,
    rows: int,
    limit: int,
    request_id: str,
) -> BecauseYouWatched:
    """One row per recent, strongly positive anchor: its GNN neighbours, else content ones."""
    found = await recs.home_sources(
        user_id,
        model=model,
        sources=frozenset({"similar"}),
        k=limit + rows * 2,
        anchors=rows,
        filters=Filters(),
    )
    anchors, gnn, content = found.anchors, found.similar, found.content
    if content:
        metrics.fallbacks.labels(kind="content_similarity").inc()
    titles = await items.summaries(sorted({r.item_id for r in gnn + content}))
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
        user_id=user_id,
        rows=out,
        request_id=request_id,
        model_version=model.version,
        generated_at=now_iso(),
    )


async def similar_items(
    recs: RecommendationRepository,
    items: ItemRepository,
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
    await items.get(item_id)
    source, chosen = await recs.more_like_this(item_id, model_version=model_version, k=limit)
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
                score=round(row.score, 4),
                rank=rank,
                metadata=ranking.metadata_of(titles.get(row.item_id)),
                source=source,
                similarity_reason=reason,
                shared=shared[:8],
            )
        )
    return SimilarItems(
        item_id=item_id,
        items=result,
        source=source,
        model_version=model_version if source == "gnn" else None,
        request_id=request_id,
        generated_at=now_iso(),
    )
