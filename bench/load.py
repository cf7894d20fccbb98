"""Loader benchmark: rows/s end to end (parse + write) and peak RSS, on the dev instance.

Usage (dev instance env vars set, ``graphrec services up`` done)::

    python bench/load.py                      # both cases, each in a fresh process
    python bench/load.py --case synthetic --interactions 1000000
    python bench/load.py --case movielens --path ../shared/datasets/ml-latest-small

Each case clears its dataset tag, loads it with ids prefixed by the tag (first load), then
loads it again (idempotent reload) and prints interactions/s for both, the graph counts of the
tag and the peak RSS (VmHWM) of the loading process. The figures go into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import loaders
from graph import schema
from graph.bulk import write_dataset
from graph.connection import connect

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _synthetic_users(interactions: int, per_user: float) -> int:
    # ~1.06 records per draw: likes, lists and shares on top of views and ratings, less
    # the repeated titles merged per user (measured).
    return max(100, round(interactions / (per_user * 1.06)))


def run_case(args: argparse.Namespace) -> dict[str, Any]:
    """Clear, load twice, and measure one case in this process."""
    tag = f"bench-{args.case}"
    out: dict[str, Any] = {
        "case": args.case,
        "batch_size": args.batch_size,
        "workers": args.workers,
    }
    with connect() as conn:
        schema.apply_constraints(conn)
        schema.clear(conn, tag)
        for run in ("first", "reload"):
            started = time.perf_counter()
            if args.case == "synthetic":
                users = _synthetic_users(args.interactions, args.per_user)
                data, _ = loaders.open_source(
                    "synthetic",
                    None,
                    users=users,
                    titles=args.titles,
                    seed=7,
                    interactions_per_user=args.per_user,
                    dataset_tag=tag,
                    id_prefix=f"{tag}:",
                )
            else:
                data, _ = loaders.read_source(
                    "movielens", Path(args.path), dataset_tag=tag, id_prefix=f"{tag}:"
                )
            parsed = time.perf_counter() - started
            counts = write_dataset(
                conn,
                data,
                dataset_tag=tag,
                batch_size=args.batch_size,
                workers=args.workers,
            )
            total = time.perf_counter() - started
            out[run] = {
                "interactions": counts.total_interactions,
                "parse_s": round(parsed, 2),
                "total_s": round(total, 2),
                "interactions_per_s": round(counts.total_interactions / total),
                "rows_per_s": round(
                    (
                        counts.total_interactions
                        + counts.users
                        + counts.titles
                        + counts.people
                        + counts.friendships
                        + counts.trusts
                    )
                    / total
                ),
            }
        out["graph"] = schema.count_dataset(conn, tag)
        if not args.keep:
            schema.clear(conn, tag)
    out["peak_rss_mib"] = round(_peak_rss_mib(), 1)
    return out


def main() -> None:
    """Run the requested case here, or every case in a fresh process each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["movielens", "synthetic"])
    parser.add_argument("--path", default=str(ROOT.parent / "shared/datasets/ml-latest-small"))
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--per-user", type=float, default=20.0)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the loaded data afterwards")
    parser.add_argument("--json", action="store_true", help="print one JSON line (used internally)")
    args = parser.parse_args()
    if args.case:
        result = run_case(args)
        print(json.dumps(result) if args.json else json.dumps(result, indent=2))
        return
    for case in ("movielens", "synthetic"):
        cmd = [sys.executable, __file__, "--case", case, "--json", *sys.argv[1:]]
        line = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
        r = json.loads(line.splitlines()[-1])
        for run in ("first", "reload"):
            f = r[run]
            print(
                f"{case:<10} {run:<7} {f['interactions']:>10,} interactions "
                f"{f['total_s']:>7.2f} s (parse {f['parse_s']:.2f} s) "
                f"{f['interactions_per_s']:>8,} interactions/s {f['rows_per_s']:>8,} rows/s"
            )
        print(f"{case:<10} peak RSS {r['peak_rss_mib']:,.0f} MiB; graph {r['graph']}")


if __name__ == "__main__":
    main()
