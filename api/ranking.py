"""Merge the candidate sources, rank, diversify and explain (pure functions, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from api.schemas.common import PersonRef, TitleMetadata, TitleRef
from api.schemas.recommendations import Explanation, Recommendation
from gnn import ranker as learned

if TYPE_CHECKING:
    from graph.items import TitleSummary
    from graph.peers import Peer, Relation
    from graph.recommendations import Anchor, Row, SourceRows

__all__ = [
    "GENERAL_SOURCES",
    "SOURCE_WEIGHTS",
    "Candidate",
    "diversify",
    "merge_sources",
    "metadata_of",
    "names_text",
    "person_ref",
    "shared_text",
]

#: Weight of each source once its scores are scaled to [0, 1] (the hand-set blend: the
#: fallback when the promoted model has no learned ranker), and of the trending titles (not a
#: feature of the learned ranker: they add to the hand-set blend only).
SOURCE_WEIGHTS = {**learned.HAND_WEIGHTS, "trending": 0.4}
#: Sources that are not about the user: they fill a row, and a list of only them is a cold start.
GENERAL_SOURCES = frozenset({"popular", "trending"})


class Candidate(msgspec.Struct, kw_only=True):
    """A title with its per-source contributions and the evidence for its explanation."""

    item_id: str
    contributions: dict[str, float] = msgspec.field(default_factory=dict)
    anchor: TitleRef | None = None
    anchor_weight: float = 0.0
    #: Friends and similar users behind the title.
    people: list[Peer] = msgspec.field(default_factory=list)
    shared: list[str] = msgspec.field(default_factory=list)
    #: The genres behind the popular source (explanations name those the title is in).
    genres: list[str] = msgspec.field(default_factory=list)
    popular_basis: str | None = None
    #: The learned ranker's score (None: the hand-set blend ranks).
    ranked: float | None = None
    #: Trending in the last hour (else only over the week), for the trending explanation.
    trending_now: bool = False

    @property
    def score(self) -> float:
        """The learned ranker's score, else the sum of the weighted contributions."""
        return self.ranked if self.ranked is not None else sum(self.contributions.values())

    @property
    def main_source(self) -> str:
        """The source contributing most."""
        return max(self.contributions.items(), key=lambda kv: (kv[1], kv[0]))[0]


def shared_text(row: Row) -> list[str]:
    """The features a content row shares with its anchor, as ``"kind name"``."""
    return [f"{s.kind} {s.name}" for s in row.shared]


def names_text(names: list[str]) -> str:
    """``"Ann"``, ``"Ann and Bob"``, ``"Ann, Bob and Cid"``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _add(cands: dict[str, Candidate], item_id: str, source: str, value: float) -> Candidate:
    cand = cands.get(item_id)
    if cand is None:
        cand = cands[item_id] = Candidate(item_id=item_id)
    cand.contributions[source] = cand.contributions.get(source, 0.0) + value
    return cand


def _anchor_source(
    cands: dict[str, Candidate],
    rows: list[Row],
    anchors: dict[str, Anchor],
    source: str,
    scaled: dict[str, float],
) -> None:
    """Add an anchor-based source (scaled contributions given) and each title's best anchor."""
    best: dict[str, tuple[float, Row]] = {}
    for row in rows:
        anchor = anchors.get(row.anchor_id or "")
        contrib = (anchor.strength if anchor else 0.5) * row.score
        if row.item_id not in best or contrib > best[row.item_id][0]:
            best[row.item_id] = (contrib, row)
    for item_id, value in scaled.items():
        cand = _add(cands, item_id, source, value)
        contrib, row = best[item_id]
        if contrib >= cand.anchor_weight and row.anchor_id is not None:
            anchor = anchors.get(row.anchor_id)
            cand.anchor = TitleRef(item_id=row.anchor_id, title=anchor.title if anchor else None)
            cand.anchor_weight = contrib
            if row.shared:
                cand.shared = shared_text(row)[:4]


