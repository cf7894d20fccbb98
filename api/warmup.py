"""Plan Neo4j's statements when the API starts (``/ready`` waits) and after Neo4j restarts.

Every served statement this process runs is noted in :data:`graph.plans.BOOK`; every
``CHECK_SECONDS`` the shapes not yet shared go into one Redis hash per database, where every
API process of that database finds them. At start, and when Neo4j has restarted (its plan
cache went with it), the process replays every shape of the hash (:func:`graph.plans.replay`),
in turn with the other processes, so Neo4j plans each once and the later processes find the
plans made. Nothing here names a statement: a new endpoint's statements are planned once they
have served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, cast

import msgspec
import redis.exceptions

from api.state import PlanState
from graph import plans
from graph.errors import GraphError
from graph.health import server_process

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from api.state import AppState
    from graph.settings import Settings

__all__ = ["CHECK_SECONDS", "WARMUP_TIMEOUT_SECONDS", "keep_planned", "plan_statements", "turn_key"]

log = logging.getLogger("api")

#: Past this the warm-up gives up; requests plan what is left when they first need it.
WARMUP_TIMEOUT_SECONDS = 180.0
#: How often each API process shares its new shapes and checks whether Neo4j restarted.
CHECK_SECONDS = 10.0


def turn_key(settings: Settings) -> str:
    """The Redis lock of the API processes that share this Neo4j database."""
    return f"graphrec:warmup:{settings.neo4j_uri}/{settings.neo4j_database}"


def shapes_key(settings: Settings) -> str:
    """The Redis hash of the statement shapes served on this Neo4j database."""
    return f"graphrec:plans:{settings.neo4j_uri}/{settings.neo4j_database}"


async def share_new_shapes(state: AppState) -> None:
    """Put the shapes noted since the last call into the database's hash (kept on failure)."""
    new = plans.BOOK.take_new()
    if not new:
        return
    mapping = {shape.key: msgspec.msgpack.encode(shape) for shape in new}

    async def put(client: Any) -> bool:
        await client.hset(shapes_key(state.settings), mapping=mapping)
        return True

    if not await state.redis.run(put, False):
        plans.BOOK.give_back(new)


async def _shared_shapes(state: AppState) -> list[plans.Shape]:
    empty: dict[bytes | str, bytes | str] = {}
    raw = await state.redis.run(lambda r: r.hgetall(shapes_key(state.settings)), empty)
    shapes = []
    for value in raw.values():
        with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
            shapes.append(msgspec.msgpack.decode(cast("bytes", value), type=plans.Shape))
    return shapes


@contextlib.asynccontextmanager
async def _one_at_a_time(state: AppState) -> AsyncIterator[None]:
    """Replay while no other API process of this database does (a Redis lock).

    A Redis error is tried again twice (a busy machine right after a Neo4j restart can time a
    call out); without Redis each process goes ahead on its own, and says so.
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
    """Replay every shared shape once; never raises.

    ``state.plans`` is ``warming`` meanwhile (``/ready`` 503) at start and ``replanning`` (still
    ready) for any other ``reason``; then ``ok``, ``skipped`` when Neo4j was down or busy, or
    ``failed`` (a defect, or over the time limit: not worth repeating every few seconds). The
    API serves either way: requests plan what they need first.
    """
    state.plans = PlanState.WARMING if reason == "start" else PlanState.REPLANNING
    started = time.monotonic()
    shapes: list[plans.Shape] = []
    try:
        async with _one_at_a_time(state), asyncio.timeout(WARMUP_TIMEOUT_SECONDS):
            await share_new_shapes(state)
            shapes = await _shared_shapes(state)
            refused = await plans.replay(state.store.driver, state.store.database, shapes)
    except (GraphError, OSError) as exc:
        log.warning("plan warm-up skipped: Neo4j failed (%s)", exc.__class__.__name__)
        state.plans = PlanState.SKIPPED
    except TimeoutError:
        log.warning("plan warm-up failed: over %.0f s", WARMUP_TIMEOUT_SECONDS)
        state.plans = PlanState.FAILED
    except Exception:  # a defect: must not stop the API
        log.exception("plan warm-up failed")
        state.plans = PlanState.FAILED
    else:
        state.plans = PlanState.OK
        if refused:
            await _forget(state, refused)
        log.info("planned %d statement shapes in %.1f s", len(shapes), time.monotonic() - started)
    finally:
        if state.plans in {PlanState.WARMING, PlanState.REPLANNING}:  # cancelled (stopping)
            state.plans = PlanState.SKIPPED
        state.metrics.rehearsals.labels(reason=reason, result=state.plans).inc()


async def _forget(state: AppState, refused: list[plans.Shape]) -> None:
    """Drop shapes Neo4j refused (their statement changed since they were noted)."""
    log.info("forgetting %d statement shapes Neo4j no longer accepts", len(refused))
    fields = [shape.key for shape in refused]
    await state.redis.run(lambda r: r.hdel(shapes_key(state.settings), *fields), 0)


class _Down:
    """Neo4j did not answer the check."""


async def _process(state: AppState) -> str | _Down | None:
    try:
        return await server_process(state.store)
    except (GraphError, OSError):
        return _Down()


async def keep_planned(state: AppState) -> None:
    """Plan at start (``/ready`` waits), then share new shapes and plan again after each
    restart of Neo4j; never raises.

    A restart empties Neo4j's plan cache, and every request would plan its statement again
    (0.1-3 s each). Every ``CHECK_SECONDS`` the process reads which Neo4j server process it
    talks to (:func:`graph.health.server_process`): a new one, or plans skipped because Neo4j
    was down, and it replays again, in turn with the other API processes and staying ready.
    Servers that do not tell their process (managed services) are planned at start and when
    Neo4j was down only.
    """
    planned_on = await _process(state)
    await plan_statements(state)
    while True:
        await asyncio.sleep(CHECK_SECONDS)
        await share_new_shapes(state)
        now = await _process(state)
        if isinstance(now, _Down):
            continue
        if state.plans == PlanState.SKIPPED:
            reason = "retry"
        elif not isinstance(planned_on, _Down) and now != planned_on:
            log.warning("Neo4j restarted (now %s, was %s): planning again", now, planned_on)
            reason = "restart"
        else:
            planned_on = now
            continue
        planned_on = now
        await plan_statements(state, reason=reason)
