"""`graphrec demo` end to end on small synthetic data: it loads, trains, starts an example
experiment, prints what it promises and serves recommendations with the key it printed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from graph import experiments
from graphrec.commands.demo import DEMO_EXPERIMENT
from servers.process import wait_until

from .api_proxy import free_port

if TYPE_CHECKING:
    import neo4j

    from graph.connection import Connection


def _wait_until_serving(proc: subprocess.Popen, log: Path, base: str, timeout: float) -> None:
    def serving() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    if not wait_until(serving, timeout, alive=lambda: proc.poll() is None, interval=1):
        raise AssertionError(
            f"graphrec demo exited ({proc.returncode}) or did not serve within {timeout} s:\n"
            f"{log.read_text()}"
        )


def test_demo_loads_trains_and_serves_with_the_printed_key(
    graph_db: neo4j.Driver, conn: Connection, tmp_path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    command = [
        str(Path(sys.executable).with_name("graphrec")),
        "demo", "--users", "150", "--titles", "100", "--port", str(port), "--workers", "1",
        "--retrain",
    ]  # fmt: skip
    # As in production: the API plans its statements after start (the suite turns that off).
    env = {**os.environ, "GRAPHREC_API_WARMUP": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_serving(proc, log, base, timeout=600)
        text = log.read_text()
        key = re.search(r"dev API key\s+(\S+)", text)
        assert key, text
        assert re.search(r"Neo4j Browser\s+http://127\.0\.0\.1:\d+/browser/", text)
        assert re.search(r":play http://127\.0\.0\.1:\d+/guide/graphrec\.html", text), text
        user = re.search(r"recommendations\?user_id=([^&']+)&limit=5'", text)
        assert user, text
        assert text.count("curl -s") >= 15  # one call per endpoint
        assert f"its report: graphrec experiments report {DEMO_EXPERIMENT}\n" in text, text
        example = experiments.get(conn, DEMO_EXPERIMENT)
        assert example.status == "running" and example.independent
        assert [v.name for v in example.variants] == ["control", "diverse"]

        headers = {"Authorization": f"Bearer {key.group(1)}"}
        response = httpx.get(
            f"{base}/v1/recommendations",
            params={"user_id": user.group(1), "limit": 5},
            headers=headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model_version"], body  # the demo trained and promoted a model
        variant = response.headers["x-experiment"]
        assert variant in (f"{DEMO_EXPERIMENT}_control", f"{DEMO_EXPERIMENT}_diverse")
        assert body["experiment"] == variant
        assert 1 <= len(body["recommendations"]) <= 5
        assert all(rec["explanation"]["reason"] for rec in body["recommendations"])
        assert (
            httpx.get(f"{base}/v1/recommendations", params={"user_id": user.group(1)}).status_code
            == 401
        )
        deadline = time.monotonic() + 180
        while (ready := httpx.get(f"{base}/ready", timeout=10)).status_code != 200:
            assert ready.json()["error"]["details"]["field"] == "plans", ready.text
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.5)
        assert ready.json()["checks"] == {"neo4j": "ok", "redis": "ok", "plans": "ok"}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
