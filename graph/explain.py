"""What ties a user to a title: the evidence behind an explanation, as typed records."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from graph._tx import Runner, read, run_many, run_rows
from graph.errors import NotFoundError
from graph.peers import Peer

if TYPE_CHECKING:
    import neo4j

__all__ = ["ContentTies", "Evidence", "GenreTie", "PathToTitle", "PersonTie", "evidence"]

#: Paths and people read at most.
_K = 10


class PathToTitle(msgspec.Struct, frozen=True, kw_only=True):
    """user -[relations]-> anchor -SIMILAR_TO (score, rank)-> title; ``rating``: the user's
    rating of the anchor, if any."""

    anchor_id: str
    anchor_title: str | None
    relations: list[str]
    score: float
    rank: int | None = None
    rating: float | None = None


class GenreTie(msgspec.Struct, frozen=True, kw_only=True):
    """A genre of the title: how many of the user's titles are in it, and whether preferred."""

    name: str
    history: int
    preferred: bool


class PersonTie(msgspec.Struct, frozen=True, kw_only=True):
    """A person of the title and how many of the user's titles they are in."""

    name: str | None
    history: int


class ContentTies(msgspec.Struct, frozen=True, kw_only=True):
    """The title's genres and people as they touch the user, its popularity, and the user's
    own relations to it (``WATCHED``, ``DISLIKED`` ...)."""

    popularity: float | None = None
    relations: list[str] = []
    genres: list[GenreTie] = []
    people: list[PersonTie] = []


class Evidence(msgspec.Struct, frozen=True, kw_only=True):
    """Everything that ties a user to a title."""

    paths: list[PathToTitle]
    peers: list[Peer]
    content: ContentTies


async def evidence(
    session: neo4j.AsyncSession, user_id: str, item_id: str, model_version: str | None
) -> Evidence:
    """Read the paths, people and content ties between a user and a title.

    Raises:
        NotFoundError: The user or the title does not exist.
    """
    return await read(session, _evidence, user_id, item_id, model_version)


async def _evidence(tx: Runner, user_id: str, item_id: str, model_version: str | None) -> Evidence:
    found = (await run_rows(tx, "get_existing_users", {"ids": [user_id]}))[0]["ids"]
    if not found:
        raise NotFoundError("user_id", user_id)
    found = (await run_rows(tx, "get_existing_titles", {"ids": [item_id]}))[0]["ids"]
    if not found:
        raise NotFoundError("item_id", item_id)
    params = {"user_id": user_id, "item_id": item_id, "model_version": model_version or "", "k": _K}
    paths, peers, content = await run_many(
        tx,
        [
            ("get_explain_paths", params),
            ("get_explain_people", params),
            ("get_explain_content", params),
        ],
    )
    return Evidence(
        paths=msgspec.convert(paths, list[PathToTitle]),
        peers=[msgspec.convert(row["peer"], Peer) for row in peers],
        content=msgspec.convert(content[0], ContentTies) if content else ContentTies(),
    )
