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


def _server_app(
    name: str, server: ModuleType, *, summary: str, start_timeout: float, answers: str
) -> typer.Typer:
    """The ``start``/``stop``/``status`` commands of one local server."""
    app = typer.Typer(help=summary, no_args_is_help=True)

    @app.command("start")
    def start(
        timeout: float = typer.Option(start_timeout, help=f"Seconds to wait for {answers}."),
    ) -> None:
        """Start the server; return once it answers (exit 0 if already running)."""
        _start(name, server, timeout=timeout)

    @app.command("stop")
    def stop() -> None:
        """Stop the server (Neo4j's data is kept; Redis holds caches only)."""
        _stop(name, server)

    @app.command("status")
    def status() -> None:
        """Exit 0 only when the server answers."""
        _status(server)

    return app


neo4j_app = _server_app(
    "neo4j",
    neo4j_server,
    summary="The local Neo4j 5.26 server (from Maven Central).",
    start_timeout=180,
    answers="Bolt to answer RETURN 1",
)
redis_app = _server_app(
    "redis",
    redis_server,
    summary="The local Redis server (Debian's redis-server).",
    start_timeout=30,
    answers="PING",
)
services_app = typer.Typer(help="Neo4j and Redis together.", no_args_is_help=True)


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars with Maven and compile the launcher (start does this too)."""
    try:
        dist = neo4j_server.install(get_settings(), echo=info)
    except ServerError as exc:
        fail(str(exc))
    typer.echo(f"neo4j: installed in {dist}")


@services_app.command("up")
def services_up() -> None:
    """Start Neo4j and Redis (each only if not already answering)."""
    _start("neo4j", neo4j_server, timeout=180)
    _start("redis", redis_server, timeout=30)


@services_app.command("down")
def services_down() -> None:
    """Stop the local Neo4j and Redis."""
    settings = get_settings()
    if not settings.redis_external:
        _stop("redis", redis_server)
    if not settings.neo4j_external:
        _stop("neo4j", neo4j_server)


@services_app.command("status")
def services_status() -> None:
    """Exit 0 only when both answer."""
    settings = get_settings()
    states = [neo4j_server.status(settings), redis_server.status(settings)]
    for st in states:
        _show(st)
    raise typer.Exit(0 if all(st.running for st in states) else 1)
