"""Shared builders for the GNN tests: tiny clustered datasets made in code."""

from __future__ import annotations

import random

import pytest

from graph.dataset import Dataset, Friendship, Interaction, Person, Title, User


def clustered_dataset(
    clusters: int = 4,
    titles_per_cluster: int = 12,
    users_per_cluster: int = 15,
    per_user: int = 8,
) -> Dataset:
    """Users of cluster ``c`` interact with titles of cluster ``c`` (plus a little noise).

    Titles of cluster ``c`` share genres ``G<c>a, G<c>b``, cast drawn from ``p<c>_0..3`` and
    director ``d<c>``; users of a cluster are friends in a ring.
    """
    rng = random.Random(0)
    people = [
        Person(person_id=f"p{c}_{j}", name=f"Actor {c}.{j}")
        for c in range(clusters)
        for j in range(4)
    ] + [Person(person_id=f"d{c}", name=f"Director {c}") for c in range(clusters)]
    titles, users, inter, friends = [], [], [], []
    for c in range(clusters):
        for j in range(titles_per_cluster):
            titles.append(
                Title(
                    title_id=f"t{c}_{j:02d}",
                    title=f"Title {c}.{j}",
                    genres=(f"G{c}a", f"G{c}b"),
                    cast=tuple(sorted(rng.sample([f"p{c}_{x}" for x in range(4)], 2))),
                    directors=(f"d{c}",),
                    keywords=(f"kw{c}",),
                )
            )
    for c in range(clusters):
        members = [f"u{c}_{j:02d}" for j in range(users_per_cluster)]
        for j, uid in enumerate(members):
            users.append(User(user_id=uid))
            own = rng.sample(range(titles_per_cluster), per_user)
            for t in own:
                kind = rng.choice(["view", "rating", "like"])
                inter.append(
                    Interaction(user_id=uid, title_id=f"t{c}_{t:02d}", type=kind, value=4.0)
                )
            if rng.random() < 0.3:
                other = rng.randrange(clusters)
                inter.append(
                    Interaction(
                        user_id=uid,
                        title_id=f"t{other}_{rng.randrange(titles_per_cluster):02d}",
                        type="view",
                    )
                )
            friends.append(Friendship(user_id=uid, friend_id=members[(j + 1) % len(members)]))
    # one dislike: never a positive
    inter.append(Interaction(user_id="u0_00", title_id="t1_00", type="dislike"))
    return Dataset(
        name="clustered",
        users=users,
        titles=titles,
        people=people,
        friendships=friends,
        interactions=inter,
    )


@pytest.fixture
def clustered() -> Dataset:
    """A small clustered dataset."""
    return clustered_dataset()
