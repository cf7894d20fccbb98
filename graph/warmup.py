"""Plan the API's statements before the first request needs them: a rehearsal, rolled back.

Neo4j plans a statement the first time it sees its text with a given set of parameter *types*
(``None`` and a string are two types, as are an empty and a non-empty list) and keeps the plan
(``CYPHER replan=skip``, see :mod:`cypher`). Planning ``get_home_candidates`` takes 1-3 s of a
core, the others 0.1-0.6 s; after a deploy or a restart of Neo4j every request that arrives
first with a shape would wait for it, and a burst of them plans the same statement side by side.

:func:`rehearse` runs the API's own repository calls, the ones its endpoints make, for a user,
a friend and two titles it creates, inside **one transaction that is rolled back**; then it runs
every statement again on its own, in a transaction of its own (rolled back too), once per
parameter shape seen and for each combination of the home statement's optional filters (genre,
kind, exclusions). Neo4j caches a plan made after a transaction's first write apart from one
made before it, and the API's reads and the first statement of each write come before any:
the first pass plans the statements that follow writes, the second the others. Nothing is
written. The API starts it in the background and reports ``/ready`` once it is done
(``api/warmup.py``).

The local Neo4j runs with ``internal.cypher.use_parameter_size=false`` (see
``graph/localserver/neo4j_server.py``): otherwise the plan cache also keys on the size bucket
of every string and list parameter (a one-character user id and a two-character one are planned
separately), which no rehearsal can cover.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import TYPE_CHECKING, Any, cast

import msgspec

import cypher
from graph.interactions import Action, Feedback, InteractionRepository, NewEvent
from graph.items import ItemRepository, NewPerson, NewTitle
from graph.recommendations import (
    ALL_SOURCES,
    HOME_ANCHORS,
    Filters,
    ModelInfo,
    RecommendationRepository,
    home_params,
    per_source,
)
from graph.sessions import open_async_session
from graph.social import SocialRepository
from graph.users import NewUser, UserRepository

if TYPE_CHECKING:
    import neo4j

    from graph.settings import Settings

__all__ = ["Rehearsal", "rehearse"]


class Rehearsal(msgspec.Struct, frozen=True, kw_only=True):
    """What a rehearsal ran: statement names, in order of first use, and how long it took."""

    statements: list[str]
    seconds: float
    model_version: str | None

    @property
    def missing(self) -> set[str]:
        """Served statements the rehearsal did not run (planned on first use instead)."""
        return set(cypher.SERVED) - set(self.statements)


class _RolledBack:
    """A session stand-in for the repositories: every call runs in one explicit transaction.

    Reads (``run``) and writes (``execute_write``) share the transaction, so the writes are
    visible to the reads that follow and all of them go when it is rolled back. Each statement
    run is kept, with its parameters, for :func:`_replay`.
    """

    def __init__(self, tx: neo4j.AsyncTransaction) -> None:
        self._tx = tx
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def run(self, query: str, parameters: dict[str, Any] | None = None) -> Any:
        self.calls.append((query, parameters or {}))
        return await self._tx.run(query, parameters)

    async def execute_write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        return await work(self, *args, **kwargs)

    execute_read = execute_write


def _shape(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What Neo4j's plan cache keys on besides the text: each parameter's type (an empty list
    is a type of its own)."""
    return tuple(
        sorted(
            (key, "empty list" if value == [] else type(value).__name__)
            for key, value in params.items()
        )
    )


async def _replay(session: neo4j.AsyncSession, calls: list[tuple[str, dict[str, Any]]]) -> None:
    """Run each statement shape again on its own, in a transaction without changes.

    Neo4j caches a plan made in a transaction that has already written under a key of its own;
    the API's reads and the first statement of each write run without earlier changes, so they
    are planned that way too. Alone, the statements find none of the rehearsal's nodes: they
    read and write nothing (and are rolled back all the same).
    """
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for query, params in calls:
        key = (query, _shape(params))
        if key in seen:
            continue
        seen.add(key)
        tx = await session.begin_transaction()
        try:
            await (await tx.run(query, params)).consume()
        finally:
            await tx.rollback()


