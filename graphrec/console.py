"""Console helpers shared by the subcommands: messages, failures, progress."""

from __future__ import annotations

import sys
from typing import NoReturn

import neo4j
import typer
from rich.console import Console

from graph.driver import driver
from graph.settings import get_settings

__all__ = ["connect", "console", "fail", "info"]

console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """Print a progress or status message on stderr."""
    console.print(message, markup=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    console.print(f"error: {message}", style="bold red", markup=False)
    sys.stderr.flush()
    raise typer.Exit(code)


def connect() -> neo4j.Driver:
    """Return a driver to the configured Neo4j, or exit with a message saying how to start it."""
    settings = get_settings()
    drv = driver(settings)
    try:
        drv.verify_connectivity()
    except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, OSError) as exc:
        drv.close()
        fail(
            f"Neo4j at {settings.neo4j_uri} does not answer ({exc.__class__.__name__}); "
            "start it with `graphrec neo4j start` (or set NEO4J_URI)"
        )
    return drv
