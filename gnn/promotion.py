"""The promotion gate: a new version against the promoted one, on the same held-out pairs.

Both models rank every title for the users of the new version's validation split, with message
passing over that split's train edges only, and their per-user NDCG@k are paired. The new
version passes unless its mean is lower by more than the noise: twice the standard error of the
mean paired difference (users as the sampling unit; on ml-latest-small that is about 0.004,
the seed-to-seed spread of the model measured in ``docs/evaluation.md``).

The promoted model scores through its own id maps: a user it never saw gets a zero id
embedding (she is known from her train titles, as in the inductive cold start), a title it
never saw cannot be ranked by it. Its item-item head (``λ`` and weight from its artifacts) is
refitted on the split's train pairs, as the head is closed form.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from gnn import artifacts
from gnn.errors import GnnError
from gnn.head import EaseGram, ItemHead
from gnn.model import user_scores
from gnn.protocol import Split, user_metrics
from graph import models as registry

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["Comparison", "check_comparable", "compare_with_promoted", "promoted_scorer"]

ScoreFn = Callable[[np.ndarray], torch.Tensor]


@dataclass(frozen=True)
class Comparison:
    """The new version against the promoted one on the same validation users.

    Attributes:
        promoted: The promoted version compared against.
        new_ndcg, promoted_ndcg: Mean valid NDCG@k of each.
        difference: Mean of the paired per-user differences (new − promoted).
        noise: Twice the standard error of that mean.
        users: Validation users paired.
    """

    promoted: str
    new_ndcg: float
    promoted_ndcg: float
    difference: float
    noise: float
    users: int

    @property
    def not_worse(self) -> bool:
        """Whether the new version is not worse beyond the noise."""
        return self.difference >= -self.noise

    def as_metrics(self) -> dict[str, float | int | str | bool]:
        """The comparison as flat metrics for the registry."""
        return {
            "gate_against": self.promoted,
            "gate_new_ndcg": round(self.new_ndcg, 5),
            "gate_promoted_ndcg": round(self.promoted_ndcg, 5),
            "gate_difference": round(self.difference, 5),
            "gate_noise": round(self.noise, 5),
            "gate_users": self.users,
            "gate_passed": self.not_worse,
        }


def promoted_scorer(art: artifacts.Artifact, split: Split, head: tuple[float, float]) -> ScoreFn:
    """The scorer of an artifact's model on ``split`` (rows and columns of the split).

    Args:
        art: The promoted model's artifacts.
        split: Users, titles and train pairs to score with (message passing uses train only).
        head: ``(λ, weight)`` of the model's item-item head (weight 0: none).
    """
    from gnn.train import model_edges

    users, titles = art.graph.index("user"), art.graph.index("title")
    u_map = np.asarray([users.get(u, -1) for u in split.user_ids])
    t_map = np.asarray([titles.get(t, -1) for t in split.item_ids])
    coo = split.train.tocoo()
    keep = (u_map[coo.row] >= 0) & (t_map[coo.col] >= 0)
    rates = torch.from_numpy(np.stack([u_map[coo.row][keep], t_map[coo.col][keep]])).long()
    with torch.no_grad():
        art.model.eval()
        emb = art.model(model_edges(art.graph, rates=rates))
    u_idx, t_idx = torch.from_numpy(u_map), torch.from_numpy(t_map)
    known_t = t_idx >= 0

    def gnn(rows: np.ndarray) -> torch.Tensor:
        mapped = u_idx[torch.from_numpy(rows)]
        logits = user_scores(emb, mapped.clamp(min=0), art.config.temperature)
        logits[mapped < 0] = emb["bias"]  # unknown users: popularity only
        out = torch.full((len(rows), split.num_items), -1e9)
        out[:, known_t] = logits[:, t_idx[known_t]]
        return out

    lam, weight = head
    if weight <= 0:
        return gnn
    gram = EaseGram(split.train, max_items=art.config.head_items)
    return ItemHead(gram, lam, weight, gram.weights(lam)).scorer(gnn)


def check_comparable(conn: Connection, name: str) -> None:
    """Fail before training when a version is promoted but its artifacts cannot be read.

    Raises:
        GnnError: The promoted version's artifact directory is missing.
    """
    record = registry.get_promoted(conn, name)
    if record is not None and not (Path(record.artifact_path) / "weights.pt").is_file():
        raise GnnError(
            f"the promoted {record.model_id} has no artifacts at {record.artifact_path}, so a new"
            " version cannot be compared with it: pass --force to promote without comparing,"
            " or --no-promote"
        )


def compare_with_promoted(
    conn: Connection,
    name: str,
    split: Split,
    new: ScoreFn,
    k: int,
    users: np.ndarray | None = None,
) -> Comparison | None:
    """Pair the new scorer's valid NDCG@k with the promoted version's (``None``: nothing is
    promoted, or its artifacts are gone; :func:`check_comparable` refuses the latter unless
    forced), on ``users`` (user rows; default every user with a held-out title)."""
    record = registry.get_promoted(conn, name)
    if record is None or not (Path(record.artifact_path) / "weights.pt").is_file():
        return None
    art = artifacts.load_artifact(Path(record.artifact_path))
    old = promoted_scorer(art, split, art.head)
    rows, _, new_ndcg = user_metrics(new, split, k, "valid", users=users)
    _, _, old_ndcg = user_metrics(old, split, k, "valid", users=rows)
    diff = new_ndcg - old_ndcg
    n = len(diff)
    se = float(diff.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    return Comparison(
        record.version,
        float(new_ndcg.mean()) if n else 0.0,
        float(old_ndcg.mean()) if n else 0.0,
        float(diff.mean()) if n else 0.0,
        2 * se,
        n,
    )
