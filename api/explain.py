"""Why this title for this user: factors with weights, anchors, people and graph paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import ranking
from api.schemas.common import TitleRef
from api.schemas.recommendations import (
    ExplainDetail,
    ExplainFactor,
    GraphPath,
    PathNode,
    RecommendationExplain,
)

if TYPE_CHECKING:
    from graph.explain import ContentTies, Evidence, PathToTitle
    from graph.items import TitleSummary
    from graph.peers import Peer

__all__ = ["build_explanation"]

_EXCLUDING = {"WATCHED", "RATED", "LIKED", "SHARED", "DISLIKED", "NOT_INTERESTED"}
_PEER_RELATIONSHIP = {"friend": "FRIENDS_WITH", "trusted": "TRUSTS", "similar_user": "SIMILAR_USER"}

#: A factor of an explanation before the weights are normalised: (name, weight, description).
Factor = tuple[str, float, str]

#: The API document's primary reason of each factor, when it weighs most.
_PRIMARY = {
    "similar_items": "collaborative_filtering",
    "similar_users": "collaborative_filtering",
    "friends": "social",
    "genre_preference": "content_based",
    "people": "content_based",
    "popularity": "popularity",
}
#: The rating implied by an anchor the user did not rate, by how they engaged with it.
_IMPLIED_RATING = {"LIKED": 4.5, "SHARED": 4.5, "ADDED_TO_LIST": 4.0, "WATCHED": 4.0}


def predicted_rating(paths: list[PathToTitle], title: TitleSummary | None) -> float | None:
    """The rating the user would likely give the title (0.5–5, one decimal).

    Item-based: the mean of the user's ratings of the anchors (an unrated anchor counts as
    its engagement implies: a like 4.5, a watch 4), weighted by their similarity to the title;
    without anchors the title's mean rating; None without either.
    """
    weighted = total = 0.0
    for path in paths:
        implied = [_IMPLIED_RATING.get(rel, 4.0) for rel in path.relations] or [4.0]
        rating = path.rating if path.rating is not None else max(implied)
        weight = max(path.score, 1e-6)
        weighted += weight * rating
        total += weight
    if total > 0:
        return round(min(5.0, max(0.5, weighted / total)), 1)
    if title is not None and title.rating is not None:
        return round(title.rating, 1)
    return None


def build_explanation(
    data: Evidence,
    *,
    user_id: str,
    item_id: str,
    title: TitleSummary | None,
    model_version: str | None,
    request_id: str,
) -> RecommendationExplain:
    """Turn the graph evidence into the explanation (weighted factors, the anchors, a predicted
    rating), paths and a one-line summary."""
    name = (title.title if title else None) or item_id
    user_node = PathNode(label="User", id=user_id)
    item_node = PathNode(label="Title", id=item_id, name=name)
    anchors = [TitleRef(item_id=p.anchor_id, title=p.anchor_title) for p in data.paths]
    friends = [ranking.person_ref(p) for p in data.peers if p.relation in ("friend", "trusted")]
    similar_users = [ranking.person_ref(p) for p in data.peers if p.relation == "similar_user"]
    raw: list[Factor] = []
    if data.paths:
        total = sum(p.score for p in data.paths)
        listed = ranking.names_text([a.title or a.item_id for a in anchors[:3]])
        raw.append(("similar_items", total, f"Similar (GraphSAGE {model_version}) to {listed}"))
    if friends:
        names = ranking.names_text([f.name or f.user_id for f in friends[:3]])
        count = "1 friend" if len(friends) == 1 else f"{len(friends)} friends"
        raw.append(("friends", float(len(friends)), f"{count} watched or liked it: {names}"))
    if similar_users:
        weight = sum(float(u.score or 0.0) for u in similar_users)
        raw.append(
            ("similar_users", weight, f"{len(similar_users)} viewers like you engaged with it")
        )
    raw.extend(_content_factors(data.content))
    paths = [_anchor_path(p, user_node, item_node) for p in data.paths]
    paths.extend(_peer_path(peer, user_node, item_node) for peer in data.peers)
    total = sum(w for _, w, _ in raw) or 1.0
    factors = sorted(
        (ExplainFactor(factor=t, weight=round(w / total, 4), description=d) for t, w, d in raw),
        key=lambda f: -f.weight,
    )
    excluding = set(data.content.relations) & _EXCLUDING
    note = None
    if excluding:
        done = ", ".join(sorted(r.lower() for r in excluding))
        note = f"not recommended to this user: already {done}"
    detail = ExplainDetail(
        primary_reason=_PRIMARY.get(factors[0].factor, factors[0].factor) if factors else "none",
        contributing_factors=factors,
        similar_items_watched=[a.item_id for a in anchors],
        predicted_rating=predicted_rating(data.paths, title),
    )
    return RecommendationExplain(
        item_id=item_id,
        user_id=user_id,
        explanation=detail,
        metadata=ranking.metadata_of(title),
        summary=factors[0].description if factors else "No strong graph evidence for this title",
        eligible=not excluding,
        note=note,
        anchors=anchors,
        friends=friends,
        similar_users=similar_users,
        paths=paths,
        model_version=model_version,
        request_id=request_id,
    )


def _content_factors(content: ContentTies) -> list[Factor]:
    """Genres the user engages with (most first) or prefers, people seen before, popularity."""
    out: list[Factor] = []
    genres = sorted(
        (g for g in content.genres if g.history or g.preferred),
        key=lambda g: (-g.history, not g.preferred, g.name),
    )
    if genres:
        weight = sum(min(g.history, 50) / 50 + (0.5 if g.preferred else 0) for g in genres)
        listed = ranking.names_text([g.name for g in genres[:3]])
        out.append(("genre_preference", weight, f"In {listed}, genres you watch or prefer"))
    if content.people:
        listed = ranking.names_text([p.name or "?" for p in content.people[:3]])
        out.append(("people", 0.5 * len(content.people), f"With {listed}, whom you watched before"))
    popularity = float(content.popularity or 0.0)
    if popularity > 0:
        out.append(("popularity", 0.1, f"Popular: {int(popularity)} viewers interacted"))
    return out


def _anchor_path(path: PathToTitle, user_node: PathNode, item_node: PathNode) -> GraphPath:
    """user -WATCHED|RATED|...-> anchor -SIMILAR_TO-> title."""
    rel = path.relations[0] if path.relations else "WATCHED"
    anchor = path.anchor_title or path.anchor_id
    return GraphPath(
        nodes=[user_node, PathNode(label="Title", id=path.anchor_id, name=anchor), item_node],
        relationships=[rel, "SIMILAR_TO"],
        text=f"you -{rel}-> {anchor} -SIMILAR_TO ({path.score:.2f})-> {item_node.name}",
        score=path.score,
    )


def _peer_path(peer: Peer, user_node: PathNode, item_node: PathNode) -> GraphPath:
    """user -FRIENDS_WITH|TRUSTS|SIMILAR_USER- peer -WATCHED|...-> title."""
    rel = _PEER_RELATIONSHIP[peer.relation or "friend"]
    how = (peer.how or ["watched"])[0].upper()
    who = peer.name or peer.user_id
    return GraphPath(
        nodes=[user_node, PathNode(label="User", id=peer.user_id, name=who), item_node],
        relationships=[rel, how],
        text=f"you -{rel}- {who} -{how}-> {item_node.name}",
        score=peer.score,
    )
