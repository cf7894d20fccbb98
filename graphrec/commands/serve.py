"""``graphrec serve``: the HTTP API alone, under uvicorn (uvloop, httptools)."""

from __future__ import annotations

import os
import sys

import typer

__all__ = ["serve"]


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (rate limits hold across them)."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Serve the API with a production ASGI server (uvicorn with uvloop and httptools).

    The command replaces itself with ``python -m uvicorn api.app:create_app --factory``, so the
    workers start from a clean interpreter (the CLI's own imports, torch among them, stay out).
    On SIGTERM or SIGINT requests in flight get 8 s to finish, then the process stops.
    """
    typer.echo(f"graphrec API on http://{host}:{port} (OpenAPI at /schema), {workers} worker(s)")
    sys.stdout.flush()
    args = [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", host, "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--log-level", log_level,
        "--no-access-log", "--lifespan", "on", "--timeout-graceful-shutdown", "8",
    ]  # fmt: skip
    os.execv(sys.executable, args)