async def rehearse(drv: neo4j.AsyncDriver, settings: Settings) -> Rehearsal:
    """Plan every served statement in each parameter shape the API sends; write nothing.

    Args:
        drv: The API's async driver.
        settings: Names the database.

    Returns:
        The statements run and the time taken.

    Raises:
        neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError: Neo4j failed or is down
            (the transactions are rolled back either way).
    """
    start = time.monotonic()
    async with open_async_session(drv, settings) as session:
        tx = await session.begin_transaction()
        try:
            stand_in = _RolledBack(tx)
            model = await _script(cast("neo4j.AsyncSession", stand_in))
        finally:
            await tx.rollback()
        await _replay(session, stand_in.calls + _home_shapes(model))
    names = {cypher.load(name): name for name in cypher.names()}
    return Rehearsal(
        statements=list(dict.fromkeys(names.get(query, "?") for query, _ in stand_in.calls)),
        seconds=time.monotonic() - start,
        model_version=model.version,
    )


async def _script(session: neo4j.AsyncSession) -> ModelInfo:
    """The endpoints' repository calls, for ids of their own (``~warmup-<hex>``)."""
    tag = f"~warmup-{uuid.uuid4().hex}"
    user, friend, title, other, genre = (f"{tag}-{part}" for part in ("u", "f", "t", "o", "g"))
    at = dt.datetime.now(dt.UTC)
    recs, users = RecommendationRepository(session), UserRepository(session)
    items, social = ItemRepository(session), SocialRepository(session)
    interactions = InteractionRepository(session)

    model = await recs.model_info()
    await users.create(NewUser(user_id=user, name="warm-up"))
    await users.create(NewUser(user_id=friend))
    person = NewPerson(person_id=f"{tag}-p", name="warm-up")
    for item_id in (title, other):
        await items.create(
            NewTitle(
                item_id=item_id,
                title="warm-up",
                year=2000,
                genres=[genre],
                keywords=[f"{tag}-k"],
                platforms=[f"{tag}-s"],
                cast=[person],
                directors=[person],
            )
        )
    await users.check_genres([genre])
    await users.set_preferences(user, [genre])
    await social.befriend(user, friend)

    events: list[tuple[Action, float | None]] = [
        (Action.VIEW, None),
        (Action.WATCH, 0.5),
        (Action.LIKE, None),
        (Action.RATING, 4.0),
        (Action.SHARE, None),
        (Action.ADD_TO_LIST, None),
        (Action.REMOVE_FROM_LIST, None),
        (Action.CLICK, None),
    ]
    # The user acts on one title, the friend on the other (the social sources' input).
    for action, value in events:
        for who, item_id in ((user, title), (friend, other)):
            await interactions.record(
                NewEvent(
                    event_id=f"{tag}-{action}-{who}",
                    user_id=who,
                    item_id=item_id,
                    action=action,
                    value=value,
                    at=at,
                    session_id=tag if action is Action.CLICK else None,
                )
            )

    await _reads(recs, items, users, model, user=user, title=title, other=other)
    await interactions.feedback(user, other, Feedback.NOT_INTERESTED, "warm-up", at)
    await interactions.feedback(user, other, Feedback.DISLIKE, None, at)
    dislike = NewEvent(
        event_id=f"{tag}-dislike", user_id=user, item_id=title, action=Action.DISLIKE, at=at
    )
    await interactions.record(dislike)
    await social.unfriend(user, friend)
    return model


async def _reads(
    recs: RecommendationRepository,
    items: ItemRepository,
    users: UserRepository,
    model: ModelInfo,
    *,
    user: str,
    title: str,
    other: str,
) -> None:
    """The read endpoints (the home statement's other filter combinations are only replayed)."""
    await recs.home_sources(
        user,
        model=model,
        sources=ALL_SOURCES,
        k=per_source(20),
        anchors=HOME_ANCHORS,
        filters=Filters(),
    )
    await recs.more_like_this(title, model_version=model.version, k=10)
    await recs.explain(user, other, model.version)
    await items.get(title)
    await items.summaries([title, other])
    await users.get(user)
    await users.existing([user])


def _home_shapes(model: ModelInfo) -> list[tuple[str, dict[str, Any]]]:
    """The home statement with each combination of its optional filters (genre, kind and
    exclusions, each set or not), for a user that does not exist."""
    query = cypher.load("get_home_candidates")
    return [
        (
            query,
            home_params(
                "~warmup",
                model,
                ALL_SOURCES,
                per_source(20),
                HOME_ANCHORS,
                Filters(exclude=exclude, kind=kind, genre=genre),
            ),
        )
        for genre in (None, "~warmup")
        for kind in (None, "~warmup")
        for exclude in ([], ["~warmup"])
    ]
