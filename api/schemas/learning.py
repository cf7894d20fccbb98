"""Shapes of ``/v1/trending`` and ``/v1/experiments``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from api.schemas.common import TitleMetadata
from graph.experiments import VariantConfig

__all__ = [
    "ExperimentCreate",
    "ExperimentView",
    "TrendingItem",
    "TrendingList",
    "VariantCreate",
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


class VariantCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One variant: its share of users and what it changes in serving."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    traffic_percent: Annotated[float, msgspec.Meta(gt=0, le=100)]
    config: VariantConfig = msgspec.field(default_factory=VariantConfig)


class ExperimentCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``POST /v1/experiments``: the first variant is the control; shares sum to 100."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    variants: Annotated[list[VariantCreate], msgspec.Meta(min_length=2, max_length=10)]
    independent: bool = False
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""


class VariantView(msgspec.Struct, frozen=True, kw_only=True):
    """A stored variant with the counts kept when the experiment stopped."""

    name: str
    traffic_percent: float
    config: VariantConfig
    metrics: dict[str, float | int | str | None]


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
