"""Neo4j's import tool (``neo4j-admin database import full``) on the local server's store.

The tool writes a database's store files directly, so the server must not hold them: the local
server is stopped, the tool runs from the jars ``neo4j_server.install`` resolved (its main class
``org.neo4j.cli.AdminTool``, with the instance's home and config), and the server is started
again, whatever the outcome. A server named by ``NEO4J_URI`` is not ours to stop: the tool then
needs that server's own ``neo4j-admin`` on its machine.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shutil
import subprocess
import time
from typing import TYPE_CHECKING

import msgspec

from servers import neo4j_server
from servers.process import ServerError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from graph.bulk_import import ImportFiles
    from graph.settings import Settings

__all__ = ["ImportReport", "ImportToolError", "import_full", "offline", "remove_store"]

_MAIN = "org.neo4j.cli.AdminTool"
#: The --verbose output: "<stage>, started <time>", progress bars ending in "<count> ∆<delta>",
#: "Done in <time>".
_STAGE = re.compile(r"^(?P<stage>[^\[].*?), started \d{4}-\d\d-\d\d")
_COUNT = re.compile(r"\]\s*(?P<count>[\d.]+[KMGT]?) ∆")
_DONE = re.compile(r"^Done in (?P<time>.+)$")
#: A warning the tool prints without its line break ("... Suggested heap size is 1.000GiB").
_WARNING = re.compile(r"^(?P<warning>WARNING: .*?heap size is [\d.]+\s?[KMGT]i?B)(?P<rest>.*)$")
#: Seconds between two progress lines of one stage.
_EVERY = 10.0
_BAD_FIELD = re.compile(
    r"data source: \w+\[source:(?P<file>[^,\]]+), position:(?P<position>\d+), line:(?P<line>\d+)\]"
    r"(?:\s+in field: (?P<field>[^\n]*))?(?:\s+for header: [^\n]*)?"
    r"(?:\s+raw field value: (?P<value>[^\n]*))?(?:\s+original error: (?P<error>[^\n]*))?"
)
_DUPLICATE = re.compile(r"Id '(?P<id>.*)' is defined more than once in group '(?P<group>[^']+)'")
_CAUSE = re.compile(r"^(?:Caused by: )?[\w.$]+(?:Exception|Error): (?P<message>.+)$", re.MULTILINE)


class ImportToolError(ServerError):
    """The import tool refused the files; the message names the file and line when it can."""


class ImportReport(msgspec.Struct, kw_only=True):
    """What the tool did: its wall time and the peak resident memory of its JVM."""

    seconds: float
    peak_rss_bytes: int


def _describe(output: str, files: ImportFiles) -> str:
    """The import tool's error as one sentence naming the file and line, when it says them."""
    if match := _BAD_FIELD.search(output):
        line = _line_of(match["file"], int(match["position"]), int(match["line"]))
        parts = [f"{match['file']} line {line}: {match['error'] or 'bad value'}"]
        if match["field"]:
            parts.append(f"field {match['field'].rsplit(':', 1)[0]}")
        if match["value"] is not None:
            parts.append(f"value {match['value']!r}")
        return ", ".join(parts)
    if match := _DUPLICATE.search(output):
        path = files.nodes.get(match["group"], match["group"])
        return f"{path}: id {match['id']!r} is defined more than once"
    if causes := _CAUSE.findall(output):
        return str(causes[-1])
    return "\n".join(output.strip().splitlines()[-15:])


def _line_of(path: str, position: int, reported: int) -> int:
    """The line (from 1, the header's) of the tool's ``position``: the characters after the
    header up to just past the bad field. (Its own ``line`` counts data lines from 0 or 1,
    depending on whether the field ended its line.)"""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            fh.readline()
            data = fh.read(position)
    except OSError:
        return reported + 1
    return 2 + data[: max(position - 1, 0)].count("\n")


