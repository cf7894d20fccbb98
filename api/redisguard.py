"""Redis that fails open: when it is down the API keeps answering without it."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, TypeVar

import redis.exceptions

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import redis.asyncio

    from api.metrics import Metrics

__all__ = ["RedisGuard"]

log = logging.getLogger("api.redis")
T = TypeVar("T")

#: After a failure Redis is skipped for this long, so requests do not each wait on it.
_BACKOFF_SECONDS = 1.0
_WARN_EVERY_SECONDS = 10.0


class RedisGuard:
    """Runs Redis calls; on any Redis or connection error returns a default and logs a warning."""

    def __init__(self, client: redis.asyncio.Redis, metrics: Metrics) -> None:
        """Wrap a client."""
        self.client = client
        self._metrics = metrics
        self._down_until = 0.0
        self._last_warning = 0.0

    @property
    def available(self) -> bool:
        """False while Redis is considered down (after a recent failure)."""
        return time.monotonic() >= self._down_until

    async def run(self, call: Callable[[redis.asyncio.Redis], Awaitable[T]], default: T) -> T:
        """Return ``await call(client)``, or ``default`` when Redis is down.

        Args:
            call: The Redis work.
            default: What to return instead when Redis fails.
        """
        if not self.available:
            self._metrics.fallbacks.labels(kind="redis_down").inc()
            return default
        try:
            return await call(self.client)
        except (redis.exceptions.RedisError, OSError) as exc:
            self._failed(exc)
            return default

    def _failed(self, exc: BaseException) -> None:
        now = time.monotonic()
        self._down_until = now + _BACKOFF_SECONDS
        self._metrics.fallbacks.labels(kind="redis_down").inc()
        if now - self._last_warning >= _WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning(
                "redis unavailable (%s): no cache, rate limits counted per worker",
                exc.__class__.__name__,
            )

    async def ping(self) -> bool:
        """True when Redis answers PING now (ignores the back-off)."""
        try:
            return bool(await self.client.ping())
        except (redis.exceptions.RedisError, OSError):
            return False
