"""``graphrec analyze``: read the graph, compute every measure, write a new version back.

The run: read social links and positive user-title pairs (through ``graph.analytics``); Louvain
communities of users (friendship and trust graph) and of titles (co-engagement projection);
PageRank influence and bridging of users; homophily; genre profiles. Then the version is
written in batches while registered ``writing``, activated in one transaction, and the versions
beyond the last ``keep`` are deleted. A failure while writing deletes the partial version; the
previous analysis stays active throughout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import numpy as np
import scipy.sparse as sp
from msgspec import Meta

from analytics import measures
from analytics.errors import AnalysisDataError
from graph import analytics as store

if TYPE_CHECKING:
    from graph.analytics import Kind, Link
    from graph.connection import Connection

__all__ = ["AnalysisConfig", "AnalysisReport", "Phase", "run_analysis"]

#: ``phase(name, done, total)``: progress of the long steps.
Phase = Callable[[str, int, int], None]


class AnalysisConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Parameters of one analysis (stored with the version)."""

    #: Seed of Louvain's node order and of the random pairs of the homophily baseline.
    seed: int = 0
    #: Louvain resolution: above 1 favours smaller communities, below 1 larger ones.
    resolution: Annotated[float, Meta(gt=0)] = 1.0
    #: Co-engagement neighbours kept per title in the projection.
    title_neighbours: Annotated[int, Meta(ge=1)] = 20
    #: Users two titles need in common to be linked in the projection.
    min_common_users: Annotated[int, Meta(ge=1)] = 2
    #: PageRank's damping factor.
    alpha: Annotated[float, Meta(gt=0, lt=1)] = 0.85
    #: Versions kept, the active one included; older ones are deleted.
    keep: Annotated[int, Meta(ge=1)] = 2


class Ranked(msgspec.Struct, frozen=True, kw_only=True):
    """A user of the summary: id, influence, bridging, community rank."""

    user_id: str
    influence: float
    bridging: float
    community: int


class AnalysisReport(msgspec.Struct, kw_only=True):
    """What a run wrote, for the summary table."""

    version: str
    previous: str | None = None
    metrics: dict[str, Any] = msgspec.field(default_factory=dict)
    influencers: list[Ranked] = msgspec.field(default_factory=list)
    bridges: list[Ranked] = msgspec.field(default_factory=list)
    pruned: list[str] = msgspec.field(default_factory=list)
    discarded: list[str] = msgspec.field(default_factory=list)


