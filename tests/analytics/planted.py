"""A graph with planted communities, made in code: groups of friends who watch their group's
titles."""

from __future__ import annotations

import random

from graph.dataset import Dataset, Friendship, Interaction, Title, User

GENRES = ("Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi")


#: Friendship probability inside a group and across groups; titles each user watches in the
#: own group, and the probability of liking one title of each other group.
P_IN, P_OUT, WATCHED, NOISE = 0.25, 0.004, 10, 0.1


def planted_dataset(groups: int = 4, users_per_group: int = 40, seed: int = 0) -> Dataset:
    """``groups`` groups of users: friends with probability ``P_IN`` inside the group and
    ``P_OUT`` across; each user watches ``WATCHED`` of the group's 25 titles plus, with
    probability ``NOISE`` each, likes a title of another group. Group ``g``'s titles are in
    genre ``GENRES[g]``; user ``u<g>_<i>`` is named ``Name <g>.<i>``.
    """
    titles_per_group, p_in, p_out, watched, noise = 25, P_IN, P_OUT, WATCHED, NOISE
    rng = random.Random(seed)
    users = [User(user_id=f"u{g}_{i:03d}", name=f"Name {g}.{i}")
             for g in range(groups) for i in range(users_per_group)]  # fmt: skip
    titles = [Title(title_id=f"t{g}_{j:03d}", title=f"Title {g}.{j}",
                    genres=(GENRES[g % len(GENRES)],))
              for g in range(groups) for j in range(titles_per_group)]  # fmt: skip
    friendships = []
    for i, a in enumerate(users):
        for b in users[i + 1 :]:
            same = a.user_id.split("_")[0] == b.user_id.split("_")[0]
            if rng.random() < (p_in if same else p_out):
                friendships.append(Friendship(user_id=a.user_id, friend_id=b.user_id))
    interactions = []
    for u in users:
        g = int(u.user_id[1 : u.user_id.index("_")])
        for j in rng.sample(range(titles_per_group), watched):
            interactions.append(
                Interaction(user_id=u.user_id, title_id=f"t{g}_{j:03d}", type="view",
                            timestamp=1_700_000_000 + j * 3600)
            )  # fmt: skip
        for other in range(groups):
            if other != g and rng.random() < noise:
                j = rng.randrange(titles_per_group)
                interactions.append(
                    Interaction(user_id=u.user_id, title_id=f"t{other}_{j:03d}", type="like")
                )
    return Dataset(name="planted", users=users, titles=titles, friendships=friendships,
                   interactions=interactions)  # fmt: skip


def group_of(node_id: str) -> str:
    """The planted group of ``u<g>_<i>`` or ``t<g>_<j>``."""
    return node_id[1 : node_id.index("_")]