def _argv(settings: Settings, files: ImportFiles, dist: Path) -> list[str]:
    argv = [
        shutil.which("java") or "java",
        # Its caches live off-heap, bounded by --max-off-heap-memory.
        f"-Xmx{settings.import_heap}",
        "-cp",
        f"{dist / 'lib'}/*",
        _MAIN,
        "database",
        "import",
        "full",
        # The database first: every --nodes/--relationships takes all the words after it.
        settings.neo4j_database,
        "--verbose",
        "--overwrite-destination=true",
        "--bad-tolerance=0",
        f"--max-off-heap-memory={settings.import_off_heap}",
        f"--report-file={files.directory / 'import.report'}",
    ]
    argv += [f"--nodes={label}={path}" for label, path in files.nodes.items()]
    argv += [f"--relationships={kind}={path}" for kind, path in files.relationships.items()]
    if files.multiline:
        argv += [
            "--multiline-fields-format=v2",
            "--multiline-fields=" + ",".join(map(str, files.multiline)),
        ]
    return argv


def import_full(
    settings: Settings, files: ImportFiles, echo: Callable[[str], None] = print
) -> ImportReport:
    """Run the import tool on the files into the configured database (replaced whole).

    The local server must be stopped (see :func:`offline`).

    Args:
        settings: The local instance (its home holds the store).
        files: The node and relationship files.
        echo: Receives progress lines (each stage, and every quarter of it).

    Returns:
        The tool's wall time and peak memory.

    Raises:
        ImportToolError: The tool failed; the message names the bad file and line when the
            tool said them. The database's store is then removed, so the server starts with
            an empty one.
        ServerError: ``NEO4J_URI`` names another server, or Java is missing.
    """
    if settings.neo4j_external:
        raise ServerError(
            f"NEO4J_URI={settings.neo4j_uri} is set: --bulk needs the local server (graphrec "
            "neo4j start) or an offline database (run neo4j-admin database import full on the "
            "server's machine)"
        )
    dist = neo4j_server.install(settings, echo=echo)
    home = neo4j_server.home_dir(settings)
    neo4j_server.write_config(settings)
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    tail: collections.deque[str] = collections.deque(maxlen=400)
    started = time.perf_counter()
    stage = ""
    reported = 0.0
    with subprocess.Popen(
        _argv(settings, files, dist),
        cwd=files.directory,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            tail.append(line)
            if match := _WARNING.match(line):
                echo(f"import tool: {match['warning']}")
                line = match["rest"]
            if match := _STAGE.match(line):
                stage, reported = match["stage"], time.monotonic()
                echo(f"import tool: {stage} ...")
            elif (match := _COUNT.search(line)) and time.monotonic() - reported > _EVERY:
                reported = time.monotonic()
                echo(f"import tool:   {stage}: {match['count']} so far")
            elif match := _DONE.match(line):
                echo(f"import tool: {stage} done in {match['time']}")
            elif line.startswith(("IMPORT DONE", "IMPORT FAILED")):
                echo(f"import tool: {line.strip()}")
        # wait4, not wait: it gives this child's own peak resident memory.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss * 1024
    if code != 0:
        remove_store(settings)
        raise ImportToolError(f"the import failed: {_describe(chr(10).join(tail), files)}")
    return ImportReport(seconds=time.perf_counter() - started, peak_rss_bytes=peak)


def remove_store(settings: Settings) -> None:
    """Delete the configured database's store and transaction logs (the server is stopped)."""
    data = neo4j_server.home_dir(settings) / "data"
    for part in ("databases", "transactions"):
        shutil.rmtree(data / part / settings.neo4j_database, ignore_errors=True)


@contextlib.contextmanager
def offline(settings: Settings, echo: Callable[[str], None] = print) -> Iterator[None]:
    """Stop the local server for the block and start it again after it, whatever happens.

    Raises:
        ServerError: ``NEO4J_URI`` names another server (not ours to stop).
    """
    if settings.neo4j_external:
        raise ServerError(
            f"NEO4J_URI={settings.neo4j_uri} is set: --bulk needs the local server (graphrec "
            "neo4j start) or an offline database"
        )
    echo("stopping the local Neo4j for the import ...")
    neo4j_server.stop(settings)
    try:
        yield
    finally:
        echo("starting the local Neo4j again ...")
        neo4j_server.start(settings, echo=echo)
