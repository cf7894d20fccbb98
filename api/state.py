"""What the lifespan creates and every request shares: drivers, Redis, keys, metrics."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from graph.items import SummaryCache
from graph.recommendations import ModelInfo, RecommendationRepository
from graph.sessions import open_async_session

if TYPE_CHECKING:
    import neo4j

    from api.metrics import Metrics
    from api.redisguard import RedisGuard
    from api.security import ApiKey
    from graph.settings import Settings

__all__ = ["AppState", "ModelCache"]

#: How long the promoted model version is trusted before it is read again.
MODEL_REFRESH_SECONDS = 5.0


class ModelCache:
    """The promoted model, re-read at most every few seconds; the last answer survives outages."""

    def __init__(self) -> None:
        """Start empty."""
        self.info: ModelInfo | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Forget the model so the next request reads it again."""
        self._read_at = 0.0

    async def get(self, state: AppState) -> ModelInfo:
        """Return the promoted model, reading it from the graph when the copy is old.

        Raises:
            neo4j.exceptions.ServiceUnavailable: Neo4j is down and no copy was read before.
        """
        if self.info is not None and time.monotonic() - self._read_at < MODEL_REFRESH_SECONDS:
            return self.info
        if self.info is not None and self._lock.locked():
            return self.info
        async with self._lock:
            if self.info is None or time.monotonic() - self._read_at >= MODEL_REFRESH_SECONDS:
                async with open_async_session(state.driver, state.settings) as session:
                    self.info = await RecommendationRepository(session).model_info()
                self._read_at = time.monotonic()
        return self.info


class AppState:
    """Shared, coroutine-safe objects of one app (drivers and Redis are set by the lifespan)."""

    driver: neo4j.AsyncDriver
    sync_driver: neo4j.Driver
    redis: RedisGuard

    def __init__(
        self,
        *,
        settings: Settings,
        api_keys: dict[str, ApiKey],
        metrics: Metrics,
        cache_ttl: float,
    ) -> None:
        """Hold the objects that need no connection."""
        self.settings = settings
        self.api_keys = api_keys
        self.metrics = metrics
        self.cache_ttl = cache_ttl
        self.model = ModelCache()
        self.titles = SummaryCache()
        #: The planning of Neo4j's statements (``api/warmup.py``): off, warming, replanning, ok,
        #: skipped or failed.
        self.plans = "off"
