"""Open Neo4j Browser in headless Chromium, connect to the local database, run a query, screenshot.

Usage: python scripts/browser_screenshot.py [--url URL] [--bolt HOST:PORT] [--out FILE]

Exits non-zero unless the Browser reports a connection and shows the query's result.
Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the ``playwright`` package
(a dev dependency; it drives the system Chromium, it downloads no browser).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
QUERY = "MATCH (n) RETURN count(n) AS graphrecNodes"


def screenshot(url: str, bolt: str, out: Path, timeout_ms: int = 60_000) -> str:
    """Connect Neo4j Browser at ``url`` to ``bolt``, run a query and save a screenshot.

    Returns:
        The text the Browser shows for the query's result.

    Raises:
        RuntimeError: Chromium is missing, or the Browser did not connect or answer.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("chromium not found: apt-get install -y chromium")
    target = f"{url}?dbms=neo4j://{bolt}&preselectAuthMethod=NO_AUTH"
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        page = ctx.new_page()
        page.goto(target, timeout=timeout_ms)
        try:
            connected = page.get_by_text("Connected to Neo4j").or_(
                page.get_by_role("button", name="Connect")
            )
            connected.first.wait_for(timeout=timeout_ms)
            if not page.get_by_text("Connected to Neo4j").count():
                page.get_by_role("button", name="Connect").click()
                page.get_by_text("Connected to Neo4j").first.wait_for(timeout=timeout_ms)
            editor = page.locator(".view-lines").first
            editor.click()
            page.keyboard.type(QUERY)
            page.keyboard.press("Control+Enter")
            result = page.get_by_text("graphrecNodes", exact=False).last
            result.wait_for(timeout=timeout_ms)
            page.wait_for_timeout(1500)
        except PlaywrightError as exc:
            page.screenshot(path=str(out))
            raise RuntimeError(f"Neo4j Browser did not connect/answer ({exc}); see {out}") from exc
        page.screenshot(path=str(out))
        text = page.locator("body").inner_text()
        ctx.close()
    return text


def main() -> int:
    """Parse arguments, take the screenshot, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7474/browser/")
    parser.add_argument("--bolt", default="127.0.0.1:7687")
    parser.add_argument("--out", type=Path, default=Path("screenshots/neo4j-browser.png"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = screenshot(args.url, args.bolt, args.out)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    connected = "Connected to Neo4j" in text and "graphrecNodes" in text
    print(f"screenshot: {args.out} (connected: {connected})")
    return 0 if connected else 1


if __name__ == "__main__":
    sys.exit(main())
