"""The graph as plain records for the GNN, streamed over Bolt in read transactions.

Records are visited one by one inside each transaction (never materialised as a result list),
so memory holds only what the receiving :class:`GraphSink` builds. Relationship types come out
as the canonical interaction types of :mod:`graph.dataset`, so a sink fed from Neo4j sees what
it would see fed from the dataset that was loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from graph.dataset import Interaction, InteractionType

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["RELATIONSHIP_TYPES", "GraphSink", "export_graph"]

#: Relationship type in the graph → canonical interaction type (``NOT_INTERESTED`` weighs as a
#: dislike: never a positive).
RELATIONSHIP_TYPES: dict[str, InteractionType] = {
    "WATCHED": "view",
    "RATED": "rating",
    "LIKED": "like",
    "DISLIKED": "dislike",
    "SHARED": "share",
    "ADDED_TO_LIST": "add_to_list",
    "NOT_INTERESTED": "dislike",
}


class GraphSink(Protocol):
    """What receives the exported records."""

    def add_user(self, user_id: str) -> None:
        """A user."""

    def add_title(self, title_id: str) -> None:
        """A title."""

    def add_interaction(self, interaction: Interaction) -> None:
        """An interaction (its type canonical; a rating's stars or a watch's completion)."""

    def add_feature(self, title_id: str, kind: str, key: str) -> None:
        """A content feature (``genre``, ``person``, ``keyword``) of a title."""

    def add_friendship(self, a: str, b: str) -> None:
        """A social link (friendship or trust; direction ignored)."""


def export_graph(
    conn: Connection,
    sink: GraphSink,
    *,
    dataset: str | None = None,
    user_ids: Sequence[str] | None = None,
    title_ids: Sequence[str] | None = None,
) -> None:
    """Stream users, titles, interactions, title features and social links into ``sink``.

    Args:
        conn: The connection.
        sink: Receives every record.
        dataset: Only nodes with this ``dataset`` tag (default: the whole graph).
        user_ids: Only the interactions and friendships of these users (inductive embedding).
        title_ids: Only the features of these titles (inductive embedding).
    """
    tag = {"dataset": dataset}
    users = list(user_ids) if user_ids is not None else None
    titles = list(title_ids) if title_ids is not None else None
    if users is None and titles is None:
        conn.each("gnn_export_users", tag, lambda r: sink.add_user(r["userId"]))
        conn.each("gnn_export_titles", tag, lambda r: sink.add_title(r["titleId"]))
    if titles is None or users is not None:
        conn.each(
            "gnn_export_interactions",
            {**tag, "user_ids": users},
            lambda r: sink.add_interaction(
                Interaction(
                    user_id=r["userId"],
                    title_id=r["titleId"],
                    type=RELATIONSHIP_TYPES[r["type"]],
                    value=r["rating"],
                    completion=r["completion"],
                )
            ),
        )
    if users is None or titles is not None:
        conn.each(
            "gnn_export_features",
            {**tag, "title_ids": titles},
            lambda r: sink.add_feature(r["titleId"], r["kind"], str(r["key"])),
        )
    if titles is None or users is not None:
        conn.each(
            "gnn_export_friendships",
            {**tag, "user_ids": users},
            lambda r: sink.add_friendship(r["userId"], r["friendId"]),
        )
