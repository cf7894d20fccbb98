"""Errors raised by the graph layer; it knows nothing about HTTP."""

from __future__ import annotations

__all__ = ["ConflictError", "GraphError", "NotFoundError"]


class GraphError(Exception):
    """Base class of the graph layer's errors."""


class NotFoundError(GraphError):
    """A node the caller named does not exist."""


class ConflictError(GraphError):
    """A write would break a uniqueness constraint."""
