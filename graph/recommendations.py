"""Candidate sources of the recommendation endpoints, all read over Cypher.

Every source returns candidates already filtered for the user (seen, disliked, not interested,
``exclude``, kind and genre). Ranking and explanation text are the API's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

import cypher
from graph._tx import run_many, run_rows
from graph.errors import NotFoundError

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "Anchor",
    "ExplainData",
    "Filters",
    "ModelInfo",
    "RecommendationRepository",
    "SourceRows",
    "sample_ids",
]

#: Anchors need at least this strength (a like, a rating of 4/5, a fully watched title).
MIN_ANCHOR_STRENGTH = 0.5


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """Candidate filters shared by every source."""

    exclude: list[str] = msgspec.field(default_factory=list)
    kind: str | None = None
    genre: str | None = None

    def params(self) -> dict[str, Any]:
        """The filters as Cypher parameters."""
        return {"exclude": self.exclude, "kind": self.kind, "genre": self.genre}


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The promoted model and whether the title vector index exists."""

    version: str | None
    vector_index: bool


class Anchor(msgspec.Struct, frozen=True, kw_only=True):
    """A recent, strongly positive title of the user."""

    item_id: str
    title: str | None
    strength: float
    at: str | None = None


class SourceRows(msgspec.Struct, kw_only=True):
    """Raw candidates of every source of the home feed, as plain rows."""

    anchors: list[Anchor]
    similar: list[dict[str, Any]] = msgspec.field(default_factory=list)
    content: list[dict[str, Any]] = msgspec.field(default_factory=list)
    similar_users: list[dict[str, Any]] = msgspec.field(default_factory=list)
    friends: list[dict[str, Any]] = msgspec.field(default_factory=list)
    vector: list[dict[str, Any]] = msgspec.field(default_factory=list)
    popular: list[dict[str, Any]] = msgspec.field(default_factory=list)


class ExplainData(msgspec.Struct, kw_only=True):
    """Everything that ties a user to a title."""

    paths: list[dict[str, Any]]
    people: list[dict[str, Any]]
    content: dict[str, Any]


