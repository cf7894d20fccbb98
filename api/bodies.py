"""Request bodies checked before the handler: JSON only, valid UTF-8, not nested past reason,
and of the handler's body type **strictly** (``"5"`` is not a number; ``5.0`` is the integer 5,
as in JSON Schema).

Litestar converts a body leniently (``strict=False``: a string of digits becomes a number), and a
body that is not UTF-8 or is nested a thousand deep escaped its decoder as a 500. Here the body
is read once, decoded and converted strictly to the handler's body type; then it is handed on
(re-encoded only when an integral float became an integer), so the handler's own parsing (and
OpenAPI) stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from api.errors import ApiError, ErrorCode, invalid_input

if TYPE_CHECKING:
    from litestar.types import Receive, ReceiveMessage, Scope

__all__ = ["MAX_BODY_BYTES", "checked_receive"]

#: The largest request body accepted (413 past it).
MAX_BODY_BYTES = 64 * 1024
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _read(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    chunks: list[bytes] = []
    messages: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(
                413,
                ErrorCode.INVALID_INPUT,
                "request body too large",
                field="body",
                reason=f"at most {MAX_BODY_BYTES} bytes",
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


#: Integral floats up to this magnitude are integers (every such float is exact).
_EXACT = 2**53


def _integral(value: Any) -> tuple[Any, bool]:
    """``value`` with each float of zero fraction as an int (``63.0`` is JSON Schema's integer
    63), and whether any changed."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT:
        return int(value), True
    if isinstance(value, list):
        pairs = [_integral(item) for item in value]
        return [item for item, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, dict):
        items = {key: _integral(item) for key, item in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(c for _, c in items.values())
    return value, False


def _check(body: bytes, body_type: Any) -> bytes:
    """The body as the handler reads it (integral floats as integers), once it is valid."""
    try:
        value = msgspec.json.decode(body)
        value, changed = _integral(value)
    except UnicodeDecodeError:
        raise invalid_input("body", "not valid UTF-8") from None
    except RecursionError:
        raise invalid_input("body", "JSON nested too deeply") from None
    except msgspec.DecodeError as exc:
        raise invalid_input("body", f"malformed JSON: {exc}") from None
    try:
        msgspec.convert(value, body_type, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_input(None, str(exc)) from None
    return msgspec.json.encode(value) if changed else body


async def checked_receive(scope: Scope, receive: Receive) -> Receive:
    """Check the body of a request whose handler takes one; return what replays it.

    Raises:
        ApiError: 415 for a Content-Type other than JSON, 413 past 64 KiB, 400 for a body that
            is not UTF-8, not JSON, nested too deeply or not of the handler's body type.
    """
    handler = scope.get("route_handler")
    field = getattr(handler, "parsed_data_field", None)
    if scope.get("method") not in _WITH_BODY or field is None:
        return receive
    content_type = _header(scope, b"content-type")
    if content_type is not None and not _is_json(content_type):
        raise ApiError(
            415,
            ErrorCode.INVALID_INPUT,
            "unsupported media type",
            field="Content-Type",
            reason="the body must be application/json",
        )
    body, messages = await _read(receive)
    if body:
        checked = _check(body, field.annotation)
        if checked is not body:
            messages = [{"type": "http.request", "body": checked, "more_body": False}]
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
