"""How much each kind of interaction says about a user's taste: the one table of weights.

The feed's anchors, the GNN's training positives, the offline protocol and the body of
``POST /v1/interactions`` all read their weights here. The scale is the API document's: its
seven actions keep the weights it gives them (a purchase 5, a watch 3, a like or an
add-to-cart 2, a click 1, an impression 0.1, a dislike -3) and graphrec's other actions sit
among them. A rating weighs ``2 × (stars − 2.5)``, clipped to [-3, 5]: 5★ 5, 4★ 3, 3★ 1,
2.5★ 0, 1★ -3.

Two thresholds read the table: an interaction is a **positive** (a training pair and an
evaluation target) from a click's weight up, and a **strong** one (an anchor of "Because you
watched") from a like's. Impressions, pauses and every negative weight are neither: a 0.5★
rating, an abandon or a dislike never counts for a title.
"""

from __future__ import annotations

import enum

__all__ = [
    "POSITIVE",
    "STRONG",
    "WEIGHTS",
    "Action",
    "PairSignals",
    "edge_weights",
    "interaction_weight",
    "is_positive",
    "rating_weight",
    "weight",
]


class Action(enum.StrEnum):
    """Every interaction the API accepts: the API document's, then the behaviour events'."""

    IMPRESSION = "impression"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"
    WATCH = "watch"
    LIKE = "like"
    DISLIKE = "dislike"
    VIEW = "view"
    PLAY = "play"
    PAUSE = "pause"
    SKIP = "skip"
    SAVE = "save"
    COMPLETE = "complete"
    ABANDON = "abandon"
    SHARE = "share"
    RATING = "rating"
    ADD_TO_LIST = "add_to_list"
    REMOVE_FROM_LIST = "remove_from_list"


#: Weight of each action (a rating's comes from its stars: :func:`rating_weight`).
WEIGHTS: dict[Action, float] = {
    Action.IMPRESSION: 0.1,
    Action.CLICK: 1.0,
    Action.ADD_TO_CART: 2.0,
    Action.PURCHASE: 5.0,
    Action.WATCH: 3.0,
    Action.LIKE: 2.0,
    Action.DISLIKE: -3.0,
    Action.VIEW: 1.0,
    Action.PLAY: 1.0,
    Action.PAUSE: 0.0,
    Action.SKIP: -1.0,
    Action.SAVE: 2.0,
    Action.COMPLETE: 4.0,
    Action.ABANDON: -1.0,
    Action.SHARE: 3.0,
    Action.RATING: 0.0,
    Action.ADD_TO_LIST: 2.0,
    Action.REMOVE_FROM_LIST: -1.0,
}
#: From this weight up an interaction is a positive (a click, a view, a 3★ rating).
POSITIVE = 1.0
#: From this weight up a positive is strong enough to anchor "Because you watched" (a like).
STRONG = 2.0


#: A rating weighs ``RATING_SLOPE × (stars − RATING_NEUTRAL)``, clipped to the scale.
RATING_SLOPE = 2.0
RATING_NEUTRAL = 2.5


def rating_weight(stars: float) -> float:
    """The weight of a rating of ``stars`` on the 0.5-5 scale: 5★ 5, 3★ 1, 2.5★ 0, 1★ -3."""
    return max(-3.0, min(5.0, RATING_SLOPE * (stars - RATING_NEUTRAL)))


def weight(action: Action | str, value: float | None = None) -> float:
    """The weight of one interaction.

    Args:
        action: The action.
        value: The stars of a ``rating`` (ignored for other actions).

    Returns:
        The weight on the API document's scale (-3 to 5).
    """
    action = Action(action)
    if action is Action.RATING:
        return rating_weight(value) if value is not None else 0.0
    return WEIGHTS[action]


def is_positive(action: Action | str, value: float | None = None) -> bool:
    """Whether the interaction counts for the title (a training pair, an evaluation target)."""
    return weight(action, value) >= POSITIVE


def interaction_weight(
    kind: str, value: float | None = None, completion: float | None = None
) -> float:
    """The weight of a canonical interaction (:class:`graph.dataset.Interaction` types).

    A ``view`` weighs a view, up to a complete watch with its ``completion`` (half watched:
    2.5); a ``rating`` its stars; ``like``, ``dislike``, ``share`` and ``add_to_list`` their
    action's weight.
    """
    if kind == "view":
        if completion is None:
            return WEIGHTS[Action.VIEW]
        return WEIGHTS[Action.VIEW] + (WEIGHTS[Action.COMPLETE] - WEIGHTS[Action.VIEW]) * completion
    return weight(kind, value)


class PairSignals:
    """The weights of every user-title pair, from all of the pair's interactions.

    A pair weighs its strongest signal, unless one of its signals is negative: then it is
    not a positive, whatever else happened (a title watched and rated 1★ was not liked).
    """

    def __init__(self) -> None:
        """Start with no pairs."""
        self._best: dict[tuple[str, str], float] = {}
        self._negative: set[tuple[str, str]] = set()

    def add(self, user_id: str, title_id: str, signal: float) -> None:
        """Record one signal of weight ``signal`` on a pair."""
        key = (user_id, title_id)
        if signal < 0:
            self._negative.add(key)
        if signal > self._best.get(key, -1e9):
            self._best[key] = signal

    def positives(self) -> dict[tuple[str, str], float]:
        """The positive pairs and their weights (at least :data:`POSITIVE`)."""
        return {
            key: w for key, w in self._best.items() if w >= POSITIVE and key not in self._negative
        }


def edge_weights() -> dict[str, float]:
    """The weight of each aggregate relationship of the graph that carries a fixed weight.

    ``RATED`` weighs its rating (``rating_slope``, ``rating_neutral``: :func:`rating_weight`,
    whose clipping never matters at the anchors' threshold) and ``WATCHED`` its completion (a
    view, up to a complete watch): both are computed where the edge is read. Passed to Cypher
    as ``$weights`` (the anchors of ``get_home_candidates``).
    """
    return {
        "rating_slope": RATING_SLOPE,
        "rating_neutral": RATING_NEUTRAL,
        "LIKED": WEIGHTS[Action.LIKE],
        "DISLIKED": WEIGHTS[Action.DISLIKE],
        "SHARED": WEIGHTS[Action.SHARE],
        "ADDED_TO_LIST": WEIGHTS[Action.ADD_TO_LIST],
        "VIEW": WEIGHTS[Action.VIEW],
        "COMPLETE": WEIGHTS[Action.COMPLETE],
    }
