"""MovieLens in its three layouts, auto-detected from the files in the directory.

* ml-latest-small / ml-25m: ``ratings.csv``, ``movies.csv``, optional ``tags.csv`` and
  ``links.csv`` (UTF-8, quoted titles, CRLF or LF);
* ml-1m: ``ratings.dat``, ``movies.dat``, optional ``users.dat`` (``::``-separated, latin-1);
* ml-100k: ``u.data``, ``u.item``, optional ``u.genre`` and ``u.user`` (latin-1).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from graph.dataset import Dataset, Title, User
from loaders.build import NO_GENRES, DatasetBuilder, ReadReport
from loaders.errors import LoadError
from loaders.textio import BadLines, csv_rows, parse_float, parse_int, read_lines, split_lines

__all__ = ["detect_layout", "read_movielens"]

_YEAR = re.compile(r"\s*\((\d{4})(?:[-–]\d{0,4})?\)\s*$")
ML100K_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]
ML1M_OCCUPATIONS = [
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad student",
    "customer service",
    "doctor/health care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12 student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
]


def split_year(raw: str) -> tuple[str, int | None]:
    """Split ``"Heat (1995)"`` into ``("Heat", 1995)``; no year gives ``(title, None)``."""
    match = _YEAR.search(raw)
    if match is None:
        return raw.strip(), None
    return raw[: match.start()].strip(), int(match.group(1))


def detect_layout(path: Path) -> str:
    """Return ``latest``, ``1m`` or ``100k`` for a MovieLens directory.

    Raises:
        LoadError: ``path`` is not a directory or holds none of the known rating files.
    """
    if not path.is_dir():
        raise LoadError(
            path, "expected a MovieLens directory" + ("" if path.exists() else ", not found")
        )
    for layout, name in (("latest", "ratings.csv"), ("1m", "ratings.dat"), ("100k", "u.data")):
        if (path / name).is_file():
            return layout
    raise LoadError(path, "no MovieLens ratings file: expected ratings.csv, ratings.dat or u.data")


def read_movielens(
    path: Path, *, id_prefix: str = "", dataset_tag: str = "movielens", bad: BadLines | None = None
) -> tuple[Dataset, ReadReport]:
    """Parse a MovieLens directory (any of the three layouts) into a canonical dataset.

    Ratings become ``rating`` interactions (value and time); tags become keywords.

    Raises:
        LoadError: A missing file, a wrong header, a malformed line or an undecodable byte.
    """
    bad = bad or BadLines()
    builder = DatasetBuilder(dataset_tag, id_prefix)
    layout = detect_layout(path)
    if layout == "latest":
        _latest(path, builder, bad)
    elif layout == "1m":
        _ml1m(path, builder, bad)
    else:
        _ml100k(path, builder, bad)
    builder.report.skipped = bad.count
    return builder.build(), builder.report


def _header(path: Path, fields: list[str], expected: tuple[str, ...]) -> dict[str, int]:
    columns = {name.strip(): i for i, name in enumerate(fields)}
    missing = [name for name in expected if name not in columns]
    if missing:
        raise LoadError(
            path, f"expected a header with columns {', '.join(expected)}; missing {missing}", line=1
        )
    return columns


def _rows(path: Path, expected: tuple[str, ...], bad: BadLines) -> list[tuple[int, list[str]]]:
    rows = csv_rows(path)
    first = next(rows, None)
    if first is None:
        raise LoadError(path, f"empty file; expected a header {','.join(expected)}")
    cols = _header(path, first[1], expected)
    order = [cols[name] for name in expected]
    out = []
    for line, fields in rows:
        if len(fields) != len(cols):
            bad.handle(
                LoadError(path, f"expected {len(cols)} fields, got {len(fields)}", line=line)
            )
            continue
        out.append((line, [fields[i] for i in order]))
    return out


def _rating(b: DatasetBuilder, path: Path, line: int, u: str, t: str, r: str, ts: str) -> None:
    title_id = b.uid(t)
    if title_id not in b.titles:
        raise LoadError(path, f"unknown movie id {t!r} (not in the movies file)", line=line)
    b.add_interaction(
        b.uid(u),
        title_id,
        "rating",
        value=parse_float(r, path, line, "rating"),
        timestamp=parse_int(ts, path, line, "timestamp"),
    )
    b.report.lines += 1


def _latest(path: Path, b: DatasetBuilder, bad: BadLines) -> None:
    links: dict[str, tuple[str, str]] = {}
    if (path / "links.csv").is_file():
        for _, (movie, imdb, tmdb) in _rows(
            path / "links.csv", ("movieId", "imdbId", "tmdbId"), bad
        ):
            links[movie] = (imdb, tmdb)
    keywords: dict[str, Counter[str]] = {}
    tags_file = path / "tags.csv"
    if tags_file.is_file():
        for _, (_, movie, tag, _) in _rows(
            tags_file, ("userId", "movieId", "tag", "timestamp"), bad
        ):
            if tag.strip():
                keywords.setdefault(movie, Counter())[tag.strip().lower()] += 1
    movies = path / "movies.csv"
    for line, (movie, raw_title, genres) in _rows(movies, ("movieId", "title", "genres"), bad):
        if not movie.strip():
            bad.handle(LoadError(movies, "expected a movie id", line=line, field="movieId"))
            continue
        imdb, tmdb = links.get(movie, ("", ""))
        counts = keywords.get(movie, Counter())
        _add_title(
            b,
            movie,
            raw_title,
            genres,
            keywords=tuple(counts),
            keyword_counts=tuple(counts.values()),
            imdb_id=imdb or None,
            tmdb_id=tmdb or None,
        )
    ratings = path / "ratings.csv"
    for line, (u, t, r, ts) in _rows(ratings, ("userId", "movieId", "rating", "timestamp"), bad):
        try:
            _rating(b, ratings, line, u, t, r, ts)
        except LoadError as exc:
            bad.handle(exc)


def _add_title(b: DatasetBuilder, movie: str, raw_title: str, genres: str, **extra: Any) -> None:
    """A movie line's title: its year split off, its ``|``-separated genres (or none listed)."""
    title, year = split_year(raw_title)
    genre_names = tuple(g for g in genres.split("|") if g) or (NO_GENRES,)
    b.add_title(Title(title_id=b.uid(movie), title=title, year=year, genres=genre_names, **extra))


