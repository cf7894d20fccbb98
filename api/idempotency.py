"""``Idempotency-Key`` on the writes other than interactions (feedback, preferences).

The first response to a key is kept in Redis for 24 h with a fingerprint of its request; a
retry with the same key and request gets that response again (same status and body), the same
key with another request is 409. These writes are idempotent in the graph as well (``MERGE``,
replace), so while Redis is down a retry simply writes the same state again.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, cast

import msgspec
from litestar import MediaType, Response

from api.cache import IDEMPOTENCY_SECONDS
from api.errors import ApiError, ErrorCode

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from litestar import Request

    from api.state import AppState

__all__ = ["Once", "fingerprint", "remember", "replay"]


class _Stored(msgspec.Struct, array_like=True, frozen=True):
    fingerprint: str
    status: int
    body: bytes


def _key(scope: str, key: str) -> str:
    return f"graphrec:idem-req:{scope}:{key}"


def fingerprint(*parts: Any) -> str:
    """A digest of what makes a request (its method, path and body)."""
    return hashlib.sha256(msgspec.json.encode(parts)).hexdigest()


async def replay(
    state: AppState, scope: str, key: str | None, request_fingerprint: str
) -> Response[Any] | None:
    """The response to an earlier request with this key, if any.

    Raises:
        ApiError: 409 when the key was used for a different request.
    """
    if key is None:
        return None
    raw = await state.redis.run(lambda r: r.get(_key(scope, key)), None)
    if raw is None:
        return None
    stored = msgspec.msgpack.decode(cast("bytes", raw), type=_Stored)
    if stored.fingerprint != request_fingerprint:
        raise ApiError(
            409,
            ErrorCode.INVALID_INPUT,
            "idempotency key reused",
            field="Idempotency-Key",
            reason="used for a different request",
        )
    return Response(content=stored.body, status_code=stored.status, media_type=MediaType.JSON)


async def remember(
    state: AppState, scope: str, key: str | None, request_fingerprint: str, status: int, body: Any
) -> Response[Any]:
    """Keep the response for retries with this key (the first one stored wins).

    Returns:
        The response: ``body`` (a Struct) as JSON with ``status``.
    """
    encoded = msgspec.json.encode(body)
    if key is not None:
        value = msgspec.msgpack.encode(_Stored(request_fingerprint, status, encoded))
        await state.redis.run(
            lambda r: r.set(_key(scope, key), value, ex=IDEMPOTENCY_SECONDS, nx=True), None
        )
    return Response(content=encoded, status_code=status, media_type=MediaType.JSON)


class Once:
    """A request's write, answered once per idempotency key (``api.deps.provide_once``)."""

    __slots__ = ("key", "request", "state")

    def __init__(self, state: AppState, request: Request[Any, Any, Any], key: str | None) -> None:
        """Bind the write to its request.

        Args:
            state: The app state (its Redis keeps the answers).
            request: The write (its method and path go into the fingerprint).
            key: ``Idempotency-Key``, else ``X-Idempotency-Key``; None: every call does the work.
        """
        self.state = state
        self.request = request
        self.key = key

    async def __call__(
        self, scope: str, data: Any, work: Callable[[], Awaitable[Any]]
    ) -> Response[Any]:
        """The stored response of an earlier request with this key, else ``await work()`` (a
        Struct) as JSON, kept for the retries.

        Args:
            scope: The kind of write (the keys of two kinds never meet).
            data: The request's body (the rest of the fingerprint).
            work: Does the write and returns the answer.

        Raises:
            ApiError: 409 when the key was used for a different request.
        """
        fp = fingerprint(self.request.method, self.request.url.path, data)
        replayed = await replay(self.state, scope, self.key, fp)
        if replayed is not None:
            return replayed
        return await remember(self.state, scope, self.key, fp, 200, await work())
