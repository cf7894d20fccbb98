"""Redis response cache of the recommendation endpoints, and idempotency records.

A cached answer is fresh for ``cache_ttl`` seconds and kept a day longer so that, while Neo4j is
down, it can still be served marked ``stale``.

Invalidation is by generation. Every change that alters a user's answers (an interaction,
feedback, preferences, a friendship) bumps the user's generation counter; an entry records the
generation it was computed in and counts only while that is still the user's. So a change drops
all of a user's answers with one O(1) command, and an answer computed from the graph *before* a
change but stored *after* it (a request racing an interaction) is refused, not served as if it
reflected the change.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any, cast

import msgspec

if TYPE_CHECKING:
    from api.queries import Query
    from api.state import AppState

__all__ = [
    "CacheRead",
    "CachedBody",
    "cache_key",
    "drop_user",
    "get_cached",
    "get_idempotent",
    "is_fresh",
    "put_cached",
    "put_idempotent",
]

_KEEP_SECONDS = 86_400
IDEMPOTENCY_SECONDS = 86_400
#: Store an answer (KEYS[2]) for ARGV[3] seconds if the user's generation (KEYS[1], absent = 0)
#: is still ARGV[1], the one read before computing it; the generation is kept as long as the
#: answer. Returns 1 when stored, 0 when a change came in between.
_PUT_LUA = """
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""
#: Bump the generation of every user in KEYS, each kept ARGV[1] seconds: at least as long as any
#: answer stored under an earlier generation, so an expired counter can never revive one.
_BUMP_LUA = """
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1])
end
return #KEYS
"""


class CachedBody(msgspec.Struct, frozen=True):
    """A cached response body, when it was computed (Unix seconds) and in which generation."""

    stored: float
    body: bytes
    generation: int = 0


class CacheRead(msgspec.Struct, frozen=True):
    """What a lookup found.

    Attributes:
        entry: The answer of the user's current generation (fresh or not), else None.
        generation: The user's generation when read; None when Redis did not answer, and then
            nothing computed now is stored.
    """

    entry: CachedBody | None
    generation: int | None


def cache_key(query: Query, model_version: str | None) -> str:
    """Key of one cached answer: the query's route and user, the model version, and a digest of
    every field of the query."""
    digest = hashlib.sha1(msgspec.json.encode(query), usedforsecurity=False).hexdigest()[:16]
    return f"graphrec:rec:{query.user_id}:{query.route}:{model_version or '-'}:{digest}"


def _generation_key(user_id: str) -> str:
    return f"graphrec:recgen:{user_id}"


def _keep_seconds(state: AppState) -> int:
    return int(state.cache_ttl) + _KEEP_SECONDS


async def get_cached(state: AppState, user_id: str, key: str) -> CacheRead:
    """Read the user's generation and the entry under ``key`` (one round trip)."""
    raw = await state.redis.run(lambda r: r.mget(_generation_key(user_id), key), None)
    if raw is None:
        return CacheRead(None, None)
    generation, body = raw
    current = int(generation) if generation is not None else 0
    if body is None:
        return CacheRead(None, current)
    try:
        entry = msgspec.msgpack.decode(cast("bytes", body), type=CachedBody)
    except msgspec.DecodeError:
        return CacheRead(None, current)
    return CacheRead(entry if entry.generation == current else None, current)


def is_fresh(state: AppState, entry: CachedBody) -> bool:
    """True while the entry is younger than the cache TTL."""
    return time.time() - entry.stored < state.cache_ttl


async def put_cached(
    state: AppState, user_id: str, key: str, body: bytes, generation: int | None
) -> None:
    """Store an answer computed in ``generation``, unless the user's has moved on since."""
    if generation is None:
        return
    payload = msgspec.msgpack.encode(CachedBody(time.time(), body, generation))

    async def put(client: Any) -> None:
        keys = (_generation_key(user_id), key)
        await client.eval(_PUT_LUA, 2, *keys, generation, payload, _keep_seconds(state))

    await state.redis.run(put, None)


async def drop_user(state: AppState, *user_ids: str) -> None:
    """Drop every cached answer of these users (their generations move on)."""
    keys = [_generation_key(u) for u in user_ids]

    async def bump(client: Any) -> None:
        await client.eval(_BUMP_LUA, len(keys), *keys, _keep_seconds(state))

    await state.redis.run(bump, None)


def _idem_key(event_id: str) -> str:
    return f"graphrec:idem:{event_id}"


async def get_idempotent(state: AppState, event_id: str) -> bytes | None:
    """The stored response of an earlier request with this event id, if any."""
    raw = await state.redis.run(lambda r: r.get(_idem_key(event_id)), None)
    return cast("bytes", raw) if raw is not None else None


async def put_idempotent(state: AppState, event_id: str, body: bytes) -> None:
    """Remember the response for this event id for 24 h (the first one stored wins)."""
    await state.redis.run(
        lambda r: r.set(_idem_key(event_id), body, ex=IDEMPOTENCY_SECONDS, nx=True), None
    )
