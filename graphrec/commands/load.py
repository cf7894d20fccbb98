"""``graphrec load SOURCE [PATH]``: a dataset into the graph, with progress and a summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from graphrec.bulkload import BulkLoad, bulk_load
from graphrec.console import connect, console, fail, info
from loaders import SOURCES, LoadError
from loaders.pipeline import LoadResult, load_source
from servers.process import ServerError

__all__ = ["load", "run_bulk_load", "run_load"]

T = TypeVar("T")


class _RateColumn(ProgressColumn):
    """Rows per second of a task."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:>9,.0f}/s" if speed else " " * 11)


class _Reporter:
    """A rich progress bar per phase on a terminal; one plain line per phase otherwise."""

    def __init__(self, bar: Progress | None) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}
        self.done: dict[str, int] = {}
        self.started = self.last = time.perf_counter()
        self.phase = ""

    def __call__(self, phase: str, advance: int, total: int | None) -> None:
        if self.bar is not None:
            if phase not in self.tasks:
                self.tasks[phase] = self.bar.add_task(phase, total=total)
            self.bar.update(
                self.tasks[phase],
                advance=advance,
                total=max(total or 0, self.done.get(phase, 0) + advance) or None,
            )
        elif phase != self.phase:
            self._line()
            self.phase, self.started = phase, self.last
        self.done[phase] = self.done.get(phase, 0) + advance
        self.last = time.perf_counter()

    def _line(self) -> None:
        if self.phase:
            seconds = self.last - self.started
            rows = self.done[self.phase]
            rate = rows / max(seconds, 1e-9)
            info(f"{self.phase}: {rows:,} rows in {seconds:.1f} s ({rate:,.0f}/s)")

    def close(self) -> None:
        if self.bar is None:
            self._line()

    def step(self, message: str) -> None:
        """Print a step's message between phases (the next phase is timed from here)."""
        if self.bar is None:
            self._line()
            self.phase = ""
        info(message)
        self.started = self.last = time.perf_counter()


def _summary(result: LoadResult) -> None:
    report, counts = result.report, result.counts
    typer.echo(
        f"loaded {counts.dataset!r} in {counts.seconds:.1f} s: {counts.users:,} users, "
        f"{counts.titles:,} titles, {counts.people:,} people, {counts.friendships:,} friendships, "
        f"{counts.trusts:,} trust links, {counts.total_interactions:,} interactions "
        f"({counts.total_interactions / max(counts.seconds, 1e-9):,.0f}/s)"
    )
    typer.echo(
        f"read {report.lines:,} interaction lines; merged {report.duplicates:,} repeated "
        f"(user, title, type) lines; skipped {report.skipped:,} bad lines"
    )
    for example in report.skipped_examples:
        typer.echo(f"  skipped: {example}")
    typer.echo("graph now holds for this dataset tag:")
    for name, count in result.graph.items():
        typer.echo(f"  {name:<15} {count:>12,}")


#: The options of ``load`` each source reads (the others' are ignored).
_SYNTHETIC = ("users", "titles", "seed", "interactions_per_user")
_CSV = ("delimiter", "user_col", "item_col", "rating_col", "time_col", "type_col", "friends")


def source_options(source: str) -> tuple[str, ...]:
    """The names of the options of ``graphrec load`` that ``source`` reads."""
    if source == "synthetic":
        return _SYNTHETIC
    return ("skip_bad_lines", *(_CSV if source == "csv" else ()))


