"""The report's statistics against hand computations (formulas written out independently)."""

from __future__ import annotations

import math

import pytest

from learning import stats
from learning.assignment import BUCKETS, bucket, in_rollout, pick


def _normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def test_two_proportion_matches_the_pooled_z_test_by_hand() -> None:
    # control 100 / 1000, treatment 130 / 1000: pooled 0.115
    se = math.sqrt(0.115 * 0.885 * (1 / 1000 + 1 / 1000))
    z = 0.03 / se
    result = stats.two_proportion(100, 1000, 130, 1000)
    assert result.difference == pytest.approx(0.03)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(_normal_two_sided_p(z))
    assert 0.03 < result.p_value < 0.04


def test_two_proportion_without_variance_or_data_decides_nothing() -> None:
    assert stats.two_proportion(0, 0, 5, 10).p_value == 1.0
    assert stats.two_proportion(0, 100, 0, 100).p_value == 1.0


def test_wilson_interval_of_10_in_100() -> None:
    low, high = stats.wilson(10, 100)
    assert low == pytest.approx(0.0552, abs=5e-4)
    assert high == pytest.approx(0.1744, abs=5e-4)
    assert stats.wilson(0, 0) == (0.0, 1.0)
    assert stats.wilson(0, 50).low == pytest.approx(0.0, abs=1e-12)


def test_sample_ratio_check_flags_a_skew_and_passes_an_even_split() -> None:
    assert stats.sample_ratio_p([5000, 5000], [50, 50]) == pytest.approx(1.0)
    # chi2 = 2 * 200^2 / 5000 = 16 on 1 degree of freedom
    assert stats.sample_ratio_p([5200, 4800], [50, 50]) == pytest.approx(_normal_two_sided_p(4.0))
    assert stats.sample_ratio_p([5200, 4800], [50, 50]) < stats.SRM_ALPHA
    assert stats.sample_ratio_p([900, 100], [90, 10]) == pytest.approx(1.0)


def test_required_sample_and_mde_agree() -> None:
    n = stats.required_per_arm(0.10, 0.10)
    assert 14_000 < n < 15_500  # the textbook figure for 10 % → 11 % is about 14,750
    # with that sample per arm, the detectable difference is about the 1 point asked for
    assert stats.mde(0.10, n, n) == pytest.approx(0.01, rel=0.06)
    assert stats.mde(0.10, 0, n) == math.inf
    with pytest.raises(ValueError):
        stats.required_per_arm(0.0, 0.1)


def test_assignment_is_deterministic_and_honours_shares() -> None:
    shares = [("control", 90.0), ("a", 5.0), ("b", 5.0)]
    users = [f"u{i}" for i in range(20_000)]
    first = [pick(u, "exp1", shares) for u in users]
    assert first == [pick(u, "exp1", shares) for u in users]
    for name, percent in shares:
        observed = 100 * first.count(name) / len(users)
        assert abs(observed - percent) < 1.0, (name, observed)
    # another experiment shuffles users independently of the first
    other = [pick(u, "exp2", shares) for u in users]
    in_a = [o for f, o in zip(first, other, strict=True) if f == "a"]
    assert 80 < 100 * in_a.count("control") / len(in_a) < 97


def test_a_rollout_raised_keeps_its_first_users() -> None:
    users = [f"user-{i}" for i in range(5_000)]
    five = {u for u in users if in_rollout(u, "graphsage", 5)}
    twenty_five = {u for u in users if in_rollout(u, "graphsage", 25)}
    assert five <= twenty_five
    assert 3.5 < 100 * len(five) / len(users) < 6.5
    assert not any(in_rollout(u, "graphsage", 0) for u in users)
    assert all(in_rollout(u, "graphsage", 100) for u in users)
    assert all(0 <= bucket(u, "x") < BUCKETS for u in users[:100])
