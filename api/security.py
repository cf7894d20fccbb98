"""API keys with tiers, the admin guard and the Redis rate limit (fixed one-minute window)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from api.bodies import checked_receive
from api.errors import ApiError, ErrorCode, RateLimitDetails
from api.ratelimit import WINDOW_SECONDS
from graph.store import budget

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers import BaseRouteHandler
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from api.state import AppState
    from graph.settings import Settings

__all__ = [
    "BEARER",
    "TIER_LIMITS",
    "ApiKey",
    "RequestMiddleware",
    "add_response_headers",
    "load_api_keys",
    "require_admin",
]

#: The OpenAPI security requirement of every ``/v1`` operation (``/health``, ``/ready``,
#: ``/metrics`` and ``/schema`` have none).
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
#: Requests per minute of each tier.
TIER_LIMITS = {"free": 60, "pro": 1_000, "enterprise": 10_000}
_OPEN_PATHS = ("/health", "/ready", "/metrics", "/schema")


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """One accepted key: its tier and whether it may write users and titles."""

    tier: str
    admin: bool = False
    key_hash: str


def _parse_key(entry: str, where: str) -> tuple[str, ApiKey]:
    parts = [p.strip() for p in entry.split(":")]
    if len(parts) not in (2, 3) or not parts[0]:
        raise ValueError(f"{where}: expected key:tier or key:tier:admin, got {entry!r}")
    key, tier = parts[0], parts[1].lower()
    if tier not in TIER_LIMITS:
        raise ValueError(f"{where}: unknown tier {tier!r} (one of {', '.join(TIER_LIMITS)})")
    if len(parts) == 3 and parts[2].lower() != "admin":
        raise ValueError(f"{where}: third field must be 'admin', got {parts[2]!r}")
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return key, ApiKey(tier=tier, admin=len(parts) == 3, key_hash=digest)


def load_api_keys(settings: Settings) -> dict[str, ApiKey]:
    """Read the keys of ``GRAPHREC_API_KEYS`` and ``GRAPHREC_API_KEYS_FILE``.

    The file holds one ``key:tier[:admin]`` per line; blank lines and ``#`` comments are skipped.

    Raises:
        ValueError: An entry is malformed (the message names the variable or file and line).
    """
    keys: dict[str, ApiKey] = {}
    for i, entry in enumerate(settings.api_keys.split(","), start=1):
        if entry.strip():
            key, value = _parse_key(entry.strip(), f"GRAPHREC_API_KEYS entry {i}")
            keys[key] = value
    if settings.api_keys_file:
        path = Path(settings.api_keys_file)
        for lineno, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                key, value = _parse_key(text, f"{path}:{lineno}")
                keys[key] = value
    return keys


def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: only admin keys may write users and titles.

    Raises:
        ApiError: 403 FORBIDDEN for a non-admin key.
    """
    key: ApiKey | None = connection.scope.get("state", {}).get("api_key")  # type: ignore[union-attr]
    if key is None or not key.admin:
        raise ApiError(
            403,
            ErrorCode.FORBIDDEN,
            "this operation needs an admin API key",
            field="Authorization",
            reason="key is not an admin key",
        )


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            if text[:7].lower() == "bearer ":
                return text[7:].strip() or None
            return None
    return None


class RequestMiddleware(ASGIMiddleware):
    """Request id, latency metric, and for ``/v1``: API key check and rate limit."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, app_state: AppState) -> None:
        """Bind the app's shared state (keys, Redis, metrics)."""
        self.app_state = app_state

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Run the request through auth and the rate limit, timing it, within its budget of
        Neo4j time."""
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = uuid.uuid4().hex
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            path = scope["path"]
            if path.startswith("/v1") and not path.startswith(_OPEN_PATHS):
                self._authenticate(scope, state)
                receive = await checked_receive(scope, receive)
            # What Neo4j may take of this request, all its calls together (settings).
            with budget(self.app_state.settings.api_neo4j_budget):
                await next_app(scope, receive, send_wrapper)
        except ApiError as exc:
            # Answered by the exception handler outside this middleware: count its status.
            status["code"] = exc.status
            raise
        finally:
            route = getattr(scope.get("route_handler"), "paths", None)
            template = scope.get("path_template") or (sorted(route)[0] if route else "unmatched")
            self.app_state.metrics.latency.labels(
                route=template, method=scope.get("method", ""), status=str(status["code"])
            ).observe(time.perf_counter() - started)

    def _authenticate(self, scope: Scope, state: dict[str, Any]) -> None:
        token = _bearer(scope)
        if token is None:
            raise ApiError(
                401,
                ErrorCode.UNAUTHORIZED,
                "missing API key",
                field="Authorization",
                reason="expected 'Bearer <key>'",
            )
        key = self.app_state.api_keys.get(token)
        if key is None:
            raise ApiError(
                401,
                ErrorCode.UNAUTHORIZED,
                "unknown API key",
                field="Authorization",
                reason="key not recognised",
            )
        state["api_key"] = key
        limit = TIER_LIMITS[key.tier]
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        reset_at = (window + 1) * WINDOW_SECONDS
        count = self.app_state.rate.count(key.key_hash, window)
        remaining = max(0, limit - count)
        state["rate_headers"] = [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", str(remaining).encode()),
            (b"x-ratelimit-reset", str(reset_at).encode()),
        ]
        if count > limit:
            self.app_state.metrics.rate_limited.labels(tier=key.tier).inc()
            retry_after = max(1, math.ceil(reset_at - now))
            raise ApiError(
                429,
                ErrorCode.RATE_LIMITED,
                "Rate limit exceeded. Please try again later.",
                details=RateLimitDetails(
                    limit=limit,
                    remaining=remaining,
                    reset_at=dt.datetime.fromtimestamp(reset_at, dt.UTC)
                    .isoformat()
                    .replace("+00:00", "Z"),
                    reason=f"tier {key.tier}: {limit} requests per minute",
                ),
                headers={"Retry-After": str(retry_after)},
            )


async def add_response_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: rate-limit headers and the request id on every response."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state", {})
    headers = list(message.get("headers", []))
    names = {name for name, _ in headers}
    extra = list(state.get("rate_headers", []))  # type: ignore[union-attr]
    rid = state.get("request_id")  # type: ignore[union-attr]
    if rid and b"x-request-id" not in names:
        extra.append((b"x-request-id", str(rid).encode()))
    if extra:
        message["headers"] = headers + [h for h in extra if h[0] not in names]
