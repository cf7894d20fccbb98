"""A canonical dataset (or stream) as the CSV files of Neo4j's import tool, same graph as
:func:`graph.bulk.write_dataset`.

``neo4j-admin database import full`` builds a store from node and relationship files far faster
than transactions can; :func:`write_import_files` writes those files from the same rows the
transactional writer sends (``graph.bulk``'s row builders), so both paths give the same nodes,
labels, relationships and properties (``User.createdAt`` is the load's start time here, the
time of its batch's transaction on the transactional path). What the ``MERGE`` statements would
collapse is collapsed here: a repeated id keeps its first record, a title's repeated genre,
keyword, platform, cast member or director one relationship (the last values), and a
relationship to a user or title the stream never yielded is dropped, as an unmatched ``MATCH``
drops it.

Records are streamed, each kind once, in the writer's order; memory holds the ids (users, titles,
people, feature names) and 8 bytes per interaction for ``Title.popularity``, computed here as the
number of distinct users with any interaction; the titles' own properties wait in memory until
it is known.
"""

from __future__ import annotations

import collections
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from graph.bulk import LoadCounts, Progress, _person_row, _title_row, _user_row
from graph.dataset import NO_GENRES, Dataset, DatasetStream, Interaction, as_stream
from graph.import_csv import (
    INTERACTION_FIELDS,
    INTERACTION_TYPE,
    NODES,
    RELATIONSHIPS,
    TITLE_PROPERTIES,
    Columns,
    CsvFile,
    header_of,
    text,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["ImportFiles", "write_import_files"]


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


class _Writer:
    """Every file of one import, the ids seen so far and the counts."""

    def __init__(self, directory: Path, tag: str, progress: Progress | None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.tag, self.progress = directory, tag, progress
        self.files: dict[str, CsvFile] = {}
        #: Label -> id -> the id as written (quoted); titles and users also by index.
        self.ids: dict[str, dict[str, str]] = {label: {} for label in NODES}
        #: Users and titles: id -> (the id as written, index).
        self.users: dict[str, tuple[str, int]] = {}
        self.titles: dict[str, tuple[str, int]] = {}
        self.interaction_files: dict[str, CsvFile] = {}
        #: The titles' own properties, written once their popularity is known.
        self.title_rows: list[dict[str, Any]] = []
        self.interactions: collections.Counter[str] = collections.Counter()
        self.pairs = array("q")
        self.counts = LoadCounts(dataset=tag)
        self.dropped = self.duplicates = 0

    def file(self, name: str, header: list[str], columns: Columns) -> CsvFile:
        if name not in self.files:
            self.files[name] = CsvFile(self.directory / f"{name}.csv", header, columns)
        return self.files[name]

    def node(self, label: str, key: str, row: dict[str, Any]) -> bool:
        """Write a node unless its id came before; False when it did."""
        ids = self.ids[label]
        if key in ids:
            return False
        ids[key] = quoted = text(key)
        id_name, columns = NODES[label]
        header = [f"{id_name}:ID({label})", *header_of(columns)]
        self.file(label, header, columns).write(quoted, row)
        return True

    def relationship(self, kind: str, start: str, end: str, row: dict[str, Any]) -> bool:
        """Write a relationship between two known nodes; False (dropped) when one is unknown."""
        start_label, end_label, columns = RELATIONSHIPS[kind]
        a, b = self.ids[start_label].get(start), self.ids[end_label].get(end)
        if a is None or b is None:
            self.dropped += 1
            return False
        header = [f":START_ID({start_label})", f":END_ID({end_label})", *header_of(columns)]
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
    w.ids["Title"][title.title_id] = quoted = text(title.title_id)
    w.titles[title.title_id] = (quoted, len(w.titles))
    row = _title_row(title)
    w.title_rows.append({k: row[k] for k in TITLE_PROPERTIES})
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


def _interaction(w: _Writer, event: Interaction) -> None:
    user, title = w.users.get(event.user_id), w.titles.get(event.title_id)
    if user is None or title is None:
        w.dropped += 1
        return
    kind = event.type
    out = w.interaction_files.get(kind)
    if out is None:
        start, end, columns = RELATIONSHIPS[INTERACTION_TYPE[kind]]
        header = [f":START_ID({start})", f":END_ID({end})", *header_of(columns)]
        out = w.interaction_files[kind] = w.file(INTERACTION_TYPE[kind], header, columns)
    line = f"{user[0]},{title[0]},{INTERACTION_FIELDS[kind](event)}\n"
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
        id_name, columns = NODES["Title"]
        nodes = w.file("Title", [f"{id_name}:ID(Title)", *header_of(columns)], columns)
        for index, row in enumerate(w.title_rows):
            row.update(dataset=tag, popularity=int(popularity[index]))
            nodes.write(w.titles[row["id"]][0], row)
        w.counts.titles = len(w.title_rows)
    finally:
        w.close()
    w.counts.seconds = time.perf_counter() - started
    labels = [label for label in NODES if label in w.files]
    return ImportFiles(
        directory=directory,
        nodes={label: w.files[label].path for label in labels},
        relationships={k: f.path for k, f in w.files.items() if k in RELATIONSHIPS},
        multiline=[f.path for f in w.files.values() if f.multiline],
        counts=w.counts,
        dropped=w.dropped,
        duplicates=w.duplicates,
    )
