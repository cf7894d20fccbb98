"""The learned ranker of the home feed: candidate features and a logistic regression over them.

Every candidate the sources of ``get_home_candidates`` offer becomes one row of
:data:`FEATURES`: each source's scaled score (exactly the contribution ``api.ranking`` weights
by hand, before the weight), the raw item-similarity and vector scores, how many anchors point
at it and how recent the nearest is, how many friends, the title's popularity, how much of it
lies in the user's genres and how many sources agree. The ranker standardises them and scores
``sigmoid(w · z + b)``; the feed sorts by it before diversifying. :data:`HAND_WEIGHTS` score
the same rows as the hand-set blend, the fallback and the bar a trained ranker must clear.

Pure functions over :class:`graph.recommendations.SourceRows`: the API scores with them on the
request path and :mod:`gnn.ranker_fit` trains on them, so both see the same numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec
import numpy as np

if TYPE_CHECKING:
    from graph.items import TitleSummary
    from graph.recommendations import Row, SourceRows

__all__ = [
    "FEATURES",
    "HAND_WEIGHTS",
    "SOURCES",
    "Ranker",
    "features",
    "hand_scores",
    "load",
    "scaled",
    "source_values",
]

#: The candidate sources, in the order of their feature columns.
SOURCES = ("similar", "content", "friends", "similar_users", "circle", "vector", "popular")
#: Weight of each source once its scores are scaled to [0, 1]: the hand-set blend.
HAND_WEIGHTS: Mapping[str, float] = {
    "similar": 1.0,
    "friends": 0.8,
    "vector": 0.8,
    "similar_users": 0.7,
    "circle": 0.5,
    "content": 0.6,
    "popular": 0.3,
}
#: Feature columns: the scaled sources, then the rest (see the module docstring).
FEATURES = (
    *SOURCES,
    "similar_best",
    "similar_anchors",
    "anchor_recency",
    "friends_count",
    "vector_raw",
    "popularity",
    "genre_affinity",
    "source_count",
)


class Ranker(msgspec.Struct, frozen=True, kw_only=True):
    """A trained ranker: standardisation and logistic-regression weights, per feature name.

    ``metrics`` are its figures on the temporal validation split (see :mod:`gnn.ranker_fit`).
    """

    features: list[str]
    mean: list[float]
    std: list[float]
    weights: list[float]
    bias: float
    metrics: dict[str, float] = msgspec.field(default_factory=dict)

    def weight_of(self, feature: str) -> float:
        """The weight of one feature (on its standardised scale)."""
        return self.weights[self.features.index(feature)]

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Scores in (0, 1) of feature rows ``x`` (``[n, len(FEATURES)]``)."""
        z = (x - np.asarray(self.mean)) / np.asarray(self.std)
        logits = z @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))


@functools.lru_cache(maxsize=8)
def load(raw: str | None) -> Ranker | None:
    """The ranker stored as JSON on a Model node; ``None`` when absent or of other features."""
    if not raw:
        return None
    try:
        ranker = msgspec.json.decode(raw, type=Ranker)
    except msgspec.DecodeError:
        return None
    if tuple(ranker.features) != FEATURES or len(ranker.weights) != len(FEATURES):
        return None
    return ranker


def scaled(rows: list[Row]) -> dict[str, float]:
    """Each row's score divided by the best one (scores below 0 count as 0)."""
    best = max((r.score for r in rows), default=0.0)
    if best <= 0:
        return {r.item_id: 0.0 for r in rows}
    return {r.item_id: max(0.0, r.score) / best for r in rows}


def _anchored(rows: list[Row], strengths: Mapping[str, float]) -> dict[str, float]:
    """Per title, the sum over its anchors of anchor strength x similarity, scaled to [0, 1]."""
    per_item: dict[str, float] = {}
    for row in rows:
        contrib = strengths.get(row.anchor_id or "", 0.5) * row.score
        per_item[row.item_id] = per_item.get(row.item_id, 0.0) + contrib
    top = max(per_item.values(), default=0.0) or 1.0
    return {item_id: value / top for item_id, value in per_item.items()}


def _popular(rows: list[Row]) -> dict[str, float]:
    best = max((r.score for r in rows), default=0.0)
    out = {}
    for row in rows:
        value = math.log1p(row.score) / math.log1p(best) if best > 0 else 0.0
        out[row.item_id] = max(value, 0.01)
    return out


def source_values(rows: SourceRows) -> dict[str, dict[str, float]]:
    """Each source's candidates with their scaled score (the unweighted contribution)."""
    strengths = {a.item_id: a.strength for a in rows.anchors}
    return {
        "similar": _anchored(rows.similar, strengths),
        "content": _anchored(rows.content, strengths),
        "friends": scaled(rows.friends),
        "similar_users": scaled(rows.similar_users),
        "circle": scaled(rows.circle),
        "vector": scaled(rows.vector),
        "popular": _popular(rows.popular),
    }


def _anchor_features(rows: SourceRows) -> dict[str, tuple[float, float, float]]:
    """Per title: best raw similarity, share of anchors behind it, recency of the latest one."""
    position = {a.item_id: i for i, a in enumerate(rows.anchors)}
    n_anchors = max(1, len(rows.anchors))
    best: dict[str, float] = {}
    anchors: dict[str, set[str]] = {}
    recency: dict[str, float] = {}
    for row in rows.similar + rows.content:
        best[row.item_id] = max(best.get(row.item_id, 0.0), row.score)
        anchors.setdefault(row.item_id, set()).add(row.anchor_id or "")
        recent = 1.0 / (1.0 + position.get(row.anchor_id or "", n_anchors))
        recency[row.item_id] = max(recency.get(row.item_id, 0.0), recent)
    return {i: (best[i], len(anchors[i]) / n_anchors, recency[i]) for i in best}


def features(rows: SourceRows, titles: Mapping[str, TitleSummary]) -> tuple[list[str], np.ndarray]:
    """The candidates of ``rows`` (sorted ids) and their feature rows (``[n, len(FEATURES)]``).

    ``titles`` give popularity and genres (a title missing there counts as unpopular and
    outside the user's genres).
    """
    values = source_values(rows)
    ids = sorted({item for found in values.values() for item in found})
    anchored = _anchor_features(rows)
    friends = {r.item_id: r.score for r in rows.friends}
    vector = {r.item_id: r.score for r in rows.vector}
    liked = set(rows.popular_genres)
    x = np.zeros((len(ids), len(FEATURES)), dtype=np.float64)
    for n, item in enumerate(ids):
        present = [values[s].get(item) for s in SOURCES]
        summary = titles.get(item)
        genres = summary.genres if summary else ()
        x[n, : len(SOURCES)] = [v or 0.0 for v in present]
        x[n, len(SOURCES) :] = [
            *anchored.get(item, (0.0, 0.0, 0.0)),
            math.log1p(friends.get(item, 0.0)),
            vector.get(item, 0.0),
            math.log1p(max(0.0, (summary.popularity or 0.0) if summary else 0.0)),
            len(liked.intersection(genres)) / len(genres) if genres else 0.0,
            sum(v is not None for v in present),
        ]
    return ids, x


def hand_scores(x: np.ndarray, weights: Mapping[str, float] = HAND_WEIGHTS) -> np.ndarray:
    """The hand-set blend of feature rows: each source's scaled score times its weight."""
    w = np.asarray([weights[s] for s in SOURCES])
    return x[:, : len(SOURCES)] @ w
