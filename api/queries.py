"""What a cached endpoint is asked: one frozen Struct per endpoint, the feed's input and the
cache key at once (every field changes the answer; nothing else does)."""

from __future__ import annotations

from typing import ClassVar

import msgspec

__all__ = ["BecauseQuery", "HomeQuery", "Query", "SocialQuery"]


class Query(msgspec.Struct, frozen=True, kw_only=True):
    """A cached endpoint's question about one user; ``route`` names it in keys and metrics."""

    route: ClassVar[str]
    user_id: str
    #: The user's experiment variants (``X-Experiment``), set by ``cached_response``: each
    #: variant's answer is cached apart.
    experiment: str = ""


class HomeQuery(Query, frozen=True, kw_only=True):
    """The home feed (``GET /v1/recommendations``): ``genre`` (the ``category`` or the genre of
    ``context=genre:<name>``) and ``kind`` filter the titles; ``fill`` tops a short row up with
    popular titles."""

    route: ClassVar[str] = "recommendations"
    context: str = "homepage"
    limit: int = 20
    genre: str | None = None
    kind: str | None = None
    exclude: tuple[str, ...] = ()
    fill: bool = True


class BecauseQuery(Query, frozen=True, kw_only=True):
    """Rows of "Because you watched" (``GET /v1/users/{id}/because-you-watched``)."""

    route: ClassVar[str] = "because_you_watched"
    rows: int = 5
    limit: int = 10


class SocialQuery(HomeQuery, frozen=True, kw_only=True):
    """What friends and similar users watched (``GET /v1/users/{id}/social``), unfilled."""

    route: ClassVar[str] = "social"
    context: str = "social"
    fill: bool = False
