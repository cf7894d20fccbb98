"""Why this title for this user: factors with weights, anchors, people and graph paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api import ranking
from api.schemas.common import PersonRef, TitleRef
from api.schemas.recommendations import (
    ExplainFactor,
    GraphPath,
    PathNode,
    RecommendationExplain,
)

if TYPE_CHECKING:
    from graph.items import TitleSummary
    from graph.recommendations import ExplainData

__all__ = ["build_explanation"]

_EXCLUDING = {"WATCHED", "RATED", "LIKED", "SHARED", "DISLIKED", "NOT_INTERESTED"}


def build_explanation(
    data: ExplainData,
    *,
    user_id: str,
    item_id: str,
    title: TitleSummary | None,
    model_version: str | None,
    request_id: str,
) -> RecommendationExplain:
    """Turn the graph evidence into weighted factors, paths and a one-line summary."""
    name = (title.title if title else None) or item_id
    user_node = PathNode(label="User", id=user_id)
    item_node = PathNode(label="Title", id=item_id, name=name)
    raw: list[tuple[str, float, str]] = []
    paths: list[GraphPath] = []
    anchors = [TitleRef(item_id=p["anchor_id"], title=p["anchor_title"]) for p in data.paths]
    if data.paths:
        total = sum(float(p["score"] or 0.0) for p in data.paths)
        listed = ranking.names_text([a.title or a.item_id for a in anchors[:3]])
        raw.append(("similar_items", total, f"Similar (GraphSAGE {model_version}) to {listed}"))
    for p in data.paths:
        rel = p["relations"][0] if p["relations"] else "WATCHED"
        anchor = p["anchor_title"] or p["anchor_id"]
        paths.append(
            GraphPath(
                nodes=[
                    user_node,
                    PathNode(label="Title", id=p["anchor_id"], name=anchor),
                    item_node,
                ],
                relationships=[rel, "SIMILAR_TO"],
                text=f"you -{rel}-> {anchor} -SIMILAR_TO ({p['score']:.2f})-> {name}",
                score=p["score"],
            )
        )
    friends = [_person(p) for p in data.people if p["relation"] in ("friend", "trusted")]
    similar_users = [_person(p) for p in data.people if p["relation"] == "similar_user"]
    if friends:
        names = ranking.names_text([f.name or f.user_id for f in friends[:3]])
        count = "1 friend" if len(friends) == 1 else f"{len(friends)} friends"
        raw.append(("friends", float(len(friends)), f"{count} watched or liked it: {names}"))
    if similar_users:
        raw.append(
            (
                "similar_users",
                sum(float(u.score or 0.0) for u in similar_users),
                f"{len(similar_users)} viewers like you engaged with it",
            )
        )
    for person in data.people:
        rel = (
            "FRIENDS_WITH"
            if person["relation"] == "friend"
            else ("TRUSTS" if person["relation"] == "trusted" else "SIMILAR_USER")
        )
        how = (person["how"] or ["watched"])[0].upper()
        who = person["name"] or person["user_id"]
        paths.append(
            GraphPath(
                nodes=[
                    user_node,
                    PathNode(label="User", id=person["user_id"], name=who),
                    item_node,
                ],
                relationships=[rel, how],
                text=f"you -{rel}- {who} -{how}-> {name}",
                score=person["score"],
            )
        )
    content = data.content
    # The genres the user engages with most first (the statement lists them in graph order).
    genres = sorted(
        (g for g in content.get("genres", []) if g["history"] or g["preferred"]),
        key=lambda g: (-g["history"], not g["preferred"], g["name"]),
    )
    if genres:
        weight = sum(min(g["history"], 50) / 50 + (0.5 if g["preferred"] else 0) for g in genres)
        listed = ranking.names_text([g["name"] for g in genres[:3]])
        raw.append(("genres", weight, f"In {listed}, genres you watch or prefer"))
    people = content.get("people", [])
    if people:
        listed = ranking.names_text([p["name"] or "?" for p in people[:3]])
        raw.append(("people", 0.5 * len(people), f"With {listed}, whom you watched before"))
    popularity = float(content.get("popularity") or 0.0)
    if popularity > 0:
        raw.append(("popularity", 0.1, f"Popular: {int(popularity)} viewers interacted"))
    total = sum(w for _, w, _ in raw) or 1.0
    factors = sorted(
        (ExplainFactor(type=t, weight=round(w / total, 4), description=d) for t, w, d in raw),
        key=lambda f: -f.weight,
    )
    relations = set(content.get("relations", []))
    eligible = not (relations & _EXCLUDING)
    note = None
    if not eligible:
        note = "not recommended to this user: already " + ", ".join(
            sorted(r.lower() for r in relations & _EXCLUDING)
        )
    summary = factors[0].description if factors else "No strong graph evidence for this title"
    return RecommendationExplain(
        user_id=user_id,
        item_id=item_id,
        metadata=ranking.metadata_of(title),
        summary=summary,
        eligible=eligible,
        note=note,
        factors=factors,
        anchors=anchors,
        friends=friends,
        similar_users=similar_users,
        paths=paths,
        model_version=model_version,
        request_id=request_id,
    )


def _person(row: dict) -> PersonRef:  # type: ignore[type-arg]
    return PersonRef(
        user_id=row["user_id"],
        name=row["name"],
        relation=row["relation"],
        how=list(row["how"] or []),
        score=row["score"],
    )
