"""Candidate sources of the recommendation endpoints, all read over Cypher.

Every source returns candidates already filtered for the user (seen, disliked, not interested,
``exclude``, kind and genre). Ranking and explanation text are the API's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from graph import signals
from graph._tx import Runner, read, run_rows
from graph.errors import NotFoundError
from graph.explain import Evidence, evidence
from graph.peers import Peer

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "ALL_SOURCES",
    "HOME_ANCHORS",
    "Anchor",
    "Filters",
    "ModelInfo",
    "RecommendationRepository",
    "Row",
    "Shared",
    "SourceRows",
    "anchor_rows",
    "content_anchors",
    "home_params",
    "per_source",
    "source_rows",
]

#: Every candidate source of ``get_home_candidates``: GNN neighbours of the anchors, similar
#: users' and friends' titles, the vector index, popular titles in the user's genres, and the
#: trending titles the caller passes (``learning/trending.py`` keeps them in Redis).
ALL_SOURCES = frozenset({"similar", "social", "vector", "popular", "trending"})
#: Anchors need at least this strength on the scale of graph/signals.py: a strong positive (a
#: like, a listing, a rating of 3.5★ and up, a title watched at least a third).
MIN_ANCHOR_STRENGTH = signals.STRONG
#: Recent, strongly positive titles whose GNN neighbours feed the home feed.
HOME_ANCHORS = 6
#: The latest titles whose genres are the user's history genres (popular source).
RECENT_TITLES = 20
#: The latest interactions searched for anchors and recent titles: a user with thousands costs
#: no more than one with a few hundred.
HISTORY_SCAN = 200
#: SIMILAR_USER neighbours whose titles feed the "viewers like you" source, and how many
#: titles each contributes at most.
NEIGHBOURS = 5
PER_NEIGHBOUR = 50
#: Most popular titles searched for the popular source under a genre or kind filter (else 4k).
NARROWED_POOL = 5_000


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """Candidate filters shared by every source."""

    exclude: list[str] = msgspec.field(default_factory=list)
    kind: str | None = None
    genre: str | None = None

    def params(self) -> dict[str, Any]:
        """The filters as Cypher parameters."""
        return {"exclude": self.exclude, "kind": self.kind, "genre": self.genre}


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The promoted model (with its learned ranker), the version in gradual rollout (if any) with
    its share of users in percent, and whether the title vector index exists."""

    version: str | None
    vector_index: bool
    #: The version's learned ranker as stored (JSON, see gnn/ranker.py); None: hand weights.
    ranker: str | None = None
    rollout_version: str | None = None
    rollout_percent: float = 0.0


class Anchor(msgspec.Struct, frozen=True, kw_only=True):
    """A recent, strongly positive title of the user."""

    item_id: str
    title: str | None
    strength: float
    at: str | None = None
    has_similar: bool = False


class Shared(msgspec.Struct, frozen=True, gc=False):
    """A content feature a title shares with its anchor: ``kind`` person, keyword or genre."""

    kind: str
    name: str


