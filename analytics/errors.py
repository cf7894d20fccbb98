"""The analyses' errors."""

from __future__ import annotations

__all__ = ["AnalysisDataError", "AnalyticsError"]


class AnalyticsError(Exception):
    """Base of the analyses' errors."""


class AnalysisDataError(AnalyticsError):
    """The graph lacks what an analysis needs (the message says what, and how to add it)."""
