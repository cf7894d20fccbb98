"""Serve recommendation bodies through the Redis cache, stale while Neo4j is down."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import neo4j.exceptions
from litestar import MediaType, Response
from litestar.background_tasks import BackgroundTask

from api import cache
from api.errors import ApiError, ErrorCode
from graph.items import ItemRepository
from graph.recommendations import RecommendationRepository
from graph.sessions import open_async_session

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from api.state import AppState
    from graph.recommendations import ModelInfo

    Compute = Callable[
        [ModelInfo, RecommendationRepository, ItemRepository], Awaitable[msgspec.Struct]
    ]

__all__ = ["NEO4J_DOWN", "cached_response"]

NEO4J_DOWN = (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)


def _render(
    body: bytes, request_id: str, *, cached: bool, stale: bool, label: str
) -> Response[bytes]:
    if cached or stale:
        data = msgspec.json.decode(body)
        data["request_id"] = request_id
        data["cached"] = cached
        data["stale"] = stale
        body = msgspec.json.encode(data)
    return Response(content=body, media_type=MediaType.JSON, headers={"X-Cache": label})


async def cached_response(
    state: AppState,
    *,
    route: str,
    user_id: str,
    params: dict[str, Any],
    request_id: str,
    compute: Compute,
) -> Response[bytes]:
    """Answer from a fresh cache entry, else compute (cached once sent), else stale, else 503.

    Args:
        state: The app state.
        route: The route name in the cache key.
        user_id: Whose answer it is (entries are dropped per user).
        params: Every parameter that changes the answer.
        request_id: This request's id, written into the body.
        compute: Builds the body for the promoted model from the repositories of a session
            that is opened only on a cache miss.

    Returns:
        The JSON response with ``X-Cache: hit|miss|stale``.
    """
    metrics = state.metrics.cache
    down: BaseException | None = None
    try:
        model = await state.model.get(state)
    except NEO4J_DOWN as exc:
        down, model = exc, state.model.info  # type: ignore[assignment]
    version = model.version if model is not None else None
    key = cache.cache_key(route, user_id, version, params)
    read = await cache.get_cached(state, user_id, key)
    entry = read.entry
    if entry is not None and down is None and cache.is_fresh(state, entry):
        metrics.labels(route=route, result="hit").inc()
        return _render(entry.body, request_id, cached=True, stale=False, label="hit")
    if down is None:
        try:
            async with open_async_session(state.driver, state.settings) as session:
                recs = RecommendationRepository(session)
                items = ItemRepository(session, state.titles)
                body = msgspec.json.encode(await compute(model, recs, items))
        except NEO4J_DOWN as exc:
            down = exc
        else:
            metrics.labels(route=route, result="miss").inc()
            # The answer goes out first and the cache is filled after it is sent: the client does
            # not wait for the store, and a late store is safe (it checks the generation).
            store = BackgroundTask(cache.put_cached, state, user_id, key, body, read.generation)
            return Response(
                content=body,
                media_type=MediaType.JSON,
                headers={"X-Cache": "miss"},
                background=store,
            )
    if entry is not None:
        metrics.labels(route=route, result="stale").inc()
        state.metrics.fallbacks.labels(kind="stale_cache").inc()
        return _render(entry.body, request_id, cached=True, stale=True, label="stale")
    state.model.invalidate()
    raise ApiError(
        503,
        ErrorCode.SERVICE_UNAVAILABLE,
        "the graph database is unavailable and nothing is cached",
    )
