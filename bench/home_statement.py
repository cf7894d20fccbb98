"""Where the home feed's graph statement spends Neo4j's CPU: prints figures, asserts nothing.

Runs ``get_home_candidates`` sequentially through the driver for the sampled users, with no
source, each source alone and all of them, plus a statement that reads nothing (the fixed cost
of a statement), in alternated rounds, and prints per statement the median over the rounds of
Neo4j's CPU (``/proc``, the local server only) and of the wall time, in ms.

    python bench/home_statement.py [--users 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cypher
from graph.driver import driver
from graph.localserver import neo4j_server
from graph.recommendations import HOME_ANCHORS, Filters, ModelInfo, home_params, per_source
from graph.settings import get_settings

SOURCES = ("similar", "social", "vector", "popular")


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = get_settings()
    pid = None if settings.neo4j_external else neo4j_server.status(settings).pid
    home = cypher.load("get_home_candidates")
    with driver(settings) as drv:
        db = settings.neo4j_database
        users = [
            r["user_id"]
            for r in drv.execute_query(
                cypher.load("get_sample_users"), limit=args.users, database_=db
            ).records
        ]
        if not users:
            sys.exit("no users with history in the graph: load a dataset first")
        found = drv.execute_query(
            cypher.load("get_promoted_model"), name="graphsage", database_=db
        ).records
        indexes = drv.execute_query(cypher.load("get_vector_indexes"), database_=db).records
        model = ModelInfo(
            version=found[0]["version"] if found else None,
            vector_index=bool(indexes) and "title_embedding" in indexes[0]["names"],
        )
        k = per_source(20)
        variants: dict[str, tuple[str, frozenset[str]]] = {
            "statement reading nothing": ("RETURN $user_id AS u", frozenset()),
            "no source (history, anchors)": (home, frozenset()),
            **{f"{name} alone": (home, frozenset({name})) for name in SOURCES},
            "all sources (the home feed)": (home, frozenset(SOURCES)),
        }
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        wall: dict[str, list[float]] = {name: [] for name in variants}
        with drv.session(database=db, notifications_min_severity="OFF") as session:
            for rnd in range(args.rounds + 1):
                for name, (query, sources) in variants.items():
                    c0, t0 = _cpu_seconds(pid), time.perf_counter()
                    for user in users:
                        params = home_params(user, model, sources, k, HOME_ANCHORS, Filters())
                        session.run(query, params).consume()
                    if rnd:  # the first round warms the JIT and page cache
                        cpu[name].append((_cpu_seconds(pid) - c0) * 1000 / len(users))
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
