"""Plan Neo4j's statements when the API starts, in the background (``/ready`` waits for it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import neo4j.exceptions
import redis.exceptions

from graph.warmup import rehearse

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from api.state import AppState
    from graph.settings import Settings

__all__ = ["WARMUP_TIMEOUT_SECONDS", "plan_statements", "turn_key"]

log = logging.getLogger("api")

#: Past this the warm-up gives up; requests plan what is left when they first need it.
WARMUP_TIMEOUT_SECONDS = 180.0


def turn_key(settings: Settings) -> str:
    """The Redis lock of the API processes that share this Neo4j database."""
    return f"graphrec:warmup:{settings.neo4j_uri}/{settings.neo4j_database}"


@contextlib.asynccontextmanager
async def _one_at_a_time(state: AppState) -> AsyncIterator[None]:
    """Rehearse while no other API process of this database does (a Redis lock).

    Side by side, every process plans every statement itself (with N processes, N times the
    CPU while the API starts); in turn, the later ones find the plans made and take a few
    seconds. Without Redis each process goes ahead on its own.
    """
    lock = state.redis.client.lock(
        turn_key(state.settings),
        timeout=WARMUP_TIMEOUT_SECONDS,
        sleep=0.2,
        blocking_timeout=WARMUP_TIMEOUT_SECONDS,
    )
    try:
        held = await lock.acquire()
    except (redis.exceptions.RedisError, OSError):
        held = False
    try:
        yield
    finally:
        if held:
            with contextlib.suppress(redis.exceptions.RedisError, OSError):
                await lock.release()


async def plan_statements(state: AppState) -> None:
    """Rehearse the served statements once (see :mod:`graph.warmup`); never raises.

    ``state.plans`` is ``warming`` meanwhile, then ``ok``, or ``skipped`` when Neo4j was down,
    failed or took too long: the API serves either way, the first requests then plan.
    """
    state.plans = "warming"
    try:
        async with _one_at_a_time(state), asyncio.timeout(WARMUP_TIMEOUT_SECONDS):
            done = await rehearse(state.driver, state.settings)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
        log.warning("plan warm-up skipped: Neo4j failed (%s)", exc.__class__.__name__)
        return
    except TimeoutError:
        log.warning("plan warm-up skipped: over %.0f s", WARMUP_TIMEOUT_SECONDS)
        return
    except Exception:  # a defect in the rehearsal must not keep the API from being ready
        log.exception("plan warm-up failed")
        return
    else:
        state.plans = "ok"
    finally:
        if state.plans == "warming":  # also when cancelled (the app stopping)
            state.plans = "skipped"
    log.info(
        "planned %d statements in %.1f s (model %s)",
        len(done.statements),
        done.seconds,
        done.model_version or "none",
    )
    if done.missing:
        log.warning("warm-up did not run: %s", ", ".join(sorted(done.missing)))
