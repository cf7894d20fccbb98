"""``graphrec serve`` stops on SIGTERM within 10 s, after a burst of same-key interactions, and
its served-list consumer process with it."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from servers.process import wait_until

from .api_keys import KEYS, PRO
from .api_proxy import free_port

if TYPE_CHECKING:
    import neo4j
    import redis


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid``, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found[int(entry.name)] = (entry / "cmdline").read_text().replace("\0", " ")
        except (OSError, IndexError, ValueError):
            continue
    return found


def _consumers(redis_client: redis.Redis) -> set[str]:
    """The names of the served-list group's consumers."""
    from learning.entries import GROUP, STREAM

    try:
        rows = redis_client.xinfo_consumers(STREAM, GROUP)
    except Exception:  # the group does not exist yet
        return set()
    names = (r["name"] for r in rows)
    return {n.decode() if isinstance(n, bytes) else str(n) for n in names}


def test_sigterm_stops_the_server_within_ten_seconds_after_a_burst(
    seeded: neo4j.Driver, redis_client: redis.Redis, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("graphrec")), "serve", "--port", str(port)]
    env = {**os.environ, "GRAPHREC_API_KEYS": KEYS, "GRAPHREC_API_KEYS_FILE": ""}
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        up = wait_until(lambda: _answers(url), 60, alive=lambda: proc.poll() is None)
        assert up, log.read_text()
        body = {"user_id": "u1", "item_id": "t7", "action": "view"}
        headers = {**PRO, "X-Event-ID": "evt-burst"}

        def post(_: int) -> int:
            return httpx.post(
                f"{url}/v1/interactions", json=body, headers=headers, timeout=30
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(post, range(20)))
        assert set(statuses) == {202}
        # The served-list log is consumed by a process of its own, not by the worker.
        consumer = [p for p, cmd in _children(proc.pid).items() if "learning.consumer" in cmd]
        assert len(consumer) == 1, _children(proc.pid)
        feed = httpx.get(f"{url}/v1/recommendations?user_id=u1", headers=PRO, timeout=30)
        assert feed.status_code == 200, feed.text
        seen = wait_until(
            lambda: any(n.endswith("-consumer") for n in _consumers(redis_client)),
            30,
            alive=lambda: proc.poll() is None,
        )
        assert seen and all(n.endswith("-consumer") for n in _consumers(redis_client))
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 10
        assert proc.returncode is not None, log.read_text()
        gone = wait_until(lambda: not Path(f"/proc/{consumer[0]}").exists(), 10, alive=lambda: True)
        assert gone, f"the consumer {consumer[0]} outlived the server"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
