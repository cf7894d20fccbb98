"""Where the home feed's graph statement spends Neo4j's CPU: prints figures, asserts nothing.

Runs ``get_home_candidates`` sequentially through the driver for the sampled users, with no
source, each source alone and all of them, plus a statement that reads nothing (the fixed cost
of a statement), in alternated rounds, and prints per statement the median over the rounds of
Neo4j's CPU (``/proc``, the local server only) and of the wall time, in ms.

    python bench/home_statement.py [--users 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import cypher
from graph.connection import connect
from graph.recommendations import HOME_ANCHORS, Filters, ModelInfo, home_params, per_source
from graph.schema import sample_ids
from graph.settings import Settings, get_settings
from graph.store import Store
from servers import neo4j_server
from servers.process import cpu_seconds

SOURCES = ("similar", "social", "vector", "popular")


def _cpu(pid: int | None) -> float:
    """Neo4j's CPU seconds; 0 when it is not the local server."""
    return cpu_seconds(pid) if pid is not None else 0.0


async def _model_info(settings: Settings) -> ModelInfo:
    """The promoted model as the API sees it."""
    store = Store(settings)
    try:
        async with store.repositories() as repos:
            return await repos.recs.model_info()
    finally:
        await store.close()


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = get_settings()
    pid = None if settings.neo4j_external else neo4j_server.status(settings).pid
    home = cypher.load("get_home_candidates")
    model = asyncio.run(_model_info(settings))
    with connect(settings) as conn:
        db = settings.neo4j_database
        users, _ = sample_ids(conn, args.users)
        if not users:
            sys.exit("no users with history in the graph: load a dataset first")
        k = per_source(20)
        variants: dict[str, tuple[str, frozenset[str]]] = {
            "statement reading nothing": ("RETURN $user_id AS u", frozenset()),
            "no source (history, anchors)": (home, frozenset()),
            **{f"{name} alone": (home, frozenset({name})) for name in SOURCES},
            "all sources (the home feed)": (home, frozenset(SOURCES)),
        }
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        wall: dict[str, list[float]] = {name: [] for name in variants}
        # Raw statements on a plain session: the variants are not all in cypher/.
        with conn.driver.session(database=db, notifications_min_severity="OFF") as session:
            for rnd in range(args.rounds + 1):
                for name, (query, sources) in variants.items():
                    c0, t0 = _cpu(pid), time.perf_counter()
                    for user in users:
                        params = home_params(user, model, sources, k, HOME_ANCHORS, Filters())
                        session.run(query, params).consume()
                    if rnd:  # the first round warms the JIT and page cache
                        cpu[name].append((_cpu(pid) - c0) * 1000 / len(users))
                        wall[name].append((time.perf_counter() - t0) * 1000 / len(users))
    print(
        f"users: {len(users)}, model: {model.version}, {args.rounds} rounds"
        f"{'' if pid else ' (external Neo4j: no CPU figures)'}"
    )
    print(f"{'statement':<32} {'Neo4j CPU ms':>12} {'wall ms':>8}")
    for name in variants:
        print(
            f"{name:<32} {statistics.median(cpu[name]):>12.2f} "
            f"{statistics.median(wall[name]):>8.2f}"
        )


if __name__ == "__main__":
    main()
