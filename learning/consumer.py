"""The served-list consumer as a process of its own (``python -m learning.consumer``).

``graphrec serve`` starts it beside the API's workers and tells them not to consume
(``GRAPHREC_SERVED_LOG_CONSUMER=0``): counting a batch of lists then never holds up a request
on a worker's event loop. It stops on SIGTERM or SIGINT after a last flush, and with its parent
(the server): Linux sends it SIGTERM when the process that started it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket

import redis.asyncio as aioredis

from graph.settings import Settings, get_settings
from graph.store import Store
from learning.log import Aggregator

__all__ = ["consume", "die_with_parent", "main"]

log = logging.getLogger("learning.consumer")
_PR_SET_PDEATHSIG = 1
#: The consumer's CPU priority, below the workers': when the cores are busy, a request is served
#: before a batch is counted (counting only falls behind, and catches up when traffic drops).
NICENESS = 5


def die_with_parent() -> None:
    """Ask Linux for SIGTERM when the parent exits (a ``preexec_fn``; elsewhere nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def consume(settings: Settings) -> None:
    """Count the log into the graph until SIGTERM or SIGINT."""
    client = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
    store = Store(settings)
    name = f"{socket.gethostname()}-{os.getpid()}-consumer"
    task = asyncio.create_task(Aggregator(client, store, name).run())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await client.aclose()
        await store.close()


def main() -> None:
    """Run the consumer with the environment's settings."""
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    asyncio.run(consume(get_settings()))


if __name__ == "__main__":
    main()
