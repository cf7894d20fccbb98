"""``graphrec serve``: the HTTP API alone, under uvicorn (uvloop, httptools)."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

__all__ = ["serve"]


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes (rate limits hold across them)."),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
    consumer_process: bool = typer.Option(
        True,
        "--consumer-process/--consumer-in-workers",
        help="Count the served-list log in a process of its own (else in every worker, between"
        " requests).",
    ),
) -> None:
    """Serve the API with a production ASGI server (uvicorn with uvloop and httptools).

    The command replaces itself with ``python -m uvicorn api.app:create_app --factory``, so the
    workers start from a clean interpreter (the CLI's own imports, torch among them, stay out).
    On SIGTERM or SIGINT requests in flight get 8 s to finish, then the process stops. The
    served-list consumer (``learning.consumer``) runs beside the workers and stops with them.
    """
    from graph.settings import get_settings

    if consumer_process and get_settings().served_log:
        from learning.consumer import die_with_parent

        # Started before the exec below: this process becomes uvicorn, the consumer's parent.
        subprocess.Popen([sys.executable, "-m", "learning.consumer"], preexec_fn=die_with_parent)
        os.environ["GRAPHREC_SERVED_LOG_CONSUMER"] = "0"
    typer.echo(f"graphrec API on http://{host}:{port} (OpenAPI at /schema), {workers} worker(s)")
    sys.stdout.flush()
    args = [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", host, "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--log-level", log_level,
        "--no-access-log", "--lifespan", "on", "--timeout-graceful-shutdown", "8",
    ]  # fmt: skip
    os.execve(sys.executable, args, os.environ)
