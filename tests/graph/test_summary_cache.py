"""The in-process cache of title metadata: what it returns, when entries expire, its bound."""

from __future__ import annotations

import time

from graph.items import SummaryCache, TitleSummary


def _title(item_id: str, genres: list[str] | None = None) -> TitleSummary:
    return TitleSummary(
        item_id=item_id, title=f"Title {item_id}", genres=tuple(genres or ["Drama"])
    )


def test_lookup_splits_cached_from_missing_ids_in_order() -> None:
    cache = SummaryCache(ttl=60)
    cache.store([_title("a"), _title("c", ["Comedy"])])

    found, missing = cache.lookup(["a", "b", "c", "d"])

    assert sorted(found) == ["a", "c"]
    assert found["c"].genres == ("Comedy",)
    assert missing == ["b", "d"]


def test_entries_expire_after_the_ttl() -> None:
    cache = SummaryCache(ttl=0.05)
    cache.store([_title("a")])
    assert cache.lookup(["a"])[1] == []

    time.sleep(0.1)

    found, missing = cache.lookup(["a"])
    assert found == {}
    assert missing == ["a"]


def test_a_full_cache_starts_over_instead_of_growing() -> None:
    cache = SummaryCache(ttl=60, max_items=3)
    cache.store([_title("a"), _title("b"), _title("c")])

    cache.store([_title("d")])

    found, missing = cache.lookup(["a", "b", "c", "d"])
    assert list(found) == ["d"]
    assert missing == ["a", "b", "c"]


def test_storing_again_refreshes_the_entry() -> None:
    cache = SummaryCache(ttl=60)
    cache.store([_title("a", ["Drama"])])
    cache.store([_title("a", ["Horror"])])

    assert cache.lookup(["a"])[0]["a"].genres == ("Horror",)
