"""Errors of the GNN package."""

from __future__ import annotations

__all__ = [
    "GnnError",
    "NoPromotedModelError",
    "RankerDataError",
    "SplitError",
    "TrainingDataError",
]


class GnnError(Exception):
    """Base class of the GNN package's errors."""


class NoPromotedModelError(GnnError):
    """No version of the model is promoted (train and promote one first)."""


class TrainingDataError(GnnError):
    """The graph has nothing to train on (no users, titles or positive interactions)."""


class RankerDataError(TrainingDataError):
    """Too few users have a temporal split (history before a cut-off, a like after it)."""


class SplitError(GnnError, ValueError):
    """A split file (``--split-dir``) is missing or malformed."""
