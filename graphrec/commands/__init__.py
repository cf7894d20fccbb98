"""Subcommand groups of ``graphrec``; each is a thin layer over one package."""

from __future__ import annotations

__all__: list[str] = []
