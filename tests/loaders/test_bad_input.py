"""Bad input gives a clear error naming the file, the line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import LoadError, read_dataset, read_source

from .loader_samples import FILMTRUST, LASTFM, ML_1M, ML_LATEST, write


def _ml(tmp_path: Path, **replace: str) -> Path:
    return write(tmp_path / "ml", {**ML_LATEST, **replace})


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "ft", {"ratings.txt": FILMTRUST["ratings.txt"]})
    with pytest.raises(LoadError, match="file not found") as err:
        read_dataset("filmtrust", path)
    assert err.value.path == path / "trust.txt"


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not found"):
        read_dataset("lastfm", tmp_path / "nowhere")
    with pytest.raises(LoadError, match="file not found"):
        read_dataset("csv", tmp_path / "nowhere.csv")


def test_wrong_format_directory(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(LoadError, match=r"expected ratings\.csv, ratings\.dat or u\.data"):
        read_dataset("movielens", tmp_path)


def test_wrong_header_names_line_one(tmp_path: Path) -> None:
    path = _ml(tmp_path, **{"ratings.csv": "user,movie,stars,time\n1,1,4.0,964982703\n"})
    with pytest.raises(LoadError) as err:
        read_dataset("movielens", path)
    assert err.value.line == 1 and "userId" in str(err.value)
    assert str(path / "ratings.csv") in str(err.value)


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    ratings = ML_LATEST["ratings.csv"] + "3,1,4.0\r\n"
    path = _ml(tmp_path, **{"ratings.csv": ratings})
    with pytest.raises(LoadError, match=r"ratings\.csv, line 6: expected 4 fields, got 3"):
        read_dataset("movielens", path)


def test_non_numeric_rating_names_field(tmp_path: Path) -> None:
    ratings = "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,2,good,964982703\r\n"
    path = _ml(tmp_path, **{"ratings.csv": ratings})
    with pytest.raises(LoadError) as err:
        read_dataset("movielens", path)
    assert (err.value.line, err.value.field) == (3, "rating")
    assert "expected a number, got 'good'" in str(err.value)


def test_rating_of_unknown_movie(tmp_path: Path) -> None:
    path = _ml(tmp_path, **{"ratings.csv": "userId,movieId,rating,timestamp\n1,42,4.0,1\n"})
    with pytest.raises(LoadError, match="line 2: unknown movie id '42'"):
        read_dataset("movielens", path)


def test_invalid_utf8_is_an_encoding_error(tmp_path: Path) -> None:
    path = _ml(tmp_path)
    movies = ML_LATEST["movies.csv"] + "4,Amélie (2001),Comedy\r\n"
    (path / "movies.csv").write_bytes(movies.encode("latin-1"))
    with pytest.raises(LoadError, match=r"movies\.csv, line 5: bytes invalid in utf-8"):
        read_dataset("movielens", path)


def test_dat_file_with_wrong_separator(tmp_path: Path) -> None:
    path = write(tmp_path / "ml1m", {**ML_1M, "ratings.dat": "1,1,5,978300760\n"})
    with pytest.raises(LoadError, match=r"ratings\.dat, line 1: expected 4 '::'-separated"):
        read_dataset("movielens", path)


def test_lastfm_non_numeric_weight(tmp_path: Path) -> None:
    plays = "userID\tartistID\tweight\n2\t1\tmany\n"
    path = write(tmp_path / "fm", {**LASTFM, "user_artists.dat": plays})
    with pytest.raises(LoadError, match="line 2: field 'weight': expected an integer"):
        read_dataset("lastfm", path)


def test_csv_missing_column_and_bad_type(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("person,item\np,i\n")
    with pytest.raises(LoadError, match="expected a column 'user'"):
        read_dataset("csv", data)
    data.write_text("user,item,type\np,i,binge\n")
    with pytest.raises(LoadError, match="line 2: field 'type': expected one of view"):
        read_dataset("csv", data)
    data.write_text("user,item,timestamp\np,i,yesterday\n")
    with pytest.raises(LoadError, match="ISO 8601"):
        read_dataset("csv", data)


def test_skip_bad_lines_counts_and_keeps_the_rest(tmp_path: Path) -> None:
    ratings = "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,x,1\n2,1\n2,1,3.0,2\n2,77,1.0,3\n"
    path = _ml(tmp_path, **{"ratings.csv": ratings})
    dataset, report = read_source("movielens", path, skip_bad_lines=True)
    assert report.skipped == 3
    assert len(report.skipped_examples) == 3
    lines = sorted(int(e.split(", line ")[1].split(":")[0]) for e in report.skipped_examples)
    assert lines == [3, 4, 6]
    assert sorted((i.user_id, i.title_id) for i in dataset.interactions) == [("1", "1"), ("2", "1")]
