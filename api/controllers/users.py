"""``/v1/users``: profile, creation, preferences, friends, because-you-watched and social."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import cache, feeds
from api.errors import ApiError, ErrorCode, request_id_of
from api.params import LimitQuery, UserIdPath
from api.schemas.recommendations import BecauseYouWatched, RecommendationList
from api.schemas.users import Friendship, Preferences, PreferencesUpdate, User, UserCreate
from api.security import require_admin
from api.serving import cached_response
from api.state import AppState
from graph.social import SocialRepository
from graph.users import NewUser, UserProfile, UserRepository

__all__ = ["UserController"]

RowsQuery = Annotated[int, QueryParameter(ge=1, le=20, description="How many rows (1–20)")]


def _user(profile: UserProfile) -> User:
    return User(
        user_id=profile.user_id,
        name=profile.name,
        age=profile.age,
        gender=profile.gender,
        occupation=profile.occupation,
        created_at=profile.created_at,
        preferred_genres=sorted(profile.preferred_genres),
        friends=profile.friends,
        interactions=profile.interactions,
        has_embedding=profile.embedding_version is not None,
    )


class UserController(Controller):
    """Users and their personal rows."""

    path = "/v1/users"
    tags = ("users",)

    @post("", operation_id="CreateUser", guards=[require_admin], status_code=201)
    async def create_user(
        self, users: NamedDependency[UserRepository], data: JSONBody[UserCreate]
    ) -> User:
        """Create a user (admin key), optionally with preferred genres."""
        if data.preferred_genres:
            # Validate genres first so a bad genre leaves nothing half-written.
            await users.check_genres(data.preferred_genres)
        await users.create(
            NewUser(
                user_id=data.user_id,
                name=data.name,
                age=data.age,
                gender=data.gender,
                occupation=data.occupation,
            )
        )
        if data.preferred_genres:
            await users.set_preferences(data.user_id, data.preferred_genres)
        return _user(await users.get(data.user_id))

    @get("/{user_id:str}", operation_id="GetUser")
    async def get_user(self, users: NamedDependency[UserRepository], user_id: UserIdPath) -> User:
        """A user's profile."""
        return _user(await users.get(user_id))

    @put("/{user_id:str}/preferences", operation_id="SetPreferences", guards=[require_admin])
    async def set_preferences(
        self,
        app_state: NamedDependency[AppState],
        users: NamedDependency[UserRepository],
        user_id: UserIdPath,
        data: JSONBody[PreferencesUpdate],
    ) -> Preferences:
        """Replace the preferred genres (cold-start onboarding)."""
        genres = sorted(set(data.genres))
        await users.set_preferences(user_id, genres)
        await cache.drop_user(app_state, user_id)
        return Preferences(user_id=user_id, genres=genres)

    @put("/{user_id:str}/friends/{friend_id:str}", operation_id="AddFriend", guards=[require_admin])
    async def add_friend(
        self,
        app_state: NamedDependency[AppState],
        social: NamedDependency[SocialRepository],
        user_id: UserIdPath,
        friend_id: UserIdPath,
    ) -> Friendship:
        """Make two users friends (mutual)."""
        _not_self(user_id, friend_id)
        created = await social.befriend(user_id, friend_id)
        await cache.drop_user(app_state, user_id, friend_id)
        return Friendship(user_id=user_id, friend_id=friend_id, friends=True, changed=created)

    @delete(
        "/{user_id:str}/friends/{friend_id:str}",
        operation_id="RemoveFriend",
        guards=[require_admin],
        status_code=200,
    )
    async def remove_friend(
        self,
        app_state: NamedDependency[AppState],
        social: NamedDependency[SocialRepository],
        user_id: UserIdPath,
        friend_id: UserIdPath,
    ) -> Friendship:
        """End a friendship."""
        _not_self(user_id, friend_id)
        removed = await social.unfriend(user_id, friend_id)
        await cache.drop_user(app_state, user_id, friend_id)
        return Friendship(user_id=user_id, friend_id=friend_id, friends=False, changed=removed)

    @get(
        "/{user_id:str}/because-you-watched",
        operation_id="BecauseYouWatched",
        response_model=BecauseYouWatched,
    )
    async def because_you_watched(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        user_id: UserIdPath,
        rows: RowsQuery = 5,
        limit: LimitQuery = 10,
    ) -> Response[BecauseYouWatched]:
        """Rows of titles like the user's recent, strongly positive ones."""
        rid = request_id_of(request)
        return await cached_response(
            app_state,
            route="because_you_watched",
            user_id=user_id,
            params={"rows": rows, "limit": limit},
            request_id=rid,
            compute=lambda model, recs, items: feeds.because_you_watched(
                recs,
                items,
                app_state.metrics,
                model=model,
                user_id=user_id,
                rows=rows,
                limit=limit,
                request_id=rid,
            ),
        )  # type: ignore[return-value]

    @get(
        "/{user_id:str}/social",
        operation_id="SocialRecommendations",
        response_model=RecommendationList,
    )
    async def social_recommendations(
        self,
        request: Request,
        app_state: NamedDependency[AppState],
        user_id: UserIdPath,
        limit: LimitQuery = 20,
    ) -> Response[RecommendationList]:
        """What friends and viewers like the user watched, with who and why."""
        rid = request_id_of(request)
        return await cached_response(
            app_state,
            route="social",
            user_id=user_id,
            params={"limit": limit},
            request_id=rid,
            compute=lambda model, recs, items: feeds.home_feed(
                recs,
                items,
                app_state.metrics,
                model=model,
                user_id=user_id,
                context="social",
                limit=limit,
                kind=None,
                exclude=[],
                request_id=rid,
                fill=False,
            ),
        )  # type: ignore[return-value]


def _not_self(user_id: str, friend_id: str) -> None:
    if user_id == friend_id:
        raise ApiError(
            400,
            ErrorCode.INVALID_USER_ID,
            "a user cannot befriend themselves",
            field="friend_id",
            reason="same as user_id",
        )
