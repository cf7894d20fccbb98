"""Statistics of an A/B report: intervals, the two-proportion test, sample ratio, power.

Every function is pure and takes counts, so the report can be checked by hand. Conventions:
two-sided tests, ``alpha = 0.05``, power 0.8 for the minimum detectable effect.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from scipy import stats

__all__ = [
    "ALPHA",
    "POWER",
    "SRM_ALPHA",
    "Interval",
    "TwoProportion",
    "mde",
    "required_per_arm",
    "sample_ratio_p",
    "two_proportion",
    "wilson",
]

ALPHA = 0.05
POWER = 0.8
#: A sample-ratio mismatch is flagged below this p-value (a strict level: the check runs on every
#: report, and a false alarm stops a healthy experiment).
SRM_ALPHA = 0.001


class Interval(NamedTuple):
    """A confidence interval."""

    low: float
    high: float


def _z(two_sided_alpha: float) -> float:
    return float(stats.norm.ppf(1 - two_sided_alpha / 2))


def wilson(successes: int, trials: int, alpha: float = ALPHA) -> Interval:
    """Wilson score interval of a proportion (well-behaved near 0 and for small samples)."""
    if trials <= 0:
        return Interval(0.0, 1.0)
    z = _z(alpha)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


class TwoProportion(NamedTuple):
    """Treatment minus control: the difference of rates, its z statistic and p-value."""

    difference: float
    z: float
    p_value: float


def two_proportion(
    control_successes: int, control_trials: int, treat_successes: int, treat_trials: int
) -> TwoProportion:
    """Two-sided pooled z-test of ``p_treatment - p_control``.

    Returns ``p_value = 1`` when either arm is empty or the pooled rate is 0 or 1 (no variance:
    nothing can be told apart).
    """
    if control_trials <= 0 or treat_trials <= 0:
        return TwoProportion(0.0, 0.0, 1.0)
    p_c = control_successes / control_trials
    p_t = treat_successes / treat_trials
    pooled = (control_successes + treat_successes) / (control_trials + treat_trials)
    var = pooled * (1 - pooled) * (1 / control_trials + 1 / treat_trials)
    if var <= 0:
        return TwoProportion(p_t - p_c, 0.0, 1.0)
    z = (p_t - p_c) / math.sqrt(var)
    return TwoProportion(p_t - p_c, z, float(2 * stats.norm.sf(abs(z))))


def sample_ratio_p(observed: list[int], shares: list[float]) -> float:
    """Chi-square goodness-of-fit p-value of observed counts against the configured shares.

    ``shares`` are percentages or fractions (normalised here). Returns 1.0 with fewer than two
    arms or no observations.
    """
    total = sum(observed)
    weight = sum(shares)
    if len(observed) < 2 or total == 0 or weight <= 0:
        return 1.0
    expected = [total * s / weight for s in shares]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    return float(stats.chi2.sf(chi2, len(observed) - 1))


def mde(
    base_rate: float, control_n: int, treat_n: int, alpha: float = ALPHA, power: float = POWER
) -> float:
    """Smallest absolute difference the current sample detects with ``power`` (``inf`` if none)."""
    if control_n <= 0 or treat_n <= 0 or not 0 < base_rate < 1:
        return math.inf
    spread = _z(alpha) + float(stats.norm.ppf(power))
    return spread * math.sqrt(base_rate * (1 - base_rate) * (1 / control_n + 1 / treat_n))


def required_per_arm(
    base_rate: float, relative_uplift: float, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Trials per arm (equal arms) to detect ``base_rate * (1 + relative_uplift)``."""
    treat = base_rate * (1 + relative_uplift)
    if not 0 < base_rate < 1 or not 0 < treat < 1 or relative_uplift == 0:
        raise ValueError("base_rate and the uplifted rate must lie in (0, 1), uplift non-zero")
    spread = _z(alpha) + float(stats.norm.ppf(power))
    variance = base_rate * (1 - base_rate) + treat * (1 - treat)
    return math.ceil(spread * spread * variance / (treat - base_rate) ** 2)
