"""Neo4j → :class:`gnn.data.GraphRecords`, streamed over Bolt in read transactions.

Records are consumed one by one inside each transaction function (never materialised as a
result list), so memory holds only the records being built. The relationship types map to the
canonical interaction types; ``build_graph(export_records(...))`` gives the same tensors as
``build_graph(records_from_dataset(dataset))`` for the dataset that was loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import cypher
from gnn.data import GraphRecords

if TYPE_CHECKING:
    import neo4j

    from graph.settings import Settings

__all__ = ["RELATIONSHIP_TYPES", "export_records"]

#: Relationship type in the graph → canonical interaction type.
RELATIONSHIP_TYPES: dict[str, str] = {
    "WATCHED": "view",
    "RATED": "rating",
    "LIKED": "like",
    "DISLIKED": "dislike",
    "SHARED": "share",
    "ADDED_TO_LIST": "add_to_list",
    "NOT_INTERESTED": "dislike",
}


def export_records(
    drv: neo4j.Driver,
    settings: Settings,
    *,
    dataset: str | None = None,
    user_ids: Sequence[str] | None = None,
    title_ids: Sequence[str] | None = None,
) -> GraphRecords:
    """Read users, titles, interactions, title features and social links from Neo4j.

    Args:
        drv: An open driver.
        settings: Settings naming the database.
        dataset: Only nodes with this ``dataset`` tag (default: the whole graph).
        user_ids: Only the interactions/friendships of these users (inductive embedding).
        title_ids: Only the features of these titles (inductive embedding).

    Returns:
        The records.
    """
    rec = GraphRecords()
    ids = {"dataset": dataset}
    users = list(user_ids) if user_ids is not None else None
    titles = list(title_ids) if title_ids is not None else None

    def stream(tx: neo4j.ManagedTransaction, name: str, params: dict[str, Any]) -> None:
        for record in tx.run(cypher.load(name), params):
            if name == "gnn_export_users":
                rec.users.add(record["userId"])
            elif name == "gnn_export_titles":
                rec.titles.add(record["titleId"])
            elif name == "gnn_export_interactions":
                kind = RELATIONSHIP_TYPES[record["type"]]
                rec.add_interaction(
                    record["userId"],
                    record["titleId"],
                    kind,
                    record["rating"],
                    record["completion"],
                )
            elif name == "gnn_export_features":
                rec.add_feature(record["titleId"], record["kind"], str(record["key"]))
            else:
                rec.add_friendship(record["userId"], record["friendId"])

    with drv.session(database=settings.neo4j_database) as session:
        if users is None and titles is None:
            session.execute_read(stream, "gnn_export_users", ids)
            session.execute_read(stream, "gnn_export_titles", ids)
        if titles is None or users is not None:
            session.execute_read(stream, "gnn_export_interactions", {**ids, "user_ids": users})
        if users is None or titles is not None:
            session.execute_read(stream, "gnn_export_features", {**ids, "title_ids": titles})
        if titles is None or users is not None:
            session.execute_read(stream, "gnn_export_friendships", {**ids, "user_ids": users})
    return rec
