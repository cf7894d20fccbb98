"""Console helpers shared by the subcommands: messages, failures, progress."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from graph.connection import Connection
from graph.errors import UnavailableError

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


def connect() -> Connection:
    """A connection to the configured Neo4j, or exit with a message saying how to start it."""
    conn = Connection()
    try:
        conn.verify()
    except UnavailableError as exc:
        conn.close()
        fail(f"{exc}; start it with `graphrec neo4j start` (or set NEO4J_URI)")
    return conn
