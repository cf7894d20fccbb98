"""New users for ``graphrec embed --new-users``: a transactional load of users the model never saw.

Usage (dev instance env vars set, a synthetic graph loaded and a model promoted)::

    .venv/bin/python bench/new_users.py 10000 [--titles 50000] [--users 500000]
    time .venv/bin/graphrec embed --new-users

Each new user ``new-u<i>`` watches 5 existing titles ``t<j>`` (drawn by a Zipf popularity, as the
synthetic generator's), likes the first, and befriends 2 existing users ``u<j>``; they are written
through the transactional loader (``graph.bulk.write_dataset``), as any later load would be. It
prints the load's time; the embedding is timed on the command line.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from graph.bulk import write_dataset
from graph.connection import connect
from graph.dataset import Dataset, Friendship, Interaction, User

_START = 1_735_689_600  # 2025-01-01T00:00:00Z


def new_users(n: int, titles: int, users: int, seed: int = 11) -> Dataset:
    """``n`` new users with 5 views, a like and 2 friendships each, over existing ids."""
    rng = np.random.default_rng(seed)
    weight = 1.0 / np.arange(1, titles + 1) ** 0.9
    weight /= weight.sum()
    data = Dataset(name="newusers")
    for i in range(n):
        uid, at = f"new-u{i}", _START + 60 * i
        data.users.append(User(user_id=uid, name=f"New user {i}"))
        picks = rng.choice(titles, 5, replace=False, p=weight).tolist()
        completion = rng.uniform(0.3, 1.0, 5).tolist()
        for j, t in enumerate(picks):
            data.interactions.append(
                Interaction(
                    user_id=uid, title_id=f"t{t}", type="view", value=1.0, timestamp=at + j,
                    completion=completion[j],
                )
            )  # fmt: skip
        data.interactions.append(
            Interaction(user_id=uid, title_id=f"t{picks[0]}", type="like", timestamp=at + 60)
        )
        for friend in rng.integers(0, users, 2).tolist():
            data.friendships.append(Friendship(user_id=uid, friend_id=f"u{friend}", since=at))
    return data


def main() -> None:
    """Parse the arguments, load the new users, print the time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--titles", type=int, default=50_000, help="existing titles t0..")
    parser.add_argument("--users", type=int, default=500_000, help="existing users u0..")
    args = parser.parse_args()
    data = new_users(args.n, args.titles, args.users)
    started = time.perf_counter()
    with connect() as conn:
        counts = write_dataset(conn, data, dataset_tag="newusers")
    seconds = time.perf_counter() - started
    print(
        f"loaded {len(data.users):,} new users, {len(data.interactions):,} interactions and "
        f"{len(data.friendships):,} friendships in {seconds:.1f} s "
        f"({counts.total_interactions / seconds:,.0f} interactions/s)"
    )


if __name__ == "__main__":
    main()
