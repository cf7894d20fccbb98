"""The Litestar application: ``create_app()`` and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import threading
from typing import TYPE_CHECKING

import neo4j.exceptions
import redis.asyncio
from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.controllers.health import HealthController
from api.controllers.interactions import FeedbackController, InteractionController
from api.controllers.items import ItemController
from api.controllers.recommendations import RecommendationController
from api.controllers.users import UserController
from api.deps import DEPENDENCIES
from api.errors import handle_exception
from api.metrics import Metrics
from api.redisguard import RedisGuard
from api.security import RequestMiddleware, add_response_headers, load_api_keys
from api.state import AppState
from api.warmup import keep_planned
from graph.driver import async_driver, driver
from graph.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

__all__ = ["create_app"]

log = logging.getLogger("api")

#: Seconds a cached recommendation answer stays fresh (``GRAPHREC_API_CACHE_TTL``).
DEFAULT_CACHE_TTL = 60.0
MAX_BODY_BYTES = 64 * 1024


def _cache_ttl() -> float:
    raw = os.environ.get("GRAPHREC_API_CACHE_TTL", "").strip()
    try:
        return float(raw) if raw else DEFAULT_CACHE_TTL
    except ValueError:
        raise ValueError(f"GRAPHREC_API_CACHE_TTL={raw!r}: expected seconds") from None


def _warm_up_enabled() -> bool:
    raw = os.environ.get("GRAPHREC_API_WARMUP", "1").strip().lower()
    if raw not in {"0", "1", "false", "true", "no", "yes", "off", "on"}:
        raise ValueError(f"GRAPHREC_API_WARMUP={raw!r}: expected 1 or 0")
    return raw in {"1", "true", "yes", "on"}


def _warm_gnn_import(serving: threading.Event) -> None:
    # POST /v1/items embeds new titles with the GNN, which loads torch (seconds): do it early,
    # off the event loop, so the first such request is not slow.
    with contextlib.suppress(ImportError):
        import gnn.inductive  # noqa: F401
    # Torch brings ~400,000 objects that live as long as the process. Left to the collector,
    # every full collection walks them all (100-250 ms, a pause for every request in flight);
    # frozen, they are never scanned again (until the app stops).
    if serving.is_set():
        gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    cache_ttl: float | None = None,
    warm_up: bool | None = None,
) -> Litestar:
    """Build the API. Nothing connects until the lifespan runs.

    Args:
        settings: Where Neo4j and Redis are and the API keys (default: the environment).
        cache_ttl: Seconds a cached answer stays fresh (default ``GRAPHREC_API_CACHE_TTL``, 60).
        warm_up: Plan Neo4j's statements at start, ``/ready`` meanwhile 503 (default
            ``GRAPHREC_API_WARMUP``, on).

    Returns:
        The Litestar app.

    Raises:
        ValueError: An API key entry is malformed.
    """
    settings = settings or get_settings()
    state = AppState(
        settings=settings,
        api_keys=load_api_keys(settings),
        metrics=Metrics(),
        cache_ttl=_cache_ttl() if cache_ttl is None else cache_ttl,
    )
    warm_up = _warm_up_enabled() if warm_up is None else warm_up

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        state.driver = async_driver(settings)
        state.sync_driver = driver(settings)
        client = redis.asyncio.Redis.from_url(
            settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        state.redis = RedisGuard(client, state.metrics)
        try:
            await state.driver.verify_connectivity()
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            log.warning("neo4j at %s does not answer yet (%s)", settings.neo4j_uri, exc)
        serving = threading.Event()
        serving.set()
        threading.Thread(
            target=_warm_gnn_import, args=(serving,), name="warm-gnn", daemon=True
        ).start()
        if not state.api_keys:
            log.warning("no API keys configured: every /v1 request will be 401")
        app.state.graphrec = state
        planning = asyncio.create_task(keep_planned(state)) if warm_up else None
        try:
            yield
        finally:
            if planning is not None:
                planning.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await planning
            serving.clear()
            gc.unfreeze()
            await client.aclose()
            state.sync_driver.close()
            await state.driver.close()

    return Litestar(
        route_handlers=[
            RecommendationController,
            UserController,
            ItemController,
            InteractionController,
            FeedbackController,
            HealthController,
        ],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan],
        middleware=[RequestMiddleware(state)],
        before_send=[add_response_headers],
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
            security=[{"bearer": []}],
        ),
    )
