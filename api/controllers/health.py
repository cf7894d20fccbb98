"""``/health`` (live), ``/ready`` (Neo4j, Redis, plans), ``/metrics`` (Prometheus)."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency

from api.errors import ERROR_RESPONSES, ApiError, ErrorCode
from api.state import AppState, PlanState
from graph.health import neo4j_answers

__all__ = ["HealthController"]


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """Liveness or readiness."""

    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class HealthController(Controller):
    """Probes and metrics (no API key needed)."""

    path = "/"
    tags = ("operations",)

    @get("/health", operation_id="Health")
    async def health(self) -> Health:
        """The process answers."""
        return Health(status="ok")

    @get("/ready", operation_id="Ready", responses={503: ERROR_RESPONSES[503]})
    async def ready(self, request: Request, app_state: NamedDependency[AppState]) -> Health:
        """Neo4j and Redis answer and the start-up planning is over (503 otherwise), within
        about a second and a half (Neo4j's deadline and Redis's timeout, checked at once).

        ``checks.plans`` is ``warming`` while the API plans Neo4j's statements after it starts
        (``api/warmup.py``), then ``ok``, ``skipped`` (Neo4j was down or busy: requests plan
        on first use; planned again when Neo4j answers), ``failed`` (Neo4j refused a statement,
        the rehearsal broke or took too long) or ``off`` (``GRAPHREC_API_WARMUP=0``);
        ``replanning`` (still ready) after Neo4j restarted.
        """
        # Both at once: the answer comes within the longer of their deadlines.
        neo4j_ok, redis_ok = await asyncio.gather(
            neo4j_answers(app_state.store), app_state.redis.ping()
        )
        checks = {
            "neo4j": "ok" if neo4j_ok else "down",
            "redis": "ok" if redis_ok else "down",
            "plans": app_state.plans,
        }
        problems = {name: "does not answer" for name in ("neo4j", "redis") if checks[name] != "ok"}
        if app_state.plans == PlanState.WARMING:
            problems["plans"] = "statements being planned after start-up"
        if problems:
            raise ApiError(
                503,
                ErrorCode.SERVICE_UNAVAILABLE,
                "not ready",
                field=",".join(problems),
                reason="; ".join(f"{name}: {why}" for name, why in problems.items()),
            )
        return Health(status="ready", checks=checks)

    @get("/metrics", operation_id="Metrics", media_type=MediaType.TEXT)
    async def metrics(self, app_state: NamedDependency[AppState]) -> Response[bytes]:
        """Prometheus text exposition."""
        return Response(
            content=app_state.metrics.render(),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )
