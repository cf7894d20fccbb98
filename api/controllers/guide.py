"""``/guide/graphrec.html``: the Neo4j Browser guide for analysts (``docs/browser/``).

Neo4j Browser fetches a guide played with ``:play <url>`` from the page (another origin), so
the answers allow any origin (the Browser's fetch sends its own headers, so a CORS preflight
``OPTIONS`` comes first); the Browser accepts it from the hosts of
``browser.remote_content_hostname_whitelist`` (the local server lists ``127.0.0.1`` and
``localhost``). No API key: the guide holds no data, only the saved queries.
"""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, Request, Response, route
from litestar.exceptions import NotFoundException

__all__ = ["GUIDE_PATH", "guide"]

_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "600",
}
#: The guide's HTML: the saved queries of docs/browser/ on slides.
GUIDE_PATH = Path(__file__).resolve().parents[2] / "docs" / "browser" / "graphrec.html"


@route(
    "/guide/graphrec.html",
    http_method=["GET", "OPTIONS"],
    include_in_schema=False,
    sync_to_thread=False,
)
def guide(request: Request) -> Response[bytes]:
    """The guide's HTML, for ``:play http://<api>/guide/graphrec.html`` in Neo4j Browser; to
    ``OPTIONS``, the CORS preflight of the Browser's fetch (any origin and request header).

    Raises:
        NotFoundException: The guide is not shipped with this installation.
    """
    if request.method == "OPTIONS":
        return Response(content=b"", status_code=204, headers=_CORS)
    if not GUIDE_PATH.is_file():
        raise NotFoundException("the Browser guide is not installed (docs/browser/graphrec.html)")
    return Response(
        content=GUIDE_PATH.read_bytes(),
        media_type=MediaType.HTML,
        headers={**_CORS, "Cache-Control": "no-cache"},
    )
