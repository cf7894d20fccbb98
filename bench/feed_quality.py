"""Held-out quality of the served home feed beside the model's own top-20, EASE's and MostPop's.

Splits a MovieLens ``ratings.csv`` per user in time (the latest 10 % of every user with at
least 10 ratings is held out; held-out ratings of 3.5 and more are the positives), loads the
rest into an *empty* scratch instance, trains and promotes GraphSAGE there, then asks the API's
own feed code for every such user's home feed (``limit`` 20, nothing cached) and scores it. The
held-out ratings are never in the graph, so nothing leaks into the model or the sources.

Beside it: the promoted model's own top-20 (GraphSAGE and its item head, scored from the
promoted artifacts over every title the user has not rated), EASE's top-20 (λ = 100, fitted on
the same positives) and MostPop's, so the ranking stage can be seen to add or to lose.

The served feed is scored twice: ranked by the learned ranker ``graphrec train`` fitted and
kept with the promoted model (when it beat the hand weights on its own temporal split), and by
the hand-set source weights. Variants (learned ranker) rerun the scoring with cheaper settings
of the feed (fewer candidates per source, fewer titles per similar user) by swapping the
module-level values the feed reads, so a latency trade can be weighed against what it costs.

    export GRAPHREC_INSTANCE=feedeval GRAPHREC_NEO4J_BOLT_PORT=7787 \\
        GRAPHREC_NEO4J_HTTP_PORT=7574 GRAPHREC_REDIS_PORT=6479
    .venv/bin/graphrec services up
    .venv/bin/python bench/feed_quality.py ../shared/datasets/ml-latest-small
    .venv/bin/graphrec services down && rm -rf ~/.local/share/graphrec/feedeval
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import csv
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from api import feeds
from api.metrics import Metrics
from api.queries import HomeQuery
from graph import models as registry
from graph import recommendations, schema
from graph.connection import connect
from graph.settings import get_settings
from graph.store import Store

HELD_FRACTION = 0.1
MIN_RATINGS = 10
POSITIVE = 3.5
LIMIT = 20


def split(dataset: Path, out: Path) -> dict[str, set[str]]:
    """Write the training part of ``dataset`` to ``out``; return each user's held-out positives."""
    for name in ("movies.csv", "links.csv", "tags.csv"):
        if (dataset / name).is_file():
            shutil.copy(dataset / name, out / name)
    with (dataset / "ratings.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        by_user: dict[str, list[list[str]]] = collections.defaultdict(list)
        for row in reader:
            by_user[row[0]].append(row)
    held: dict[str, set[str]] = {}
    with (out / "ratings.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for user, rows in by_user.items():
            rows.sort(key=lambda r: (int(r[3]), r[1]))
            n_held = max(1, int(len(rows) * HELD_FRACTION)) if len(rows) >= MIN_RATINGS else 0
            writer.writerows(rows[: len(rows) - n_held])
            positives = {r[1] for r in rows[len(rows) - n_held :] if float(r[2]) >= POSITIVE}
            if positives:
                held[user] = positives
    return held


def most_popular(train: Path, held: dict[str, set[str]]) -> dict[str, list[str]]:
    """The MostPop baseline: the most rated titles the user has not rated, per user."""
    counts: collections.Counter[str] = collections.Counter()
    seen: dict[str, set[str]] = collections.defaultdict(set)
    with (train / "ratings.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            counts[row["movieId"]] += 1
            seen[row["userId"]].add(row["movieId"])
    order = [title for title, _ in counts.most_common()]
    out = {}
    for user in held:
        out[user] = [t for t in order if t not in seen[user]][:LIMIT]
    return out


def model_feeds(held: dict[str, set[str]], train: Path) -> dict[str, dict[str, list[str]]]:
    """The promoted model's and EASE's top-``LIMIT`` of every held-out user, rated titles out."""
    import numpy as np
    import scipy.sparse as sp
    import torch

    from gnn import artifacts
    from gnn.head import EaseGram
    from gnn.promotion import promoted_scorer
    from gnn.protocol import Split

    with connect() as conn:
        record = registry.get_promoted(conn, "graphsage")
    assert record is not None, "graphrec train promoted no model"
    art = artifacts.load_artifact(Path(record.artifact_path))
    users, titles = art.graph.ids["user"], art.graph.ids["title"]
    rows, cols = art.graph.data["user", "rates", "title"].edge_index.numpy()
    shape = (len(users), len(titles))
    positives = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    empty = sp.csr_matrix(shape, dtype=np.float32)
    split = Split(users, titles, positives, empty, empty)
    gram = EaseGram(positives)
    ease_b = gram.weights(100.0)
    scorers = {
        "model": promoted_scorer(art, split, art.head),
        "ease": lambda u: gram.scores(ease_b, u, fill=-1e9),
    }
    uindex, tindex = art.graph.index("user"), art.graph.index("title")
    rated: dict[str, set[str]] = collections.defaultdict(set)
    with (train / "ratings.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rated[row["userId"]].add(row["movieId"])
    wanted = [u for u in sorted(held) if u in uindex]
    out: dict[str, dict[str, list[str]]] = {name: {} for name in scorers}
    for name, scorer in scorers.items():
        for lo in range(0, len(wanted), 256):
            batch = wanted[lo : lo + 256]
            scores = scorer(np.asarray([uindex[u] for u in batch])).clone()
            for r, user in enumerate(batch):
                seen = [tindex[t] for t in rated[user] if t in tindex]
                scores[r, torch.tensor(seen, dtype=torch.long)] = -torch.inf
            top = torch.topk(scores, LIMIT, dim=1).indices.tolist()
            for user, idx in zip(batch, top, strict=True):
                out[name][user] = [titles[i] for i in idx]
    return out


def score(feeds_by_user: dict[str, list[str]], held: dict[str, set[str]]) -> dict[str, float]:
    """Mean recall@LIMIT, NDCG@LIMIT (binary gains) and hit rate over the held-out users."""
    recall, ndcg, hits = [], [], 0
    for user, positives in held.items():
        got = [t in positives for t in feeds_by_user.get(user, [])[:LIMIT]]
        recall.append(sum(got) / len(positives))
        dcg = sum(1 / math.log2(i + 2) for i, hit in enumerate(got) if hit)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(positives), LIMIT)))
        ndcg.append(dcg / ideal)
        hits += any(got)
    return {
        "recall": statistics.mean(recall),
        "ndcg": statistics.mean(ndcg),
        "hit_rate": hits / len(held),
    }


async def served_feeds(
    users: list[str], *, learned: bool = True
) -> tuple[dict[str, list[str]], float]:
    """Every user's home feed from the feed code itself; the seconds it took.

    ``learned`` off serves with the hand-set source weights even when the promoted model
    stores a learned ranker.
    """
    store, metrics = Store(get_settings()), Metrics()
    out: dict[str, list[str]] = {}
    try:
        async with store.repositories() as repos:
            model = await repos.recs.model_info()
        if not learned:
            model = msgspec.structs.replace(model, ranker=None)
        start = time.perf_counter()
        for user in users:
            async with store.repositories() as repos:
                ctx = feeds.FeedContext(repos, model, metrics)
                body = await feeds.home_feed(ctx, HomeQuery(user_id=user, limit=LIMIT))
            out[user] = [r.item_id for r in body.recommendations]
        return out, time.perf_counter() - start
    finally:
        await store.close()


def _graphrec(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "graphrec"), *args], check=True)


