"""The served-list log's throughput, and what it costs the API's tail latency.

Two parts, against the dev instance's Neo4j and Redis (a Redis database of its own):

1. ``capacity``: the log path alone, in this process. ``--lists`` served lists of 20 titles
   (real users and titles of the graph, one running experiment, as the API logs them) and
   ``--clicks-per-list`` clicks naming their list are appended from ``--producers`` coroutines,
   one ``XADD`` round trip each and 20 per stream entry (as the API's buffer does); then one
   ``Aggregator`` (what each API worker runs) drains the stream: attribution records in Redis,
   counts, assignments and popularity in the graph, trending. Prints lists/s for both. Run one
   part at a time: the API's consumers of a ``p99`` run would read the ``capacity`` stream.
2. ``p99``: ``graphrec serve`` (2 workers) with ``GRAPHREC_SERVED_LOG=1`` and ``=0``, alternating,
   ``--runs`` times each; every run drives cached home feeds (each one a served list to log) at
   ``--rate`` requests/s with wrk for ``--duration`` s and prints p50/p99; then the medians and
   the ratio on/off of the p99, and whether the consumer kept up.

    GRAPHREC_INSTANCE=absim-dev GRAPHREC_NEO4J_BOLT_PORT=7831 GRAPHREC_REDIS_PORT=6831 \
        python bench/served_log.py [capacity|p99|both] [--rate 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import time
import uuid

import httpx
import redis
import redis.asyncio as aioredis
from apiserver import api_server, headers, log_settled
from serve_latency import _bench_redis_url, _empty_redis, _paced

from graph.connection import connect
from graph.experiments import ExperimentRecord
from graph.schema import sample_ids
from graph.settings import get_settings
from graph.store import Store
from learning import lifecycle
from learning.entries import STREAM, append
from learning.log import Aggregator, Interaction, ServedList

SOURCES = ("similar", "content", "social", "popular", "vector", "similar_users")


def _entries(
    n: int, users: list[str], titles: list[str], experiment: str, clicks: float
) -> list[ServedList | Interaction]:
    """``n`` served lists of 20 titles, each followed by its clicks (``clicks`` per list)."""
    rng = random.Random(1)
    out: list[ServedList | Interaction] = []
    for _ in range(n):
        user = rng.choice(users)
        shown = rng.sample(titles, 20)
        served = ServedList(
            list_id=uuid.uuid4().hex,
            user=user,
            endpoint="recommendations",
            items=[(t, rng.choice(SOURCES)) for t in shown],
            model_version="bench-log",
            variants=[(experiment, rng.choice("ab"))],
        )
        out.append(served)
        for _ in range(int(clicks) + (rng.random() < clicks % 1)):
            item = rng.choice(shown)
            out.append(Interaction(user=user, item=item, action="click", list_id=served.list_id))
    return out


async def _append(
    client: aioredis.Redis, entries: list[ServedList | Interaction], producers: int, batch: int
) -> float:
    """Append every entry from ``producers`` coroutines, ``batch`` per stream entry (the API's
    buffer appends what 20 ms brought); seconds taken."""
    queue = iter(entries)

    async def producer() -> None:
        while chunk := list(itertools.islice(queue, batch)):
            await append(client, chunk)

    started = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(producers)))
    return time.perf_counter() - started


async def _capacity(args: argparse.Namespace, redis_url: str) -> None:
    experiment = f"bench-log-{time.strftime('%m%d%H%M%S')}"
    with connect() as conn:
        users, titles = sample_ids(conn, 2_000)
        lifecycle.create(
            conn,
            ExperimentRecord(
                name=experiment,
                status="draft",
                variants=lifecycle.variants_of(["a:50", "b:50"]),
                independent=True,
            ),
        )
        lifecycle.start(conn, experiment)
    entries = _entries(args.lists, users, titles, experiment, args.clicks_per_list)
    client = aioredis.Redis.from_url(redis_url, socket_timeout=10)
    store = Store(get_settings())
    try:
        one_by_one = await _append(client, entries[: len(entries) // 4], args.producers, 1)
        await client.delete(STREAM)
        appended = await _append(client, entries, args.producers, 20)
        aggregator = Aggregator(client, store, "bench-consumer")
        await aggregator.ensure_group()
        started = time.perf_counter()
        read = 0
        while n := await aggregator.step():
            read += n
        drained = time.perf_counter() - started
    finally:
        await client.aclose()
        await store.close()
        with connect() as conn:
            lifecycle.stop(conn, experiment, lambda e: {})
            lifecycle.conclude(conn, experiment)
    clicks = len(entries) - args.lists
    print(
        f"capacity: {args.lists:,} lists of 20 titles + {clicks:,} clicks, one experiment; "
        f"machine load average {os.getloadavg()[0]:.1f}\n"
        f"  XADD, {args.producers} producers: {args.lists / 4 / one_by_one:,.0f} lists/s one "
        f"round trip each (a quarter of them), {args.lists / appended:,.0f} lists/s 20 per "
        f"entry ({len(entries) / appended:,.0f} entries/s)\n"
        f"  one Aggregator draining {read:,} stream entries (Redis + graph flushes): "
        f"{args.lists / drained:,.0f} lists/s ({drained:.1f} s)"
    )


def _one_run(
    args: argparse.Namespace, redis_url: str, users: list[str], logging: bool
) -> dict[str, float]:
    # A long cache TTL: every request of the paced stage is a hit (filling takes a while).
    env = {**os.environ, "GRAPHREC_SERVED_LOG": "1" if logging else "0"}
    env["GRAPHREC_API_CACHE_TTL"] = "900"
    rc = redis.Redis.from_url(redis_url)
    try:
        with api_server(redis_url, workers=args.workers, env=env) as server:
            paths = [f"/v1/recommendations?user_id={u}" for u in users]
            with httpx.Client(base_url=server.base, headers=headers(), timeout=60) as client:
                for path in paths:  # fill the cache: the paced stage is all hits
                    client.get(path)
            if logging:
                log_settled(rc)
            before = rc.xlen(STREAM) if logging else 0
            run = _paced(
                server.base,
                paths,
                rate=args.rate,
                connections=args.connections,
                duration=args.duration,
                nonce=False,
            )
            run["logged"] = (rc.xlen(STREAM) - before) if logging else 0
            run["settle"] = log_settled(rc) if logging else 0.0
    finally:
        rc.close()
        _empty_redis(redis_url)
    return run


def _p99(args: argparse.Namespace, redis_url: str) -> None:
    with connect() as conn:
        users, _ = sample_ids(conn, args.users)
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    print(
        f"p99: cached home feeds of {len(users)} users at ~{args.rate:g} req/s, "
        f"{args.connections} connections, {args.duration} s per run, {args.workers} workers, "
        f"log on/off alternating; machine load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for i in range(args.runs * 2):
        logging = i % 2 == 0
        r = _one_run(args, redis_url, users, logging)
        runs[logging].append(r)
        print(
            f"  log {'on ' if logging else 'off'}: {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, "
            f"p99 {r['p99']:.2f} ms, errors {r['errors']:.0f}"
            + (
                f"; {r['logged']:.0f} stream entries (batches of lists) logged, counted "
                f"{r['settle']:.1f} s after the run"
                if logging
                else ""
            ),
            flush=True,
        )
    med = {
        k: {f: statistics.median(r[f] for r in v) for f in ("rps", "p50", "p99")}
        for k, v in runs.items()
    }
    on, off = med[True], med[False]
    print(
        f"medians: log on {on['rps']:.0f} req/s p50 {on['p50']:.2f} p99 {on['p99']:.2f} ms; "
        f"off {off['rps']:.0f} req/s p50 {off['p50']:.2f} p99 {off['p99']:.2f} ms; "
        f"p99 on/off {on['p99'] / off['p99']:.2f}x (target ≤ 1.10x)"
    )


def main() -> None:
    """Run the chosen parts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", nargs="?", default="both", choices=["capacity", "p99", "both"])
    parser.add_argument("--lists", type=int, default=20_000)
    parser.add_argument("--clicks-per-list", type=float, default=1.0)
    parser.add_argument("--producers", type=int, default=32)
    parser.add_argument("--rate", type=float, default=1_000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3, help="runs with the log on, and off")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=13)
    args = parser.parse_args()
    redis_url = _bench_redis_url(args.redis_db)
    _empty_redis(redis_url)
    try:
        if args.part in ("capacity", "both"):
            asyncio.run(_capacity(args, redis_url))
        if args.part in ("p99", "both"):
            _p99(args, redis_url)
    finally:
        _empty_redis(redis_url)


if __name__ == "__main__":
    main()
