"""Schemathesis fuzzes every operation of ``/schema/openapi.json`` on a live server: no 500."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn

from .api_proxy import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    import neo4j

    from graph.settings import Settings


@pytest.fixture
def live_url(seeded: neo4j.Driver, api_settings: Settings) -> Iterator[str]:
    from api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(api_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


def test_schema_fuzz_finds_no_server_error(live_url: str, tmp_path: Path) -> None:
    # The virtualenv's own script first: the suite may run without the venv on PATH.
    beside = Path(sys.executable).with_name("schemathesis")
    st = str(beside) if beside.is_file() else shutil.which("schemathesis")
    assert st, "schemathesis is a dev dependency"
    result = subprocess.run(
        [
            st,
            "run",
            f"{live_url}/schema/openapi.json",
            "--checks",
            "not_a_server_error",
            "--header",
            "Authorization: Bearer admin-key",
            "--max-examples",
            "15",
            "--seed",
            "7",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
