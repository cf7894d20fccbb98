"""The error envelope: every error the API returns, in one shape, never a stack trace."""

from __future__ import annotations

import enum
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import MediaType, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec

from graph.errors import BusyError, ConflictError, NotFoundError, UnavailableError

if TYPE_CHECKING:
    from litestar import Request

__all__ = [
    "ECHO_LIMIT",
    "ERROR_RESPONSES",
    "ApiError",
    "ErrorCode",
    "ErrorEnvelope",
    "RateLimitDetails",
    "handle_exception",
    "invalid_input",
    "request_id_of",
]

log = logging.getLogger("api")

#: Fields whose invalid values are reported as INVALID_USER_ID.
_USER_ID_FIELDS = frozenset({"user_id", "friend_id"})


class ErrorCode(enum.StrEnum):
    """The error codes of the API."""

    INVALID_INPUT = "INVALID_INPUT"
    INVALID_USER_ID = "INVALID_USER_ID"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class ErrorDetails(msgspec.Struct, frozen=True, kw_only=True):
    """Which input was wrong and why (both null when no single field is to blame)."""

    field: str | None = None
    reason: str | None = None


class RateLimitDetails(ErrorDetails, frozen=True, kw_only=True):
    """A 429's details: the tier's limit, what remains (0) and when the window resets."""

    limit: int
    remaining: int
    reset_at: str


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True):
    """The error itself."""

    code: ErrorCode
    message: str
    details: ErrorDetails
    request_id: str


class ErrorEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    """Every error response: ``{"error": {...}}``."""

    error: ErrorBody


#: The errors every ``/v1`` operation may answer, documented with the envelope (not Litestar's
#: default 400 shape).
ERROR_RESPONSES = {
    status: ResponseSpec(data_container=ErrorEnvelope, description=text, generate_examples=False)
    for status, text in (
        (400, "Invalid input (INVALID_INPUT, INVALID_USER_ID)"),
        (401, "No or unknown API key (UNAUTHORIZED)"),
        (403, "Not allowed for this key (FORBIDDEN)"),
        (404, "Unknown user, title, genre or feedback (NOT_FOUND)"),
        (409, "Id, event id or idempotency key already used otherwise (INVALID_INPUT)"),
        (413, "Body over 64 KiB (INVALID_INPUT)"),
        (415, "Body not JSON (INVALID_INPUT)"),
        (429, "Rate limit exceeded (RATE_LIMITED)"),
        (503, "Neo4j unavailable and nothing cached (SERVICE_UNAVAILABLE)"),
    )
}


class ApiError(Exception):
    """An error to return as the envelope with a given status and code."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        *,
        field: str | None = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
        details: ErrorDetails | None = None,
    ) -> None:
        """Describe the error.

        Args:
            status: The HTTP status.
            code: The error code.
            message: A sentence for humans.
            field: The input field at fault, if any.
            reason: Why that field is wrong.
            headers: Extra response headers (``Retry-After``).
            details: The details in full (instead of ``field`` and ``reason``).
        """
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.reason = reason
        self.headers = headers or {}
        self.details = details


def request_id_of(request: Request[Any, Any, Any]) -> str:
    """Return the request id the middleware assigned (or a new one for unrouted requests)."""
    state = request.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    rid = state.get("request_id")
    if not rid:
        rid = state["request_id"] = uuid.uuid4().hex
    return str(rid)


_HTTP_CODES = {
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


#: The most characters of a request an error repeats (in ``field`` and ``reason``).
ECHO_LIMIT = 200


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= ECHO_LIMIT:
        return text
    return text[: ECHO_LIMIT - 1] + "…"


def invalid_input(field: str | None, reason: str) -> ApiError:
    """A 400 naming the field at fault (from msgspec's `` - at `$.x` `` when not given)."""
    if field is None and " at `$." in reason:
        field = reason.rsplit(" at `$.", 1)[1].rstrip("`").split("[")[0] or None
    elif field is None and "unknown field `" in reason:
        field = reason.split("unknown field `", 1)[1].rsplit("`", 1)[0] or None
    code = ErrorCode.INVALID_USER_ID if field in _USER_ID_FIELDS else ErrorCode.INVALID_INPUT
    return ApiError(400, code, "the request is invalid", field=field, reason=reason)


def _from_validation(exc: ValidationException) -> ApiError:
    extra = exc.extra if isinstance(exc.extra, list) else []
    first = extra[0] if extra and isinstance(extra[0], dict) else {}
    field = first.get("key") or None
    reason = str(first.get("message") or exc.detail)
    missing = re.search(r"parameter '([^']+)'", reason)
    if field is None and missing:
        field = missing.group(1)
    return invalid_input(field, reason)


def _to_api_error(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationException):
        return _from_validation(exc)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if status >= 500 and status != 503:
            return ApiError(500, ErrorCode.INTERNAL_ERROR, "internal error")
        code = _HTTP_CODES.get(status, ErrorCode.INVALID_INPUT)
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
        return ApiError(status, code, str(exc.detail), headers=headers)
    if isinstance(exc, NotFoundError):
        field, value = [*exc.args, None, None][:2]
        what = str(field or "id").removesuffix("_id")
        return ApiError(
            404,
            ErrorCode.NOT_FOUND,
            f"{what} not found",
            field=str(field) if field else None,
            reason=f"{value!s} does not exist",
        )
    if isinstance(exc, ConflictError):
        field, value = [*exc.args, None, None][:2]
        return ApiError(
            409,
            ErrorCode.INVALID_INPUT,
            "conflict with an existing resource",
            field=str(field) if field else None,
            reason=f"{value!s} already exists or was used for something else",
        )
    if isinstance(exc, UnavailableError):
        log.warning("neo4j unavailable: %s", exc)
        return ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, "the graph database is unavailable")
    if isinstance(exc, BusyError):
        return ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, "the graph database is busy")
    log.error("unhandled %s", exc.__class__.__name__, exc_info=exc)
    return ApiError(500, ErrorCode.INTERNAL_ERROR, "internal error")


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Render any exception as the error envelope.

    Args:
        request: The failed request.
        exc: What was raised.

    Returns:
        A JSON response with the status of the error and the envelope.
    """
    err = _to_api_error(exc)
    rid = request_id_of(request)
    body = ErrorEnvelope(
        error=ErrorBody(
            code=err.code,
            message=_clip(err.message) or "",
            details=err.details or ErrorDetails(field=_clip(err.field), reason=_clip(err.reason)),
            request_id=rid,
        )
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=err.status,
        media_type=MediaType.JSON,
        headers={"X-Request-ID": rid, **err.headers},
    )
