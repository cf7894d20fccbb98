"""Entry point of the ``graphrec`` command: registers the subcommand groups."""

from __future__ import annotations

import typer

from graphrec.commands.analyze import analyze_app
from graphrec.commands.db import db_app
from graphrec.commands.demo import demo
from graphrec.commands.experiments import experiments_app
from graphrec.commands.load import load
from graphrec.commands.models import models_app
from graphrec.commands.serve import serve
from graphrec.commands.servers import neo4j_app, redis_app, services_app
from graphrec.commands.train import embed, evaluate, train

app = typer.Typer(
    name="graphrec",
    help="Graph-native recommendations: Neo4j graph, GraphSAGE similarity, HTTP API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(redis_app, name="redis")
app.add_typer(services_app, name="services")
app.add_typer(db_app, name="db")
app.command("train")(train)
app.command("evaluate")(evaluate)
app.add_typer(models_app, name="models")
app.command("embed")(embed)
app.command("serve")(serve)
app.command("load")(load)
app.command("demo")(demo)
app.add_typer(experiments_app, name="experiments")
app.add_typer(analyze_app, name="analyze")


def main() -> None:
    """Run the ``graphrec`` command."""
    app()


if __name__ == "__main__":
    main()
