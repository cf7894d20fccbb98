"""Deterministic synthetic viewing data with structure a recommender can learn.

Every user has a latent taste: a sparse mixture over ``tastes`` clusters. Each title belongs to
one cluster, which decides its genres, keywords, cast and director. Users watch mostly titles of
their clusters, picked by a long-tailed (Zipf) popularity, plus some exploration of globally
popular titles; they befriend mostly users sharing their dominant taste (homophily). Every
interaction type appears, with times over one year, sessions and completion rates.

Users are generated in fixed chunks from ``(seed, chunk)``-seeded generators, so the records
are identical on every pass and a 1,000,000-user stream never sits in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np

from graph.dataset import Dataset, Friendship, Interaction, Person, Title, User

__all__ = ["SyntheticStream", "generate"]

_CHUNK = 2_000
_START = 1_704_067_200  # 2024-01-01T00:00:00Z
_WINDOW = 365 * 86_400


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GENRES = _words(
    "Action Adventure Animation Comedy Crime Documentary Drama Family Fantasy History "
    "Horror Music Mystery Romance Sci-Fi Thriller War Western"
)
_WORDS = _words(
    "heist space romance dragon detective robot zombie pirate wizard spy samurai "
    "cowboy alien vampire ghost family school sports music war courtroom kingdom "
    "island desert ocean city forest mountain prison hospital circus castle future "
    "past revenge friendship betrayal survival escape mystery rescue journey dream "
    "memory secret treasure storm winter summer night festival wedding road train "
    "ship planet empire rebel legend"
)
_PLATFORMS = ("Netflix", "Prime Video", "Disney+", "Max", "Apple TV+", "Hulu")
_FIRST = _words(
    "Ada Ben Cleo Dev Eli Fay Gus Hana Ivo Jade Kai Lena Milo Nia Omar Pia Rui Sol Tess Uma"
)
_LAST = _words("Stone Reyes Novak Park Silva Moreau Kato Berg Hale Ito Lund Costa Vale Ward Yilmaz")
_ADJ = _words("Silent Hidden Last Broken Golden Crimson Endless Quiet Wild Lost Burning Frozen")


def _noun(i: int) -> str:
    return _WORDS[i % len(_WORDS)].title()


class SyntheticStream:
    """Streams of a synthetic dataset; see :func:`generate` for the parameters."""

    def __init__(
        self,
        users: int = 2_000,
        titles: int = 1_000,
        seed: int = 42,
        *,
        interactions_per_user: float = 20.0,
        friends_per_user: float = 6.0,
        tastes: int = 12,
        id_prefix: str = "",
        name: str = "synthetic",
    ) -> None:
        if users < 1 or titles < tastes:
            raise ValueError(
                f"need users >= 1 and titles >= tastes ({tastes}); got {users}, {titles}"
            )
        self.n_users, self.n_titles, self.seed = users, titles, seed
        self.per_user, self.friends_per_user, self.k = (
            interactions_per_user,
            friends_per_user,
            tastes,
        )
        self.prefix, self.name = id_prefix, name
        self.n_people = max(2 * tastes, titles // 2)

    # --- shared latent structure -------------------------------------------------------
    @cached_property
    def _catalogue(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([self.seed, 0])
        cluster = rng.integers(0, self.k, self.n_titles)
        weight = 1.0 / np.arange(1, self.n_titles + 1) ** 0.9
        weight = weight[rng.permutation(self.n_titles)]
        return {
            "cluster": cluster,
            "weight": weight,
            "person_cluster": rng.integers(0, self.k, self.n_people),
        }

    @cached_property
    def _by_cluster(self) -> list[tuple[np.ndarray, np.ndarray]]:
        cat = self._catalogue
        out = []
        for k in range(self.k):
            members = np.flatnonzero(cat["cluster"] == k)
            cdf = np.cumsum(cat["weight"][members])
            out.append((members, cdf / cdf[-1] if len(cdf) else cdf))
        return out

    def _tastes(self, chunk: int) -> tuple[np.random.Generator, np.ndarray]:
        rng = np.random.default_rng([self.seed, 1, chunk])
        size = min(_CHUNK, self.n_users - chunk * _CHUNK)
        return rng, rng.dirichlet(np.full(self.k, 0.1), size)

    @cached_property
    def _dominant(self) -> np.ndarray:
        chunks = range((self.n_users + _CHUNK - 1) // _CHUNK)
        return np.concatenate([self._tastes(c)[1].argmax(axis=1) for c in chunks]).astype(np.int16)

    def _uid(self, i: int) -> str:
        return f"{self.prefix}u{i}"

    # --- streams -------------------------------------------------------------------------
    def people(self) -> Iterator[Person]:
        """Yield the actors and directors."""
        for p in range(self.n_people):
            name = f"{_FIRST[p % len(_FIRST)]} {_LAST[(p // len(_FIRST)) % len(_LAST)]} {p}"
            yield Person(person_id=f"{self.prefix}p{p}", name=name)

    def titles(self) -> Iterator[Title]:
        """Yield the titles with genres, keywords, cast, director and platforms of their taste."""
        rng = np.random.default_rng([self.seed, 2])
        cat = self._catalogue
        pool = [np.flatnonzero(cat["person_cluster"] == k) for k in range(self.k)]
        for t in range(self.n_titles):
            k = int(cat["cluster"][t])
            genres = {GENRES[k % len(GENRES)], GENRES[(5 * k + 3) % len(GENRES)]}
            if rng.random() < 0.3:
                genres.add(GENRES[int(rng.integers(len(GENRES)))])
            own = [(k * 4 + j) % len(_WORDS) for j in rng.choice(4, 2, replace=False)]
            keywords = dict.fromkeys(
                [*(_WORDS[w] for w in own), _WORDS[int(rng.integers(len(_WORDS)))]]
            )
            local = pool[k] if len(pool[k]) else np.arange(self.n_people)
            cast = [
                *rng.choice(local, min(3, len(local)), replace=False),
                rng.integers(self.n_people),
            ]
            yield Title(
                title_id=f"{self.prefix}t{t}",
                title=f"The {_ADJ[t % len(_ADJ)]} {_noun(t // len(_ADJ))} {t}",
                year=int(1970 + rng.integers(55)),
                kind="show" if rng.random() < 0.2 else "movie",
                genres=tuple(sorted(genres)),
                keywords=tuple(keywords),
                keyword_counts=tuple(int(c) for c in rng.integers(1, 6, len(keywords))),
                cast=tuple(dict.fromkeys(f"{self.prefix}p{int(p)}" for p in cast)),
                directors=(f"{self.prefix}p{int(rng.choice(local))}",),
                platforms=tuple(sorted({_PLATFORMS[int(i)] for i in rng.integers(0, 6, 2)})),
            )

    def users(self) -> Iterator[User]:
        """Yield the users with age and gender."""
        for chunk in range((self.n_users + _CHUNK - 1) // _CHUNK):
            rng = np.random.default_rng([self.seed, 3, chunk])
            size = min(_CHUNK, self.n_users - chunk * _CHUNK)
            ages, genders = rng.integers(16, 75, size).tolist(), rng.integers(0, 2, size).tolist()
            for j in range(size):
                i = chunk * _CHUNK + j
                yield User(
                    user_id=self._uid(i), name=f"User {i}", age=ages[j], gender="FM"[genders[j]]
                )

    def friendships(self) -> Iterator[Friendship]:
        """Yield mutual friendships, mostly between users of the same dominant taste."""
        dom = self._dominant
        members = [np.flatnonzero(dom == k) for k in range(self.k)]
        for chunk in range((self.n_users + _CHUNK - 1) // _CHUNK):
            rng = np.random.default_rng([self.seed, 4, chunk])
            for i in range(chunk * _CHUNK, min(self.n_users, (chunk + 1) * _CHUNK)):
                if i == 0:
                    continue
                same = members[dom[i]]
                earlier_same = int(np.searchsorted(same, i))
                picks = set()
                for _ in range(int(rng.poisson(self.friends_per_user / 2))):
                    if earlier_same and rng.random() < 0.8:
                        picks.add(int(same[rng.integers(earlier_same)]))
                    else:
                        picks.add(int(rng.integers(i)))
                since = _START + rng.integers(0, _WINDOW, len(picks))
                for j, when in zip(sorted(picks), since.tolist(), strict=True):
                    yield Friendship(user_id=self._uid(j), friend_id=self._uid(i), since=when)

    def interactions(self) -> Iterator[Interaction]:
        """Yield every user's interactions, grouped by user, ordered by time."""
        cat = self._catalogue
        by_cluster = self._by_cluster
        global_cdf = np.cumsum(cat["weight"]) / cat["weight"].sum()
        for chunk in range((self.n_users + _CHUNK - 1) // _CHUNK):
            rng, theta = self._tastes(chunk)
            counts = np.maximum(1, rng.lognormal(np.log(self.per_user) - 0.245, 0.7, len(theta)))
            for j, taste in enumerate(theta):
                yield from self._user_events(
                    chunk * _CHUNK + j, taste, int(counts[j]), rng, by_cluster, global_cdf
                )

    def _user_events(
        self,
        i: int,
        taste: np.ndarray,
        n: int,
        rng: np.random.Generator,
        by_cluster: list[tuple[np.ndarray, np.ndarray]],
        global_cdf: np.ndarray,
    ) -> Iterator[Interaction]:
        n = min(n, self.n_titles // 2)
        clusters = rng.choice(self.k, n, p=taste)
        explore = rng.random(n) < 0.1
        picks = np.empty(n, dtype=np.int64)
        for idx in range(n):
            members, cdf = by_cluster[int(clusters[idx])]
            if explore[idx] or not len(members):
                picks[idx] = int(np.searchsorted(global_cdf, rng.random()))
            else:
                picks[idx] = int(members[np.searchsorted(cdf, rng.random())])
        titles = np.unique(np.minimum(picks, self.n_titles - 1))
        m = len(titles)
        affinity = taste[self._catalogue["cluster"][titles]] / taste.max()
        when = np.sort(_START + rng.integers(0, _WINDOW, m)).tolist()
        rated = (rng.random(m) < 0.25).tolist()
        rating = np.clip(np.round((1.5 + 3.5 * affinity + rng.normal(0, 0.6, m)) * 2) / 2, 0.5, 5.0)
        completion = np.round(rng.beta(1.5 + 6 * affinity, 2.0), 3).tolist()
        views = (1 + rng.geometric(0.6, m) - 1).tolist()
        extra = rng.random((m, 4))
        uid, aff, rating_l = self._uid(i), affinity.tolist(), rating.tolist()
        session = 0
        for idx, t in enumerate(titles.tolist()):
            tid, at = f"{self.prefix}t{t}", when[idx]
            if idx and at - when[idx - 1] > 4 * 3600:
                session += 1
            if rated[idx]:
                yield Interaction(
                    user_id=uid, title_id=tid, type="rating", value=rating_l[idx], timestamp=at
                )
            else:
                count = views[idx]
                yield Interaction(
                    user_id=uid,
                    title_id=tid,
                    type="view",
                    value=float(count),
                    timestamp=at + (count - 1) * 86_400,
                    first_timestamp=at if count > 1 else None,
                    session_id=f"{uid}-s{session}",
                    completion=completion[idx],
                )
            a, e = aff[idx], extra[idx]
            if e[0] < 0.35 * a:
                yield Interaction(user_id=uid, title_id=tid, type="like", timestamp=at + 60)
            elif e[0] > 1 - 0.08 * (1 - a):
                yield Interaction(user_id=uid, title_id=tid, type="dislike", timestamp=at + 60)
            if e[1] < 0.04 * a:
                yield Interaction(
                    user_id=uid, title_id=tid, type="share", value=1.0, timestamp=at + 120
                )
            if e[2] < 0.05:
                yield Interaction(
                    user_id=uid, title_id=tid, type="add_to_list", timestamp=at - 3_600
                )

    def sizes(self) -> dict[str, int | None]:
        """Return the exact counts of people, titles and users (others are random)."""
        return {
            "people": self.n_people,
            "titles": self.n_titles,
            "users": self.n_users,
            "friendships": int(self.n_users * self.friends_per_user / 2),
            "interactions": int(self.n_users * min(self.per_user, self.n_titles / 2) * 1.2),
        }


def generate(
    users: int = 2_000, titles: int = 1_000, seed: int = 42, **options: float | int | str
) -> Dataset:
    """Generate a synthetic dataset in memory (use :class:`SyntheticStream` for large ones).

    Args:
        users: Number of users (100 to 1,000,000).
        titles: Number of titles.
        seed: Seed: the same arguments give the same dataset.
        **options: ``interactions_per_user`` (mean, 20), ``friends_per_user`` (mean degree, 6),
            ``tastes`` (latent clusters, 12), ``id_prefix`` (''), ``name`` ('synthetic').

    Returns:
        The dataset.
    """
    stream = SyntheticStream(users, titles, seed, **options)  # type: ignore[arg-type]
    return Dataset(
        name=stream.name,
        users=list(stream.users()),
        titles=list(stream.titles()),
        people=list(stream.people()),
        friendships=list(stream.friendships()),
        interactions=list(stream.interactions()),
    )
