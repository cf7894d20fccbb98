"""Console helpers shared by the subcommands: messages, failures, progress."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from graph.connection import Connection
from graph.errors import UnavailableError

__all__ = ["Bars", "connect", "console", "fail", "info"]

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


class Bars:
    """Progress of named phases: rich bars on a terminal, a plain line per finished phase
    otherwise. Use ``start()`` / ``stop()`` around the work when ``bar`` is not None."""

    def __init__(self) -> None:
        """Bars on stderr when it is a terminal."""
        self.bar = (
            Progress(TextColumn("{task.description:<17}"), BarColumn(), MofNCompleteColumn(),
                     TextColumn("{task.fields[note]}"), console=console)
            if sys.stderr.isatty() else None
        )  # fmt: skip
        self.tasks: dict[str, TaskID] = {}

    def phase(self, name: str, done: int, total: int, note: str = "") -> None:
        """Report ``done`` of ``total`` in phase ``name``."""
        if self.bar is None:
            if done == total:
                info(f"{name}: {done:,} done")
            return
        if name not in self.tasks:
            self.tasks[name] = self.bar.add_task(name, total=total, note=note)
        self.bar.update(self.tasks[name], completed=done, total=max(total, done), note=note)
