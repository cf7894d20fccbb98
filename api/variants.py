"""Which experiment variant serves a user: the running experiments, re-read every few seconds.

A user is in at most one variant per running experiment (``learning.assignment``: a hash, so
every API process agrees without storing anything). Two experiments run side by side only when
declared independent; a variant's settings are then merged in start order (the first that sets
a field wins).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import msgspec

from graph.errors import GraphError
from graph.experiments import ExperimentRecord, VariantConfig
from learning.assignment import pick

if TYPE_CHECKING:
    from graph.store import Store

__all__ = ["Assigned", "ExperimentCache", "merged"]

#: How often the running experiments are re-read.
REFRESH_SECONDS = 5.0


class Assigned(msgspec.Struct, frozen=True, kw_only=True):
    """A user's variant in one experiment and what it changes."""

    experiment: str
    variant: str
    config: VariantConfig

    @property
    def label(self) -> str:
        """``<experiment>_<variant>``, the ``X-Experiment`` header."""
        return f"{self.experiment}_{self.variant}"


class ExperimentCache:
    """The running experiments of this process (the last answer survives an outage)."""

    def __init__(self) -> None:
        self._running: list[ExperimentRecord] = []
        self._read_at = -REFRESH_SECONDS
        self._lock = asyncio.Lock()

    async def _refresh(self, store: Store) -> None:
        if time.monotonic() - self._read_at < REFRESH_SECONDS or self._lock.locked():
            return
        async with self._lock:
            try:
                async with store.repositories() as repos:
                    self._running = await repos.experiments()
            except GraphError:
                pass  # keep the last list; the feed's own read reports the outage
            self._read_at = time.monotonic()

    def invalidate(self) -> None:
        """Read the experiments again on the next request."""
        self._read_at = -REFRESH_SECONDS

    async def assign(self, store: Store, user_id: str) -> list[Assigned]:
        """The user's variant in each running experiment, in start order."""
        await self._refresh(store)
        out = []
        for e in sorted(self._running, key=lambda e: e.started_at or ""):
            name = pick(user_id, e.name, e.shares)
            config = next(v.config for v in e.variants if v.name == name)
            out.append(Assigned(experiment=e.name, variant=name, config=config))
        return out


def merged(assigned: list[Assigned]) -> VariantConfig:
    """One configuration from several variants: the earliest experiment's setting wins."""
    fields: dict[str, object] = {}
    for a in reversed(assigned):
        for name in a.config.__struct_fields__:
            value = getattr(a.config, name)
            if value not in (None, {}):
                fields[name] = value
    return VariantConfig(**fields)  # type: ignore[arg-type]
