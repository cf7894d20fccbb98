"""Bulk-load benchmark: synthetic interactions through Neo4j's import tool, end to end.

Usage (dev instance env vars set; the whole database of that instance is REPLACED)::

    nice -n 10 .venv/bin/python bench/bulk_load.py --interactions 1000000
    nice -n 10 .venv/bin/python bench/bulk_load.py            # 10,000,000 (the issue's size)

What it times, from a running local server to a database answering with its constraints and
indexes online (``graphrec.bulkload.bulk_import``): generating the synthetic records and
writing the CSV files; stopping the server, the import tool, starting the server; creating the
constraints and indexes. It prints interactions/s end to end and per step, the peak RSS of this
process (``VmHWM``: generation, CSV writing, popularity) and of the import tool's JVM, and the
graph counts. Targets (issue 25): >= 100,000 interactions/s end to end, peak RSS <= 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from graphrec.bulkload import bulk_import
from loaders.synthetic import SyntheticStream

#: Interaction records per (user, draw): likes, lists and shares on top of the views and ratings,
#: less the repeated titles merged per user (as bench/load.py measured).
_PER_DRAW = 1.06


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Replace the dev database by ``args.interactions`` synthetic interactions; measure."""
    users = args.users or max(100, round(args.interactions / (args.per_user * _PER_DRAW)))
    stream = SyntheticStream(
        users,
        args.titles,
        args.seed,
        interactions_per_user=args.per_user,
        friends_per_user=args.friends_per_user,
        name="bench-bulk",
    )
    last = [time.perf_counter()]

    def echo(line: str) -> None:
        now = time.perf_counter()
        print(f"[{now - last[0]:7.1f} s] {line}", flush=True)
        last[0] = now

    def progress(phase: str, n: int, total: int | None) -> None:
        del phase, n, total

    started = time.perf_counter()
    outcome = bulk_import(stream, overwrite=True, progress=progress, echo=echo)
    total = time.perf_counter() - started
    counts = outcome.result.counts
    interactions = counts.total_interactions
    return {
        "interactions": interactions,
        "users": counts.users,
        "titles": counts.titles,
        "friendships": counts.friendships,
        "total_s": round(total, 1),
        "csv_s": round(outcome.csv_seconds, 1),
        "import_s": round(outcome.import_seconds, 1),
        "schema_s": round(outcome.schema_seconds, 1),
        "interactions_per_s": round(interactions / total),
        "csv_interactions_per_s": round(interactions / outcome.csv_seconds),
        "import_interactions_per_s": round(interactions / outcome.import_seconds),
        "peak_rss_mib": round(_peak_rss_mib()),
        "tool_peak_rss_mib": round(outcome.tool_peak_rss_bytes / 2**20),
        "graph": outcome.result.graph,
    }


def main() -> None:
    """Parse the arguments, run once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=0, help="default: from --interactions")
    parser.add_argument("--titles", type=int, default=50_000)
    parser.add_argument("--per-user", type=float, default=20.0)
    parser.add_argument("--friends-per-user", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON line only")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['interactions']:,} interactions ({result['users']:,} users, "
        f"{result['titles']:,} titles, {result['friendships']:,} friendships) in "
        f"{result['total_s']} s: {result['interactions_per_s']:,} interactions/s end to end "
        f"(target >= 100,000)"
    )
    print(
        f"  generate + CSV {result['csv_s']} s ({result['csv_interactions_per_s']:,}/s), "
        f"stop + import + start {result['import_s']} s "
        f"({result['import_interactions_per_s']:,}/s), constraints {result['schema_s']} s"
    )
    print(
        f"  peak RSS: this process {result['peak_rss_mib']:,} MiB, import tool "
        f"{result['tool_peak_rss_mib']:,} MiB (target <= 2,048 MiB)"
    )
    print(f"  graph: {json.dumps(result['graph'])}")


if __name__ == "__main__":
    main()
