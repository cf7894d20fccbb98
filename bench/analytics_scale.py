"""Scale of ``graphrec analyze``: prints figures against the 2-minute target, asserts nothing.

``python bench/analytics_scale.py [--users 50000 --titles 5000 --per-user 20 --friends 6]``
    Loads a synthetic graph of that size into the configured Neo4j (``GRAPHREC_*`` environment;
    skipped when the graph already holds that many users), then runs the whole analysis (read,
    Louvain of users and titles, PageRank, bridging, homophily, batched write-back, activation,
    pruning) and prints its phases, the total against the target and the peak RSS of this
    process. Mean degree 6 on 50,000 users is 150,000 friendships.
"""

from __future__ import annotations

import argparse
import resource
import time

TARGET_SECONDS = 120.0


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    """Load if needed, analyse, print."""
    from analytics import AnalysisConfig, run_analysis
    from graph import schema
    from graph.bulk import write_dataset
    from graph.connection import connect
    from loaders.synthetic import SyntheticStream

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--titles", type=int, default=5_000)
    parser.add_argument("--per-user", type=float, default=20.0)
    parser.add_argument("--friends", type=float, default=6.0, help="mean friends per user")
    args = parser.parse_args()
    with connect() as conn:
        schema.apply_constraints(conn)
        users = next((r["count"] for r in schema.count_graph(conn) if r.get("name") == "User"), 0)
        if users < args.users:
            t0 = time.perf_counter()
            stream = SyntheticStream(
                args.users, args.titles, seed=7, interactions_per_user=args.per_user,
                friends_per_user=args.friends, name="analytics-bench",
            )  # fmt: skip
            counts = write_dataset(conn, stream)
            print(f"loaded {counts.users:,} users, {counts.friendships:,} friendships, "
                  f"{counts.total_interactions:,} interactions in "
                  f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
        phases: dict[str, float] = {}
        t0 = time.perf_counter()

        def phase(name: str, done: int, total: int) -> None:
            phases.setdefault(name, time.perf_counter() - t0)

        report = run_analysis(conn, AnalysisConfig(), phase=phase)
        total = time.perf_counter() - t0
    m = report.metrics
    print(f"analysis {report.version}: {m['users']:,} users with links, {m['links']:,} links, "
          f"{m['positive_pairs']:,} positive pairs, {m['titles']:,} titles")  # fmt: skip
    print("phases (first report, seconds from the start): "
          + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))  # fmt: skip
    print(
        f"read {m['read_seconds']} s, compute {m['compute_seconds']} s, "
        f"write {m['write_seconds']} s; total {total:.1f} s "
        f"({'within' if total <= TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:.0f} s target)"
    )
    print(
        f"{m['user_communities']:,} user communities (modularity {m['modularity']}), "
        f"{m['title_communities']:,} title communities, taste lift {m['taste_lift']}"
    )
    print(f"peak RSS {_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