def merge_sources(
    rows: SourceRows, weights: Mapping[str, float] | None = None
) -> dict[str, Candidate]:
    """Merge every source's rows into candidates with weighted, scaled contributions.

    ``weights`` replace some of ``SOURCE_WEIGHTS`` (an experiment variant's).
    """
    w = {**SOURCE_WEIGHTS, **(weights or {})}
    values = learned.source_values(rows)
    cands: dict[str, Candidate] = {}
    anchors = {a.item_id: a for a in rows.anchors}
    for source, source_rows in (("similar", rows.similar), ("content", rows.content)):
        scaled = {item: w[source] * v for item, v in values[source].items()}
        _anchor_source(cands, source_rows, anchors, source, scaled)
    social: tuple[tuple[str, list[Row], Relation], ...] = (
        ("friends", rows.friends, "friend"),
        ("similar_users", rows.similar_users, "similar_user"),
        ("circle", rows.circle, "circle"),
    )
    for source, source_rows, relation in social:
        for item_id, value in values[source].items():
            _add(cands, item_id, source, w[source] * value)
        for row in source_rows:
            people = cands[row.item_id].people
            people.extend(msgspec.structs.replace(p, relation=relation) for p in row.people)
    for item_id, value in values["vector"].items():
        _add(cands, item_id, "vector", w["vector"] * value)
    for item_id, value in learned.scaled(rows.trending).items():
        _add(cands, item_id, "trending", w["trending"] * value)
    for item_id, value in values["popular"].items():
        cand = _add(cands, item_id, "popular", w["popular"] * value)
        cand.popular_basis = rows.popular_basis
        cand.genres = list(rows.popular_genres)
    return cands


def person_ref(peer: Peer) -> PersonRef:
    """A peer as explanations name it."""
    return PersonRef(
        user_id=peer.user_id,
        name=peer.name,
        relation=peer.relation or "friend",
        how=list(peer.how or []),
        score=peer.score,
    )


def metadata_of(summary: TitleSummary | None) -> TitleMetadata:
    """Display metadata of a title (empty when the title vanished)."""
    if summary is None:
        return TitleMetadata()
    genres = sorted(summary.genres)
    rating = round(summary.rating, 2) if summary.rating is not None else None
    return TitleMetadata(
        title=summary.title,
        category=genres[0] if genres else None,
        rating=rating,
        thumbnail_url=summary.thumbnail_url,
        genres=genres,
        year=summary.year,
        kind=summary.kind,
        popularity=summary.popularity,
    )


#: The share of a row that titles outside its most frequent genre keep (``1 - DIVERSITY``: at
#: most half of the row shares a genre); an experiment variant may set another.
DIVERSITY = 0.5


def diversify(
    cands: list[Candidate],
    titles: dict[str, TitleSummary],
    limit: int,
    diversity: float = DIVERSITY,
) -> list[Candidate]:
    """Pick ``limit`` candidates by score so no genre or anchor dominates the row.

    At most ``1 - diversity`` of the row shares a genre and at most 40 % shares an anchor while
    other candidates remain; the rest of the row is then filled by score.
    """
    genre_cap = max(2, math.ceil(limit * (1 - diversity)))
    anchor_cap = max(2, math.ceil(limit * 0.4))
    ordered = sorted(cands, key=lambda c: (-c.score, c.item_id))
    picked: list[Candidate] = []
    deferred: list[Candidate] = []
    genre_counts: dict[str, int] = {}
    anchor_counts: dict[str, int] = {}
    for cand in ordered:
        if len(picked) >= limit:
            break
        genres = titles[cand.item_id].genres if cand.item_id in titles else []
        anchor = cand.anchor.item_id if cand.anchor else None
        too_many = any(genre_counts.get(g, 0) >= genre_cap for g in genres) or (
            anchor is not None and anchor_counts.get(anchor, 0) >= anchor_cap
        )
        if too_many:
            deferred.append(cand)
            continue
        picked.append(cand)
        for g in genres:
            genre_counts[g] = genre_counts.get(g, 0) + 1
        if anchor is not None:
            anchor_counts[anchor] = anchor_counts.get(anchor, 0) + 1
    picked.extend(deferred[: max(0, limit - len(picked))])
    return picked


