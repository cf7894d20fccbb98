"""The last step of the fallback chain: popular titles per category, kept in Redis.

While Neo4j answers, every API process rebuilds the lists about once a minute
(:func:`keep_current`): the ``POPULAR_LIMIT`` most popular titles overall (``all``) and in each
genre, with their display metadata, one hash field per category. When Neo4j is down and nothing
is cached for the user, ``GET /v1/recommendations`` answers from the list of its ``category``
(:func:`popular_response`), marked ``"fallback": true`` and explained as a popular fallback. The
lists outlive an outage (kept a day); without one for the category the answer stays 503.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import MediaType, Response

from api import ranking
from api.feeds import now_iso
from api.schemas.recommendations import Explanation, Recommendation, RecommendationList
from graph.errors import GraphError

if TYPE_CHECKING:
    from api.queries import HomeQuery
    from api.state import AppState

__all__ = ["POPULAR_KEY", "keep_current", "popular_response", "refresh"]

log = logging.getLogger("api.fallback")

#: The Redis hash of the lists: category (a genre, or ``all``) → its titles, JSON.
POPULAR_KEY = "graphrec:popular"
#: Titles per list: the largest ``limit`` a request may ask for.
POPULAR_LIMIT = 100
#: How often the lists are rebuilt from the graph, and how long they outlive an outage.
REFRESH_SECONDS = 60.0
KEEP_SECONDS = 86_400
#: How soon a refresh that stored nothing is tried again.
RETRY_SECONDS = 5.0
ALL = "all"

_decode = msgspec.json.Decoder(list[Recommendation]).decode


def _explained(category: str) -> Explanation:
    where = "with viewers" if category == ALL else f"in {category}"
    return Explanation(
        type="popularity",
        reason=f"Popular {where} (a fallback: personal recommendations are unavailable now)",
        kind="popular_fallback",
        sources=["popular"],
        genres=[] if category == ALL else [category],
    )


async def refresh(state: AppState) -> int:
    """Rebuild the lists from the graph and store them in Redis.

    Returns:
        The number of categories stored (0 when Redis did not answer).

    Raises:
        GraphError: Neo4j does not answer (the lists in Redis stay as they were).
    """
    async with state.store.repositories() as repos:
        lists = await repos.recs.popular_by_category(POPULAR_LIMIT)
        titles = await repos.items.summaries(sorted({i for ids in lists.values() for i in ids}))
    fields: dict[str, bytes] = {}
    for category, ids in lists.items():
        best = max((titles[i].popularity or 0.0 for i in ids if i in titles), default=0.0) or 1.0
        why = _explained(category)
        fields[category] = msgspec.json.encode(
            [
                Recommendation(
                    item_id=i,
                    score=round((titles[i].popularity or 0.0) / best, 4),
                    rank=rank,
                    metadata=ranking.metadata_of(titles[i]),
                    explanation=why,
                )
                for rank, i in enumerate((i for i in ids if i in titles), start=1)
            ]
        )
    if not fields:
        return 0

    async def store(client: Any) -> int:
        pipe = client.pipeline(transaction=True)
        pipe.delete(POPULAR_KEY)
        pipe.hset(POPULAR_KEY, mapping=fields)
        pipe.expire(POPULAR_KEY, KEEP_SECONDS)
        await pipe.execute()
        return len(fields)

    return await state.redis.run(store, 0)


async def keep_current(state: AppState) -> None:
    """Rebuild the lists every ``REFRESH_SECONDS`` until cancelled (skipped while Neo4j is
    down: the last lists stay)."""
    while True:
        try:
            stored = await refresh(state)
        except GraphError as exc:
            log.info("popular fallback lists not refreshed: %s", exc)
            stored = 0
        # Soon again when nothing was stored (Neo4j or Redis not ready at start).
        await asyncio.sleep(REFRESH_SECONDS if stored else RETRY_SECONDS)


async def popular_response(
    state: AppState, query: HomeQuery, request_id: str
) -> Response[Any] | None:
    """The popular fallback answer to a home-feed query, or None when Redis has no list for
    its category (``query.genre``, else ``all``)."""
    category = query.genre or ALL
    raw = await state.redis.run(lambda r: r.hget(POPULAR_KEY, category), None)
    if raw is None:
        return None
    excluded = set(query.exclude)
    kept = [
        r
        for r in _decode(raw)
        if r.item_id not in excluded and (query.kind is None or r.metadata.kind == query.kind)
    ][: query.limit]
    body = RecommendationList(
        recommendations=[msgspec.structs.replace(r, rank=n) for n, r in enumerate(kept, 1)],
        model_version=None,
        generated_at=now_iso(),
        request_id=request_id,
        user_id=query.user_id,
        context=query.context,
        experiment=query.experiment or None,
        fallback=True,
    )
    state.metrics.cache.labels(route=query.route, result="fallback").inc()
    state.metrics.fallbacks.labels(kind="popular").inc()
    return Response(
        content=msgspec.json.encode(body),
        media_type=MediaType.JSON,
        headers={"X-Cache": "fallback"},
    )
