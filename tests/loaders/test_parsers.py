"""Every source format parses into the canonical dataset (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import read_dataset, read_source
from loaders.movielens import detect_layout, split_year

from .loader_samples import FILMTRUST, LASTFM, ML_1M, ML_100K, ML_LATEST, write


def _ratings(dataset):  # type: ignore[no-untyped-def]
    return {(i.user_id, i.title_id): i.value for i in dataset.interactions if i.type == "rating"}


def test_split_year_handles_suffixes() -> None:
    assert split_year("Toy Story (1995)") == ("Toy Story", 1995)
    assert split_year("Babylon 5 (1994-1998)") == ("Babylon 5", 1994)
    assert split_year("No Year") == ("No Year", None)


def test_movielens_latest_crlf_quoted_commas_tags_links(tmp_path: Path) -> None:
    path = write(tmp_path / "ml", ML_LATEST)
    assert detect_layout(path) == "latest"
    dataset = read_dataset("movielens", path)
    titles = {t.title_id: t for t in dataset.titles}
    assert titles["2"].title == "American President, The"
    assert titles["2"].year == 1995
    assert titles["1"].genres == ("Adventure", "Animation", "Children")
    assert titles["3"].genres == ("(no genres listed)",)
    assert titles["1"].keywords == ("pixar",) and titles["1"].keyword_counts == (2,)
    assert titles["2"].keywords == ("politics, comedy",)
    assert (titles["1"].imdb_id, titles["1"].tmdb_id) == ("0114709", "862")
    assert titles["3"].tmdb_id is None
    assert _ratings(dataset) == {("1", "1"): 4.0, ("1", "2"): 3.5, ("2", "1"): 5.0, ("2", "3"): 0.5}
    assert {u.user_id for u in dataset.users} == {"1", "2"}
    assert next(i for i in dataset.interactions if i.title_id == "3").timestamp == 964983815


def test_movielens_1m_latin1_and_users(tmp_path: Path) -> None:
    dataset = read_dataset("movielens", write(tmp_path / "ml1m", ML_1M), id_prefix="m:")
    titles = {t.title_id: t for t in dataset.titles}
    assert titles["m:2"].title == "Amélie" and titles["m:2"].year == 2001
    assert titles["m:1"].genres == ("Animation", "Children's", "Comedy")
    users = {u.user_id: u for u in dataset.users}
    assert users["m:1"].gender == "F" and users["m:1"].occupation == "K-12 student"
    assert users["m:2"].age == 56 and users["m:2"].occupation == "self-employed"
    assert _ratings(dataset)[("m:2", "m:2")] == 4.0


def test_movielens_100k_genre_flags_latin1(tmp_path: Path) -> None:
    dataset = read_dataset("movielens", write(tmp_path / "ml100k", ML_100K))
    titles = {t.title_id: t for t in dataset.titles}
    assert titles["1"].genres == ("Animation", "Children's", "Comedy")
    assert titles["2"].title == "Café au lait" and titles["2"].genres == ("(no genres listed)",)
    users = {u.user_id: u for u in dataset.users}
    assert users["2"].age == 53 and users["2"].occupation == "other"
    assert len(dataset.interactions) == 3


def test_filmtrust_duplicates_last_wins_and_directed_trust(tmp_path: Path) -> None:
    dataset, report = read_source("filmtrust", write(tmp_path / "ft", FILMTRUST))
    assert report.lines == 5 and report.duplicates == 1
    assert _ratings(dataset) == {("1", "1"): 2.0, ("1", "2"): 4.0, ("2", "1"): 1.5, ("3", "2"): 0.5}
    links = {(f.user_id, f.friend_id) for f in dataset.friendships}
    assert links == {("1", "2"), ("2", "1"), ("4", "1")}
    assert not any(f.mutual for f in dataset.friendships)
    assert {u.user_id for u in dataset.users} == {"1", "2", "3", "4"}
    assert {t.title for t in dataset.titles} == {"FilmTrust item 1", "FilmTrust item 2"}


def test_lastfm_plays_friends_once_and_tags(tmp_path: Path) -> None:
    dataset = read_dataset("lastfm", write(tmp_path / "fm", LASTFM))
    titles = {t.title_id: t for t in dataset.titles}
    assert titles["2"].title == "Björk" and titles["2"].kind == "artist"
    assert titles["1"].keywords == ("metal",) and titles["1"].keyword_counts == (2,)
    assert titles["2"].keywords == ("café",)
    plays = {(i.user_id, i.title_id): i.value for i in dataset.interactions}
    assert plays == {("2", "1"): 13883.0, ("2", "2"): 11690.0, ("3", "2"): 10.0}
    assert all(i.type == "view" for i in dataset.interactions)
    assert sorted((f.user_id, f.friend_id) for f in dataset.friendships) == [("2", "3"), ("2", "4")]
    assert all(f.mutual for f in dataset.friendships)


def test_csv_generic_columns_types_times_and_friends(tmp_path: Path) -> None:
    data = tmp_path / "events.tsv"
    data.write_text(
        "who\twhat\tscore\twhen\tkind\n"
        "alice\tm1\t4.5\t2024-01-02T03:04:05Z\trating\n"
        "alice\tm2\t\t1700000000\tview\n"
        "alice\tm2\t\t1700000100\tview\n"
        "bob\tm1\t\t1700000000\tlike\n"
        "bob\tm3\t\t\tadd_to_list\n",
        encoding="utf-8",
    )
    friends = tmp_path / "friends.tsv"
    friends.write_text("a\tb\tweight\nalice\tbob\t0.5\nbob\talice\t0.5\ncarol\talice\t\n")
    dataset, report = read_source(
        "csv",
        data,
        delimiter="tab",
        user_col="who",
        item_col="what",
        rating_col="score",
        time_col="when",
        type_col="kind",
        friends=friends,
    )
    assert report.lines == 5 and report.duplicates == 1
    by_key = {(i.user_id, i.title_id, i.type): i for i in dataset.interactions}
    assert by_key[("alice", "m1", "rating")].value == 4.5
    assert by_key[("alice", "m1", "rating")].timestamp == 1704164645
    view = by_key[("alice", "m2", "view")]
    assert (view.value, view.first_timestamp, view.timestamp) == (2.0, 1700000000, 1700000100)
    assert ("bob", "m1", "like") in by_key and ("bob", "m3", "add_to_list") in by_key
    assert sorted((f.user_id, f.friend_id, f.weight) for f in dataset.friendships) == [
        ("alice", "bob", 0.5),
        ("alice", "carol", None),
    ]
    assert {u.user_id for u in dataset.users} == {"alice", "bob", "carol"}


def test_csv_without_type_column_infers_rating_or_view(tmp_path: Path) -> None:
    data = tmp_path / "r.csv"
    data.write_text("user,item,rating\nu1,i1,3\nu1,i2,\n")
    dataset = read_dataset("csv", data)
    assert sorted(i.type for i in dataset.interactions) == ["rating", "view"]


def test_unknown_source_and_option_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown source 'imdb'"):
        read_dataset("imdb", tmp_path)
    with pytest.raises(ValueError, match="takes no option"):
        read_dataset("filmtrust", tmp_path, users=3)
