"""Deterministic, sticky assignment of users to experiment variants and rollout shares.

A user's bucket in an experiment is ``sha256("<experiment>:<user>") mod 10,000`` (basis points:
``hash mod 100`` to two decimals), walked through the variants' cumulative traffic shares in
their declared order. Nothing is stored: every API process, before and after a restart, puts a
user in the same variant, and a gradual rollout raised from 5 % to 25 % keeps its first 5 %
(a bucket below 500 is below 2,500 too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["BUCKETS", "bucket", "in_rollout", "pick"]

#: Buckets per experiment: shares are honoured to 0.01 percentage points.
BUCKETS = 10_000


def bucket(user_id: str, salt: str) -> int:
    """The user's bucket in ``[0, BUCKETS)`` for one experiment (or rollout) ``salt``."""
    digest = hashlib.sha256(f"{salt}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def pick(user_id: str, experiment: str, shares: Sequence[tuple[str, float]]) -> str:
    """The variant of ``user_id``: ``shares`` are ``(variant, percent)`` summing to 100."""
    point = bucket(user_id, experiment)
    edge = 0.0
    for name, percent in shares:
        edge += percent * BUCKETS / 100
        if point < round(edge):
            return name
    return shares[-1][0]


def in_rollout(user_id: str, model: str, percent: float) -> bool:
    """Whether ``user_id`` is inside a ``percent`` rollout of a new version of ``model``."""
    return bucket(user_id, f"rollout:{model}") < round(percent * BUCKETS / 100)
