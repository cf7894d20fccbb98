"""The ``graphrec`` console command (a thin layer over the packages)."""

from __future__ import annotations

__all__: list[str] = []
