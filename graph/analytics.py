"""The graph analyses' door to Neo4j: what ``analytics/`` reads, and its versioned write-back.

Reads stream social links, positive user-title pairs and title genres as plain tuples. An
analysis is registered as ``(:Analysis {version: "v<N>", status, parameters (JSON), metrics
(JSON), startedAt, activatedAt})`` with ``status`` one of ``writing``, ``active``, ``retired``.
Its results are ``(:Community {id, kind, rank, size, topGenres, analysisVersion})`` nodes and
``MEMBER_OF {analysisVersion}`` edges (users' carry ``influence`` and ``bridging``), written in
batches while the version is ``writing``; :func:`activate` then flips the registry and copies
``influence`` onto the users in one transaction. Every reader (the feeds, the Browser guide)
reads the ``active`` version only, so a run that fails midway leaves the previous analysis as
it was; :func:`discard_unfinished` deletes what such a run left behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from graph.batches import write_all
from graph.export import RELATIONSHIP_TYPES
from graph.models import iso, loads, version_number
from graph.signals import PairSignals, interaction_weight

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = [
    "AnalysisRecord",
    "CommunityRow",
    "Kind",
    "Link",
    "MemberRow",
    "activate",
    "begin",
    "delete_version",
    "discard_unfinished",
    "list_analyses",
    "next_version",
    "read_links",
    "read_positive_pairs",
    "read_title_genres",
    "write_communities",
    "write_members",
]

Kind = Literal["user", "title"]
Progress = Callable[[int], None]
_DELETE_BATCH = 20_000
_MEMBERS = {"user": "analytics_write_user_members", "title": "analytics_write_title_members"}


class Link(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One social link: ``a`` befriends (mutual) or trusts (directed) ``b``."""

    a: str
    b: str
    mutual: bool
    weight: float


class CommunityRow(msgspec.Struct, frozen=True, kw_only=True):
    """One community of a version, ready to write."""

    id: str
    kind: Kind
    rank: int
    size: int
    top_genres: list[str]


class MemberRow(msgspec.Struct, frozen=True, kw_only=True):
    """One membership: a user's (with influence and bridging) or a title's."""

    member: str
    community: str
    influence: float | None = None
    bridging: float | None = None


class AnalysisRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One registered analysis version."""

    version: str
    status: str
    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
    metrics: dict[str, Any] = msgspec.field(default_factory=dict)
    started_at: str | None = None
    activated_at: str | None = None

    @property
    def number(self) -> int:
        """The ``N`` of version ``vN``."""
        return version_number(self.version)


def read_links(conn: Connection) -> list[Link]:
    """Every ``FRIENDS_WITH`` (mutual) and ``TRUSTS`` (directed) link; weight 1 when unknown."""
    by_user: dict[str, list[Link]] = {}  # keyed: a retried transaction visits users again

    def visit(record: Any) -> None:
        a = record["userId"]
        by_user[a] = [
            Link(a=a, b=b, mutual=kind == "FRIENDS_WITH",
                 weight=float(w) if w is not None and w > 0 else 1.0)
            for b, kind, w in record["links"]
        ]  # fmt: skip

    conn.each("analytics_read_links", {}, visit)
    return [link for links in by_user.values() for link in links]


def read_positive_pairs(conn: Connection) -> list[tuple[str, str, float]]:
    """Every user-title pair that counts for the title (``graph.signals``), with its weight.

    A pair with any negative signal (a dislike, a low rating, not interested) is left out.
    """
    pairs = PairSignals()

    def visit(record: Any) -> None:
        user = record["userId"]
        for title, kind, rating, completion in record["items"]:
            weight = interaction_weight(RELATIONSHIP_TYPES[kind], rating, completion)
            pairs.add(user, title, weight)

    conn.each("analytics_read_interactions", {}, visit)
    return [(u, t, w) for (u, t), w in pairs.positives().items()]


def read_title_genres(conn: Connection) -> dict[str, list[str]]:
    """Each title's genres (titles without a known genre are absent)."""
    genres: dict[str, list[str]] = {}
    for row in conn.rows("analytics_read_title_genres"):
        genres.setdefault(row["titleId"], []).append(row["genre"])
    return genres


