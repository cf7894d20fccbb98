"""What the lifespan creates and every request shares: the store, Redis, keys, metrics."""

from __future__ import annotations

import asyncio
import enum
import time
from typing import TYPE_CHECKING

from api.localcache import LocalTier
from api.ratelimit import RateCounter
from api.served_log import LogBuffer
from api.variants import ExperimentCache

if TYPE_CHECKING:
    from api.metrics import Metrics
    from api.redisguard import RedisGuard
    from api.security import ApiKey
    from graph.connection import Connection
    from graph.recommendations import ModelInfo
    from graph.settings import Settings
    from graph.store import Store

__all__ = ["AppState", "ModelCache", "PlanState"]

#: How long the promoted model version is trusted before it is read again.
MODEL_REFRESH_SECONDS = 5.0


class PlanState(enum.StrEnum):
    """Where the planning of Neo4j's statements stands (``/ready``'s ``checks.plans``)."""

    OFF = "off"  #: GRAPHREC_API_WARMUP=0
    WARMING = "warming"  #: planning after start-up (not ready meanwhile)
    REPLANNING = "replanning"  #: planning again after Neo4j restarted (still ready)
    OK = "ok"
    SKIPPED = "skipped"  #: Neo4j was down or busy: retried when it answers
    FAILED = "failed"  #: Neo4j refused a statement, or over the time limit


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
            UnavailableError: Neo4j is down and no copy was read before.
        """
        if self.info is not None and time.monotonic() - self._read_at < MODEL_REFRESH_SECONDS:
            return self.info
        if self.info is not None and self._lock.locked():
            return self.info
        async with self._lock:
            if self.info is None or time.monotonic() - self._read_at >= MODEL_REFRESH_SECONDS:
                async with state.store.repositories() as repos:
                    self.info = await repos.recs.model_info()
                self._read_at = time.monotonic()
        return self.info


class AppState:
    """Shared, coroutine-safe objects of one app (the store, Redis and the connection of the
    inductive seam are set by the lifespan)."""

    store: Store
    conn: Connection
    redis: RedisGuard

    def __init__(
        self,
        *,
        settings: Settings,
        api_keys: dict[str, ApiKey],
        metrics: Metrics,
    ) -> None:
        """Hold the objects that need no connection."""
        self.settings = settings
        self.api_keys = api_keys
        self.metrics = metrics
        self.cache_ttl = settings.api_cache_ttl
        self.local = LocalTier(settings.redis_url, settings.api_local_cache_mb << 20)
        self.model = ModelCache()
        self.experiments = ExperimentCache()
        self.log_buffer = LogBuffer()
        self.rate = RateCounter()
        self.plans = PlanState.OFF
