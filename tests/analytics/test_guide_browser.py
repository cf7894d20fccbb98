"""The guide in a real Neo4j Browser (headless Chromium): ``:play`` loads it from the API and a
click on a query's run icon renders its result. The screenshot is kept in ``docs/`` when
``GRAPHREC_KEEP_SCREENSHOT=1``."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pytest

from graph.bulk import write_dataset

from .planted import planted_dataset

if TYPE_CHECKING:
    from collections.abc import Iterator

    from graph.connection import Connection
    from graph.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "browser-guide.png"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")


@pytest.fixture
def api_url(services: Settings) -> Iterator[str]:
    """The API served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = msgspec.structs.replace(services, api_keys="k:free", api_keys_file="")
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started, "the API did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_the_guide_plays_in_neo4j_browser_and_runs_a_query(
    conn: Connection, services: Settings, api_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    if services.neo4j_external:
        pytest.skip("needs the local Neo4j Browser")
    write_dataset(conn, planted_dataset(groups=2, users_per_group=10, seed=6))
    guide = f"{api_url}/guide/graphrec.html"
    bolt = services.neo4j_uri.removeprefix("bolt://")
    browser = (
        f"http://127.0.0.1:{services.neo4j_http_port}/browser/"
        f"?dbms=neo4j://{bolt}&preselectAuthMethod=NO_AUTH"
    )
    out = tmp_path / "browser-guide.png"
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = ctx.new_page()
        page.goto(browser, timeout=90_000)
        try:
            page.get_by_text("Connected to Neo4j").first.wait_for(timeout=90_000)
            page.wait_for_timeout(3000)  # the server's settings (the allowlist) arrive
            page.locator(".view-lines").first.click()
            page.keyboard.type(f":play {guide}")
            page.keyboard.press("Control+Enter")
            page.get_by_text("graphrec: the graph behind the recommendations").first.wait_for(
                timeout=60_000
            )
            counts = page.locator("pre.runnable", has_text="how many nodes of each label").first
            counts.locator("i").first.click()
            # The result frame: a table of the counts (strings are shown quoted).
            page.get_by_text("Started streaming").first.wait_for(timeout=60_000)
            page.get_by_text('"FRIENDS_WITH"').first.wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
        finally:
            page.screenshot(path=str(out))
            ctx.close()
    assert out.stat().st_size > 10_000
    if os.environ.get("GRAPHREC_KEEP_SCREENSHOT") == "1":
        shutil.copyfile(out, SCREENSHOT)
