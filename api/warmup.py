"""Plan Neo4j's statements when the API starts (``/ready`` waits) and after Neo4j restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import neo4j.exceptions
import redis.exceptions

from graph.health import server_process
from graph.warmup import rehearse

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from api.state import AppState
    from graph.settings import Settings

__all__ = ["CHECK_SECONDS", "WARMUP_TIMEOUT_SECONDS", "keep_planned", "plan_statements", "turn_key"]

log = logging.getLogger("api")

#: Past this the warm-up gives up; requests plan what is left when they first need it.
WARMUP_TIMEOUT_SECONDS = 180.0
#: How often each API process checks whether Neo4j restarted (one tiny read).
CHECK_SECONDS = 10.0


def turn_key(settings: Settings) -> str:
    """The Redis lock of the API processes that share this Neo4j database."""
    return f"graphrec:warmup:{settings.neo4j_uri}/{settings.neo4j_database}"


@contextlib.asynccontextmanager
async def _one_at_a_time(state: AppState) -> AsyncIterator[None]:
    """Rehearse while no other API process of this database does (a Redis lock).

    Side by side, every process plans every statement itself (with N processes, N times the
    CPU while the API starts); in turn, the later ones find the plans made and take a few
    seconds. A Redis error is tried again twice (a busy machine right after a Neo4j restart
    can time a call out); without Redis each process goes ahead on its own, and says so.
    """
    lock = state.redis.client.lock(
        turn_key(state.settings), timeout=WARMUP_TIMEOUT_SECONDS, sleep=0.2
    )
    deadline = time.monotonic() + WARMUP_TIMEOUT_SECONDS
    held = False
    for attempt in range(3):
        try:
            held = await lock.acquire(blocking_timeout=max(0.0, deadline - time.monotonic()))
            break
        except (redis.exceptions.RedisError, OSError) as exc:
            if attempt == 2:
                log.warning(
                    "plan warm-up not taking turns: Redis failed (%s)", exc.__class__.__name__
                )
            else:
                await asyncio.sleep(0.5)
    try:
        yield
    finally:
        if held:
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                await lock.release()


async def plan_statements(state: AppState, *, reason: str = "start") -> None:
    """Rehearse the served statements once (see :mod:`graph.warmup`); never raises.

    ``state.plans`` is ``warming`` meanwhile (``/ready`` 503) at start and ``replanning`` (still
    ready) for any other ``reason``; then ``ok``, ``skipped`` when Neo4j was down or busy (a
    transient error), or ``failed`` (a statement Neo4j refused, another defect, or over the time
    limit: not worth repeating every few seconds). The API serves either way: requests plan
    what they need first.
    """
    state.plans = "warming" if reason == "start" else "replanning"
    try:
        async with _one_at_a_time(state), asyncio.timeout(WARMUP_TIMEOUT_SECONDS):
            done = await rehearse(state.driver, state.settings)
    except (neo4j.exceptions.TransientError, neo4j.exceptions.DriverError, OSError) as exc:
        log.warning("plan warm-up skipped: Neo4j failed (%s)", exc.__class__.__name__)
        state.plans = "skipped"
        return
    except TimeoutError:
        log.warning("plan warm-up failed: over %.0f s", WARMUP_TIMEOUT_SECONDS)
        state.plans = "failed"
        return
    except Exception:  # a defect (a statement Neo4j refuses, a bug): must not stop the API
        log.exception("plan warm-up failed")
        state.plans = "failed"
        return
    else:
        state.plans = "ok"
    finally:
        if state.plans in {"warming", "replanning"}:  # cancelled (the app stopping)
            state.plans = "skipped"
        state.metrics.rehearsals.labels(reason=reason, result=state.plans).inc()
    log.info(
        "planned %d statements in %.1f s (model %s)",
        len(done.statements),
        done.seconds,
        done.model_version or "none",
    )
    if done.missing:
        log.warning("warm-up did not run: %s", ", ".join(sorted(done.missing)))


class _Down:
    """Neo4j did not answer the check."""


async def _process(state: AppState) -> str | _Down | None:
    try:
        return await server_process(state.driver, state.settings)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError):
        return _Down()


async def keep_planned(state: AppState) -> None:
    """Plan at start (``/ready`` waits), then again after each restart of Neo4j; never raises.

    A restart empties Neo4j's plan cache, and every request would plan its statement again
    (0.1-3 s each). Every ``CHECK_SECONDS`` the process reads which Neo4j server process it
    talks to (:func:`graph.health.server_process`): a new one, or plans skipped because Neo4j
    was down, and it rehearses again, in turn with the other API processes and staying ready.
    A failed rehearsal (``failed``) is not repeated until Neo4j restarts. Servers that do not
    tell their process (managed services) are planned at start and when Neo4j was down only.
    """
    planned_on = await _process(state)
    await plan_statements(state)
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        now = await _process(state)
        if isinstance(now, _Down):
            continue
        if state.plans == "skipped":
            reason = "retry"
        elif not isinstance(planned_on, _Down) and now != planned_on:
            log.warning("Neo4j restarted (now %s, was %s): planning again", now, planned_on)
            reason = "restart"
        else:
            planned_on = now
            continue
        planned_on = now
        await plan_statements(state, reason=reason)
