"""Train the learned ranker of the promoted model on a temporal split of the graph.

Sampled users are seen as of a cut-off before their latest interactions
(:mod:`graph.ranker_data`): the home feed's sources produce their candidates then, and the
titles they liked after it are the labels. A logistic regression over :data:`gnn.ranker.FEATURES`
is fitted on part of the users and scored on the others (recall and NDCG of the top ``k`` of
each user's candidates) beside the hand-set blend; it is kept with the model version only if it
ranks better there.

The promoted model's edges and embeddings were trained on the whole graph, later interactions
included, so its scores know a little of what the split holds out; the hand weights are
compared on the same candidates, and ``bench/feed_quality.py`` checks the result on a hold-out
the graph never held.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import numpy as np
from scipy import optimize

from gnn import ranker as learned
from gnn.errors import RankerDataError
from graph import models as registry
from graph import ranker_data
from graph.connection import Connection
from graph.recommendations import ModelInfo, per_source

__all__ = ["FitConfig", "RankerReport", "UserCandidates", "fit", "rank_quality", "train_ranker"]


class FitConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How the ranker's split is drawn and how it is fitted."""

    #: Users sampled among those with at least ``min_interactions`` timed interactions.
    users: int = 600
    min_interactions: int = 10
    #: Share of each user's latest interactions behind the cut-off.
    held_fraction: float = 0.1
    #: Share of the sampled users the ranker is validated on (never fitted on).
    valid_fraction: float = 0.3
    #: L2 penalty on the standardised weights.
    l2: float = 1.0
    #: The feed's length: recall and NDCG are of each user's top ``limit`` candidates.
    limit: int = 20
    seed: int = 0


@dataclass(frozen=True)
class UserCandidates:
    """One user's candidates as of the cut-off, their features and labels."""

    user_id: str
    ids: list[str]
    x: np.ndarray
    labels: np.ndarray
    #: Every title the user liked after the cut-off (found among the candidates or not).
    positives: int


@dataclass(frozen=True)
class RankerReport:
    """What training the ranker gave: its figures beside the hand weights', and the verdict."""

    ranker: learned.Ranker
    kept: bool
    train_users: int
    valid_users: int
    metrics: dict[str, float]


def collect(conn: Connection, model: ModelInfo, cfg: FitConfig) -> list[UserCandidates]:
    """Sample users, split each in time and gather its candidates as of the cut-off."""
    pool = ranker_data.eligible_users(conn, cfg.min_interactions)
    random.Random(cfg.seed).shuffle(pool)
    out = []
    for start in range(0, min(len(pool), cfg.users), 100):
        batch = pool[start : min(start + 100, cfg.users)]
        for held in ranker_data.holdouts(conn, batch, cfg.held_fraction):
            rows = ranker_data.candidates_as_of(conn, held, model, per_source(cfg.limit))
            found = {i for values in learned.source_values(rows).values() for i in values}
            titles = ranker_data.title_summaries(conn, sorted(found))
            ids, x = learned.features(rows, titles)
            labels = np.asarray([i in held.positives for i in ids], dtype=np.float64)
            out.append(UserCandidates(held.user_id, ids, x, labels, len(held.positives)))
    return out


def fit(users: list[UserCandidates], l2: float) -> learned.Ranker:
    """A logistic regression over the users' candidates (positives weighted to balance)."""
    x = np.concatenate([u.x for u in users])
    y = np.concatenate([u.labels for u in users])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std < 1e-9] = 1.0
    z = (x - mean) / std
    n_pos = max(float(y.sum()), 1.0)
    sample = np.where(y > 0, (len(y) - n_pos) / n_pos, 1.0)
    sample /= sample.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        logits = z @ w + b
        p = 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))
        nll = -(sample * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
        g = sample * (p - y)
        grad = np.append(z.T @ g + l2 * w / len(y), g.sum())
        return nll + 0.5 * l2 * float(w @ w) / len(y), grad

    theta = optimize.minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    return learned.Ranker(
        features=list(learned.FEATURES),
        mean=mean.tolist(),
        std=std.tolist(),
        weights=theta[:-1].tolist(),
        bias=float(theta[-1]),
    )


def rank_quality(
    users: list[UserCandidates], score: Callable[[np.ndarray], np.ndarray], limit: int
) -> tuple[float, float]:
    """Mean recall and NDCG (binary gains) of each user's top ``limit`` candidates by ``score``."""
    recall, ndcg = [], []
    for user in users:
        order = np.lexsort((np.asarray(user.ids), -score(user.x)))[:limit]
        hits = user.labels[order]
        recall.append(hits.sum() / user.positives)
        dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(hits) if hit)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(user.positives, limit)))
        ndcg.append(dcg / ideal)
    return float(np.mean(recall)), float(np.mean(ndcg))


def train_ranker(
    conn: Connection, name: str, version: str, cfg: FitConfig | None = None
) -> RankerReport:
    """Fit the ranker of a model version and keep it on its Model node if it beats the hand
    weights on the validation users (else remove any ranker stored there); figures either way.

    Raises:
        RankerDataError: Too few users with a temporal split to fit and validate on.
    """
    cfg = cfg or FitConfig()
    indexes = conn.rows("get_vector_indexes", {})
    names = set(indexes[0]["names"]) if indexes else set()
    model = ModelInfo(version=version, vector_index="title_embedding" in names)
    users = collect(conn, model, cfg)
    n_valid = int(len(users) * cfg.valid_fraction)
    if n_valid < 1 or len(users) - n_valid < 1 or not any(u.labels.any() for u in users):
        raise RankerDataError(
            f"{len(users)} users have a temporal split (at least {cfg.min_interactions} timed "
            "interactions and a strong positive after the cut-off): too few to fit a ranker"
        )
    valid, train = users[:n_valid], users[n_valid:]
    ranker = fit(train, cfg.l2)
    learned_q = rank_quality(valid, ranker.scores, cfg.limit)
    hand_q = rank_quality(valid, learned.hand_scores, cfg.limit)
    metrics = {
        f"ranker_recall@{cfg.limit}": round(learned_q[0], 5),
        f"ranker_ndcg@{cfg.limit}": round(learned_q[1], 5),
        f"hand_recall@{cfg.limit}": round(hand_q[0], 5),
        f"hand_ndcg@{cfg.limit}": round(hand_q[1], 5),
        "ranker_train_users": len(train),
        "ranker_valid_users": len(valid),
    }
    kept = learned_q[0] > hand_q[0]
    ranker = msgspec.structs.replace(ranker, metrics=metrics)
    stored = msgspec.json.encode(ranker).decode() if kept else None
    registry.set_ranker(conn, f"{name}:{version}", stored, json.dumps({**metrics, "kept": kept}))
    return RankerReport(ranker, kept, len(train), len(valid), metrics)
