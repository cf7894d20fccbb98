"""The registry of sources: one name, one parser, the same canonical dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.dataset import Dataset, DatasetStream
from loaders.build import ReadReport
from loaders.errors import LoadError
from loaders.generic import read_csv
from loaders.movielens import read_movielens
from loaders.social import read_filmtrust, read_lastfm
from loaders.synthetic import SyntheticStream, generate
from loaders.textio import BadLines

__all__ = ["SOURCES", "open_source", "read_dataset", "read_source"]

SOURCES = ("movielens", "filmtrust", "lastfm", "csv", "synthetic")
_SYNTHETIC_OPTIONS = {
    "users",
    "titles",
    "seed",
    "interactions_per_user",
    "friends_per_user",
    "tastes",
}
_CSV_OPTIONS = {
    "delimiter",
    "user_col",
    "item_col",
    "rating_col",
    "time_col",
    "type_col",
    "friends",
    "encoding",
}
_READERS = {"movielens": read_movielens, "filmtrust": read_filmtrust, "lastfm": read_lastfm}


def _check(source: str, options: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(options) - allowed - {"id_prefix", "dataset_tag", "skip_bad_lines"}
    if unknown:
        raise ValueError(f"source {source!r} takes no option(s) {', '.join(sorted(unknown))}")


def read_source(source: str, path: Path | None, **options: Any) -> tuple[Dataset, ReadReport]:
    """Parse one source fully into a canonical dataset, with a report of what was read.

    Args:
        source: One of :data:`SOURCES`.
        path: The source's directory (movielens, filmtrust, lastfm) or file (csv); ``None``
            for synthetic.
        **options: ``id_prefix`` (''), ``dataset_tag`` (the source name), ``skip_bad_lines``
            (False); for csv ``delimiter``, ``user_col``, ``item_col``, ``rating_col``,
            ``time_col``, ``type_col``, ``friends`` (a Path), ``encoding``; for synthetic
            ``users``, ``titles``, ``seed``, ``interactions_per_user``, ``friends_per_user``,
            ``tastes``.

    Returns:
        The dataset and the read report (lines, merged duplicates, skipped lines).

    Raises:
        LoadError: Bad input (missing file, wrong format, malformed line, bad encoding).
        ValueError: An unknown source or option.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    prefix = str(options.get("id_prefix") or "")
    tag = str(options.get("dataset_tag") or source)
    bad = BadLines(bool(options.get("skip_bad_lines", False)))
    if source == "synthetic":
        _check(source, options, _SYNTHETIC_OPTIONS)
        extra = {k: v for k, v in options.items() if k in _SYNTHETIC_OPTIONS}
        dataset = generate(**extra, id_prefix=prefix, name=tag)
        return dataset, ReadReport(lines=len(dataset.interactions))
    if path is None:
        raise LoadError(Path("."), f"source {source!r} needs a path")
    path = Path(path)
    if source == "csv":
        _check(source, options, _CSV_OPTIONS)
        extra = {k: v for k, v in options.items() if k in _CSV_OPTIONS and v is not None}
        if "friends" in extra:
            extra["friends"] = Path(extra["friends"])
        dataset, report = read_csv(path, id_prefix=prefix, dataset_tag=tag, bad=bad, **extra)
    else:
        _check(source, options, set())
        reader = _READERS[source]
        dataset, report = reader(path, id_prefix=prefix, dataset_tag=tag, bad=bad)
    report.skipped, report.skipped_examples = bad.count, list(bad.examples)
    return dataset, report


def read_dataset(source: str, path: Path | None, **options: Any) -> Dataset:
    """Materialise one source in canonical form (see :func:`read_source` for the options).

    Raises:
        LoadError: Bad input.
        ValueError: An unknown source or option.
    """
    return read_source(source, path, **options)[0]


def open_source(
    source: str, path: Path | None, **options: Any
) -> tuple[Dataset | DatasetStream, ReadReport]:
    """Like :func:`read_source`, but synthetic data comes as a stream (for large loads)."""
    if source != "synthetic":
        return read_source(source, path, **options)
    _check(source, options, _SYNTHETIC_OPTIONS)
    extra = {k: v for k, v in options.items() if k in _SYNTHETIC_OPTIONS}
    stream = SyntheticStream(
        **extra,
        id_prefix=str(options.get("id_prefix") or ""),
        name=str(options.get("dataset_tag") or source),
    )
    return stream, ReadReport()
