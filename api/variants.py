"""Which experiment variant serves a user: the running experiments, re-read every few seconds.

A user is in at most one variant per running experiment (``learning.assignment``: a hash, so
every API process agrees without storing anything). Two experiments run side by side only when
declared independent; a variant's settings are then merged in start order (the first that sets
a field wins).

A model version in gradual rollout (``graphrec models promote V --traffic P``) serves the users
inside its share (``learning.assignment.in_rollout``), the promoted version the others; a
variant that sets a model version wins over the rollout.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import msgspec

from graph.errors import GraphError
from graph.experiments import ExperimentRecord, VariantConfig
from learning.assignment import in_rollout, pick
from learning.lifecycle import MODEL_NAME

if TYPE_CHECKING:
    from graph.recommendations import ModelInfo
    from graph.store import Store

__all__ = ["Assigned", "ExperimentCache", "merged", "model_for"]

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


def model_for(model: ModelInfo, user_id: str, variant: VariantConfig) -> ModelInfo:
    """The model serving ``user_id``: the variant's version, else the version in rollout when
    the user is inside its share, else the promoted one (the only one whose learned ranker, if
    any, is used: it was fitted on the promoted version's candidates)."""
    version = variant.model_version
    rollout = model.rollout_version
    if version is None and rollout and in_rollout(user_id, MODEL_NAME, model.rollout_percent):
        version = rollout
    if version is None or version == model.version:
        return model
    return msgspec.structs.replace(model, version=version, ranker=None)
