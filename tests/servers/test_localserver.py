"""The local servers through the real `graphrec` command: start, query, stop, restart, browse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.driver import driver
from graph.settings import Settings
from servers.process import uptime_seconds

if TYPE_CHECKING:
    from collections.abc import Iterator

GRAPHREC = str(Path(sys.executable).with_name("graphrec"))
REPO = Path(__file__).resolve().parents[2]
local_only = pytest.mark.skipif(
    bool(os.environ.get("NEO4J_URI")), reason="NEO4J_URI is set: no local server to manage"
)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRAPHREC, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def lifecycle_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An isolated instance (own home and ports) for start/stop tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "REDIS_URL"))}
    env |= {
        "GRAPHREC_HOME": str(tmp_path / "home"),
        "GRAPHREC_INSTANCE": "lifecycle",
        "GRAPHREC_NEO4J_BOLT_PORT": "27687",
        "GRAPHREC_NEO4J_HTTP_PORT": "27474",
        "GRAPHREC_REDIS_PORT": "26379",
        "GRAPHREC_NEO4J_HEAP": "512m",
        "GRAPHREC_NEO4J_PAGECACHE": "128m",
    }
    yield env
    _run(env, "neo4j", "stop")
    _run(env, "redis", "stop")


@local_only
def test_neo4j_start_stop_restart_keeps_data(lifecycle_env: dict[str, str]) -> None:
    first = _run(lifecycle_env, "neo4j", "start")
    assert first.returncode == 0, first.stderr
    again = _run(lifecycle_env, "neo4j", "start")
    assert again.returncode == 0 and "already running" in again.stdout
    assert _run(lifecycle_env, "neo4j", "status").returncode == 0

    settings = Settings(
        neo4j_uri="bolt://127.0.0.1:27687",
        redis_url="redis://127.0.0.1:26379/0",
        home=Path(lifecycle_env["GRAPHREC_HOME"]),
        cache_dir=Path.home() / ".cache/graphrec",
    )
    with driver(settings) as drv:
        drv.execute_query("CREATE (:User {userId: 'kept-across-restart'})")

    stopped = _run(lifecycle_env, "neo4j", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert _run(lifecycle_env, "neo4j", "status").returncode == 1

    assert _run(lifecycle_env, "neo4j", "start").returncode == 0
    with driver(settings) as drv:
        records, _, _ = drv.execute_query(
            "MATCH (u:User {userId: 'kept-across-restart'}) RETURN count(u) AS c"
        )
    assert records[0]["c"] == 1


@local_only
def test_redis_start_status_stop(lifecycle_env: dict[str, str]) -> None:
    assert _run(lifecycle_env, "redis", "status").returncode == 1
    assert _run(lifecycle_env, "redis", "start").returncode == 0
    assert _run(lifecycle_env, "redis", "status").returncode == 0
    assert "stopped" in _run(lifecycle_env, "redis", "stop").stdout
    assert _run(lifecycle_env, "redis", "status").returncode == 1


@local_only
@pytest.mark.skipif(shutil.which("chromium") is None, reason="apt-get install -y chromium")
def test_neo4j_browser_connects_to_the_local_database(
    services: Settings, neo4j_driver: object, tmp_path: Path
) -> None:
    out = tmp_path / "browser.png"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/browser_screenshot.py"),
            "--url",
            f"http://127.0.0.1:{services.neo4j_http_port}/browser/",
            "--bolt",
            f"127.0.0.1:{services.neo4j_bolt_port}",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "connected: True" in result.stdout
    assert out.stat().st_size > 10_000


@local_only
def test_neo4j_start_without_java_names_the_install_command(
    lifecycle_env: dict[str, str],
) -> None:
    env = lifecycle_env | {"PATH": str(Path(sys.executable).parent)}  # the venv only: no java
    result = _run(env, "neo4j", "start")
    assert result.returncode == 1
    assert "java not found" in result.stderr
    assert "apt-get install -y openjdk-17-jdk-headless" in result.stderr


def test_uptime_seconds_counts_from_the_process_start_and_is_zero_once_gone() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(1.5)
        assert 1.0 <= uptime_seconds(child.pid) < 10.0
        assert uptime_seconds(1) > uptime_seconds(child.pid)
    finally:
        child.kill()
        child.wait()
    assert uptime_seconds(child.pid) == 0.0