class Row(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One candidate of a source; the statement sends it as ``[item_id, score, anchor_id, people]``.

    ``anchor_id`` is set for the anchor-based sources (similar, content), ``people`` for the
    social ones, ``shared`` for content rows.
    """

    item_id: str
    score: float
    anchor_id: str | None = None
    people: list[Peer] = []
    shared: list[Shared] = []


class SourceRows(msgspec.Struct, kw_only=True):
    """Raw candidates of every source of the home feed.

    ``popular_genres`` and ``popular_basis`` say which genres the popular source drew from and
    why: ``requested``, ``preferences``, ``history`` or ``global``.
    """

    anchors: list[Anchor]
    similar: list[Row] = msgspec.field(default_factory=list)
    content: list[Row] = msgspec.field(default_factory=list)
    similar_users: list[Row] = msgspec.field(default_factory=list)
    friends: list[Row] = msgspec.field(default_factory=list)
    #: "Popular in your circle": titles the user's community engages with (graphrec analyze).
    circle: list[Row] = msgspec.field(default_factory=list)
    vector: list[Row] = msgspec.field(default_factory=list)
    popular: list[Row] = msgspec.field(default_factory=list)
    #: Trending titles, scored by their decayed engagement.
    trending: list[Row] = msgspec.field(default_factory=list)
    popular_genres: list[str] = msgspec.field(default_factory=list)
    popular_basis: str = "global"


class RecommendationRepository:
    """Runs the candidate sources in one session."""

    def __init__(self, session: neo4j.AsyncSession) -> None:
        """Wrap an open session (one per unit of work)."""
        self._session = session

    async def popular_by_category(self, limit: int) -> dict[str, list[str]]:
        """The ``limit`` most popular title ids overall (``all``) and in each genre, most
        popular first (a background read)."""
        rows = await read(
            self._session, run_rows, "get_popular_by_category", {"limit": limit}, background=True
        )
        return {r["category"]: list(r["ids"]) for r in rows if r["ids"]}

    async def model_info(self, name: str = "graphsage") -> ModelInfo:
        """Return the promoted version of ``name`` (or None), the version in rollout and its
        share, and whether vectors are indexed."""
        rows = await read(self._session, run_rows, "get_promoted_model", {"name": name})
        rollout = await read(self._session, run_rows, "get_model_rollout", {"name": name})
        indexes = await read(self._session, run_rows, "get_vector_indexes", {})
        names = set(indexes[0]["names"]) if indexes else set()
        return ModelInfo(
            version=rows[0]["model"]["version"] if rows else None,
            vector_index="title_embedding" in names,
            ranker=rows[0]["model"].get("ranker") if rows else None,
            rollout_version=rollout[0]["version"] if rows and rollout else None,
            rollout_percent=float(rollout[0]["percent"]) if rows and rollout else 0.0,
        )

    async def more_like_this(
        self, item_id: str, *, model_version: str | None, k: int
    ) -> tuple[str, list[Row]]:
        """The title's GNN neighbours of the model version, else titles sharing its features.

        Returns:
            ``("gnn" | "content", rows)``; content rows carry the features they share.
        """
        return await read(self._session, _more_like_this, item_id, model_version, k)

    async def home_sources(
        self,
        user_id: str,
        *,
        model: ModelInfo,
        sources: frozenset[str],
        k: int,
        anchors: int,
        filters: Filters,
        trending: Sequence[tuple[str, float]] = (),
    ) -> SourceRows:
        """Run the requested sources (one statement, plus the content fallback when needed).

        Args:
            user_id: The user.
            model: The promoted model (``version`` None: no GNN, similar-user or vector source).
            sources: Names among ``similar``, ``social``, ``vector``, ``popular``, ``trending``.
            k: Candidates per source.
            anchors: How many anchors feed the item-similarity source.
            filters: Candidate filters.
            trending: ``(title id, score)`` of the trending titles (the ``trending`` source).

        Returns:
            The rows of each source that ran.

        Raises:
            NotFoundError: The user does not exist.
        """
        params = home_params(user_id, model, sources, k, anchors, filters, trending=trending)
        return await read(self._session, _home_sources, params)

    async def explain(self, user_id: str, item_id: str, model_version: str | None) -> Evidence:
        """Return the paths, people and content ties between a user and a title.

        Raises:
            NotFoundError: The user or the title does not exist.
        """
        return await evidence(self._session, user_id, item_id, model_version)


def per_source(limit: int) -> int:
    """Candidates each source offers for a row of ``limit`` titles (room to filter and mix)."""
    return min(200, max(20, limit * 2))


async def _more_like_this(
    tx: Runner, item_id: str, model_version: str | None, k: int
) -> tuple[str, list[Row]]:
    params = {
        "anchor_ids": [item_id],
        "k": k,
        "user_id": None,
        "before": None,
        **Filters().params(),
    }
    if model_version:
        gnn = await run_rows(
            tx, "get_gnn_similar_titles", {**params, "model_version": model_version}
        )
        if gnn:
            return "gnn", anchor_rows(gnn)
    return "content", anchor_rows(await run_rows(tx, "get_content_similar_titles", params))


def anchor_rows(found: list[dict[str, Any]]) -> list[Row]:
    """Rows of the per-anchor statements (GNN or content neighbours), which return maps."""
    return [
        Row(
            item_id=r["item_id"],
            score=float(r["score"] or 0.0),
            anchor_id=r["anchor_id"],
            shared=msgspec.convert(r.get("shared", []), list[Shared]),
        )
        for r in found
    ]


def home_params(
    user_id: str,
    model: ModelInfo,
    sources: frozenset[str],
    k: int,
    anchor_count: int,
    filters: Filters,
    before: int | None = None,
    trending: Sequence[tuple[str, float]] = (),
) -> dict[str, Any]:
    """The parameters of ``get_home_candidates`` (see ``RecommendationRepository.home_sources``).

    ``before`` (epoch milliseconds) sees the user as of that instant (the ranker's temporal
    split; None to serve).
    """
    narrowed = filters.genre is not None or filters.kind is not None
    return {
        "user_id": user_id,
        "sources": sorted(sources),
        "model_version": model.version,
        "vector_index": model.vector_index,
        "anchors": anchor_count,
        "recent": RECENT_TITLES,
        "scan": HISTORY_SCAN,
        "min_strength": MIN_ANCHOR_STRENGTH,
        "weights": signals.edge_weights(),
        "neighbours": NEIGHBOURS,
        "per_neighbour": PER_NEIGHBOUR,
        "candidates": k + 20,
        "pool": NARROWED_POOL if narrowed else 4 * k,
        "k": k,
        "before": before,
        "trending": [[item_id, score] for item_id, score in trending],
        **filters.params(),
    }


def source_rows(row: dict[str, Any]) -> SourceRows:
    """The sources of one ``get_home_candidates`` row (no content rows yet)."""
    by_source = {source: msgspec.convert(found, list[Row]) for source, found in row["sources"]}
    out = SourceRows(
        anchors=[msgspec.convert(a, Anchor) for a in row["anchors"]],
        similar=by_source.get("similar", []),
        similar_users=by_source.get("similar_users", []),
        friends=by_source.get("friends", []),
        circle=by_source.get("circle", []),
        vector=by_source.get("vector", []),
        popular=by_source.get("popular", []),
        trending=by_source.get("trending", []),
        popular_genres=row["genres"],
        popular_basis=row["basis"],
    )
    return out


def content_anchors(rows: SourceRows, params: dict[str, Any]) -> list[str]:
    """The anchors whose content neighbours stand in for GNN ones (none: no fallback).

    Titles sharing features stand in for anchors without edges of the model (new titles), or
    for every anchor when the model offers nothing new (costlier: at most five).
    """
    if "similar" not in params["sources"]:
        return []
    return [a.item_id for a in rows.anchors if not a.has_similar or not rows.similar][:5]


async def _home_sources(tx: Runner, params: dict[str, Any]) -> SourceRows:
    rows = await run_rows(tx, "get_home_candidates", params)
    if not rows:
        raise NotFoundError("user_id", params["user_id"])
    out = source_rows(rows[0])
    bare = content_anchors(out, params)
    if bare:
        content = {**params, "anchor_ids": bare}
        out.content = anchor_rows(await run_rows(tx, "get_content_similar_titles", content))
    return out
