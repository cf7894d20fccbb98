"""``graphrec db``: constraints, statistics, clearing."""

from __future__ import annotations

import typer

from graph import schema
from graphrec.console import connect, fail

db_app = typer.Typer(help="The graph database: constraints, stats, clearing.", no_args_is_help=True)


@db_app.command("init")
def db_init() -> None:
    """Create constraints and indexes (idempotent: safe on every start)."""
    with connect() as conn:
        count = schema.apply_constraints(conn)
        constraints = schema.show_constraints(conn)
    typer.echo(f"applied {count} schema statements; {len(constraints)} constraints in place")


@db_app.command("constraints")
def db_constraints() -> None:
    """List the constraints (SHOW CONSTRAINTS)."""
    with connect() as conn:
        for row in schema.show_constraints(conn):
            labels = ",".join(row["labelsOrTypes"] or [])
            props = ",".join(row["properties"] or [])
            typer.echo(f"{row['name']}\t{row['type']}\t{labels}({props})")


@db_app.command("stats")
def db_stats() -> None:
    """Node counts per label and relationship counts per type."""
    with connect() as conn:
        for row in schema.count_graph(conn):
            typer.echo(f"{row['kind']:<13} {row['name']:<20} {row['count']:>12,}")


@db_app.command("clear")
def db_clear(
    yes: bool = typer.Option(False, "--yes", help="Confirm: without it nothing is deleted."),
    dataset: str | None = typer.Option(None, help="Clear only this dataset tag."),
) -> None:
    """Delete every node (or one dataset's), in bounded transactions."""
    if not yes:
        fail("refusing to clear without --yes")
    with connect() as conn:
        deleted = schema.clear(conn, dataset=dataset)
    scope = f"dataset {dataset!r}" if dataset else "the database"
    typer.echo(f"cleared {scope}: {deleted:,} nodes deleted")
