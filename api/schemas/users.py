"""Users: creation, profile, onboarding preferences, friendships."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import Meta

from api.schemas.common import PRINTABLE, Id
from graph.users import UserProfile

__all__ = ["Friendship", "Preferences", "PreferencesUpdate", "User", "UserCreate"]

Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
Genre = Annotated[str, Meta(min_length=1, max_length=100, pattern=PRINTABLE)]


class UserCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new user (admin key)."""

    user_id: Id
    name: Name | None = None
    age: Annotated[int, Meta(ge=0, le=150)] | None = None
    gender: Annotated[str, Meta(max_length=50)] | None = None
    occupation: Annotated[str, Meta(max_length=100)] | None = None
    preferred_genres: Annotated[list[Genre], Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class User(UserProfile, frozen=True, kw_only=True):
    """A user's profile."""


class PreferencesUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Preferred genres, replacing the previous ones: ``favorite_categories`` (the API
    document's name) or ``genres`` (the same), one of the two."""

    favorite_categories: Annotated[list[Genre], Meta(max_length=50)] | None = None
    genres: Annotated[list[Genre], Meta(max_length=50)] | None = None

    schema_rules: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {
                "properties": {given: {"type": "array"}, other: {"type": "null"}},
                "required": [given],
            }
            for given, other in (
                ("favorite_categories", "genres"),
                ("genres", "favorite_categories"),
            )
        ]
    }


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    """The stored preferences (``genres`` repeats ``favorite_categories``)."""

    user_id: str
    favorite_categories: list[str]
    genres: list[str]


class Friendship(msgspec.Struct, frozen=True, kw_only=True):
    """A friendship after a PUT or DELETE."""

    user_id: str
    friend_id: str
    friends: bool
    changed: bool