#: The API document's explanation type of each kind (``popular`` is ``content_based`` when it
#: names genres, else ``popularity``).
_DOCUMENT_TYPE = {
    "because_you_watched": "collaborative",
    "similar_users": "collaborative",
    "taste_profile": "collaborative",
    "similar_content": "content_based",
    "social": "social",
    "trending": "popularity",
}
_ATTRIBUTE = {"person": "people", "keyword": "keywords", "genre": "genre"}


def _matching_attributes(kind: str, shared: list[str], genres: list[str]) -> list[str]:
    """What a content-based explanation matches on: the kinds of shared features, or genre."""
    if kind == "similar_content":
        kinds = {_ATTRIBUTE.get(text.split(" ", 1)[0], "content") for text in shared}
        return sorted(kinds) or ["content"]
    return ["genre"] if kind == "popular" and genres else []


def explain(cand: Candidate, summary: TitleSummary | None = None) -> Explanation:
    """The explanation of a candidate, from its main source."""
    source = cand.main_source
    genres = [g for g in cand.genres if summary is None or g in summary.genres]
    people = [person_ref(p) for p in cand.people]
    sources = sorted(cand.contributions, key=lambda s: -cand.contributions[s])
    anchor_title = (cand.anchor.title or cand.anchor.item_id) if cand.anchor else None
    if source == "similar" and anchor_title:
        reason, kind = f"Because you watched {anchor_title}", "because_you_watched"
    elif source == "content" and anchor_title:
        tied = f" (shares {', '.join(cand.shared)})" if cand.shared else ""
        reason, kind = f"Similar to {anchor_title}, which you watched{tied}", "similar_content"
    elif source == "friends":
        names = [p.name or p.user_id for p in people if p.relation == "friend"]
        count = len(names)
        lead = "1 friend" if count == 1 else f"{count} of your friends"
        reason = f"{lead} watched this: {names_text(names[:3])}"
        if count > 3:
            reason += f" and {count - 3} more"
        kind = "social"
    elif source == "similar_users":
        reason, kind = "Viewers like you watched this", "similar_users"
    elif source == "circle":
        names = [p.name or p.user_id for p in people if p.relation == "circle"]
        reason, kind = f"Popular with people in your circle: {names_text(names[:3])}", "social"
    elif source == "vector":
        reason, kind = "Matches your taste profile", "taste_profile"
    elif source == "trending":
        reason = "Trending now" if cand.trending_now else "Trending this week"
        kind = "trending"
    else:
        kind = "popular"
        if cand.popular_basis == "preferences" and genres:
            reason = f"Popular in {names_text(genres[:2])}, genres you said you like"
        elif cand.popular_basis == "history" and genres:
            reason = f"Popular in {names_text(genres[:2])}, genres you watch often"
        elif cand.popular_basis == "requested" and genres:
            reason = f"Popular in {genres[0]}"
        else:
            reason = "Popular with viewers right now"
    similar = [cand.anchor.item_id] if cand.anchor and source in ("similar", "content") else []
    return Explanation(
        type=_DOCUMENT_TYPE.get(kind, "content_based" if genres else "popularity"),
        reason=reason,
        kind=kind,
        similar_items=similar,
        matching_attributes=_matching_attributes(kind, cand.shared, genres),
        sources=sources,
        anchor=cand.anchor if source in ("similar", "content") else None,
        people=people[:5],
        shared=cand.shared,
        genres=genres,
    )


def to_recommendations(
    picked: list[Candidate], titles: dict[str, TitleSummary]
) -> list[Recommendation]:
    """Number the picked candidates and attach metadata and explanations."""
    return [
        Recommendation(
            item_id=cand.item_id,
            score=round(cand.score, 4),
            rank=rank,
            metadata=metadata_of(titles.get(cand.item_id)),
            explanation=explain(cand, titles.get(cand.item_id)),
        )
        for rank, cand in enumerate(picked, start=1)
    ]
