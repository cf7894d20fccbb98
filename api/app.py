"""The Litestar application: ``create_app()`` and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import logging
import os
import socket
import threading
from typing import TYPE_CHECKING, Any

import msgspec
import redis.asyncio
from litestar import Controller, Litestar
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.routes import HTTPRoute

from api import fallback
from api.bodies import MAX_BODY_BYTES
from api.controllers.experiments import ExperimentController
from api.controllers.feedback import FeedbackController
from api.controllers.guide import guide
from api.controllers.health import HealthController
from api.controllers.interactions import InteractionController
from api.controllers.items import ItemController
from api.controllers.recommendations import RecommendationController
from api.controllers.trending import TrendingController
from api.controllers.users import UserController
from api.deps import DEPENDENCIES
from api.errors import ERROR_RESPONSES, handle_exception
from api.inductive import preload
from api.metrics import Metrics
from api.redisguard import RedisGuard
from api.schemas.openapi import StrictBodySchemaPlugin
from api.security import RequestMiddleware, add_response_headers, load_api_keys
from api.state import AppState, PlanState
from api.warmup import keep_planned
from graph.connection import Connection
from graph.settings import Settings, get_settings
from graph.store import Store
from learning.log import Aggregator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from litestar.types import Message, Scope

__all__ = ["create_app"]

log = logging.getLogger("api")


def create_app(
    settings: Settings | None = None,
    *,
    cache_ttl: float | None = None,
    warm_up: bool | None = None,
) -> Litestar:
    """Build the API. Nothing connects until the lifespan runs.

    Args:
        settings: Where Neo4j and Redis are, the API keys, the cache TTL and the warm-up
            switch (default: the environment, ``graph/settings.py``).
        cache_ttl: Overrides ``settings.api_cache_ttl`` (seconds a cached answer stays fresh).
        warm_up: Overrides ``settings.api_warmup`` (plan Neo4j's statements at start,
            ``/ready`` meanwhile 503).

    Returns:
        The Litestar app.

    Raises:
        ValueError: An API key entry is malformed.
    """
    settings = settings or get_settings()
    if cache_ttl is not None:
        settings = msgspec.structs.replace(settings, api_cache_ttl=cache_ttl)
    if warm_up is not None:
        settings = msgspec.structs.replace(settings, api_warmup=warm_up)
    state = AppState(settings=settings, api_keys=load_api_keys(settings), metrics=Metrics())

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        state.store = Store(settings)
        state.conn = Connection(settings)
        client = redis.asyncio.Redis.from_url(
            settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        state.redis = RedisGuard(client, state.metrics)
        if not await state.store.answers():
            log.warning("neo4j at %s does not answer yet", settings.neo4j_uri)
        serving = threading.Event()
        serving.set()
        # Not a daemon: the interpreter waits for the import to end before it exits. A daemon
        # thread stopped at exit while importing torch kept the import lock, and a collected
        # Redis pool, whose finaliser imports a module, then waited on it forever.
        threading.Thread(target=preload, args=(serving,), name="warm-gnn").start()
        if not state.api_keys:
            log.warning("no API keys configured: every /v1 request will be 401")
        app.state.graphrec = state
        # The served-list consumer's own client: its batches are larger than a request's.
        log_client = redis.asyncio.Redis.from_url(settings.redis_url, socket_timeout=5)
        consumer = f"{socket.gethostname()}-{os.getpid()}"
        counting = appending = None
        if settings.served_log:
            appending = asyncio.create_task(state.log_buffer.run(state), name="served-log-append")
        if settings.served_log and settings.served_log_consumer:
            counting = asyncio.create_task(
                Aggregator(log_client, state.store, consumer).run(), name="served-log-count"
            )
        counting_requests = asyncio.create_task(state.rate.run(state.redis), name="rate-limit-add")
        popular = asyncio.create_task(fallback.keep_current(state), name="popular-lists")
        local = None
        if state.local.max_bytes:
            local = asyncio.create_task(state.local.run(), name="local-cache-drops")
        planning = None
        if settings.api_warmup:
            state.plans = PlanState.WARMING
            planning = asyncio.create_task(keep_planned(state), name="plans")
        try:
            yield
        finally:
            await _stop(planning, counting, appending, popular, counting_requests, local)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.log_buffer.flush(state), _CLOSE_SECONDS)
            serving.clear()
            gc.unfreeze()
            await _close(state, client, log_client)

    v1 = [
        RecommendationController,
        UserController,
        ItemController,
        InteractionController,
        FeedbackController,
        TrendingController,
        ExperimentController,
    ]
    _document_errors(v1)
    return Litestar(
        route_handlers=[*v1, HealthController, guide],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan],
        middleware=[RequestMiddleware(state)],
        plugins=[StrictBodySchemaPlugin()],
        before_send=[add_response_headers, _AllowEveryMethod()],
        exception_handlers={Exception: handle_exception, HTTPException: handle_exception},
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="graphrec",
            version="0.1.0",
            path="/schema",
            description="Graph-native recommendations over Neo4j, with explanations.",
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", description="API key")
                }
            ),
        ),
    )


#: Seconds each client may take to close at shutdown (a hung call never holds the process).
_CLOSE_SECONDS = 2.0


async def _stop(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel the background tasks and wait for them together, within ``2 * _CLOSE_SECONDS``
    (shutdown never waits on them for long); one still running is named with where it waits."""
    running = {task for task in tasks if task is not None}
    for task in running:
        task.cancel()
    if not running:
        return
    _, pending = await asyncio.wait(running, timeout=_CLOSE_SECONDS * 2)
    for task in pending:
        where = io.StringIO()
        task.print_stack(file=where)
        log.warning("shutdown: %s still running after its cancel\n%s", task, where.getvalue())


