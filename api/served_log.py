"""What the API tells the served-list log (``learning.log``): each list it serves, each
interaction it stores. Both go into a ``LogBuffer`` after the answer is sent, appended every
``FLUSH_SECONDS`` as one stream entry, one ``XADD`` (a round trip per request cost the hit path
more than the hit; while Redis is down, nothing: the log is best-effort, the answer is not).
``GRAPHREC_SERVED_LOG=0`` turns both off."""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING

import msgspec

from learning.entries import Interaction, ServedList, append

if TYPE_CHECKING:
    from api.state import AppState
    from api.variants import Assigned

__all__ = ["LogBuffer", "log_body", "log_event", "shown_items"]

#: How often the buffered entries are appended.
FLUSH_SECONDS = 0.02
#: Entries held at most (while Redis is slow); past it new ones are dropped.
MAX_PENDING = 50_000


class LogBuffer:
    """Entries waiting for the next append (one process's; lost only if the process dies)."""

    def __init__(self) -> None:
        self._pending: list[ServedList | Interaction] = []

    def add(self, entry: ServedList | Interaction) -> None:
        """Queue an entry (stamped by ``append`` when the batch is built)."""
        if len(self._pending) < MAX_PENDING:
            self._pending.append(entry)

    async def flush(self, state: AppState) -> None:
        """Append every queued entry as one batch."""
        if self._pending:
            entries, self._pending = self._pending, []
            await state.redis.run(lambda client: append(client, entries), None)

    async def run(self, state: AppState) -> None:
        """Flush every ``FLUSH_SECONDS`` until cancelled."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush(state)


class _Kind(msgspec.Struct):
    kind: str = ""


class _Shown(msgspec.Struct):
    item_id: str
    explanation: _Kind = msgspec.field(default_factory=_Kind)


class _Row(msgspec.Struct):
    items: list[_Shown] = msgspec.field(default_factory=list)


class _Body(msgspec.Struct):
    """The parts of any served body that name its titles (the rest is skipped unparsed)."""

    recommendations: list[_Shown] = msgspec.field(default_factory=list)
    rows: list[_Row] = msgspec.field(default_factory=list)
    model_version: str | None = None


_decode = msgspec.json.Decoder(_Body).decode


@functools.lru_cache(maxsize=1024)
def shown_items(body: bytes) -> tuple[tuple[tuple[str, str], ...], str]:
    """``(title, source)`` in the order shown, and the model version, of a served body.

    Remembered for the last 1,024 bodies: a cached answer is logged each time it is served, and
    its bytes (whose hash Python keeps) are the key.
    """
    parsed = _decode(body)
    shown = [*parsed.recommendations, *(s for row in parsed.rows for s in row.items)]
    return tuple((s.item_id, s.explanation.kind) for s in shown), parsed.model_version or ""


async def log_body(
    state: AppState,
    *,
    list_id: str,
    user_id: str,
    endpoint: str,
    body: bytes,
    assigned: list[Assigned],
) -> None:
    """Log one served list with the user's variant in each running experiment."""
    if not state.settings.served_log:
        return
    items, version = shown_items(body)
    served = ServedList(list_id=list_id, user=user_id, endpoint=endpoint, items=list(items))
    served.model_version = version
    served.variants = [(a.experiment, a.variant) for a in assigned]
    state.log_buffer.add(served)


async def log_event(state: AppState, event: Interaction) -> None:
    """Log one stored interaction for attribution and trending."""
    if not state.settings.served_log:
        return
    state.log_buffer.add(event)
