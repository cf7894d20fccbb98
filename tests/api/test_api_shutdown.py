"""``graphrec serve`` stops on SIGTERM within 10 s, after a burst of same-key interactions."""

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


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_sigterm_stops_the_server_within_ten_seconds_after_a_burst(
    seeded: neo4j.Driver, tmp_path: Path
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
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 10
        assert proc.returncode is not None, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
