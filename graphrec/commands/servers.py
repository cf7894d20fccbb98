"""``graphrec neo4j|redis|services``: the local servers."""

from __future__ import annotations

from types import ModuleType

import typer

from graph.settings import get_settings
from graphrec.console import fail, info
from servers import ServerError, ServerStatus, neo4j_server, redis_server

__all__ = ["neo4j_app", "redis_app", "services_app", "services_up"]


def _show(st: ServerStatus) -> None:
    state = "running" if st.running else "not running"
    pid = f", pid {st.pid}" if st.pid else ""
    extra = f" ({st.detail})" if st.detail else ""
    typer.echo(f"{st.name}: {state} at {st.address}{pid}{extra}")


def _start(name: str, server: ModuleType, **options: float) -> None:
    settings = get_settings()
    before = server.status(settings)
    if before.running:
        typer.echo(f"{name}: already running at {before.address}")
        return
    try:
        _show(server.start(settings, echo=info, **options))
    except ServerError as exc:
        fail(str(exc))


def _stop(name: str, server: ModuleType) -> None:
    try:
        stopped = server.stop(get_settings())
    except ServerError as exc:
        fail(str(exc))
    typer.echo(f"{name}: stopped" if stopped else f"{name}: was not running")


def _status(server: ModuleType) -> None:
    st = server.status(get_settings())
    _show(st)
    raise typer.Exit(0 if st.running else 1)


neo4j_app = typer.Typer(
    help="The local Neo4j 5.26 server (from Maven Central).", no_args_is_help=True
)
redis_app = typer.Typer(
    help="The local Redis server (Debian's redis-server).", no_args_is_help=True
)
services_app = typer.Typer(help="Neo4j and Redis together.", no_args_is_help=True)


@neo4j_app.command("start")
def neo4j_start(timeout: float = typer.Option(180, help="Seconds to wait for Bolt.")) -> None:
    """Start Neo4j; return once Bolt answers RETURN 1 (exit 0 if already running)."""
    _start("neo4j", neo4j_server, timeout=timeout)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop Neo4j cleanly (data is kept)."""
    _stop("neo4j", neo4j_server)


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Exit 0 only when Bolt answers."""
    _status(neo4j_server)


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
    _start("redis", redis_server)


@redis_app.command("stop")
def redis_stop() -> None:
    """Stop the local Redis."""
    _stop("redis", redis_server)


@redis_app.command("status")
def redis_status() -> None:
    """Exit 0 only when Redis answers PING."""
    _status(redis_server)


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
