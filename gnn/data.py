"""Graph records → PyG ``HeteroData`` with stable id maps.

Node types: ``user``, ``title`` and the feature types ``genre``, ``person`` (cast and directors),
``keyword``. Edge types: ``(user, rates, title)`` (positive pairs, weighted as
:mod:`graph.signals` says; a negative signal is never a positive),
``(title, has_genre|has_person|has_keyword, <feature>)`` and ``(user, friend, user)`` (stored
in both directions). Every id map is sorted, so the same records always give the same tensors,
whether they come from a canonical :class:`graph.dataset.Dataset` or from Neo4j
(:meth:`GraphRecords.read`, through :func:`graph.export.export_graph`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch_geometric.data import HeteroData

from graph.dataset import Dataset, Interaction
from graph.export import export_graph

if TYPE_CHECKING:
    from graph.connection import Connection
from graph.signals import PairSignals, interaction_weight

__all__ = [
    "FEATURE_TYPES",
    "GraphData",
    "GraphRecords",
    "build_graph",
    "records_from_dataset",
]

FEATURE_TYPES: tuple[str, ...] = ("genre", "person", "keyword")


@dataclass
class GraphRecords:
    """Plain records of a graph, the common ground of the Dataset and Neo4j paths.

    Ids are interned (``sys.intern``): a user id arrives once per interaction from Neo4j, and
    10 M pairs keyed by shared strings take a gigabyte less.

    Attributes:
        users: Every user id.
        titles: Every title id.
        signals: The weight of every user-title pair (:class:`graph.signals.PairSignals`).
        features: ``title_id -> [(feature_type, feature_key)]``.
        friendships: ``(user_id, user_id)`` pairs, either direction.
    """

    users: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    signals: PairSignals = field(default_factory=PairSignals)
    features: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    friendships: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def read(
        cls,
        conn: Connection,
        *,
        dataset: str | None = None,
        user_ids: Sequence[str] | None = None,
        title_ids: Sequence[str] | None = None,
    ) -> GraphRecords:
        """The records of the graph in Neo4j (``dataset``: one tag only; ``user_ids`` /
        ``title_ids``: only those users' interactions and friendships, those titles' features,
        for the inductive embedding)."""
        records = cls()
        export_graph(conn, records, dataset=dataset, user_ids=user_ids, title_ids=title_ids)
        return records

    @property
    def positives(self) -> dict[tuple[str, str], float]:
        """``(user_id, title_id) -> weight`` of the positive pairs."""
        return self.signals.positives()

    def add_user(self, user_id: str) -> None:
        """Record a user (one without interactions too)."""
        self.users.add(sys.intern(user_id))

    def add_title(self, title_id: str) -> None:
        """Record a title (one without interactions too)."""
        self.titles.add(sys.intern(title_id))

    def add_interaction(self, it: Interaction) -> None:
        """Record one interaction (a canonical type, with a rating's stars or a completion)."""
        user, title = sys.intern(it.user_id), sys.intern(it.title_id)
        self.users.add(user)
        self.titles.add(title)
        self.signals.add(user, title, interaction_weight(it.type, it.value, it.completion))

    def add_feature(self, title_id: str, kind: str, key: str) -> None:
        """Attach a feature (``genre``, ``person`` or ``keyword``) to a title."""
        self.titles.add(title_id)
        self.features.setdefault(title_id, set()).add((kind, key))

    def add_friendship(self, a: str, b: str) -> None:
        """Record a social link (direction is ignored)."""
        if a != b:
            a, b = sys.intern(a), sys.intern(b)
            self.users.update((a, b))
            self.friendships.add((min(a, b), max(a, b)))


def records_from_dataset(dataset: Dataset) -> GraphRecords:
    """Collect the graph records of a canonical dataset."""
    rec = GraphRecords()
    rec.users.update(u.user_id for u in dataset.users)
    for title in dataset.titles:
        rec.titles.add(title.title_id)
        for genre in title.genres:
            rec.add_feature(title.title_id, "genre", genre)
        for person in (*title.cast, *title.directors):
            rec.add_feature(title.title_id, "person", person)
        for keyword in title.keywords:
            rec.add_feature(title.title_id, "keyword", keyword.lower())
    for it in dataset.interactions:
        rec.add_interaction(it)
    for fr in dataset.friendships:
        rec.add_friendship(fr.user_id, fr.friend_id)
    return rec


@dataclass
class GraphData:
    """A ``HeteroData`` plus the id maps of its node types.

    Attributes:
        data: The graph. ``data['user','rates','title'].edge_index`` is ``[2, E]`` (row 0 user
            index, row 1 title index) with ``edge_weight`` ``[E]``; feature edges
            ``data['title', 'has_<type>', <type>].edge_index`` are ``[2, F]``;
            ``data['user','friend','user'].edge_index`` is ``[2, 2 * S]``.
        ids: ``node type -> sorted list of ids``; index ``n`` of a type is ``ids[type][n]``.
    """

    data: HeteroData
    ids: dict[str, list[str]]

    def index(self, node_type: str) -> dict[str, int]:
        """Return ``id -> index`` for a node type."""
        return {key: n for n, key in enumerate(self.ids[node_type])}


def _edges(pairs: Iterable[tuple[int, int]]) -> torch.Tensor:
    """``[2, E]`` edges of (source, target) index pairs, sorted by source then target."""
    flat = np.fromiter(itertools.chain.from_iterable(pairs), dtype=np.int64).reshape(-1, 2)
    order = np.lexsort((flat[:, 1], flat[:, 0]))
    return torch.from_numpy(np.ascontiguousarray(flat[order].T))


def build_graph(
    records: GraphRecords,
    user_ids: Sequence[str] | None = None,
    title_ids: Sequence[str] | None = None,
    positives: Iterable[tuple[str, str]] | None = None,
) -> GraphData:
    """Build the ``HeteroData`` of a set of records.

    Args:
        records: The records.
        user_ids: Fix the user index (default: every user, sorted); others are dropped.
        title_ids: Fix the title index (default: every title, sorted).
        positives: Use these (user, title) pairs as interaction edges instead of all positives
            (the evaluation passes its train split, so valid/test never leak into message passing).

    Returns:
        The graph with its id maps.
    """
    ids = {
        "user": list(user_ids) if user_ids is not None else sorted(records.users),
        "title": list(title_ids) if title_ids is not None else sorted(records.titles),
    }
    tindex = {t: n for n, t in enumerate(ids["title"])}
    uindex = {u: n for n, u in enumerate(ids["user"])}
    for kind in FEATURE_TYPES:
        ids[kind] = sorted(
            {
                key
                for t, feats in records.features.items()
                if t in tindex
                for k, key in feats
                if k == kind
            }
        )
    data = HeteroData()
    for node_type, keys in ids.items():
        data[node_type].num_nodes = len(keys)
    weights = records.positives
    pairs = weights if positives is None else {p: 1.0 for p in positives}
    # Arrays, not tuples per pair: 10 M pairs in seconds and a few hundred megabytes.
    users = np.fromiter((uindex.get(u, -1) for u, _ in pairs), np.int64, len(pairs))
    titles = np.fromiter((tindex.get(t, -1) for _, t in pairs), np.int64, len(pairs))
    values = np.fromiter((weights.get(p, w) for p, w in pairs.items()), np.float32, len(pairs))
    known = (users >= 0) & (titles >= 0)
    users, titles, values = users[known], titles[known], values[known]
    order = np.lexsort((titles, users))
    store = data["user", "rates", "title"]
    store.edge_index = torch.from_numpy(np.stack([users[order], titles[order]]))
    store.edge_weight = torch.from_numpy(values[order])
    for kind in FEATURE_TYPES:
        findex = {key: n for n, key in enumerate(ids[kind])}
        data["title", f"has_{kind}", kind].edge_index = _edges(
            (tindex[t], findex[key])
            for t, feats in records.features.items()
            if t in tindex
            for k, key in feats
            if k == kind
        )
    friends = [
        (uindex[a], uindex[b]) for a, b in records.friendships if a in uindex and b in uindex
    ]
    data["user", "friend", "user"].edge_index = _edges([*friends, *((b, a) for a, b in friends)])
    return GraphData(data, ids)