def main() -> None:
    """Split, load, train, score the served feed and its variants, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("dataset", type=Path, help="a MovieLens directory with ratings.csv")
    args = parser.parse_args()
    if not (args.dataset / "ratings.csv").is_file():
        sys.exit(f"{args.dataset}: no ratings.csv (a MovieLens 'latest' directory is needed)")
    with connect() as conn:
        nodes = sum(row["count"] for row in schema.count_graph(conn))
    if nodes:
        sys.exit(
            f"{conn.settings.neo4j_uri} holds {nodes:,} nodes: point GRAPHREC_INSTANCE (and"
            " its ports) at an empty scratch instance, this script loads and trains there"
        )
    with tempfile.TemporaryDirectory(prefix="feed-quality-") as tmp:
        train = Path(tmp)
        held = split(args.dataset, train)
        print(f"held out: {sum(map(len, held.values())):,} positives of {len(held)} users")
        _graphrec("load", "movielens", str(train))
        _graphrec("train")
        baseline = score(most_popular(train, held), held)
        own = {name: score(got, held) for name, got in model_feeds(held, train).items()}
    per_source: Callable[[int], int] = feeds.per_source
    per_neighbour: int = recommendations.PER_NEIGHBOUR
    variants = {
        "served feed, learned ranker": (per_source, per_neighbour, True),
        "served feed, hand weights": (per_source, per_neighbour, False),
        "  candidates per source = limit": (
            lambda limit: min(200, max(20, limit)), per_neighbour, True,
        ),
        f"  titles per similar user = {per_neighbour // 2}": (
            per_source, per_neighbour // 2, True,
        ),
    }  # fmt: skip
    users = sorted(held)
    with connect() as conn:
        record = registry.get_promoted(conn, "graphsage")
    ranker = record.ranker_metrics if record else {}
    print(f"learned ranker on graphrec train's own temporal split: {ranker or 'not trained'}")
    asyncio.run(served_feeds(users[:50]))  # warm Neo4j before the timed passes
    print(f"{'feed':<40} {'recall@20':>10} {'ndcg@20':>10} {'hit rate':>10} {'ms/user':>8}")
    rows = {
        "MostPop (baseline)": baseline,
        "EASE top-20 (λ 100)": own["ease"],
        "model's own top-20 (GNN + item head)": own["model"],
    }
    for name, m in rows.items():
        print(f"{name:<40} {m['recall']:>10.4f} {m['ndcg']:>10.4f} {m['hit_rate']:>10.3f} {'':>8}")
    for name, (source_k, neighbour_k, learned) in variants.items():
        feeds.per_source = source_k  # type: ignore[assignment]  # the variant under test
        recommendations.PER_NEIGHBOUR = neighbour_k
        got, seconds = asyncio.run(served_feeds(users, learned=learned))
        m = score(got, held)
        print(
            f"{name:<40} {m['recall']:>10.4f} {m['ndcg']:>10.4f} {m['hit_rate']:>10.3f}"
            f" {1000 * seconds / len(users):>8.1f}"
        )


if __name__ == "__main__":
    main()
