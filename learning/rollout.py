"""Gradual rollout of a model version: a sticky share of users, raised step by step, or ended.

``graphrec models promote V --traffic 5`` marks version ``V`` with ``trafficPercent = 5`` on its
``Model`` node (graph/models.py). Every API process reads it with the promoted version and serves
``V`` to the users whose rollout bucket (:func:`learning.assignment.in_rollout`) lies below the
share, the promoted version to the others. Buckets never change, so raising the share to 25 keeps
every user of the first 5 % in. A full promotion (``--traffic 100`` or no ``--traffic``) ends the
rollout, as does ``graphrec models rollback`` (everyone back to the promoted version).

Only a version whose ``SIMILAR_TO`` / ``SIMILAR_USER`` edges still exist can be rolled out: a
pruned one would serve nothing of its own (a full promotion rewrites its edges first).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from graph import models, similarity

if TYPE_CHECKING:
    from graph.connection import Connection
    from graph.models import ModelRecord

__all__ = ["RolloutError", "cancel", "shares", "start"]


class RolloutError(ValueError):
    """A rollout refused; the message says why and what to do instead."""


def _check_percent(percent: float) -> None:
    if not math.isfinite(percent) or not 0 < percent < 100:
        raise RolloutError(
            f"--traffic {percent:g}: a rollout share must lie in (0, 100); "
            "100 (or no --traffic) promotes the version fully"
        )


def start(conn: Connection, name: str, version: str, percent: float) -> float | None:
    """Serve ``version`` to ``percent`` % of the users, or change the share of its rollout.

    Returns:
        The former share (``None`` when the rollout starts now).

    Raises:
        RolloutError: The share is out of range, the version is promoted or still training,
            nothing else is promoted, another version is in rollout, or its edges were pruned.
        graph.errors.NotFoundError: No such version.
    """
    _check_percent(percent)
    target = models.get_model(conn, name, version)
    if target.status == "promoted":
        raise RolloutError(f"{name}:{version} is promoted already: it serves every user")
    if target.status == "training":
        raise RolloutError(f"{name}:{version} is still training")
    if models.get_promoted(conn, name) is None:
        raise RolloutError(
            f"no {name} version is promoted to serve the other users: "
            f"promote {version} fully (without --traffic)"
        )
    busy = [m for m in models.list_models(conn, name) if m.traffic_percent and m.version != version]
    if busy:
        raise RolloutError(
            f"{name}:{busy[0].version} is in rollout ({busy[0].traffic_percent:g} %): promote it "
            "fully or end its rollout (graphrec models rollback) first"
        )
    if similarity.edge_counts(conn, name).get(version, 0) == 0:
        raise RolloutError(
            f"{name}:{version} has no SIMILAR_TO edges left (pruned: older than the last --keep "
            "versions), so it cannot be served to a share of users; promote it fully (which "
            "rewrites its edges) or train a new version"
        )
    return models.set_rollout(conn, name, version, percent)


def cancel(conn: Connection, name: str) -> list[tuple[str, float]]:
    """End the rollout of ``name``: the ``(version, share)`` it ended (empty when none ran)."""
    return models.cancel_rollout(conn, name)


def shares(records: list[ModelRecord]) -> dict[str, float]:
    """The share of users (percent) each serving version gets: the rollout version its own, the
    promoted one the rest."""
    out: dict[str, float] = {}
    rolled = sum(m.traffic_percent or 0.0 for m in records if m.status != "promoted")
    for m in records:
        if m.status == "promoted":
            out[m.version] = 100.0 - rolled
        elif m.traffic_percent is not None:
            out[m.version] = m.traffic_percent
    return out
