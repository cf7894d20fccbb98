"""Recommendation responses: the home feed, because-you-watched rows, social, similar, explain."""

from __future__ import annotations

import msgspec

from api.schemas.common import PersonRef, TitleMetadata, TitleRef

__all__ = [
    "BecauseYouWatched",
    "BecauseYouWatchedRow",
    "ExplainDetail",
    "ExplainFactor",
    "Explanation",
    "GraphPath",
    "PathNode",
    "Recommendation",
    "RecommendationExplain",
    "RecommendationList",
    "ServedList",
    "SimilarItem",
    "SimilarItems",
]


class Explanation(msgspec.Struct, frozen=True, kw_only=True):
    """Why a title is recommended: the main source and the evidence.

    ``type`` is the API document's class (``collaborative``, ``content_based``, ``social``,
    ``popularity``); ``kind`` graphrec's finer one (``because_you_watched``, ``similar_content``,
    ``social``, ``similar_users``, ``taste_profile``, ``popular``, ``trending``).
    ``similar_items``: the user's titles behind a collaborative answer; ``matching_attributes``:
    what a content-based answer matches on (``genre``, ``people``, ``keywords``).
    """

    type: str
    reason: str
    kind: str
    similar_items: list[str] = msgspec.field(default_factory=list)
    matching_attributes: list[str] = msgspec.field(default_factory=list)
    sources: list[str] = msgspec.field(default_factory=list)
    anchor: TitleRef | None = None
    people: list[PersonRef] = msgspec.field(default_factory=list)
    shared: list[str] = msgspec.field(default_factory=list)
    genres: list[str] = msgspec.field(default_factory=list)


class Recommendation(msgspec.Struct, frozen=True, kw_only=True):
    """One recommended title."""

    item_id: str
    score: float
    rank: int
    metadata: TitleMetadata
    explanation: Explanation


class ServedList(msgspec.Struct, kw_only=True):
    """What every cached list carries besides its items: the request, the model, and whether it
    came from the cache (``stale``: computed before Neo4j went down); ``experiment``: the
    user's variants (``<experiment>_<variant>``, comma-separated; the ``X-Experiment`` header)."""

    request_id: str = ""
    model_version: str | None
    generated_at: str
    cached: bool = False
    stale: bool = False
    experiment: str | None = None


class RecommendationList(ServedList, kw_only=True):
    """The home feed (or one context of it); ``fallback``: popular titles of the category,
    served while Neo4j is down and nothing is cached for the user (``api/fallback.py``)."""

    recommendations: list[Recommendation]
    user_id: str
    context: str
    cold_start: bool = False
    fallback: bool = False


class BecauseYouWatchedRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row: an anchor the user liked and titles like it."""

    anchor: TitleRef
    reason: str
    source: str
    items: list[Recommendation]


class BecauseYouWatched(ServedList, kw_only=True):
    """Rows of "Because you watched ..."."""

    user_id: str
    rows: list[BecauseYouWatchedRow]


class SimilarItem(msgspec.Struct, frozen=True, kw_only=True):
    """A title like the requested one."""

    item_id: str
    similarity_score: float
    rank: int
    metadata: TitleMetadata
    source: str
    similarity_reason: str
    shared: list[str] = msgspec.field(default_factory=list)


class SimilarItems(msgspec.Struct, kw_only=True):
    """ "More like this": ``item_id`` repeats ``source_item.item_id``."""

    source_item: TitleRef
    similar_items: list[SimilarItem]
    item_id: str
    source: str
    model_version: str | None
    request_id: str
    generated_at: str


class ExplainFactor(msgspec.Struct, frozen=True, kw_only=True):
    """One contributing factor and its share of the explanation (weights sum to 1)."""

    factor: str
    weight: float
    description: str


class ExplainDetail(msgspec.Struct, frozen=True, kw_only=True):
    """The API document's explanation: the main reason, the weighted factors, the user's titles
    similar to this one and the rating the user would likely give it (0.5–5, null without
    evidence)."""

    primary_reason: str
    contributing_factors: list[ExplainFactor]
    similar_items_watched: list[str]
    predicted_rating: float | None


class PathNode(msgspec.Struct, frozen=True, kw_only=True):
    """A node on a graph path."""

    label: str
    id: str
    name: str | None = None


class GraphPath(msgspec.Struct, frozen=True, kw_only=True):
    """A path in the graph from the user to the title."""

    nodes: list[PathNode]
    relationships: list[str]
    text: str
    score: float | None = None


class RecommendationExplain(msgspec.Struct, kw_only=True):
    """Why this title for this user."""

    item_id: str
    user_id: str
    explanation: ExplainDetail
    metadata: TitleMetadata
    summary: str
    eligible: bool
    note: str | None
    anchors: list[TitleRef]
    friends: list[PersonRef]
    similar_users: list[PersonRef]
    paths: list[GraphPath]
    model_version: str | None
    request_id: str
