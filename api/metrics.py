"""Prometheus metrics of one app: request latency per route, cache results, fallbacks."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["Metrics"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The app's collectors, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        """Create the collectors."""
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "graphrec_http_request_duration_seconds",
            "HTTP request latency by route template, method and status.",
            ["route", "method", "status"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.cache = Counter(
            "graphrec_cache_requests",
            "Recommendation cache lookups by result (hit, miss, stale, fallback, bypass).",
            ["route", "result"],
            registry=self.registry,
        )
        self.local_hits = Counter(
            "graphrec_cache_local_hits",
            "Cache hits answered from the worker's own copy, without reading Redis (also"
            " counted as hits in graphrec_cache_requests).",
            ["route"],
            registry=self.registry,
        )
        self.fallbacks = Counter(
            "graphrec_fallbacks",
            "Degraded answers by kind (no_model, content_similarity, redis_down, stale_cache, "
            "popular).",
            ["kind"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "graphrec_rate_limited",
            "Requests refused with 429 by tier.",
            ["tier"],
            registry=self.registry,
        )
        self.rehearsals = Counter(
            "graphrec_plan_rehearsals",
            "Rehearsals planning Neo4j's statements by reason (start, restart of Neo4j, retry"
            " after Neo4j was down) and result (ok, skipped, failed).",
            ["reason", "result"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of every collector."""
        return generate_latest(self.registry)
