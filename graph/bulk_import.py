"""A canonical dataset (or stream) as the CSV files of Neo4j's import tool, same graph as
:func:`graph.bulk.write_dataset`.

``neo4j-admin database import full`` builds a store from node and relationship files far faster
than transactions can; :func:`write_import_files` writes those files from the same rows the
transactional writer sends (``graph.bulk``'s row builders), so both paths give the same nodes,
labels, relationships and properties (``User.createdAt`` is the load's start time on both; the
transactional path takes it per batch). What the ``MERGE`` statements would collapse is collapsed
here: a repeated id keeps its first record, a title's repeated genre, keyword, platform, cast
member or director one relationship (the last values), and a relationship to a user or title
the stream never yielded is dropped, as an unmatched ``MATCH`` drops it.

Records are streamed, each kind once, in the writer's order; memory holds the ids (users, titles,
people, feature names) and 8 bytes per interaction for ``Title.popularity``, computed here as the
number of distinct users with any interaction; the titles' own properties wait in memory until
it is known.
"""

from __future__ import annotations

import collections
import math
import time
from array import array
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import msgspec
import numpy as np

from graph.bulk import (
    _INTERACTION_QUERY,
    LoadCounts,
    Progress,
    _person_row,
    _title_row,
    _user_row,
)
from graph.dataset import NO_GENRES, Dataset, DatasetStream, Interaction, as_stream

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["ImportFiles", "write_import_files"]

#: Column kinds: how a value is written, and the import tool's type suffix.
_SUFFIX = {"str": "", "int": ":long", "float": ":double", "time": ":datetime", "bool": ":boolean"}
_Columns = tuple[tuple[str, str, str], ...]
"""``(header name, row key, kind)`` per property column."""

_NODES: dict[str, tuple[str, _Columns]] = {
    "Person": ("personId", (("name", "name", "str"), ("dataset", "dataset", "str"))),
    "Title": (
        "titleId",
        (
            ("title", "title", "str"),
            ("year", "year", "int"),
            ("kind", "kind", "str"),
            ("dataset", "dataset", "str"),
            ("imdbId", "imdbId", "str"),
            ("tmdbId", "tmdbId", "str"),
            ("popularity", "popularity", "int"),
        ),
    ),
    "User": (
        "userId",
        (
            ("name", "name", "str"),
            ("age", "age", "int"),
            ("gender", "gender", "str"),
            ("occupation", "occupation", "str"),
            ("dataset", "dataset", "str"),
            ("createdAt", "createdAt", "time"),
        ),
    ),
    "Genre": ("name", (("unknown", "unknown", "bool"),)),
    "Keyword": ("name", ()),
    "Platform": ("name", ()),
}
_TITLE_PROPERTIES = ("id", "title", "year", "kind", "imdbId", "tmdbId")
_AT: _Columns = (("at", "at", "time"),)
#: Relationship type: (start label, end label, property columns).
_RELATIONSHIPS: dict[str, tuple[str, str, _Columns]] = {
    "IN_GENRE": ("Title", "Genre", ()),
    "HAS_KEYWORD": ("Title", "Keyword", (("count", "count", "int"),)),
    "AVAILABLE_ON": ("Title", "Platform", ()),
    "ACTED_IN": ("Person", "Title", (("order", "order", "int"),)),
    "DIRECTED": ("Person", "Title", ()),
    "FRIENDS_WITH": (
        "User",
        "User",
        (("weight", "weight", "float"), ("since", "since", "time")),
    ),
    "TRUSTS": ("User", "User", (("weight", "weight", "float"),)),
    "WATCHED": (
        "User",
        "Title",
        (
            ("count", "count", "int"),
            ("completion", "completion", "float"),
            ("sessionId", "session", "str"),
            ("firstAt", "first", "time"),
            ("lastAt", "last", "time"),
        ),
    ),
    "RATED": ("User", "Title", (("rating", "rating", "float"), *_AT)),
    "LIKED": ("User", "Title", _AT),
    "DISLIKED": ("User", "Title", _AT),
    "SHARED": ("User", "Title", (("count", "count", "int"), *_AT)),
    "ADDED_TO_LIST": ("User", "Title", _AT),
}
#: Interaction type -> relationship type, as the transactional writer's statements name them.
_INTERACTION_TYPE = {
    kind: query.removeprefix("load_merge_").upper() for kind, query in _INTERACTION_QUERY.items()
}


