"""Social datasets: FilmTrust (ratings and directed trust) and Last.fm HetRec 2011."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from graph.dataset import Dataset, Title
from loaders.build import DatasetBuilder, ReadReport
from loaders.errors import LoadError
from loaders.textio import BadLines, parse_float, parse_int, read_lines, require_file

__all__ = ["read_filmtrust", "read_lastfm"]


def _split(
    path: Path,
    count: int,
    bad: BadLines,
    *,
    sep: str | None = None,
    header: bool = False,
    encoding: str = "utf-8",
) -> list[tuple[int, list[str]]]:
    out = []
    lines = read_lines(path, encoding)
    if header:
        next(lines, None)
    for line, text in lines:
        fields = text.split(sep)
        if len(fields) != count:
            what = "whitespace" if sep is None else repr(sep)
            bad.handle(
                LoadError(
                    path, f"expected {count} {what}-separated fields, got {len(fields)}", line=line
                )
            )
            continue
        out.append((line, fields))
    return out


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
    for line, (u, item, rating) in _split(ratings, 3, bad):
        try:
            value = parse_float(rating, ratings, line, "rating")
        except LoadError as exc:
            bad.handle(exc)
            continue
        title_id = b.uid(item)
        if title_id not in b.titles:
            b.add_title(Title(title_id=title_id, title=f"FilmTrust item {item}"))
        b.add_interaction(b.uid(u), title_id, "rating", value=value)
        b.report.lines += 1
    trust = path / "trust.txt"
    for line, (a, c, weight) in _split(trust, 3, bad):
        try:
            value = parse_float(weight, trust, line, "trust value")
        except LoadError as exc:
            bad.handle(exc)
            continue
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
        for _, (tag_id, value) in _split(tags, 2, bad, sep="\t", header=True, encoding="latin-1"):
            tag_names[tag_id] = value.strip().lower()
        applied = path / "user_taggedartists.dat"
        for line, (_, artist, tag_id, *_) in _split(applied, 6, bad, sep="\t", header=True):
            if tag_id not in tag_names:
                bad.handle(
                    LoadError(applied, f"unknown tagID {tag_id!r}", line=line, field="tagID")
                )
                continue
            tagged.setdefault(artist, Counter())[tag_names[tag_id]] += 1
    artists = path / "artists.dat"
    for _, (artist, name, *_) in _split(artists, 4, bad, sep="\t", header=True):
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
    for line, (u, artist, weight) in _split(plays, 3, bad, sep="\t", header=True):
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
    for _, (u, friend) in _split(friends, 2, bad, sep="\t", header=True):
        b.add_friendship(b.uid(u), b.uid(friend), mutual=True)
    b.report.skipped = bad.count
    return b.build(), b.report
