"""The one table of signal weights: thresholds and how a pair's signals combine."""

from __future__ import annotations

from graph import signals
from graph.signals import Action, PairSignals


def test_signals_the_documents_actions_keep_its_weights() -> None:
    expected = {"impression": 0.1, "click": 1.0, "add_to_cart": 2.0, "purchase": 5.0,
                "watch": 3.0, "like": 2.0, "dislike": -3.0}  # fmt: skip
    assert {a: signals.weight(a) for a in expected} == expected


def test_signals_ratings_weigh_their_stars() -> None:
    assert [signals.weight(Action.RATING, s) for s in (0.5, 1, 2.5, 3, 4, 5)] == [
        -3.0, -3.0, 0.0, 1.0, 3.0, 5.0
    ]  # fmt: skip
    assert not signals.is_positive("rating", 2.5)
    assert signals.is_positive("rating", 3.0)
    assert not signals.is_positive("abandon") and not signals.is_positive("impression")


def test_signals_a_view_weighs_up_to_a_complete_watch() -> None:
    assert signals.interaction_weight("view") == signals.WEIGHTS[Action.VIEW]
    assert signals.interaction_weight("view", completion=1.0) == signals.WEIGHTS[Action.COMPLETE]
    assert signals.interaction_weight("view", completion=0.5) == 2.5


def test_signals_a_negative_signal_outweighs_every_positive_of_its_pair() -> None:
    pairs = PairSignals()
    pairs.add("u", "watched-and-hated", signals.interaction_weight("view"))
    pairs.add("u", "watched-and-hated", signals.interaction_weight("rating", 1.0))
    pairs.add("u", "liked", signals.interaction_weight("view"))
    pairs.add("u", "liked", signals.interaction_weight("like"))
    pairs.add("u", "shown", signals.weight("impression"))
    assert pairs.positives() == {("u", "liked"): 2.0}
