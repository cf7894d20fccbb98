"""``graphrec models list|promote|rollback``: the model registry, and gradual rollout."""

from __future__ import annotations

import typer
from rich.table import Table

from gnn.errors import GnnError
from gnn.names import DEFAULT_MODEL
from graph import models as registry
from graph.errors import NotFoundError
from graph.models import ModelRecord
from graphrec.console import connect, console, fail
from learning import rollout

__all__ = ["models_app"]

models_app = typer.Typer(
    help="The model registry: list, promote (fully or to a share of users), roll back.",
    no_args_is_help=True,
)

_COLUMNS = ("version", "status", "traffic", "trained", "promoted", "valid ndcg", "valid recall",
            "head", "vs promoted", "edges")  # fmt: skip


def _row(m: ModelRecord, share: float | None) -> tuple[str, ...]:
    ndcg = next((v for key, v in m.metrics.items() if key.startswith("valid_ndcg")), "")
    recall = next((v for key, v in m.metrics.items() if key.startswith("valid_recall")), "")
    edges = m.metrics.get("similar_to_edges", 0) + m.metrics.get("similar_user_edges", 0)
    head = (
        f"λ {m.metrics['head_lambda']:g} w {m.metrics['head_weight']:g}"
        if m.metrics.get("head_weight")
        else ""
    )
    gate = m.metrics.get("gate_against")
    versus = (
        f"{m.metrics['gate_difference']:+.4f} ±{m.metrics['gate_noise']:.4f} vs {gate}"
        if gate
        else ""
    )
    traffic = "" if share is None else f"{share:g} %"
    return (m.version, m.status, traffic, (m.trained_at or "")[:19], (m.promoted_at or "")[:19],
            str(ndcg), str(recall), head, versus, f"{edges:,}")  # fmt: skip


@models_app.command("list")
def models_list(name: str = typer.Option(DEFAULT_MODEL, help="Model name.")) -> None:
    """List the versions of a model with status, share of users served, and metrics."""
    with connect() as conn:
        rows = registry.list_models(conn, name)
    if not rows:
        typer.echo(f"no {name} models; run `graphrec train`")
        return
    shares = rollout.shares(rows)
    table = Table()
    for column in _COLUMNS:
        table.add_column(column)
    for m in rows:
        table.add_row(*_row(m, shares.get(m.version)))
    console.print(table)


@models_app.command("promote")
def models_promote(
    version: str = typer.Argument(..., help="Version to promote, e.g. v3."),
    name: str = typer.Option(DEFAULT_MODEL, help="Model name."),
    keep: int = typer.Option(2, min=1, help="Versions whose edges are kept."),
    traffic: float | None = typer.Option(
        None,
        help="Serve VERSION to this percent of users only (sticky; raise it with the same "
        "command); 100 or none promotes it fully.",
    ),
) -> None:
    """Promote a version (atomic switch), then prune edges of versions beyond the last KEEP; with
    --traffic below 100, roll it out to that share of users instead (nothing is pruned)."""
    if traffic is not None and traffic != 100:
        _roll_out(name, version, traffic)
        return
    from gnn.pipeline import promote_version

    with connect() as conn:
        try:
            pruned = promote_version(conn, name, version, keep=keep)
        except (NotFoundError, GnnError) as exc:
            fail(str(exc))
    typer.echo(f"promoted {name}:{version}; deleted {pruned:,} stale edges")


def _roll_out(name: str, version: str, traffic: float) -> None:
    with connect() as conn:
        try:
            before = rollout.start(conn, name, version, traffic)
        except (NotFoundError, rollout.RolloutError) as exc:
            fail(str(exc))
        promoted = registry.get_promoted(conn, name)
    was = "" if before is None else f" (was {before:g} %)"
    rest = promoted.version if promoted is not None else "the promoted version"
    typer.echo(
        f"rolling out {name}:{version} to {traffic:g} % of users{was}; {rest} serves the other "
        f"{100 - traffic:g} %"
    )


@models_app.command("rollback")
def models_rollback(
    name: str = typer.Option(DEFAULT_MODEL, help="Model name."),
    keep: int = typer.Option(2, min=1, help="Versions whose edges are kept."),
) -> None:
    """End a gradual rollout (everyone back to the promoted version); without one, promote again
    the version that was promoted before the current one."""
    with connect() as conn:
        ended = rollout.cancel(conn, name)
        if ended:
            promoted = registry.get_promoted(conn, name)
            serving = promoted.version if promoted is not None else "no version"
            for version, share in ended:
                typer.echo(
                    f"rollout of {name}:{version} ({share:g} %) ended: every user is served "
                    f"{serving}"
                )
            return
        from gnn.pipeline import rollback

        try:
            version = rollback(conn, name, keep=keep)
        except (NotFoundError, GnnError) as exc:
            fail(str(exc))
    typer.echo(f"rolled back: {name}:{version} is promoted")
