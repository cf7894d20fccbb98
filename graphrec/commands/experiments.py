"""``graphrec experiments``: create, start, stop, conclude, list and report A/B experiments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import typer

from graph import experiments as store
from graph.errors import ConflictError, NotFoundError
from graph.experiments import ExperimentRecord
from graphrec.console import connect, fail, info
from learning import lifecycle, report

__all__ = ["experiments_app"]

experiments_app = typer.Typer(
    help="A/B experiments over model versions and serving settings.", no_args_is_help=True
)


def _collect(experiment: ExperimentRecord) -> dict[str, dict[str, object]]:
    with connect() as conn:
        built = report.build(conn, experiment.name)
    return {
        v.name: {k: val for k, val in msgspec.structs.asdict(v).items() if k != "daily"}
        for v in built.variants
    }


def _show(e: ExperimentRecord) -> None:
    shares = ", ".join(f"{v.name} {v.traffic_percent:g}%" for v in e.variants)
    flags = " independent" if e.independent else ""
    typer.echo(f"{e.name}: {e.status}{flags} — {shares}")


@experiments_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Experiment name (letters, digits, _ . -).")],
    variant: Annotated[
        list[str],
        typer.Option(
            help="name:percent[:key=value,...], the first is the control; keys model_version, "
            "diversity, candidates, w.<source> (a source weight). Once per variant; the "
            "shares sum to 100.",
        ),
    ],
    independent: bool = typer.Option(False, help="May run beside other experiments."),
    description: str = typer.Option("", help="What the experiment tests."),
) -> None:
    """Create an experiment in draft (start it with `graphrec experiments start NAME`)."""
    with connect() as conn:
        try:
            variants = lifecycle.variants_of(variant)
            record = ExperimentRecord(
                name=name,
                status="draft",
                variants=variants,
                independent=independent,
                description=description,
            )
            _show(lifecycle.create(conn, record))
        except lifecycle.SpecError as exc:
            fail(f"experiment refused: {exc}")
        except ConflictError:
            fail(f"an experiment named {name!r} exists already")


def _transition(name: str, move: str) -> None:
    with connect() as conn:
        try:
            if move == "start":
                _show(lifecycle.start(conn, name))
            elif move == "stop":
                _show(lifecycle.stop(conn, name, _collect))
            else:
                _show(lifecycle.conclude(conn, name))
        except lifecycle.SpecError as exc:
            fail(f"cannot {move} {name}: {exc}")
        except NotFoundError:
            fail(f"no experiment named {name!r} (see `graphrec experiments list`)")


@experiments_app.command("start")
def start(name: str = typer.Argument(...)) -> None:
    """Start serving the variants (draft → running)."""
    _transition(name, "start")


@experiments_app.command("stop")
def stop(name: str = typer.Argument(...)) -> None:
    """Stop the experiment (running → analyzing); its counts are kept on the variants."""
    _transition(name, "stop")


@experiments_app.command("conclude")
def conclude(name: str = typer.Argument(...)) -> None:
    """Close the experiment (draft or analyzing → concluded)."""
    _transition(name, "conclude")


@experiments_app.command("list")
def list_(status: str = typer.Option(None, help="draft, running, analyzing or concluded.")) -> None:
    """List experiments, newest first."""
    if status not in (None, "draft", "running", "analyzing", "concluded"):
        fail(f"--status {status!r}: one of draft, running, analyzing, concluded")
    with connect() as conn:
        found = store.list_experiments(conn, status)  # type: ignore[arg-type]
    if not found:
        typer.echo("no experiments; create one with `graphrec experiments create`")
    for e in found:
        _show(e)


@experiments_app.command("report")
def report_(
    name: str = typer.Argument(...),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    plot: Annotated[
        Path | None, typer.Option(help="Write each variant's daily CTR to this PNG.")
    ] = None,
) -> None:
    """Per variant: users, impressions, clicks, CTR with 95 % intervals, uplift, p-value."""
    with connect() as conn:
        try:
            built = report.build(conn, name)
        except NotFoundError:
            fail(f"no experiment named {name!r} (see `graphrec experiments list`)")
    if json_out:
        typer.echo(msgspec.json.format(msgspec.json.encode(built)).decode())
    else:
        typer.echo(report.format_report(built))
    if plot is not None:
        from learning.plot import plot_daily_ctr

        plot_daily_ctr(built, plot)
        info(f"wrote {plot}")
