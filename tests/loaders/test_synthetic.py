"""The synthetic generator: deterministic, streamable, and with structure a model can learn."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np

from graph.dataset import INTERACTION_TYPES, Dataset
from loaders import SyntheticStream, generate


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert generate(200, 80, seed=1) == generate(200, 80, seed=1)
    assert generate(200, 80, seed=1).interactions != generate(200, 80, seed=2).interactions


def test_every_type_ids_times_sessions_and_completion() -> None:
    data = generate(300, 100, seed=3)
    assert len(data.users) == 300 and len(data.titles) == 100
    assert set(Counter(i.type for i in data.interactions)) == set(INTERACTION_TYPES)
    users, titles = {u.user_id for u in data.users}, {t.title_id for t in data.titles}
    assert all(i.user_id in users and i.title_id in titles for i in data.interactions)
    views = [i for i in data.interactions if i.type == "view"]
    assert all(0 <= (v.completion or 0) <= 1 and v.session_id for v in views)
    assert all((i.timestamp or 0) >= 1_704_067_200 - 3_600 for i in data.interactions)
    keys = [(i.user_id, i.title_id, i.type) for i in data.interactions]
    assert len(keys) == len(set(keys))
    people = {p.person_id for p in data.people}
    assert all(set(t.cast) <= people and set(t.directors) <= people for t in data.titles)
    assert all(t.genres and t.keywords for t in data.titles)


def test_stream_is_reiterable_and_scales_without_materialising() -> None:
    stream = SyntheticStream(1_000_000, 2_000, seed=9)
    first = list(itertools.islice(stream.interactions(), 500))
    assert first == list(itertools.islice(stream.interactions(), 500))
    assert stream.sizes()["users"] == 1_000_000
    assert sum(1 for _ in itertools.islice(stream.users(), 5_000)) == 5_000


def test_popularity_is_long_tailed() -> None:
    data = generate(1_000, 400, seed=4)
    counts = sorted(Counter(i.title_id for i in data.interactions).values(), reverse=True)
    top = sum(counts[: len(counts) // 10])
    assert top / sum(counts) > 0.3  # the top 10% of titles take far more than 10% of activity


def _taste(data: Dataset) -> dict[str, Counter[str]]:
    genres = {t.title_id: t.genres for t in data.titles}
    taste: dict[str, Counter[str]] = defaultdict(Counter)
    for i in data.interactions:
        taste[i.user_id].update(genres[i.title_id])
    return taste


def test_friends_share_tastes_more_than_strangers() -> None:
    data = generate(800, 300, seed=6)
    taste = _taste(data)

    def top(u: str) -> str:
        return taste[u].most_common(1)[0][0]

    friends = np.mean([top(f.user_id) == top(f.friend_id) for f in data.friendships])
    rng = np.random.default_rng(0)
    ids = [u.user_id for u in data.users]
    strangers = np.mean([top(a) == top(b) for a, b in rng.choice(ids, (2_000, 2))])
    assert friends > strangers + 0.15


def test_item_cooccurrence_beats_popularity() -> None:
    data = generate(1_000, 300, seed=8)
    users = {u.user_id: k for k, u in enumerate(data.users)}
    titles = {t.title_id: k for k, t in enumerate(data.titles)}
    matrix = np.zeros((len(users), len(titles)))
    for i in data.interactions:
        if i.type != "dislike":
            matrix[users[i.user_id], titles[i.title_id]] = 1.0
    rng = np.random.default_rng(0)
    test = (rng.random(matrix.shape) < 0.2) & (matrix > 0)
    train = matrix * ~test
    popularity = train.sum(axis=0)
    norms = np.sqrt(train.sum(axis=0)) + 1e-9
    similarity = (train.T @ train) / np.outer(norms, norms)
    np.fill_diagonal(similarity, 0.0)
    scores = train @ similarity

    def recall(score: np.ndarray) -> float:
        hits = []
        for u in np.flatnonzero(test.sum(axis=1)):
            ranked = np.argsort(-np.where(train[u] > 0, -np.inf, score[u]))[:10]
            hits.append(test[u, ranked].sum() / min(10, test[u].sum()))
        return float(np.mean(hits))

    pop_recall = recall(np.broadcast_to(popularity, matrix.shape))
    model_recall = recall(scores)
    assert model_recall > 1.5 * pop_recall, (model_recall, pop_recall)
