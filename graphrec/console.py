"""Console helpers shared by the subcommands: messages, failures, progress."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

__all__ = ["console", "fail", "info"]

console = Console(stderr=True, highlight=False, soft_wrap=True)


def info(message: str) -> None:
    """Print a progress or status message on stderr."""
    console.print(message, markup=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    console.print(f"error: {message}", style="bold red", markup=False)
    sys.stderr.flush()
    raise typer.Exit(code)
