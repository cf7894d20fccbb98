"""Social datasets: FilmTrust (ratings and directed trust) and Last.fm HetRec 2011."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from graph.dataset import Dataset, Title
from loaders.build import DatasetBuilder, ReadReport
from loaders.errors import LoadError
from loaders.textio import BadLines, parse_float, parse_int, require_file, split_lines

__all__ = ["read_filmtrust", "read_lastfm"]


def _valued(path: Path, what: str, bad: BadLines) -> Iterator[tuple[str, str, float]]:
    """The lines ``a b value`` of a whitespace-separated file (bad ones go to ``bad``)."""
    for line, (a, b, raw) in split_lines(path, 3, bad):
        try:
            yield a, b, parse_float(raw, path, line, what)
        except LoadError as exc:
            bad.handle(exc)


def _need_dir(path: Path, *names: str) -> None:
    if not path.is_dir():
        raise LoadError(path, "expected a directory" + ("" if path.exists() else ", not found"))
    for name in names:
        require_file(path / name)


def read_filmtrust(
    path: Path, *, id_prefix: str = "", dataset_tag: str = "filmtrust", bad: BadLines | None = None
) -> tuple[Dataset, ReadReport]:
    """Parse FilmTrust: ``ratings.txt`` (user item rating), ``trust.txt`` (trustor trustee value).

    Items have no names in FilmTrust: titles are named ``FilmTrust item <id>``. A repeated
    (user, item) line replaces the earlier rating (the data has 3 such pairs).

    Raises:
        LoadError: A missing file, a malformed line or a non-numeric value.
    """
    bad = bad or BadLines()
    _need_dir(path, "ratings.txt", "trust.txt")
    b = DatasetBuilder(dataset_tag, id_prefix)
    ratings = path / "ratings.txt"
    for u, item, value in _valued(ratings, "rating", bad):
        title_id = b.uid(item)
        if title_id not in b.titles:
            b.add_title(Title(title_id=title_id, title=f"FilmTrust item {item}"))
        b.add_interaction(b.uid(u), title_id, "rating", value=value)
        b.report.lines += 1
    trust = path / "trust.txt"
    for a, c, value in _valued(trust, "trust value", bad):
        b.add_friendship(b.uid(a), b.uid(c), mutual=False, weight=value)
    b.report.skipped = bad.count
    return b.build(), b.report


def read_lastfm(
    path: Path, *, id_prefix: str = "", dataset_tag: str = "lastfm", bad: BadLines | None = None
) -> tuple[Dataset, ReadReport]:
    """Parse Last.fm HetRec 2011 (tab-separated files with a header line).

    ``artists.dat`` gives the titles (kind ``artist``), ``user_artists.dat`` play counts as
    ``view`` interactions with the count as value, ``user_friends.dat`` mutual friendships
    (listed both ways, stored once), ``tags.dat`` (latin-1) with ``user_taggedartists.dat``
    keywords with the number of times each tag was applied.

    Raises:
        LoadError: A missing file, a malformed line or a non-numeric value.
    """
    bad = bad or BadLines()
    _need_dir(path, "artists.dat", "user_artists.dat", "user_friends.dat")
    b = DatasetBuilder(dataset_tag, id_prefix)
    tag_names: dict[str, str] = {}
    tagged: dict[str, Counter[str]] = {}
    if (path / "tags.dat").is_file() and (path / "user_taggedartists.dat").is_file():
        tags = path / "tags.dat"
        for _, (tag_id, value) in split_lines(
            tags, 2, bad, sep="\t", header=True, encoding="latin-1"
        ):
            tag_names[tag_id] = value.strip().lower()
        applied = path / "user_taggedartists.dat"
        for line, (_, artist, tag_id, *_) in split_lines(applied, 6, bad, sep="\t", header=True):
            if tag_id not in tag_names:
                bad.handle(
                    LoadError(applied, f"unknown tagID {tag_id!r}", line=line, field="tagID")
                )
                continue
            tagged.setdefault(artist, Counter())[tag_names[tag_id]] += 1
    artists = path / "artists.dat"
    for _, (artist, name, *_) in split_lines(artists, 4, bad, sep="\t", header=True):
        counts = tagged.get(artist, Counter())
        b.add_title(
            Title(
                title_id=b.uid(artist),
                title=name,
                kind="artist",
                keywords=tuple(counts),
                keyword_counts=tuple(counts.values()),
            )
        )
    plays = path / "user_artists.dat"
    for line, (u, artist, weight) in split_lines(plays, 3, bad, sep="\t", header=True):
        try:
            count = parse_int(weight, plays, line, "weight")
            if b.uid(artist) not in b.titles:
                raise LoadError(
                    plays, f"unknown artistID {artist!r} (not in artists.dat)", line=line
                )
        except LoadError as exc:
            bad.handle(exc)
            continue
        b.add_interaction(b.uid(u), b.uid(artist), "view", value=float(count))
        b.report.lines += 1
    friends = path / "user_friends.dat"
    for _, (u, friend) in split_lines(friends, 2, bad, sep="\t", header=True):
        b.add_friendship(b.uid(u), b.uid(friend), mutual=True)
    b.report.skipped = bad.count
    return b.build(), b.report