def _dat(path: Path, count: int, sep: str, bad: BadLines) -> list[tuple[int, list[str]]]:
    return split_lines(path, count, bad, sep=sep, encoding="latin-1")


def _ml1m(path: Path, b: DatasetBuilder, bad: BadLines) -> None:
    users = path / "users.dat"
    if users.is_file():
        for line, (u, gender, age, occupation, _) in _dat(users, 5, "::", bad):
            try:
                code = parse_int(occupation, users, line, "occupation")
                years = parse_int(age, users, line, "age")
            except LoadError as exc:
                bad.handle(exc)
                continue
            job = ML1M_OCCUPATIONS[code] if 0 <= code < len(ML1M_OCCUPATIONS) else str(code)
            b.add_user(User(user_id=b.uid(u), gender=gender, age=years, occupation=job))
    movies = path / "movies.dat"
    for _, (movie, raw_title, genres) in _dat(movies, 3, "::", bad):
        _add_title(b, movie, raw_title, genres)
    ratings = path / "ratings.dat"
    for line, (u, t, r, ts) in _dat(ratings, 4, "::", bad):
        try:
            _rating(b, ratings, line, u, t, r, ts)
        except LoadError as exc:
            bad.handle(exc)


def _ml100k(path: Path, b: DatasetBuilder, bad: BadLines) -> None:
    genre_names = list(ML100K_GENRES)
    if (path / "u.genre").is_file():
        pairs = [text.split("|") for _, text in read_lines(path / "u.genre", "latin-1")]
        genre_names = [name for name, *_ in sorted(pairs, key=lambda p: int(p[-1]))]
    users = path / "u.user"
    if users.is_file():
        for line, (u, age, gender, occupation, _) in _dat(users, 5, "|", bad):
            try:
                years = parse_int(age, users, line, "age")
            except LoadError as exc:
                bad.handle(exc)
                continue
            b.add_user(User(user_id=b.uid(u), age=years, gender=gender, occupation=occupation))
    items = path / "u.item"
    for line, fields in _dat(items, 5 + len(genre_names), "|", bad):
        flags = fields[5:]
        if any(flag not in ("0", "1") for flag in flags):
            bad.handle(LoadError(items, "expected genre flags 0 or 1", line=line, field="genres"))
            continue
        genres = tuple(
            name
            for name, flag in zip(genre_names, flags, strict=True)
            if flag == "1" and name != "unknown"
        )
        title, year = split_year(fields[1])
        b.add_title(
            Title(title_id=b.uid(fields[0]), title=title, year=year, genres=genres or (NO_GENRES,))
        )
    ratings = path / "u.data"
    for line, text in read_lines(ratings, "latin-1"):
        fields = text.split("\t")
        try:
            if len(fields) != 4:
                raise LoadError(
                    ratings, f"expected 4 tab-separated fields, got {len(fields)}", line=line
                )
            _rating(b, ratings, line, *fields)
        except LoadError as exc:
            bad.handle(exc)
