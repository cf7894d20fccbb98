"""Stream entries: a batch and an entry as logged before batches read back alike."""

from __future__ import annotations

from learning.entries import Interaction, ServedList, encode, unpack


def test_batches_and_single_entries_unpack_to_the_same_entries() -> None:
    served = ServedList(list_id="l1", user="u1", endpoint="recommendations", items=[("t1", "x")])
    click = Interaction(user="u1", item="t1", action="click", list_id="l1")
    batch = {b"b": encode([("s", encode(served)), ("i", encode(click)), ("z", b"?")])}
    single = {b"k": b"i", b"d": encode(click)}
    assert unpack(batch) == [(ServedList, encode(served)), (Interaction, encode(click))]
    assert unpack(single) == [(Interaction, encode(click))]
    assert unpack({b"k": b"z", b"d": b""}) == []  # an unknown kind is skipped
