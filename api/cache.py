"""Redis response cache of the recommendation endpoints, and idempotency records.

A cached answer is fresh for ``cache_ttl`` seconds and kept a day longer so that, while Neo4j is
down, it can still be served marked ``stale``.

Invalidation is by generation. Every change that alters a user's answers (an interaction,
feedback, preferences, a friendship) bumps the user's generation counter; an entry records the
generation it was computed in and counts only while that is still the user's. So a change drops
all of a user's answers with one O(1) command, and an answer computed from the graph *before* a
change but stored *after* it (a request racing an interaction) is refused, not served as if it
reflected the change.

Read-your-writes on a cluster: the same script stores the bookmarks of the change's write
transaction under the user (``graphrec:recbm:<user>``, for ``BOOKMARK_SECONDS``), the cache
lookup reads them in the same round trip, and a miss computes the answer in a session that
waits for them; so the next request reflects the change whichever API process serves it and
whichever Neo4j server that process reads from.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any, cast

import msgspec

if TYPE_CHECKING:
    from collections.abc import Sequence

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
#: How long a user's last write bookmarks are kept: a follower lagging longer is broken, and a
#: bookmark must not outlive a database replaced under it (``graphrec load --bulk``), which a
#: session would wait for in vain.
BOOKMARK_SECONDS = 60
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
#: Bump the generation of the first ARGV[2] KEYS, each kept ARGV[1] seconds: at least as long as
#: any answer stored under an earlier generation, so an expired counter can never revive one;
#: and publish each of their users (ARGV[5 + i]) on channel ARGV[5], which drops the workers'
#: local copies (``api/localcache.py``). The other KEYS (bookmark keys) get ARGV[3], the write's
#: bookmarks, in front of up to three they held (writes of one user from several processes may
#: land in any order), for ARGV[4] seconds.
_BUMP_LUA = """
local users = tonumber(ARGV[2])
for i = 1, users do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
  redis.call('PUBLISH', ARGV[5], ARGV[5 + i])
end
for i = users + 1, #KEYS do
  local kept, n = ARGV[3], 0
  for bookmark in string.gmatch(redis.call('GET', KEYS[i]) or '', '[^\\n]+') do
    if n < 3 and bookmark ~= ARGV[3] then
      kept, n = kept .. '\\n' .. bookmark, n + 1
    end
  end
  redis.call('SET', KEYS[i], kept, 'EX', ARGV[4])
end
return users
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
        bookmarks: The user's last writes, which an answer computed now must see.
    """

    entry: CachedBody | None
    generation: int | None
    bookmarks: tuple[str, ...] = ()


def cache_key(query: Query, model_version: str | None) -> str:
    """Key of one cached answer: the query's route and user, the model version, and a digest of
    every field of the query."""
    digest = hashlib.sha1(msgspec.json.encode(query), usedforsecurity=False).hexdigest()[:16]
    return f"graphrec:rec:{query.user_id}:{query.route}:{model_version or '-'}:{digest}"


def _generation_key(user_id: str) -> str:
    return f"graphrec:recgen:{user_id}"


def _bookmark_key(user_id: str) -> str:
    return f"graphrec:recbm:{user_id}"


def _keep_seconds(state: AppState) -> int:
    return int(state.cache_ttl) + _KEEP_SECONDS


async def get_cached(state: AppState, user_id: str, key: str) -> CacheRead:
    """Read the user's generation, bookmarks and the entry under ``key`` (one round trip)."""
    keys = (_generation_key(user_id), key, _bookmark_key(user_id))
    raw = await state.redis.run(lambda r: r.mget(*keys), None)
    if raw is None:
        return CacheRead(None, None)
    generation, body, marks = raw
    current = int(generation) if generation is not None else 0
    bookmarks = tuple(cast("bytes", marks).decode().split("\n")) if marks else ()
    if body is None:
        return CacheRead(None, current, bookmarks)
    try:
        entry = msgspec.msgpack.decode(cast("bytes", body), type=CachedBody)
    except msgspec.DecodeError:
        return CacheRead(None, current, bookmarks)
    return CacheRead(entry if entry.generation == current else None, current, bookmarks)


def is_fresh(state: AppState, entry: CachedBody) -> bool:
    """True while the entry is younger than the cache TTL."""
    return time.time() - entry.stored < state.cache_ttl


async def put_cached(
    state: AppState, user_id: str, key: str, body: bytes, generation: int | None, mark: int
) -> None:
    """Store an answer computed in ``generation``, unless the user's has moved on since; once
    stored, keep it in this worker too (unless dropped here after ``mark``)."""
    if generation is None:
        return
    entry = CachedBody(time.time(), body, generation)
    payload = msgspec.msgpack.encode(entry)

    async def put(client: Any) -> bool:
        keys = (_generation_key(user_id), key)
        keep = _keep_seconds(state)
        return bool(await client.eval(_PUT_LUA, 2, *keys, generation, payload, keep))

    if await state.redis.run(put, False):
        state.local.put(user_id, key, entry, mark, state.cache_ttl)


async def drop_user(state: AppState, *user_ids: str, bookmarks: Sequence[str] = ()) -> None:
    """Drop every cached answer of these users (their generations move on), and keep the
    bookmarks of the write that changed them for their next answers (one round trip)."""
    for user_id in user_ids:  # this worker at once, the others when the message reaches them
        state.local.drop(user_id)
    keys = [_generation_key(u) for u in user_ids]
    if bookmarks:
        keys += [_bookmark_key(u) for u in user_ids]
    marks = "\n".join(bookmarks)
    channel = state.local.channel
    args = (_keep_seconds(state), len(user_ids), marks, BOOKMARK_SECONDS, channel, *user_ids)

    async def bump(client: Any) -> None:
        await client.eval(_BUMP_LUA, len(keys), *keys, *args)

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
