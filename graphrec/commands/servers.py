"""``graphrec neo4j|redis|services``: the local servers."""

from __future__ import annotations

import typer

from graph.errors import ServerError
from graph.localserver import ServerStatus, neo4j_server, redis_server
from graph.settings import get_settings
from graphrec.console import fail, info

neo4j_app = typer.Typer(
    help="The local Neo4j 5.26 server (from Maven Central).", no_args_is_help=True
)
redis_app = typer.Typer(
    help="The local Redis server (Debian's redis-server).", no_args_is_help=True
)
services_app = typer.Typer(help="Neo4j and Redis together.", no_args_is_help=True)


def _show(st: ServerStatus) -> None:
    state = "running" if st.running else "not running"
    pid = f", pid {st.pid}" if st.pid else ""
    extra = f" ({st.detail})" if st.detail else ""
    typer.echo(f"{st.name}: {state} at {st.address}{pid}{extra}")


@neo4j_app.command("start")
def neo4j_start(timeout: float = typer.Option(180, help="Seconds to wait for Bolt.")) -> None:
    """Start Neo4j; return once Bolt answers RETURN 1 (exit 0 if already running)."""
    settings = get_settings()
    before = neo4j_server.status(settings)
    if before.running:
        typer.echo(f"neo4j: already running at {before.address}")
        return
    try:
        _show(neo4j_server.start(settings, timeout=timeout, echo=info))
    except ServerError as exc:
        fail(str(exc))


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop Neo4j cleanly (data is kept)."""
    try:
        stopped = neo4j_server.stop(get_settings())
    except ServerError as exc:
        fail(str(exc))
    typer.echo("neo4j: stopped" if stopped else "neo4j: was not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Exit 0 only when Bolt answers."""
    st = neo4j_server.status(get_settings())
    _show(st)
    raise typer.Exit(0 if st.running else 1)


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars with Maven and compile the launcher (start does this too)."""
    try:
        dist = neo4j_server.install(get_settings(), echo=info)
    except ServerError as exc:
        fail(str(exc))
    typer.echo(f"neo4j: installed in {dist}")


@redis_app.command("start")
def redis_start() -> None:
    """Start Redis on loopback (exit 0 if already running)."""
    settings = get_settings()
    before = redis_server.status(settings)
    if before.running:
        typer.echo(f"redis: already running at {before.address}")
        return
    try:
        _show(redis_server.start(settings, echo=info))
    except ServerError as exc:
        fail(str(exc))


@redis_app.command("stop")
def redis_stop() -> None:
    """Stop the local Redis."""
    try:
        stopped = redis_server.stop(get_settings())
    except ServerError as exc:
        fail(str(exc))
    typer.echo("redis: stopped" if stopped else "redis: was not running")


@redis_app.command("status")
def redis_status() -> None:
    """Exit 0 only when Redis answers PING."""
    st = redis_server.status(get_settings())
    _show(st)
    raise typer.Exit(0 if st.running else 1)


@services_app.command("up")
def services_up() -> None:
    """Start Neo4j and Redis (each only if not already answering)."""
    neo4j_start(timeout=180)
    redis_start()


@services_app.command("down")
def services_down() -> None:
    """Stop the local Neo4j and Redis."""
    settings = get_settings()
    if not settings.redis_external:
        redis_stop()
    if not settings.neo4j_external:
        neo4j_stop()


@services_app.command("status")
def services_status() -> None:
    """Exit 0 only when both answer."""
    settings = get_settings()
    states = [neo4j_server.status(settings), redis_server.status(settings)]
    for st in states:
        _show(st)
    raise typer.Exit(0 if all(st.running for st in states) else 1)