def load(
    source: str = typer.Argument(..., help=f"One of: {', '.join(SOURCES)}."),
    path: Annotated[
        Path | None, typer.Argument(help="Directory (movielens, filmtrust, lastfm) or file (csv).")
    ] = None,
    dataset_tag: str | None = typer.Option(
        None, help="`dataset` property of the nodes [source name]."
    ),
    id_prefix: str = typer.Option("", help="Prefix for every id (datasets with clashing ids)."),
    batch_size: int = typer.Option(10_000, min=100, max=100_000, help="Rows per transaction."),
    workers: int = typer.Option(2, min=1, max=8, help="Concurrent relationship transactions."),
    skip_bad_lines: bool = typer.Option(False, help="Skip malformed lines and report how many."),
    users: int = typer.Option(2_000, min=1, help="synthetic: number of users."),
    titles: int = typer.Option(1_000, min=12, help="synthetic: number of titles."),
    seed: int = typer.Option(42, help="synthetic: random seed."),
    interactions_per_user: float = typer.Option(20.0, min=1.0, help="synthetic: mean per user."),
    delimiter: str = typer.Option(",", help="csv: one character, or tab/comma/semicolon/pipe."),
    user_col: str = typer.Option("user", help="csv: user id column."),
    item_col: str = typer.Option("item", help="csv: item id column."),
    rating_col: str = typer.Option("rating", help="csv: rating/value column (optional)."),
    time_col: str = typer.Option("timestamp", help="csv: time column (optional)."),
    type_col: str = typer.Option("type", help="csv: interaction type column (optional)."),
    friends: Annotated[
        Path | None, typer.Option(help="csv: friendships file (two user columns).")
    ] = None,
    bulk: bool = typer.Option(
        False,
        help="First load with Neo4j's import tool (local server: stopped and restarted around "
        "it); replaces the whole database.",
    ),
    overwrite: bool = typer.Option(
        False, help="--bulk: replace a database that holds data (everything in it is lost)."
    ),
) -> None:
    """Load a dataset into the graph (idempotent: rerun to resume or refresh).

    With --bulk, a first load into an empty database through Neo4j's import tool (many times
    faster); without it, transactional MERGE batches that add to what is there.
    """
    if source not in SOURCES:
        fail(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    given: dict[str, object] = {
        "users": users,
        "titles": titles,
        "seed": seed,
        "interactions_per_user": interactions_per_user,
        "skip_bad_lines": skip_bad_lines,
        "delimiter": delimiter,
        "user_col": user_col,
        "item_col": item_col,
        "rating_col": rating_col,
        "time_col": time_col,
        "type_col": type_col,
        "friends": friends,
    }
    options: dict[str, object] = {"id_prefix": id_prefix, "dataset_tag": dataset_tag or source}
    options |= {name: given[name] for name in source_options(source)}
    if overwrite and not bulk:
        fail("--overwrite goes with --bulk (a transactional load never deletes anything)")
    if bulk:
        run_bulk_load(source, path, options, overwrite=overwrite)
    else:
        run_load(source, path, options, batch_size=batch_size, workers=workers)


def _bar() -> Progress | None:
    """A progress bar on a terminal, else None (plain lines)."""
    if not sys.stderr.isatty():
        return None
    return Progress(
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _reporting(work: Callable[[_Reporter], T]) -> T:
    """Run ``work`` with a progress reporter; exit with a clear message on bad input, a server
    that cannot be used, or a refusal."""
    bar = _bar()
    reporter = _Reporter(bar)
    try:
        if bar is not None:
            bar.start()
        try:
            return work(reporter)
        finally:
            if bar is not None:
                bar.stop()
            reporter.close()
    except LoadError as exc:
        fail(f"{exc} (nothing from this source was written)")
    except (ServerError, ValueError) as exc:
        fail(str(exc))


def run_bulk_load(
    source: str, path: Path | None, options: dict[str, object], *, overwrite: bool = False
) -> BulkLoad:
    """``load --bulk``: the import tool with progress, then the summary; exits on errors."""
    outcome = _reporting(
        lambda reporter: bulk_load(
            source, path, options, overwrite=overwrite, progress=reporter, echo=reporter.step
        )
    )
    _summary(outcome.result)
    typer.echo(
        f"bulk: files {outcome.csv_seconds:.1f} s, import {outcome.import_seconds:.1f} s "
        f"(tool peak RSS {outcome.tool_peak_rss_bytes / 2**20:,.0f} MiB), constraints and "
        f"indexes {outcome.schema_seconds:.1f} s; {outcome.dropped:,} relationships to unknown "
        "users or titles dropped"
    )
    return outcome


def run_load(
    source: str,
    path: Path | None,
    options: dict[str, object],
    *,
    batch_size: int = 10_000,
    workers: int = 2,
) -> LoadResult:
    """Load one source with progress bars (plain lines off a terminal), then print a summary.

    Exits with a clear message on bad input or when Neo4j does not answer.
    """

    def work(reporter: _Reporter) -> LoadResult:
        with connect() as conn:
            return load_source(
                conn,
                source,
                path,
                batch_size=batch_size,
                workers=workers,
                progress=reporter,
                **options,
            )

    result = _reporting(work)
    _summary(result)
    return result
