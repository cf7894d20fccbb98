"""Serve a cached endpoint: a fresh cached answer (the worker's copy, else Redis), else the feed
(cached once sent), else stale.

The handler builds the endpoint's :class:`~api.queries.Query` and names its feed function;
``cached_response`` reads the promoted model, looks the query up, and on a miss opens one set of
repositories and runs ``feed(context, query)``. While Neo4j is down an answer cached earlier is
served marked ``stale``; with none, the home feed answers from the popular lists in Redis
(``api/fallback.py``), and anything else 503.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import msgspec
from litestar import MediaType, Response
from litestar.background_tasks import BackgroundTask, BackgroundTasks

from api import cache, fallback
from api.errors import ApiError, ErrorCode
from api.feeds import FeedContext
from api.queries import HomeQuery, Query
from api.served_log import log_body
from api.variants import merged, model_for
from graph.errors import UnavailableError

if TYPE_CHECKING:
    from api.schemas.recommendations import ServedList
    from api.state import AppState
    from graph.recommendations import ModelInfo

__all__ = ["Feed", "cached_response"]

Q = TypeVar("Q", bound=Query, contravariant=True)


class Feed(Protocol[Q]):
    """A feed function: the answer to one query, from the graph."""

    async def __call__(self, ctx: FeedContext, query: Q, /) -> ServedList:
        """Build the body."""


#: How every cached body starts: the fields of ``ServedList`` come first, ``request_id`` leading.
_ID_HEAD = b'{"request_id":"'


def _render(body: bytes, request_id: str, *, stale: bool, label: str) -> Response[Any]:
    """A stored body as this request's answer: its ``request_id``, ``cached`` and ``stale``.

    The body is not parsed again: the stored one is the miss's answer (``cached`` and ``stale``
    false, a hex request id), whose head these fields lead, ahead of any list; the bytes are
    spliced. A body of another shape is decoded and re-encoded.
    """
    end = body.find(b'"', len(_ID_HEAD)) if body.startswith(_ID_HEAD) else -1
    if end > 0:
        rest = body[end:].replace(b'"cached":false', b'"cached":true', 1)
        if stale:
            rest = rest.replace(b'"stale":false', b'"stale":true', 1)
        body = _ID_HEAD + request_id.encode() + rest
    else:
        data = msgspec.json.decode(body)
        data.update(request_id=request_id, cached=True, stale=stale)
        body = msgspec.json.encode(data)
    return Response(content=body, media_type=MediaType.JSON, headers={"X-Cache": label})


async def cached_response(
    state: AppState, query: Q, feed: Feed[Q], request_id: str
) -> Response[Any]:
    """Answer from a fresh cache entry, else compute (cached once sent), else stale, else 503.

    Args:
        state: The app state.
        query: Everything that changes the answer (its route and user key the entry).
        feed: Builds the body for the promoted model.
        request_id: This request's id, written into the body.

    Returns:
        The JSON response (the feed's body type) with ``X-Cache: hit|miss|stale``.
    """
    metrics = state.metrics.cache.labels(route=query.route, result="hit")
    down: UnavailableError | None = None
    model: ModelInfo | None
    try:
        model = await state.model.get(state)
    except UnavailableError as exc:
        down, model = exc, state.model.info
    assigned = await state.experiments.assign(state.store, query.user_id)
    variant = merged(assigned)
    if assigned:
        query = msgspec.structs.replace(query, experiment=",".join(a.label for a in assigned))
    if model is not None:
        model = model_for(model, query.user_id, variant)
    headers = {"X-Experiment": query.experiment} if query.experiment else {}
    key = cache.cache_key(query, model.version if model is not None else None)

    def logged(body: bytes) -> BackgroundTask:
        return BackgroundTask(
            log_body,
            state,
            list_id=request_id,
            user_id=query.user_id,
            endpoint=query.route,
            body=body,
            assigned=assigned,
        )

    def hit(entry: cache.CachedBody) -> Response[Any]:
        metrics.inc()
        answer = _render(entry.body, request_id, stale=False, label="hit")
        answer.headers.update(headers)
        answer.background = logged(entry.body)
        return answer

    local = state.local.get(key) if down is None and state.redis.available else None
    if local is not None:
        state.metrics.local_hits.labels(route=query.route).inc()
        return hit(local)
    mark = state.local.mark()
    read = await cache.get_cached(state, query.user_id, key)
    entry = read.entry
    if entry is not None and down is None and cache.is_fresh(state, entry):
        state.local.put(query.user_id, key, entry, mark, state.cache_ttl)
        return hit(entry)
    if down is None and model is not None:
        try:
            # After the user's last write: on a cluster the read may go to a lagging follower.
            async with state.store.repositories(read.bookmarks) as repos:
                ctx = FeedContext(repos, model, state.metrics, variant, state.redis)
                served = await feed(ctx, query)
        except UnavailableError as exc:
            down = exc
        else:
            served.request_id = request_id
            served.experiment = query.experiment or None
            body = msgspec.json.encode(served)
            state.metrics.cache.labels(route=query.route, result="miss").inc()
            # The answer goes out first; the cache is filled and the list logged after it is
            # sent: the client waits for neither, and a late store is safe (it checks the
            # generation).
            after = BackgroundTasks(
                [
                    BackgroundTask(
                        cache.put_cached, state, query.user_id, key, body, read.generation, mark
                    ),
                    logged(body),
                ]
            )
            return Response(
                content=body,
                media_type=MediaType.JSON,
                headers={"X-Cache": "miss", **headers},
                background=after,
            )
    if entry is not None:
        state.metrics.cache.labels(route=query.route, result="stale").inc()
        state.metrics.fallbacks.labels(kind="stale_cache").inc()
        stale = _render(entry.body, request_id, stale=True, label="stale")
        stale.headers.update(headers)
        return stale
    state.model.invalidate()
    if isinstance(query, HomeQuery) and query.route == HomeQuery.route:
        popular = await fallback.popular_response(state, query, request_id)
        if popular is not None:
            popular.headers.update(headers)
            return popular
    raise ApiError(
        503,
        ErrorCode.SERVICE_UNAVAILABLE,
        "the graph database is unavailable and nothing is cached",
    )