class _Index:
    """Ids to consecutive integers, in order of first sight."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.ids)
        return found

    def names(self) -> list[str]:
        return list(self.ids)


def _check(links: list[Link], pairs: list[tuple[str, str, float]]) -> None:
    missing = []
    if not links:
        missing.append(
            "no friendships or trust links between users (FRIENDS_WITH / TRUSTS): load a "
            "dataset with a social graph (`graphrec load lastfm|filmtrust|synthetic ...`) or "
            "add friends through PUT /v1/users/{id}/friends/{friend_id}"
        )
    if not pairs:
        missing.append(
            "no positive user-title interactions (WATCHED, RATED, LIKED, SHARED, "
            "ADDED_TO_LIST): load a dataset (`graphrec load ...`) or record interactions "
            "through POST /v1/interactions"
        )
    if missing:
        raise AnalysisDataError("nothing analysed: the graph has " + "; and ".join(missing))


def run_analysis(
    conn: Connection, cfg: AnalysisConfig | None = None, *, phase: Phase | None = None
) -> AnalysisReport:
    """Analyse the graph and write a new active version (see the module docstring).

    Args:
        conn: The connection.
        cfg: Parameters (default :class:`AnalysisConfig`).
        phase: Progress of the long steps.

    Returns:
        The report with the version's metrics.

    Raises:
        AnalysisDataError: The graph has no social links or no positive interactions.
    """
    cfg = cfg or AnalysisConfig()
    say: Phase = phase or (lambda name, done, total: None)
    started = time.perf_counter()
    discarded = store.discard_unfinished(conn)
    links = store.read_links(conn)
    say("read links", len(links), len(links))
    pairs = store.read_positive_pairs(conn)
    say("read interactions", len(pairs), len(pairs))
    _check(links, pairs)
    genres_of = store.read_title_genres(conn)
    read_s = time.perf_counter() - started

    users, titles = _Index(), _Index()
    src = np.fromiter((users(x.a) for x in links), dtype=np.int64, count=len(links))
    dst = np.fromiter((users(x.b) for x in links), dtype=np.int64, count=len(links))
    weight = np.fromiter((x.weight for x in links), dtype=np.float64, count=len(links))
    mutual = np.fromiter((x.mutual for x in links), dtype=bool, count=len(links))
    n_social = len(users.ids)
    pu = np.fromiter((users(u) for u, _, _ in pairs), dtype=np.int64, count=len(pairs))
    pt = np.fromiter((titles(t) for _, t, _ in pairs), dtype=np.int64, count=len(pairs))
    n_users, n_titles = len(users.ids), len(titles.ids)
    engaged = sp.csr_matrix((np.ones(len(pairs)), (pu, pt)), shape=(n_users, n_titles))
    genre_names = sorted({g for gs in genres_of.values() for g in gs})
    g_index = {g: i for i, g in enumerate(genre_names)}
    tg_rows = [(titles.ids[t], g_index[g]) for t, gs in genres_of.items() if t in titles.ids
               for g in gs]  # fmt: skip
    title_genres = sp.csr_matrix(
        (np.ones(len(tg_rows)), ([r for r, _ in tg_rows], [c for _, c in tg_rows])),
        shape=(n_titles, max(len(genre_names), 1)),
    )

    t0 = time.perf_counter()
    social: measures.Edges = (src, dst, weight)
    user_labels = measures.louvain(
        n_users, social, resolution=cfg.resolution, seed=cfg.seed,
        step=lambda level, k: say("user communities", level, level),
    )  # fmt: skip
    directed = (
        np.concatenate([src, dst[mutual]]),
        np.concatenate([dst, src[mutual]]),
        np.concatenate([weight, weight[mutual]]),
    )
    scores = measures.influence(n_users, directed, alpha=cfg.alpha)
    bridging = measures.bridging(n_users, social, user_labels)
    inside, expected, joined = measures.community_links(social, user_labels)
    say("influence", n_social, n_social)
    projection = measures.co_engagement(
        engaged, k=cfg.title_neighbours, min_common=cfg.min_common_users,
        step=lambda done, total: say("title projection", done, total),
    )  # fmt: skip
    title_labels = measures.louvain(
        n_titles, projection, resolution=cfg.resolution, seed=cfg.seed,
        step=lambda level, k: say("title communities", level, level),
    )  # fmt: skip
    pair_arrays = (src, dst)
    taste_titles = measures.homophily(engaged, pair_arrays, seed=cfg.seed)
    taste_genres = measures.homophily((engaged @ title_genres).tocsr(), pair_arrays, seed=cfg.seed)
    compute_s = time.perf_counter() - t0

    version = store.next_version(conn)
    communities = _communities(
        version, user_labels, title_labels, engaged, title_genres, genre_names
    )
    user_names, title_names = users.names(), titles.names()
    metrics: dict[str, Any] = {
        "users": n_social,
        "titles": int((np.asarray(engaged.sum(axis=0)).ravel() > 0).sum()),
        "links": len(links),
        "positive_pairs": len(pairs),
        "user_communities": int(user_labels.max()) + 1,
        "title_communities": int(title_labels.max()) + 1,
        "largest_user_community": int(np.bincount(user_labels[user_labels >= 0]).max()),
        "titles_in_communities": int((title_labels >= 0).sum()),
        "links_inside_communities": round(inside, 4),
        "links_inside_expected": round(expected, 4),
        "modularity": round(inside - expected, 4),
        "friends_taste_similarity": round(taste_titles[0], 4),
        "random_taste_similarity": round(taste_titles[1], 4),
        "taste_lift": round(taste_titles[0] / taste_titles[1], 2) if taste_titles[1] else None,
        "friends_genre_similarity": round(taste_genres[0], 4) if genre_names else None,
        "random_genre_similarity": round(taste_genres[1], 4) if genre_names else None,
        "pairs_compared": taste_titles[2],
        "bridging_users": int((bridging >= 0.5).sum()),
        "top_community_links": [[f"user:{a}", f"user:{b}", c] for a, b, c in joined[:5]],
        "read_seconds": round(read_s, 2),
        "compute_seconds": round(compute_s, 2),
    }
    report = AnalysisReport(version=version, metrics=metrics, discarded=discarded)
    t1 = time.perf_counter()
    store.begin(conn, version, msgspec.to_builtins(cfg))
    try:
        store.write_communities(conn, version, communities)
        say("write communities", len(communities), len(communities))
        in_social = np.flatnonzero(user_labels >= 0)
        store.write_members(
            conn, version, "user",
            (store.MemberRow(member=user_names[i], community=f"{version}:user:{user_labels[i]}",
                             influence=round(float(scores[i]), 4),
                             bridging=round(float(bridging[i]), 4)) for i in in_social),
            progress=lambda done: say("write users", done, int(in_social.size)),
        )  # fmt: skip
        in_titles = np.flatnonzero(title_labels >= 0)
        store.write_members(
            conn, version, "title",
            (store.MemberRow(member=title_names[i],
                             community=f"{version}:title:{title_labels[i]}") for i in in_titles),
            progress=lambda done: say("write titles", done, int(in_titles.size)),
        )  # fmt: skip
        metrics["write_seconds"] = round(time.perf_counter() - t1, 2)
        metrics["total_seconds"] = round(time.perf_counter() - started, 2)
        report.previous = store.activate(conn, version, metrics)
    except BaseException:
        store.delete_version(conn, version)
        raise
    report.pruned = _prune(conn, version, cfg.keep)
    report.influencers = _ranked(np.argsort(-scores)[:10], user_names, scores, bridging,
                                 user_labels)  # fmt: skip
    order = np.lexsort((-scores, -bridging))
    report.bridges = _ranked(order[:10], user_names, scores, bridging, user_labels)
    return report


def _ranked(
    order: np.ndarray, names: list[str], scores: np.ndarray, bridging: np.ndarray,
    labels: np.ndarray,
) -> list[Ranked]:  # fmt: skip
    return [
        Ranked(user_id=names[i], influence=round(float(scores[i]), 3),
               bridging=round(float(bridging[i]), 3), community=int(labels[i]))
        for i in order if labels[i] >= 0
    ]  # fmt: skip


def _communities(
    version: str,
    user_labels: np.ndarray,
    title_labels: np.ndarray,
    engaged: sp.csr_matrix,
    title_genres: sp.csr_matrix,
    genre_names: list[str],
) -> list[store.CommunityRow]:
    rows: list[store.CommunityRow] = []
    user_genres = (engaged @ title_genres).tocsr()
    kinds: tuple[tuple[Kind, np.ndarray, sp.csr_matrix], ...] = (
        ("user", user_labels, user_genres),
        ("title", title_labels, title_genres),
    )
    for kind, labels, per_item in kinds:
        inside = np.flatnonzero(labels >= 0)
        if inside.size == 0:
            continue
        k = int(labels.max()) + 1
        members = sp.csr_matrix((np.ones(inside.size), (labels[inside], inside)),
                                shape=(k, labels.size))  # fmt: skip
        profile = measures.genre_profile(members, per_item).toarray()
        overall = np.asarray(per_item.sum(axis=0)).ravel()
        sizes = np.bincount(labels[inside], minlength=k)
        for rank in range(k):
            rows.append(
                store.CommunityRow(
                    id=f"{version}:{kind}:{rank}", kind=kind, rank=rank, size=int(sizes[rank]),
                    top_genres=measures.top_genres(profile[rank], overall, genre_names),
                )
            )  # fmt: skip
    return rows


def _prune(conn: Connection, active: str, keep: int) -> list[str]:
    others = [a.version for a in store.list_analyses(conn) if a.version != active]
    stale = others[max(keep - 1, 0) :]
    for version in stale:
        store.delete_version(conn, version)
    return stale