def _record(props: dict[str, Any]) -> AnalysisRecord:
    return AnalysisRecord(
        version=props["version"],
        status=props.get("status", "writing"),
        parameters=loads(props.get("parameters")),
        metrics=loads(props.get("metrics")),
        started_at=iso(props.get("startedAt")),
        activated_at=iso(props.get("activatedAt")),
    )


def list_analyses(conn: Connection) -> list[AnalysisRecord]:
    """Every registered version, newest first."""
    records = (_record(r["analysis"]) for r in conn.rows("analytics_list"))
    return sorted(records, key=lambda a: a.number, reverse=True)


def next_version(conn: Connection) -> str:
    """``v<N+1>`` where ``N`` is the highest registered version (``v1`` first)."""
    return f"v{max((a.number for a in list_analyses(conn)), default=0) + 1}"


def begin(conn: Connection, version: str, parameters: dict[str, Any]) -> None:
    """Register ``version`` as being written (invisible to readers until :func:`activate`)."""
    encoded = json.dumps(parameters, sort_keys=True)
    conn.write("analytics_begin", {"version": version, "parameters": encoded})


def write_communities(conn: Connection, version: str, rows: Iterable[CommunityRow]) -> int:
    """Write the communities of ``version`` in batches; returns how many."""
    plain = [
        {"id": r.id, "kind": r.kind, "rank": r.rank, "size": r.size, "topGenres": r.top_genres}
        for r in rows
    ]
    batches = ((plain[i : i + 5_000], None) for i in range(0, len(plain), 5_000))
    write_all(conn, "analytics_write_communities", batches, {"version": version}, workers=1)
    return len(plain)


def write_members(
    conn: Connection,
    version: str,
    kind: Kind,
    rows: Iterable[MemberRow],
    *,
    batch_size: int = 10_000,
    progress: Progress | None = None,
) -> int:
    """Write the ``MEMBER_OF`` edges of ``kind`` of ``version`` in batches.

    Args:
        conn: The connection.
        version: The version being written.
        kind: ``user`` or ``title`` memberships.
        rows: The memberships.
        batch_size: Edges per transaction.
        progress: Called with the number of edges written so far, after every batch.

    Returns:
        The number of edges written.
    """
    written = 0

    def batches() -> Iterator[tuple[list[dict[str, Any]], int]]:
        batch: list[dict[str, Any]] = []
        for r in rows:
            row: dict[str, Any] = {"u" if kind == "user" else "t": r.member, "c": r.community}
            if kind == "user":
                row |= {"influence": r.influence, "bridging": r.bridging}
            batch.append(row)
            if len(batch) >= batch_size:
                yield batch, len(batch)
                batch = []
        if batch:
            yield batch, len(batch)

    def done(n: int) -> None:
        nonlocal written
        written += n
        if progress:
            progress(written)

    write_all(conn, _MEMBERS[kind], batches(), {"version": version}, on_done=done)
    return written


def activate(conn: Connection, version: str, metrics: dict[str, Any]) -> str | None:
    """Make ``version`` the active analysis and copy its influence onto users, atomically.

    Returns:
        The previously active version, if any.

    Raises:
        LookupError: ``version`` is not registered as being written.
    """
    params = {"version": version, "metrics": json.dumps(metrics, sort_keys=True)}
    rows = conn.rows("analytics_activate", params, write=True)
    if not rows:
        raise LookupError(f"no analysis {version} being written")
    previous: str | None = rows[0]["previous"]
    return previous


def delete_version(conn: Connection, version: str) -> int:
    """Delete a version that is not active: edges, then communities, then its registry node.

    Returns:
        The number of communities deleted.
    """
    params = {"version": version, "batch_size": _DELETE_BATCH}
    conn.delete_in_batches("analytics_delete_members_batch", params)
    deleted = conn.delete_in_batches("analytics_delete_communities_batch", params)
    conn.rows("analytics_delete_version", {"version": version}, write=True)
    return deleted


def discard_unfinished(conn: Connection) -> list[str]:
    """Delete the versions left ``writing`` by runs that failed or were killed midway."""
    stale = [a.version for a in list_analyses(conn) if a.status == "writing"]
    for version in stale:
        delete_version(conn, version)
    return stale