class ImportFiles(msgspec.Struct, kw_only=True):
    """The files of one import: per label and per relationship type, and what they hold.

    Attributes:
        directory: Where the files are.
        nodes: Label -> file.
        relationships: Relationship type -> file.
        multiline: Files with a value spanning lines (the import tool must be told).
        counts: Records written per kind, as :func:`graph.bulk.write_dataset` counts them.
        dropped: Relationships dropped because an end is not in the data.
        duplicates: Records skipped because their id came before.
    """

    directory: Path
    nodes: dict[str, Path] = msgspec.field(default_factory=dict)
    relationships: dict[str, Path] = msgspec.field(default_factory=dict)
    multiline: list[Path] = msgspec.field(default_factory=list)
    counts: LoadCounts
    dropped: int = 0
    duplicates: int = 0


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _float(value: float) -> str:
    text = repr(float(value))
    if text[-1].isdigit():
        return text
    # nan, inf, -inf: Java's spelling.
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _time(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


_FORMAT: dict[str, Callable[[Any], str]] = {
    "str": _text,
    "int": lambda v: str(int(v)),
    "float": _float,
    "time": _time,
    "bool": lambda v: "true" if v else "false",
}


class _File:
    """One CSV file being written: header first, then one line per record."""

    def __init__(self, path: Path, header: list[str], columns: _Columns) -> None:
        self.path = path
        self.handle: IO[str] = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
        self.handle.write(",".join(header) + "\n")
        self.columns = tuple((key, _FORMAT[kind]) for _, key, kind in columns)
        self.multiline = False

    def write(self, ends: str, row: dict[str, Any]) -> None:
        """Write the id columns ``ends`` (already formatted) and the row's properties."""
        fields = [ends]
        for key, fmt in self.columns:
            value = row.get(key)
            fields.append("" if value is None else fmt(value))
        line = ",".join(fields)
        if "\n" in line or "\r" in line:
            self.multiline = True
        self.handle.write(line + "\n")


def _header(columns: _Columns) -> list[str]:
    return [name + _SUFFIX[kind] for name, _, kind in columns]


class _Writer:
    """Every file of one import, the ids seen so far and the counts."""

    def __init__(self, directory: Path, tag: str, progress: Progress | None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.tag, self.progress = directory, tag, progress
        self.files: dict[str, _File] = {}
        #: Label -> id -> the id as written (quoted); titles and users also by index.
        self.ids: dict[str, dict[str, str]] = {label: {} for label in _NODES}
        #: Users and titles: id -> (the id as written, index).
        self.users: dict[str, tuple[str, int]] = {}
        self.titles: dict[str, tuple[str, int]] = {}
        self.interaction_files: dict[str, _File] = {}
        #: The titles' own properties, written once their popularity is known.
        self.title_rows: list[dict[str, Any]] = []
        self.interactions: collections.Counter[str] = collections.Counter()
        self.pairs = array("q")
        self.counts = LoadCounts(dataset=tag)
        self.dropped = self.duplicates = 0

    def file(self, name: str, header: list[str], columns: _Columns) -> _File:
        if name not in self.files:
            self.files[name] = _File(self.directory / f"{name}.csv", header, columns)
        return self.files[name]

    def node(self, label: str, key: str, row: dict[str, Any]) -> bool:
        """Write a node unless its id came before; False when it did."""
        ids = self.ids[label]
        if key in ids:
            return False
        ids[key] = quoted = _text(key)
        id_name, columns = _NODES[label]
        header = [f"{id_name}:ID({label})", *_header(columns)]
        self.file(label, header, columns).write(quoted, row)
        return True

    def relationship(self, kind: str, start: str, end: str, row: dict[str, Any]) -> bool:
        """Write a relationship between two known nodes; False (dropped) when one is unknown."""
        start_label, end_label, columns = _RELATIONSHIPS[kind]
        a, b = self.ids[start_label].get(start), self.ids[end_label].get(end)
        if a is None or b is None:
            self.dropped += 1
            return False
        header = [f":START_ID({start_label})", f":END_ID({end_label})", *_header(columns)]
        self.file(kind, header, columns).write(f"{a},{b}", row)
        return True

    def tick(self, phase: str, n: int, total: int | None) -> None:
        if self.progress is not None and n:
            self.progress(phase, n, total)

    def close(self) -> None:
        for f in self.files.values():
            f.handle.close()


def _each(
    writer: _Writer,
    phase: str,
    total: int | None,
    records: Iterable[Any],
    write: Callable[[Any], object],
) -> None:
    """Write every record, reporting progress every 50,000."""
    done = 0
    for record in records:
        write(record)
        done += 1
        if done % 50_000 == 0:
            writer.tick(phase, 50_000, total)
    writer.tick(phase, done % 50_000, total)


def _title_features(w: _Writer, title: Any) -> None:
    """A title's genres, keywords, platforms, cast and directors (title node written later)."""
    if title.title_id in w.titles:
        w.duplicates += 1
        return
    w.ids["Title"][title.title_id] = quoted = _text(title.title_id)
    w.titles[title.title_id] = (quoted, len(w.titles))
    row = _title_row(title)
    w.title_rows.append({k: row[k] for k in _TITLE_PROPERTIES})
    for genre in dict.fromkeys(row["genres"]):
        w.node("Genre", genre, {"unknown": True if genre == NO_GENRES else None})
        w.relationship("IN_GENRE", title.title_id, genre, {})
    for keyword, count in dict(zip(row["keywords"], row["keywordCounts"], strict=True)).items():
        w.node("Keyword", keyword, {})
        w.relationship("HAS_KEYWORD", title.title_id, keyword, {"count": count})
    for platform in dict.fromkeys(row["platforms"]):
        w.node("Platform", platform, {})
        w.relationship("AVAILABLE_ON", title.title_id, platform, {})
    # People known only from the credits are named by their id, as the MERGE names them; they
    # are not counted (the transactional writer counts the people records).
    # The last billing of a person listed twice wins, as MERGE ... SET r.order = i leaves it.
    for person, order in {p: i for i, p in enumerate(row["cast"])}.items():
        w.node("Person", person, {"name": person, "dataset": w.tag})
        w.relationship("ACTED_IN", person, title.title_id, {"order": order})
    for person in dict.fromkeys(row["directors"]):
        w.node("Person", person, {"name": person, "dataset": w.tag})
        w.relationship("DIRECTED", person, title.title_id, {})


def _friendship(w: _Writer, link: Any) -> None:
    if link.mutual:
        a, b = sorted((link.user_id, link.friend_id))
        row = {"weight": link.weight, "since": link.since}
        w.counts.friendships += w.relationship("FRIENDS_WITH", a, b, row)
    else:
        row = {"weight": link.weight}
        w.counts.trusts += w.relationship("TRUSTS", link.user_id, link.friend_id, row)


def _opt(value: Any, fmt: Callable[[Any], str]) -> str:
    return "" if value is None else fmt(value)


def _view(i: Interaction) -> str:
    first = i.first_timestamp if i.first_timestamp is not None else i.timestamp
    return (
        f"{int(i.value) if i.value is not None else 1},{_opt(i.completion, _float)},"
        f"{_opt(i.session_id, _text)},{_opt(first, _time)},{_opt(i.timestamp, _time)}"
    )


def _count_at(i: Interaction) -> str:
    return f"{int(i.value) if i.value is not None else 1},{_opt(i.timestamp, _time)}"


#: An interaction's property columns per type, as ``graph.bulk._interaction_row`` has them
#: (formatted straight from the record: the hot path of a large load).
_INTERACTION_FIELDS: dict[str, Callable[[Interaction], str]] = {
    "view": _view,
    "rating": lambda i: f"{_opt(i.value, _float)},{_opt(i.timestamp, _time)}",
    "share": _count_at,
    "like": lambda i: _opt(i.timestamp, _time),
    "dislike": lambda i: _opt(i.timestamp, _time),
    "add_to_list": lambda i: _opt(i.timestamp, _time),
}


def _interaction(w: _Writer, event: Interaction) -> None:
    user, title = w.users.get(event.user_id), w.titles.get(event.title_id)
    if user is None or title is None:
        w.dropped += 1
        return
    kind = event.type
    out = w.interaction_files.get(kind)
    if out is None:
        start, end, columns = _RELATIONSHIPS[_INTERACTION_TYPE[kind]]
        header = [f":START_ID({start})", f":END_ID({end})", *_header(columns)]
        out = w.interaction_files[kind] = w.file(_INTERACTION_TYPE[kind], header, columns)
    line = f"{user[0]},{title[0]},{_INTERACTION_FIELDS[kind](event)}\n"
    if event.session_id is not None and ("\n" in event.session_id or "\r" in event.session_id):
        out.multiline = True
    out.handle.write(line)
    w.interactions[kind] += 1
    w.pairs.append(user[1] * len(w.titles) + title[1])


def _popularity(w: _Writer) -> np.ndarray:
    """Distinct users with any interaction, per title index."""
    pairs = np.unique(np.frombuffer(w.pairs, dtype=np.int64))
    w.pairs = array("q")
    return np.bincount(pairs % max(len(w.titles), 1), minlength=len(w.titles))


def write_import_files(
    data: Dataset | DatasetStream,
    directory: Path,
    *,
    dataset_tag: str | None = None,
    progress: Progress | None = None,
) -> ImportFiles:
    """Write the import tool's CSV files of a dataset into ``directory``.

    Args:
        data: The canonical dataset, or a stream of it.
        directory: Where to write (created; files of the same names are replaced).
        dataset_tag: The ``dataset`` property of users, titles and people (default the name).
        progress: Called as records are written, with the phase and the records just written.

    Returns:
        The files, and the counts of what they hold.
    """
    stream = as_stream(data)
    tag = dataset_tag or stream.name
    sizes = stream.sizes()
    started = time.perf_counter()
    w = _Writer(directory, tag, progress)
    created = int(time.time())
    try:

        def person(p: Any) -> None:
            if w.node("Person", p.person_id, {**_person_row(p), "dataset": tag}):
                w.counts.people += 1
            else:
                w.duplicates += 1

        def user(u: Any) -> None:
            if w.node("User", u.user_id, {**_user_row(u), "dataset": tag, "createdAt": created}):
                w.users[u.user_id] = (w.ids["User"][u.user_id], len(w.users))
                w.counts.users += 1
            else:
                w.duplicates += 1

        _each(w, "people", sizes.get("people"), stream.people(), person)
        _each(w, "titles", sizes.get("titles"), stream.titles(), lambda t: _title_features(w, t))
        _each(w, "users", sizes.get("users"), stream.users(), user)
        links = stream.friendships()
        _each(w, "friendships", sizes.get("friendships"), links, lambda f: _friendship(w, f))
        events = stream.interactions()
        _each(w, "interactions", sizes.get("interactions"), events, lambda i: _interaction(w, i))
        w.counts.interactions = dict(w.interactions)
        popularity = _popularity(w)
        id_name, columns = _NODES["Title"]
        nodes = w.file("Title", [f"{id_name}:ID(Title)", *_header(columns)], columns)
        for index, row in enumerate(w.title_rows):
            row.update(dataset=tag, popularity=int(popularity[index]))
            nodes.write(w.titles[row["id"]][0], row)
        w.counts.titles = len(w.title_rows)
    finally:
        w.close()
    w.counts.seconds = time.perf_counter() - started
    labels = [label for label in _NODES if label in w.files]
    return ImportFiles(
        directory=directory,
        nodes={label: w.files[label].path for label in labels},
        relationships={k: f.path for k, f in w.files.items() if k in _RELATIONSHIPS},
        multiline=[f.path for f in w.files.values() if f.multiline],
        counts=w.counts,
        dropped=w.dropped,
        duplicates=w.duplicates,
    )