async def _close(state: AppState, *clients: redis.asyncio.Redis) -> None:
    """Close the Redis clients, the sync and the async Neo4j drivers, each within
    ``_CLOSE_SECONDS``."""
    closer = threading.Thread(target=state.conn.close, name="close-neo4j-sync", daemon=True)
    closer.start()
    closing = [("redis", client.aclose()) for client in clients]
    for name, pending in [*closing, ("neo4j", state.store.close())]:
        try:
            await asyncio.wait_for(pending, _CLOSE_SECONDS)
        except TimeoutError:
            log.warning(
                "shutdown: %s did not close within %.0f s; left behind", name, _CLOSE_SECONDS
            )
    await asyncio.to_thread(closer.join, _CLOSE_SECONDS)


def _document_errors(controllers: list[type[Controller]]) -> None:
    """Every ``/v1`` operation documents the error envelope of each error status (each needs
    the bearer key: ``security`` of its controller)."""
    for controller in controllers:
        for value in vars(controller).values():
            if isinstance(value, HTTPRouteHandler):
                value.responses = {**ERROR_RESPONSES, **(value.responses or {})}


class _AllowEveryMethod:
    """``before_send`` hook: ``Allow`` of an ``OPTIONS`` answer lists every method of the path.

    Litestar builds a path's automatic ``OPTIONS`` handler with its first handler and keeps it
    when a second method joins the path (``PUT`` and ``DELETE /v1/feedback/{id}``): its
    ``Allow`` then lacks that method. The route table itself is complete; ``Allow`` is read
    from it (once, at the first ``OPTIONS``).
    """

    def __init__(self) -> None:
        self._methods: dict[str, str] | None = None

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        if self._methods is None:
            routes = scope["litestar_app"].routes
            self._methods = {
                r.path_format: ", ".join(sorted(r.methods))
                for r in routes
                if isinstance(r, HTTPRoute)
            }
        allow = self._methods.get(scope.get("path_template", ""))  # type: ignore[call-overload]
        if allow is None:
            return
        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
        message["headers"] = [*headers, (b"allow", allow.encode())]
