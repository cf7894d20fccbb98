"""``/v1/users``: profile, creation, preferences, friends, because-you-watched and social."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from api import cache, feeds
from api.errors import ApiError, ErrorCode, request_id_of
from api.idempotency import Once
from api.params import LimitQuery, UserIdPath
from api.queries import BecauseQuery, SocialQuery
from api.schemas.common import view
from api.schemas.recommendations import BecauseYouWatched, RecommendationList
from api.schemas.users import Friendship, Preferences, PreferencesUpdate, User, UserCreate
from api.security import BEARER, require_admin
from api.serving import cached_response
from api.state import AppState
from graph.store import Repositories
from graph.users import NewUser

__all__ = ["UserController"]

RowsQuery = Annotated[int, QueryParameter(ge=1, le=20, description="How many rows (1–20)")]


class UserController(Controller):
    """Users and their personal rows."""

    path = "/v1/users"
    tags = ("users",)
    security = BEARER

    @post("", operation_id="CreateUser", guards=[require_admin], status_code=201)
    async def create_user(
        self, repos: NamedDependency[Repositories], data: JSONBody[UserCreate]
    ) -> User:
        """Create a user (admin key), optionally with preferred genres."""
        users = repos.users
        if data.preferred_genres:
            # Validate genres first so a bad genre leaves nothing half-written.
            await users.check_genres(data.preferred_genres)
        await users.create(view(data, NewUser))
        if data.preferred_genres:
            await users.set_preferences(data.user_id, data.preferred_genres)
        return view(await users.get(data.user_id), User)

    @get("/{user_id:str}", operation_id="GetUser")
    async def get_user(self, repos: NamedDependency[Repositories], user_id: UserIdPath) -> User:
        """A user's profile."""
        return view(await repos.users.get(user_id), User)

    @put("/{user_id:str}/preferences", operation_id="SetPreferences", response_model=Preferences)
    async def set_preferences(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        user_id: UserIdPath,
        data: JSONBody[PreferencesUpdate],
        once: NamedDependency[Once],
    ) -> Response[Preferences]:
        """Replace the preferred genres (the app's cold-start onboarding; any key).

        With ``Idempotency-Key`` a retry gets the first answer again.
        """
        lists = [g for g in (data.favorite_categories, data.genres) if g is not None]
        if len(lists) != 1:
            raise ApiError(
                400,
                ErrorCode.INVALID_INPUT,
                "the request is invalid",
                field="favorite_categories",
                reason="required: favorite_categories or its alias genres, not both",
            )
        genres = sorted(set(lists[0]))

        async def store() -> Preferences:
            await repos.users.set_preferences(user_id, genres)
            await cache.drop_user(app_state, user_id, bookmarks=await repos.bookmarks())
            return Preferences(user_id=user_id, favorite_categories=genres, genres=genres)

        return await once("preferences", data, store)

    @put("/{user_id:str}/friends/{friend_id:str}", operation_id="AddFriend", guards=[require_admin])
    async def add_friend(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        user_id: UserIdPath,
        friend_id: UserIdPath,
    ) -> Friendship:
        """Make two users friends (mutual); ``friend_id`` is not ``user_id`` (else 400
        ``INVALID_USER_ID``)."""
        return await _set_friends(app_state, repos, user_id, friend_id, friends=True)

    @delete(
        "/{user_id:str}/friends/{friend_id:str}",
        operation_id="RemoveFriend",
        guards=[require_admin],
        status_code=200,
    )
    async def remove_friend(
        self,
        app_state: NamedDependency[AppState],
        repos: NamedDependency[Repositories],
        user_id: UserIdPath,
        friend_id: UserIdPath,
    ) -> Friendship:
        """End a friendship; ``friend_id`` is not ``user_id`` (else 400 ``INVALID_USER_ID``)."""
        return await _set_friends(app_state, repos, user_id, friend_id, friends=False)

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
        query = BecauseQuery(user_id=user_id, rows=rows, limit=limit)
        return await cached_response(
            app_state, query, feeds.because_you_watched, request_id_of(request)
        )

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
        query = SocialQuery(user_id=user_id, limit=limit)
        return await cached_response(app_state, query, feeds.home_feed, request_id_of(request))


async def _set_friends(
    state: AppState, repos: Repositories, user_id: str, friend_id: str, *, friends: bool
) -> Friendship:
    """Befriend or unfriend two users; both users' cached answers are dropped."""
    if user_id == friend_id:
        raise ApiError(
            400,
            ErrorCode.INVALID_USER_ID,
            "a user cannot befriend themselves",
            field="friend_id",
            reason="same as user_id",
        )
    social = repos.social
    changed = await (social.befriend if friends else social.unfriend)(user_id, friend_id)
    await cache.drop_user(state, user_id, friend_id, bookmarks=await repos.bookmarks())
    return Friendship(user_id=user_id, friend_id=friend_id, friends=friends, changed=changed)
