"""What the learned ranker trains on: users seen as of a past instant, and what they met after.

For sampled users, :func:`holdouts` finds a cut-off (the instant of their latest interactions)
and the titles they went on to like after it; :func:`candidates_as_of` runs the home feed's own
candidate statements with ``$before`` set to that cut-off, so the sources see the user's history
as it was then (later interactions neither anchor nor filter anything). Background reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from graph import signals
from graph.items import TitleSummary
from graph.recommendations import (
    ALL_SOURCES,
    HOME_ANCHORS,
    MIN_ANCHOR_STRENGTH,
    Filters,
    ModelInfo,
    SourceRows,
    anchor_rows,
    content_anchors,
    home_params,
    source_rows,
)

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["Holdout", "candidates_as_of", "eligible_users", "holdouts", "title_summaries"]


class Holdout(msgspec.Struct, frozen=True, kw_only=True):
    """One user's temporal split: the cut-off and the titles liked after it."""

    user_id: str
    #: Epoch milliseconds (compared as such: Neo4j orders equal instants by time zone).
    before: int
    positives: frozenset[str]


def eligible_users(conn: Connection, min_interactions: int) -> list[str]:
    """Users with at least ``min_interactions`` timed positive interactions, by id."""
    rows = conn.rows("ranker_users", {"min_interactions": min_interactions})
    return [r["user_id"] for r in rows]


def holdouts(conn: Connection, user_ids: list[str], held_fraction: float) -> list[Holdout]:
    """The temporal split of each user (those with a history and a later strong positive)."""
    params = {
        "user_ids": user_ids,
        "held_fraction": held_fraction,
        "weights": signals.edge_weights(),
        "min_strength": MIN_ANCHOR_STRENGTH,
    }
    return [
        Holdout(
            user_id=r["user_id"],
            before=r["before"],
            positives=frozenset(r["positives"]),
        )
        for r in conn.rows("ranker_holdout", params)
    ]


def candidates_as_of(conn: Connection, holdout: Holdout, model: ModelInfo, k: int) -> SourceRows:
    """The home feed's candidates of every source for the user as of the cut-off."""
    params: dict[str, Any] = home_params(
        holdout.user_id, model, ALL_SOURCES, k, HOME_ANCHORS, Filters(), before=holdout.before
    )
    found = conn.rows("get_home_candidates", params)
    out = source_rows(found[0]) if found else SourceRows(anchors=[])
    bare = content_anchors(out, params)
    if bare:
        content = {**params, "anchor_ids": bare}
        out.content = anchor_rows(conn.rows("get_content_similar_titles", content))
    return out


def title_summaries(conn: Connection, ids: list[str]) -> dict[str, TitleSummary]:
    """Popularity and genres (display metadata) of the titles among ``ids``."""
    rows = conn.rows("get_titles_by_ids", {"ids": ids})
    return {r["item_id"]: msgspec.convert(r, TitleSummary) for r in rows}
