"""The API's one seam into the GNN: a title created through ``POST /v1/items`` (or whose
features ``PUT /v1/items/{id}/features`` replaced) is embedded inductively by the promoted
GraphSAGE model (``gnn.inductive``), in a worker thread.

Nothing else of the API imports ``gnn`` (checked by ``lint-imports``); without the GNN, or
without a promoted model, the new title is found by its shared content features instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
from typing import TYPE_CHECKING, Any, TypeVar, cast

from api.schemas.items import Similarity

if TYPE_CHECKING:
    from collections.abc import Callable

    from api.state import AppState

T = TypeVar("T")

__all__ = ["embed_title", "preload"]

log = logging.getLogger("api.items")

_CONTENT = "shares genres, people and keywords (content similarity)"


class _NoGnnModuleError(Exception):
    """The gnn package (or its inductive module) is not installed."""


class _NoModelError(Exception):
    """No GraphSAGE model is promoted."""


def preload(serving: threading.Event) -> None:
    """Import the GNN (torch takes seconds) off the event loop, so the first ``POST
    /v1/items`` is not slow; then freeze the objects it brought for the collector."""
    with contextlib.suppress(ImportError):
        import gnn.inductive  # noqa: F401
    # Torch brings ~400,000 objects that live as long as the process. Left to the collector,
    # every full collection walks them all (100-250 ms, a pause for every request in flight);
    # frozen, they are never scanned again (until the app stops).
    if serving.is_set():
        gc.freeze()


async def _in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a daemon thread: unlike a worker thread of the pool (which the
    interpreter joins at exit), a call that hangs (Neo4j gone mid-write) never keeps the process
    from stopping."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(cast("T", result))

    def target() -> None:
        try:
            result = fn(*args)
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, result, None)

    threading.Thread(target=target, name="graphrec-embed", daemon=True).start()
    return await done


def _embed_sync(app_state: AppState, item_id: str, from_features: bool) -> int:
    try:
        from gnn.inductive import NoPromotedModelError, embed_new_titles
    except ImportError as exc:
        raise _NoGnnModuleError from exc
    try:
        return int(embed_new_titles(app_state.conn, [item_id], k=20, from_features=from_features))
    except NoPromotedModelError as exc:
        raise _NoModelError from exc


async def embed_title(
    app_state: AppState, item_id: str, *, from_features: bool = False
) -> Similarity:
    """Inductive SIMILAR_TO edges from the promoted GraphSAGE model, when there is one
    (``from_features``: embedded afresh from its features even if the model was trained on it).
    """
    try:
        embedded = await _in_daemon_thread(_embed_sync, app_state, item_id, from_features)
    except _NoGnnModuleError:
        return Similarity(method="content", embedded=0, reason=f"no GNN module; {_CONTENT}")
    except _NoModelError:
        app_state.metrics.fallbacks.labels(kind="no_model").inc()
        return Similarity(method="content", embedded=0, reason=f"no promoted model; {_CONTENT}")
    except Exception as exc:  # the title exists already; similarity degrades, never the write
        log.warning("inductive embedding of %s failed: %s", item_id, exc.__class__.__name__)
        app_state.metrics.fallbacks.labels(kind="inductive_failed").inc()
        reason = f"inductive embedding failed; {_CONTENT}"
        return Similarity(method="content", embedded=0, reason=reason)
    if embedded == 0:
        return Similarity(method="content", embedded=0, reason=f"not embedded; {_CONTENT}")
    return Similarity(
        method="inductive_gnn",
        embedded=embedded,
        reason="SIMILAR_TO edges from the promoted GraphSAGE model (inductive)",
    )
