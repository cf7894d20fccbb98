"""The users behind a recommendation: friends, trusted users and similar users."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["Peer", "Relation"]

#: How a peer is related to the user: ``FRIENDS_WITH``, ``TRUSTS`` or ``SIMILAR_USER``.
Relation = Literal["friend", "trusted", "similar_user", "circle"]


class Peer(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """A user related to the user asking, who engaged with a title.

    Statements send peers as ``[user_id, name, how, score, relation]`` arrays (cheaper to
    build and decode than maps repeating their keys); ``how`` lists what the peer did
    (``watched``, ``liked`` ...), ``score`` is a similar user's similarity.
    """

    user_id: str
    name: str | None = None
    how: list[str] | None = None
    score: float | None = None
    relation: Relation | None = None
