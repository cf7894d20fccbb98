"""A small in-process tier in front of the Redis response cache: a hit without a round trip.

A fresh answer a worker read from Redis (or stored there itself) is kept in the worker for up to
``LOCAL_SECONDS`` and never past the cache TTL, in at most ``max_bytes`` (least recently used
out first). It honours the per-user generation of ``api/cache.py``: the script that moves a
user's generation on also publishes the user on ``channel``, and every worker holds a
subscription that drops the user's local answers. The messages are applied in the protocol's
``data_received`` callback, which the event loop runs before any request task it wakes in the
same turn; an interaction's bump is published before its response is sent, so a later request
finds the drop applied whichever worker serves it.

The tier answers only while its subscription is live and the main Redis client is up: a lost
subscription (Redis restarted, the network) empties it until it is subscribed again, since
messages sent meanwhile are lost. A fill races the drops that come in while its answer was read
from Redis; a :meth:`LocalTier.mark` taken before the read refuses it.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection, parse_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from redis.asyncio.connection import ConnectKwargs

    from api.cache import CachedBody

__all__ = ["LOCAL_SECONDS", "LocalTier", "channel"]

log = logging.getLogger("api.cache")

#: The longest a worker serves an answer without reading Redis: a bound on what a lost
#: invalidation could cost, which the subscription makes rare.
LOCAL_SECONDS = 30.0
#: Pause before subscribing again after the subscription failed.
_RETRY_SECONDS = 1.0
#: Drops remembered for fills in flight; past it, fills marked before the oldest are refused.
_DROPS_KEPT = 10_000
_INCOMPLETE = object()


def channel(db: int) -> str:
    """The channel on which the users whose answers changed are published (per database)."""
    return f"graphrec:recgen:{db}"


class LocalTier:
    """One worker's copies of fresh answers, dropped per user by the generation channel."""

    def __init__(self, redis_url: str, max_bytes: int) -> None:
        """Start empty and not live (nothing is served before the subscription is)."""
        #: Where to subscribe: ``redis.asyncio``'s reading of the URL (host, port or path, TLS,
        #: credentials, database).
        self.server = parse_url(redis_url)
        self.channel = channel(int(self.server.get("db", 0)))
        self.max_bytes = max_bytes
        self.live = False
        self._entries: OrderedDict[str, tuple[str, CachedBody, float]] = OrderedDict()
        self._keys_of: dict[str, set[str]] = {}
        self._bytes = 0
        self._seq = 0  # drops so far: a mark is the value before a read
        self._dropped: OrderedDict[str, int] = OrderedDict()  # user -> seq of its last drop
        self._floor = 0  # marks below it are refused (their user's drop was forgotten)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> CachedBody | None:
        """The answer under ``key`` while it is fresh here, else None."""
        if not self.live:
            return None
        item = self._entries.get(key)
        if item is None:
            return None
        if time.time() >= item[2]:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return item[1]

    def mark(self) -> int:
        """Taken before reading an answer from Redis; passed to :meth:`put`."""
        return self._seq

    def put(self, user_id: str, key: str, entry: CachedBody, mark: int, ttl: float) -> bool:
        """Keep an answer read (or stored) after ``mark``, unless its user's answers were
        dropped since; it is served until ``ttl`` seconds after it was computed, at most
        ``LOCAL_SECONDS`` from now. Returns whether it was kept."""
        size = len(entry.body) + len(key)
        if not self.live or size > self.max_bytes or mark < self._floor:
            return False
        if self._dropped.get(user_id, -1) > mark:
            return False
        until = min(entry.stored + ttl, time.time() + LOCAL_SECONDS)
        if key in self._entries:
            self._remove(key)
        self._entries[key] = (user_id, entry, until)
        self._keys_of.setdefault(user_id, set()).add(key)
        self._bytes += size
        while self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))
        return True

    def drop(self, user_id: str) -> None:
        """Forget the user's answers, and refuse the fills read before now."""
        self._seq += 1
        self._dropped[user_id] = self._seq
        self._dropped.move_to_end(user_id)
        if len(self._dropped) > _DROPS_KEPT:
            _, seq = self._dropped.popitem(last=False)
            self._floor = seq + 1
        for key in self._keys_of.pop(user_id, set()):
            self._remove(key, user_gone=True)

    def go_dark(self) -> None:
        """Stop serving and forget everything (the invalidations can no longer be heard)."""
        self.live = False
        self._entries.clear()
        self._keys_of.clear()
        self._bytes = 0
        self._seq += 1
        self._floor = self._seq

    def _remove(self, key: str, *, user_gone: bool = False) -> None:
        user_id, entry, _ = self._entries.pop(key)
        self._bytes -= len(entry.body) + len(key)
        if not user_gone:
            keys = self._keys_of.get(user_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_of[user_id]

    async def run(self) -> None:
        """Hold the subscription until cancelled, subscribing again whenever it is lost."""
        warned = False
        while True:
            protocol = _Subscriber(self)
            try:
                transport = await asyncio.wait_for(_connect(self.server, protocol), 1.0)
            except (OSError, TimeoutError) as exc:
                if not warned:
                    log.warning("local cache off: cannot subscribe (%s)", exc.__class__.__name__)
                    warned = True
            else:
                warned = False
                try:
                    await protocol.closed
                finally:
                    transport.close()
                    self.go_dark()
            await asyncio.sleep(_RETRY_SECONDS)


async def _connect(params: ConnectKwargs, protocol: _Subscriber) -> asyncio.BaseTransport:
    loop = asyncio.get_running_loop()
    kind = params.get("connection_class")
    if kind is UnixDomainSocketConnection:
        transport, _ = await loop.create_unix_connection(lambda: protocol, params["path"])
    else:
        host, port = params.get("host", "localhost"), params.get("port", 6379)
        tls = ssl.create_default_context() if kind is SSLConnection else None
        transport, _ = await loop.create_connection(lambda: protocol, host, port, ssl=tls)
    return transport


class _Subscriber(asyncio.Protocol):
    """The subscription: AUTH when the URL has a password, SUBSCRIBE, then drops per message."""

    def __init__(self, tier: LocalTier) -> None:
        self.tier = tier
        params = tier.server
        self._hello: list[list[str]] = []
        if params.get("password"):
            user = params.get("username")
            auth = [user, params["password"]] if user else [params["password"]]
            self._hello.append(["AUTH", *auth])
        self._hello.append(["SUBSCRIBE", tier.channel])
        self._reader = _RespReader()
        self._transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        transport.write(b"".join(_command(args) for args in self._hello))  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            for reply in self._reader.replies():
                self._on(reply)
        except ValueError as exc:
            log.warning("local cache off: %s", exc)
            self._close()

    def _on(self, reply: Any) -> None:
        if isinstance(reply, list) and len(reply) == 3:
            kind = reply[0]
            if kind == b"message":
                self.tier.drop(reply[2].decode())
            elif kind == b"subscribe":
                self.tier.go_dark()  # nothing heard before now: start empty
                self.tier.live = True
        elif isinstance(reply, _RespError):
            raise ValueError(f"redis refused the subscription: {reply}")

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.tier.go_dark()
        if not self.closed.done():
            self.closed.set_result(None)


def _command(args: list[str]) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        raw = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


class _RespError(str):
    """An error reply."""


class _RespReader:
    """Incremental reader of RESP2 replies (what a subscription receives)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    def replies(self) -> Iterator[Any]:
        """Every complete reply buffered so far, in order."""
        while True:
            value, end = self._parse(0)
            if value is _INCOMPLETE:
                return
            del self._buf[:end]
            yield value

    def _parse(self, pos: int) -> tuple[Any, int]:
        line_end = self._buf.find(b"\r\n", pos)
        if line_end < 0:
            return _INCOMPLETE, pos
        kind, head = self._buf[pos : pos + 1], bytes(self._buf[pos + 1 : line_end])
        pos = line_end + 2
        if kind == b"+":
            return head.decode(), pos
        if kind == b"-":
            return _RespError(head.decode()), pos
        if kind == b":":
            return int(head), pos
        if kind == b"$":
            size = int(head)
            if size < 0:
                return None, pos
            if len(self._buf) < pos + size + 2:
                return _INCOMPLETE, pos
            return bytes(self._buf[pos : pos + size]), pos + size + 2
        if kind == b"*":
            items = []
            for _ in range(max(int(head), 0)):
                item, pos = self._parse(pos)
                if item is _INCOMPLETE:
                    return _INCOMPLETE, pos
                items.append(item)
            return items, pos
        raise ValueError(f"unexpected reply type {bytes(kind)!r} from redis")