class RecommendationRepository:
    """Runs the candidate sources in one session."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        """Wrap an open session (one per unit of work)."""
        self._session = session

    async def model_info(self, name: str = "graphsage") -> ModelInfo:
        """Return the promoted version of ``name`` (or None) and whether vectors are indexed."""
        rows = await self._session.execute_read(run_rows, "get_promoted_model", {"name": name})
        indexes = await self._session.execute_read(run_rows, "get_vector_indexes", {})
        names = set(indexes[0]["names"]) if indexes else set()
        return ModelInfo(
            version=rows[0]["version"] if rows else None, vector_index="title_embedding" in names
        )

    async def sample_ids(self, limit: int) -> tuple[list[str], list[str]]:
        """Users with history and popular titles, for benchmarks and demos."""
        users = await self._session.execute_read(run_rows, "get_sample_users", {"limit": limit})
        titles = await self._session.execute_read(run_rows, "get_sample_titles", {"limit": limit})
        return [r["user_id"] for r in users], [r["item_id"] for r in titles]

    async def anchors(self, user_id: str, count: int) -> list[Anchor]:
        """Return the user's recent, strongly positive titles, most recent first."""
        params = {"user_id": user_id, "anchors": count, "min_strength": MIN_ANCHOR_STRENGTH}
        rows = await self._session.execute_read(_checked_rows, "get_anchor_titles", params)
        return [msgspec.convert(row, Anchor) for row in rows]

    async def similar_to(
        self,
        anchor_ids: list[str],
        *,
        model_version: str | None,
        k: int,
        filters: Filters,
        user_id: str | None = None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Per anchor, its GNN neighbours (when a version is given) and its content neighbours.

        Content neighbours are computed for anchors without edges of the version (new titles)
        or for all of them when the GNN gives nothing; at most five anchors.

        Returns:
            ``(gnn_rows, content_rows)``, rows ``{anchor_id, item_id, score[, shared]}``.
        """
        return await self._session.execute_read(
            _similar_to, anchor_ids, model_version, k, filters, user_id
        )

    async def home_sources(
        self,
        user_id: str,
        *,
        model: ModelInfo,
        sources: frozenset[str],
        k: int,
        anchors: int,
        filters: Filters,
    ) -> SourceRows:
        """Run the requested sources in one read transaction.

        Args:
            user_id: The user.
            model: The promoted model (``version`` None: no GNN, similar-user or vector source).
            sources: Names among ``similar``, ``social``, ``vector``, ``popular``.
            k: Candidates per source.
            anchors: How many anchors feed the item-similarity source.
            filters: Candidate filters.

        Returns:
            The rows of each source that ran.
        """
        return await self._session.execute_read(
            _home_sources, user_id, model, sources, k, anchors, filters
        )

    async def explain(self, user_id: str, item_id: str, model_version: str | None) -> ExplainData:
        """Return the paths, people and content ties between a user and a title.

        Raises:
            NotFoundError: The user or the title does not exist.
        """
        await self._session.execute_read(ensure_user, user_id)
        params = {
            "user_id": user_id,
            "item_id": item_id,
            "model_version": model_version or "",
            "k": 10,
        }
        await self._session.execute_read(_ensure_item, item_id)
        paths, people, content = await self._session.execute_read(
            run_many,
            [
                ("get_explain_paths", params),
                ("get_explain_people", params),
                ("get_explain_content", params),
            ],
        )
        return ExplainData(paths=paths, people=people, content=content[0] if content else {})


def sample_ids(drv: neo4j.Driver, limit: int, database: str) -> tuple[list[str], list[str]]:
    """Users with history and the most popular titles, for the demo's example calls."""
    users, _, _ = drv.execute_query(
        cypher.load("get_sample_users"), limit=limit, database_=database, routing_="r"
    )
    titles, _, _ = drv.execute_query(
        cypher.load("get_sample_titles"), limit=limit, database_=database, routing_="r"
    )
    return [r["user_id"] for r in users], [r["item_id"] for r in titles]


async def ensure_user(tx: neo4j.AsyncManagedTransaction, user_id: str) -> None:
    """Raise NotFoundError("user_id", ...) unless the user exists."""
    rows = await run_rows(tx, "get_existing_users", {"ids": [user_id]})
    if not rows or not rows[0]["ids"]:
        raise NotFoundError("user_id", user_id)


async def _ensure_item(tx: neo4j.AsyncManagedTransaction, item_id: str) -> None:
    rows = await run_rows(tx, "get_existing_titles", {"ids": [item_id]})
    if not rows or not rows[0]["ids"]:
        raise NotFoundError("item_id", item_id)


async def _checked_rows(
    tx: neo4j.AsyncManagedTransaction, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    await ensure_user(tx, params["user_id"])
    return await run_rows(tx, name, params)


async def _similar_to(
    tx: neo4j.AsyncManagedTransaction,
    anchor_ids: list[str],
    model_version: str | None,
    k: int,
    filters: Filters,
    user_id: str | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = {"user_id": user_id, "k": k, **filters.params()}
    gnn: list[dict[str, Any]] = []
    if model_version and anchor_ids:
        gnn = await run_rows(
            tx,
            "get_gnn_similar_titles",
            {**base, "anchor_ids": anchor_ids, "model_version": model_version},
        )
    if not anchor_ids:
        return gnn, []
    if not gnn:
        # No model, or no usable neighbours at all: shared content instead (costlier).
        rest = anchor_ids[:5]
    elif model_version:
        params = {"ids": anchor_ids, "model_version": model_version}
        rest = (await run_rows(tx, "get_titles_without_similar", params))[0]["ids"][:5]
    else:
        rest = []
    content: list[dict[str, Any]] = []
    if rest:
        params = {**base, "anchor_ids": rest}
        content = await run_rows(tx, "get_content_similar_titles", params)
    return gnn, content


async def _home_sources(
    tx: neo4j.AsyncManagedTransaction,
    user_id: str,
    model: ModelInfo,
    sources: frozenset[str],
    k: int,
    anchor_count: int,
    filters: Filters,
) -> SourceRows:
    await ensure_user(tx, user_id)
    base = {"user_id": user_id, "k": k, **filters.params()}
    anchor_rows = await run_rows(
        tx,
        "get_anchor_titles",
        {"user_id": user_id, "anchors": anchor_count, "min_strength": MIN_ANCHOR_STRENGTH},
    )
    out = SourceRows(anchors=[msgspec.convert(row, Anchor) for row in anchor_rows])
    version = model.version
    if "similar" in sources and out.anchors:
        out.similar, out.content = await _similar_to(
            tx, [a.item_id for a in out.anchors], version, k, filters, user_id
        )
    if "social" in sources:
        out.friends = await run_rows(tx, "get_friend_titles", base)
        if version:
            params = {**base, "model_version": version, "neighbours": 10}
            out.similar_users = await run_rows(tx, "get_similar_user_titles", params)
    if "vector" in sources and version and model.vector_index:
        params = {**base, "model_version": version, "candidates": k * 4}
        out.vector = await run_rows(tx, "get_vector_titles", params)
    if "popular" in sources:
        pool = 5_000 if filters.genre or filters.kind else 1_000
        out.popular = await run_rows(tx, "get_popular_titles", {**base, "pool": pool})
    return out
