"""Shapes of ``/v1/trending`` and ``/v1/experiments``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from api.schemas.common import TitleMetadata
from graph.experiments import VariantConfig

__all__ = [
    "NAME_PATTERN",
    "ExperimentCreate",
    "ExperimentView",
    "TrendingItem",
    "TrendingList",
    "VariantCreate",
    "VariantSettings",
    "VariantView",
]

Window = Literal["1h", "24h", "7d"]


class TrendingItem(msgspec.Struct, frozen=True, kw_only=True):
    """A title trending now: its decayed engagement score in the window, and why."""

    item_id: str
    score: float
    rank: int
    metadata: TitleMetadata
    explanation: str


class TrendingList(msgspec.Struct, frozen=True, kw_only=True):
    """``GET /v1/trending``."""

    window: Window
    genre: str | None
    platform: str | None
    items: list[TrendingItem]
    request_id: str


#: An experiment's or a variant's name (the whole string: no trailing newline).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(?![\s\S])"
Name = Annotated[str, msgspec.Meta(pattern=NAME_PATTERN)]


class VariantSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a variant changes in serving (null: as the service is configured): the GraphSAGE
    version it is served from (a registered one, else 404), candidate-source weights by source
    name, the share of the list kept for titles outside the user's dominant genres, the
    candidates fetched per source (the limits of ``graph.experiments.VariantConfig``)."""

    model_version: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    source_weights: dict[str, Annotated[float, msgspec.Meta(ge=0)]] = msgspec.field(
        default_factory=dict
    )
    diversity: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    candidates: Annotated[int, msgspec.Meta(ge=1, le=500)] | None = None


class VariantCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One variant: its share of users and what it changes in serving."""

    name: Name
    traffic_percent: Annotated[float, msgspec.Meta(gt=0, le=100)]
    config: VariantSettings = msgspec.field(default_factory=VariantSettings)


class ExperimentCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``POST /v1/experiments``: the first variant is the control; variant names differ and
    their shares sum to 100 (else 400: rules JSON Schema cannot state)."""

    name: Name
    variants: Annotated[list[VariantCreate], msgspec.Meta(min_length=2, max_length=10)]
    independent: bool = False
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""


class VariantView(msgspec.Struct, frozen=True, kw_only=True):
    """A stored variant with the counts kept when the experiment stopped."""

    name: str
    traffic_percent: float
    config: VariantConfig
    #: Counts are integers, rates floats: one JSON Schema ``number`` (``float | int`` would be
    #: a ``oneOf`` that an integer matches twice).
    metrics: dict[str, float | str | None]


class ExperimentView(msgspec.Struct, frozen=True, kw_only=True):
    """A stored experiment."""

    name: str
    status: str
    independent: bool
    description: str
    variants: list[VariantView]
    created_at: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
