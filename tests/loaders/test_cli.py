"""``graphrec load`` end to end: summary on success, a clear failure on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from graphrec.cli import app

if TYPE_CHECKING:
    import neo4j


def test_cli_loads_csv_and_prints_a_summary(graph_db: neo4j.Driver, tmp_path: Path) -> None:
    data = tmp_path / "events.csv"
    data.write_text("user;item;rating\nu1;i1;4\nu2;i1;\nu2;bad\n")
    result = CliRunner().invoke(
        app,
        ["load", "csv", str(data), "--delimiter", ";", "--skip-bad-lines", "--dataset-tag", "mine"],
    )
    assert result.exit_code == 0, result.output
    assert "loaded 'mine'" in result.output and "skipped 1 bad lines" in result.output
    assert "RATED" in result.output and "WATCHED" in result.output


def test_cli_synthetic(graph_db: neo4j.Driver) -> None:
    result = CliRunner().invoke(app, ["load", "synthetic", "--users", "100", "--titles", "40"])
    assert result.exit_code == 0, result.output
    assert "100 users, 40 titles" in result.output


def test_cli_bad_line_fails_naming_file_and_line(graph_db: neo4j.Driver, tmp_path: Path) -> None:
    data = tmp_path / "events.csv"
    data.write_text("user,item,rating\nu1,i1,4\nu2,i1,lots\n")
    result = CliRunner().invoke(app, ["load", "csv", str(data)])
    assert result.exit_code != 0
    assert f"{data}, line 3" in result.output and "expected a number" in result.output
