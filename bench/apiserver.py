"""Shared by the API benchmarks that drive a real server: start ``graphrec serve`` on loopback.

``api_server`` runs the API (uvicorn) in a subprocess on a free port with the benchmark's API
keys and its own Redis database, waits until it answers ``/ready`` and its workers have settled,
and stops it afterwards. ``log_settled`` waits until the served-list consumer has counted every
entry of the stream (the counts are in the graph once the entries are acknowledged).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from serve_latency import KEY, KEYS, _answers, _free_port, _wait_settled

from learning.entries import GROUP, STREAM
from servers.process import wait_until

__all__ = ["KEY", "KEYS", "Server", "api_server", "headers", "log_settled"]


@dataclass(frozen=True)
class Server:
    """A running API: its base URL, process id and log file."""

    base: str
    pid: int
    log: Path


def headers(i: int = 0) -> dict[str, str]:
    """The bearer header of the benchmark's ``i``-th enterprise admin key."""
    return {"Authorization": f"Bearer {KEY}-{i % KEYS}"}


@contextlib.contextmanager
def api_server(redis_url: str, *, workers: int = 2, env: dict[str, str]) -> Iterator[Server]:
    """``graphrec serve`` on loopback with ``KEYS`` admin keys and ``redis_url``; ``env`` is
    the whole environment of the server (the settings are read from it)."""
    port = _free_port()
    keys = ",".join(f"{KEY}-{i}:enterprise:admin" for i in range(KEYS))
    server_env = {**env, "GRAPHREC_API_KEYS": keys, "REDIS_URL": redis_url}
    log = Path(tempfile.gettempdir()) / f"bench-api-{port}-{time.strftime('%H%M%S')}.log"
    command = [str(Path(sys.executable).parent / "graphrec"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=server_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: _answers(f"{base}/ready"), 180, lambda: server.poll() is None):
            sys.exit(f"the API did not get ready:\n{log.read_text()}")
        _wait_settled(server.pid)
        yield Server(base=base, pid=server.pid, log=log)
    finally:
        server.terminate()
        server.wait(30)


def log_settled(client: redis.Redis, *, timeout: float = 120.0) -> float:
    """Wait until every entry of the served-list stream is counted (read by the group and
    acknowledged, twice in a row 0.5 s apart); return the seconds waited."""
    started = time.monotonic()
    calm = 0
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        try:
            stream: Any = client.xinfo_stream(STREAM)
            groups: Any = client.xinfo_groups(STREAM)
        except redis.ResponseError:  # no stream yet
            calm = 0
            continue
        group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
        done = (
            group is not None
            and group["pending"] == 0
            and group["last-delivered-id"] == stream["last-generated-id"]
        )
        calm = calm + 1 if done else 0
        if calm >= 2:
            return time.monotonic() - started
    raise TimeoutError(f"the served-list consumer did not catch up in {timeout:.0f} s")
