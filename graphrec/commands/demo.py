"""``graphrec demo``: servers, schema, data, a promoted model, an example experiment, then the
API in the foreground."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from gnn.names import DEFAULT_MODEL
from graph import models as registry
from graph import schema
from graph.errors import ConflictError
from graph.experiments import ExperimentRecord
from graph.settings import Settings, get_settings
from graphrec.commands.load import run_load
from graphrec.commands.servers import services_up
from graphrec.console import connect, info
from learning import lifecycle

__all__ = ["demo"]

_DEMO_USERS = 3_000
_DEMO_TITLES = 1_500
#: The example experiment: the feed as configured against a more diverse one, half the users each.
DEMO_EXPERIMENT = "demo-diversity"
_DEMO_VARIANTS = ("control:50", "diverse:50:diversity=0.8")


def _dev_key(settings: Settings) -> str:
    """A random development key, kept in the instance directory so that it survives reruns."""
    path = settings.instance_dir / "dev-api-key"
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = "dev-" + secrets.token_urlsafe(18)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def _start_experiment() -> str:
    """Create and start the example experiment (a rerun keeps the one it started, and its counts).

    It is declared independent, so that experiments of your own can run beside it.
    """
    record = ExperimentRecord(
        name=DEMO_EXPERIMENT,
        status="draft",
        variants=lifecycle.variants_of(_DEMO_VARIANTS),
        independent=True,
        description="demo: the home feed's diversity 0.5 (control) against 0.8",
    )
    with connect() as conn:
        with contextlib.suppress(ConflictError):  # a rerun: the experiment exists
            lifecycle.create(conn, record)
        try:
            started = lifecycle.start(conn, DEMO_EXPERIMENT)
        except lifecycle.SpecError as exc:
            return f"{DEMO_EXPERIMENT} not started ({exc})"
    return f"{DEMO_EXPERIMENT} ({started.status}: control vs diverse, 50 % each)"


def _examples(base: str, key: str, user: str, other: str, item: str) -> str:
    auth = f"-H 'Authorization: Bearer {key}'"
    json_h = "-H 'Content-Type: application/json'"
    lines = [
        f"curl -s {auth} '{base}/v1/recommendations?user_id={user}&limit=5'",
        f"curl -s {auth} '{base}/v1/recommendations?user_id={user}&context=social&limit=5'",
        f"curl -s {auth} '{base}/v1/users/{user}/because-you-watched?rows=3&limit=5'",
        f"curl -s {auth} '{base}/v1/users/{user}/social?limit=5'",
        f"curl -s {auth} '{base}/v1/items/{item}/similar?limit=5'",
        f"curl -s {auth} '{base}/v1/recommendations/{item}/explain?user_id={user}'",
        f"curl -s {auth} {json_h} -H 'Idempotency-Key: demo-1' -X POST {base}/v1/interactions "
        f'-d \'{{"user_id": "{user}", "item_id": "{item}", "action": "like"}}\'',
        f"curl -s {auth} {json_h} -X POST {base}/v1/feedback "
        f'-d \'{{"user_id": "{user}", "item_id": "{item}", "feedback": "not_interested", '
        f'"reason": "seen it elsewhere"}}\'',
        f"curl -s {auth} {json_h} -X POST {base}/v1/users "
        f'-d \'{{"user_id": "demo-new-user", "name": "Ada"}}\'',
        f"curl -s {auth} {json_h} -X PUT {base}/v1/users/demo-new-user/preferences "
        f'-d \'{{"genres": ["Comedy"]}}\'',
        f"curl -s {auth} -X PUT {base}/v1/users/demo-new-user/friends/{other}",
        f"curl -s {auth} {base}/v1/users/demo-new-user",
        f"curl -s {auth} {json_h} -X POST {base}/v1/items "
        f'-d \'{{"item_id": "demo-new-title", "title": "A New Title", "genres": ["Comedy"]}}\'',
        f"curl -s {auth} {base}/v1/items/demo-new-title",
        f"curl -s {base}/ready && curl -s {base}/metrics | head",
    ]
    return "\n".join(lines)


def demo(
    path: Annotated[
        Path | None,
        typer.Argument(help="A MovieLens directory (100k, 1m, latest); default synthetic data."),
    ] = None,
    users: int = typer.Option(_DEMO_USERS, min=100, help="synthetic: number of users."),
    titles: int = typer.Option(_DEMO_TITLES, min=100, help="synthetic: number of titles."),
    retrain: bool = typer.Option(False, help="Train a new version even if one is promoted."),
    host: str = typer.Option("127.0.0.1", help="Interface the API listens on."),
    port: int = typer.Option(8000, help="TCP port of the API."),
    workers: int = typer.Option(2, min=1, help="API worker processes."),
) -> None:
    """Everything at once: Neo4j and Redis, schema, data, a trained model, and the API."""
    settings = get_settings()
    services_up()
    with connect() as conn:
        schema.apply_constraints(conn)
    if path is not None:
        run_load("movielens", path, {"dataset_tag": "movielens"})
    else:
        options = {"dataset_tag": "synthetic", "users": users, "titles": titles, "seed": 42}
        run_load("synthetic", None, options)
    with connect() as conn:
        promoted = registry.get_promoted(conn, DEFAULT_MODEL)
    if promoted is None or retrain:
        from gnn.train import TrainConfig
        from graphrec.commands.train import run_train

        run_train(TrainConfig())
    else:
        info(f"{promoted.model_id} is promoted (pass --retrain to train a new version)")
    experiment = _start_experiment()
    with connect() as conn:
        sample_users, sample_titles = schema.sample_ids(conn, 2)
    key = _dev_key(settings)
    base = f"http://{host}:{port}"
    user = sample_users[0] if sample_users else "1"
    other = sample_users[-1] if sample_users else "2"
    item = sample_titles[0] if sample_titles else "1"
    typer.echo(
        f"""
graphrec is ready.

  API            {base}   (OpenAPI: {base}/schema)
  dev API key    {key}   (enterprise tier, admin; kept in {settings.instance_dir}/dev-api-key)
  Neo4j Browser  http://127.0.0.1:{settings.neo4j_http_port}/browser/   (no password locally)
                 the analysts' guide (slides that run the saved queries), in the Browser:
                   :play {base}/guide/graphrec.html
                 saved queries to paste: docs/browser/*.cypher
                 communities and influencers: `graphrec analyze`
  experiment     {experiment}
                 its report: graphrec experiments report {DEMO_EXPERIMENT}

Try:
{_examples(base, key, user, other, item)}

Serving until Ctrl-C.
"""
    )
    sys.stdout.flush()
    keys = ",".join(
        k for k in (os.environ.get("GRAPHREC_API_KEYS", ""), f"{key}:enterprise:admin") if k
    )
    os.environ["GRAPHREC_API_KEYS"] = keys
    from graphrec.commands.serve import serve

    serve(host=host, port=port, workers=workers, log_level="warning")
