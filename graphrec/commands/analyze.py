"""``graphrec analyze`` (run a new analysis version) and ``graphrec analyze list``."""

from __future__ import annotations

import typer
from rich.table import Table

from analytics import AnalysisConfig, AnalyticsError, run_analysis
from analytics.pipeline import AnalysisReport
from graph import analytics as registry
from graphrec.console import Bars, connect, console, fail

__all__ = ["analyze_app"]

analyze_app = typer.Typer(
    help="Graph analytics (networkx): communities, influence, bridges, homophily.",
    invoke_without_command=True,
)

#: The metrics of the summary table, in order, with their labels.
_SUMMARY = (
    ("users", "users with social links"),
    ("links", "friendships and trust links"),
    ("positive_pairs", "positive user-title pairs"),
    ("user_communities", "user communities"),
    ("largest_user_community", "largest user community"),
    ("title_communities", "title communities"),
    ("titles_in_communities", "titles in communities"),
    ("links_inside_communities", "share of links inside a community"),
    ("links_inside_expected", "  the same at random (same degrees)"),
    ("modularity", "modularity"),
    ("friends_taste_similarity", "friends' taste similarity (titles)"),
    ("random_taste_similarity", "  random pairs'"),
    ("taste_lift", "  friends / random"),
    ("friends_genre_similarity", "friends' genre similarity"),
    ("random_genre_similarity", "  random pairs'"),
    ("bridging_users", "users bridging communities (>= 0.5)"),
    ("read_seconds", "read s"),
    ("compute_seconds", "compute s"),
    ("write_seconds", "write s"),
    ("total_seconds", "total s"),
)


@analyze_app.callback()
def analyze(
    ctx: typer.Context,
    seed: int = typer.Option(0, help="Seed of Louvain and of the random pairs."),
    resolution: float = typer.Option(
        1.0, min=0.01, help="Louvain resolution: above 1 smaller communities, below 1 larger."
    ),
    title_neighbours: int = typer.Option(
        20, min=1, max=500, help="Co-engagement neighbours kept per title."
    ),
    min_common_users: int = typer.Option(
        2, min=1, help="Users two titles need in common to be linked."
    ),
    keep: int = typer.Option(2, min=1, help="Analysis versions kept (the active one included)."),
) -> None:
    """Analyse the social graph and the titles; write a new version (`analyze list`: versions)."""
    if ctx.invoked_subcommand is not None:
        return
    cfg = AnalysisConfig(
        seed=seed, resolution=resolution, title_neighbours=title_neighbours,
        min_common_users=min_common_users, keep=keep,
    )  # fmt: skip
    bars = Bars()
    with connect() as conn:
        if bars.bar is not None:
            bars.bar.start()
        try:
            report = run_analysis(conn, cfg, phase=bars.phase)
        except AnalyticsError as exc:
            fail(str(exc))
        finally:
            if bars.bar is not None:
                bars.bar.stop()
    _print_report(report)


def _print_report(report: AnalysisReport) -> None:
    title = f"analysis {report.version} (active" + (
        f", replaces {report.previous})" if report.previous else ")"
    )
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, label in _SUMMARY:
        value = report.metrics.get(key)
        if value is not None:
            table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    people = Table(title="most influential users, and the strongest bridges")
    for column in ("", "user", "influence", "bridging", "community"):
        people.add_column(column)
    for label, rows in (("influence", report.influencers[:5]), ("bridge", report.bridges[:5])):
        for r in rows:
            people.add_row(label, r.user_id, f"{r.influence:.2f}", f"{r.bridging:.2f}",
                           str(r.community))  # fmt: skip
    console.print(people)
    if report.discarded:
        typer.echo(f"deleted the unfinished versions {', '.join(report.discarded)}")
    if report.pruned:
        typer.echo(f"deleted the versions {', '.join(report.pruned)} (beyond the last kept)")


@analyze_app.command("list")
def analyze_list() -> None:
    """List the analysis versions with status and main figures."""
    with connect() as conn:
        rows = registry.list_analyses(conn)
    if not rows:
        typer.echo("no analyses; run `graphrec analyze`")
        return
    table = Table()
    for column in ("version", "status", "started", "activated", "users", "user comm.",
                   "title comm.", "modularity", "taste lift"):  # fmt: skip
        table.add_column(column)
    for a in rows:
        m = a.metrics
        table.add_row(
            a.version, a.status, (a.started_at or "")[:19], (a.activated_at or "")[:19],
            f"{m.get('users', 0):,}", str(m.get("user_communities", "")),
            str(m.get("title_communities", "")), str(m.get("modularity", "")),
            str(m.get("taste_lift", "")),
        )  # fmt: skip
    console.print(table)
