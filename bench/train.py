"""Training benchmarks: prints figures, asserts nothing.

``python bench/train.py memory [--users 50000 --titles 5000 --per-user 20 --epochs 2]``
    Trains GraphSAGE offline on synthetic data (default 1,000,000 interactions) and prints the
    peak RSS, the graph size and seconds per epoch.

``python bench/train.py neo4j [--epochs N]``
    Runs ``graphrec train``'s pipeline on the graph already loaded in the configured Neo4j
    (``GRAPHREC_*`` environment) without promoting, and prints end-to-end seconds, the phases
    and the write-back rate in edges/s.
"""

from __future__ import annotations

import argparse
import resource
import time

import torch


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def memory(args: argparse.Namespace) -> None:
    """Peak RSS of training on synthetic interactions."""
    from gnn.data import build_graph, records_from_dataset
    from gnn.train import TrainConfig, train_model
    from loaders import generate

    torch.set_num_threads(2)
    t0 = time.perf_counter()
    ds = generate(args.users, args.titles, seed=1, interactions_per_user=args.per_user)
    graph = build_graph(records_from_dataset(ds))
    del ds
    edges = graph.data["user", "rates", "title"].edge_index.shape[1]
    build_s = time.perf_counter() - t0
    users, titles = len(graph.ids["user"]), len(graph.ids["title"])
    print(f"graph: {users:,} users, {titles:,} titles, {edges:,} positive pairs; "
          f"built in {build_s:.1f} s; peak RSS {_rss_gib():.2f} GiB")  # fmt: skip
    cfg = TrainConfig(epochs=args.epochs, user_batch=args.user_batch, seed=0)
    result = train_model(graph, cfg)
    per_epoch = result.seconds / max(len(result.losses), 1)
    print(f"trained {len(result.losses)} epochs: {per_epoch:.1f} s/epoch, losses "
          f"{[round(x, 3) for x in result.losses]}")  # fmt: skip
    print(f"peak RSS {_rss_gib():.2f} GiB")


def neo4j_run(args: argparse.Namespace) -> None:
    """End-to-end training on the graph in Neo4j."""
    from gnn.pipeline import train_and_register
    from gnn.train import TrainConfig
    from graph.connection import connect

    cfg = TrainConfig(epochs=args.epochs)
    t0 = time.perf_counter()
    with connect() as conn:
        report = train_and_register(conn, cfg, promote=args.promote)
    total = time.perf_counter() - t0
    m = report.metrics
    print(f"{report.model_id}: end to end {total:.1f} s (export {m['export_seconds']} s, "
          f"train {m['train_seconds']} s, write {m['write_seconds']} s)")  # fmt: skip
    edges = m["similar_to_edges"] + m["similar_user_edges"]
    print(f"write-back: {edges:,} edges at {m['edges_per_second']:,} edges/s")
    print(f"valid: {m}")
    print(f"peak RSS {_rss_gib():.2f} GiB")


def main() -> None:
    """Parse the arguments and run one benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    mem = sub.add_parser("memory")
    mem.add_argument("--users", type=int, default=50_000)
    mem.add_argument("--titles", type=int, default=5_000)
    mem.add_argument("--per-user", type=float, default=20.0)
    mem.add_argument("--epochs", type=int, default=2)
    mem.add_argument("--user-batch", type=int, default=2048)
    neo = sub.add_parser("neo4j")
    neo.add_argument("--epochs", type=int, default=300)
    neo.add_argument("--promote", action="store_true")
    args = parser.parse_args()
    (memory if args.bench == "memory" else neo4j_run)(args)


if __name__ == "__main__":
    main()
