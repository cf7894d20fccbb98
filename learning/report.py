"""An experiment's report: per variant CTR with intervals, uplift and its p-value, SRM, MDE.

The first variant is the control. CTR is clicks per impression (a shown title), conversion is
conversions per impression, engagement the positive interaction weight per impression. Every
treatment is tested against the control with the two-proportion test; the report says plainly
when the sample cannot decide yet.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import msgspec

from graph import experiments as store
from graph import served
from learning import stats

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["DailyPoint", "ExperimentReport", "VariantReport", "build", "format_report"]

#: Below this many clicks in an arm, no verdict is given whatever the p-value.
MIN_CLICKS = 30


class DailyPoint(msgspec.Struct, frozen=True, kw_only=True):
    """One day of one variant."""

    day: str
    impressions: int
    clicks: int
    ctr: float
    ctr_low: float
    ctr_high: float


class VariantReport(msgspec.Struct, frozen=True, kw_only=True):
    """One variant's totals and its comparison with the control."""

    name: str
    traffic_percent: float
    users: int
    impressions: int
    clicks: int
    conversions: int
    ctr: float
    ctr_low: float
    ctr_high: float
    conversion_rate: float
    engagement_per_impression: float
    uplift: float | None = None
    p_value: float | None = None
    daily: list[DailyPoint] = msgspec.field(default_factory=list)


class ExperimentReport(msgspec.Struct, frozen=True, kw_only=True):
    """The whole report; ``verdict`` is the sentence to read first."""

    experiment: str
    status: str
    variants: list[VariantReport]
    srm_p_value: float
    srm: bool
    mde_relative: float | None
    switched_users: int
    verdict: str


def _variant(name: str, share: float, users: int, rows: list[served.Counts]) -> VariantReport:
    impressions = sum(r.impressions for r in rows)
    clicks = sum(r.clicks for r in rows)
    conversions = sum(r.conversions for r in rows)
    low, high = stats.wilson(clicks, impressions)
    daily = [
        DailyPoint(
            day=r.day,
            impressions=r.impressions,
            clicks=r.clicks,
            ctr=r.clicks / r.impressions if r.impressions else 0.0,
            ctr_low=stats.wilson(r.clicks, r.impressions).low,
            ctr_high=stats.wilson(r.clicks, r.impressions).high,
        )
        for r in rows
    ]
    return VariantReport(
        name=name,
        traffic_percent=share,
        users=users,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        ctr=clicks / impressions if impressions else 0.0,
        ctr_low=low,
        ctr_high=high,
        conversion_rate=conversions / impressions if impressions else 0.0,
        engagement_per_impression=(
            sum(r.engagement for r in rows) / impressions if impressions else 0.0
        ),
        daily=daily,
    )


def _compare(control: VariantReport, other: VariantReport) -> VariantReport:
    test = stats.two_proportion(
        control.clicks, control.impressions, other.clicks, other.impressions
    )
    uplift = test.difference / control.ctr if control.ctr > 0 else None
    return msgspec.structs.replace(other, uplift=uplift, p_value=test.p_value)


def _verdict(variants: list[VariantReport], srm: bool, mde_relative: float | None) -> str:
    control, treatments = variants[0], variants[1:]
    if srm:
        return (
            "sample ratio mismatch: the users per variant do not match the configured shares; "
            "the assignment or the logging is broken, so no result of this report can be trusted"
        )
    if min(v.clicks for v in variants) < MIN_CLICKS:
        return (
            f"too small to decide: an arm has fewer than {MIN_CLICKS} clicks "
            f"({', '.join(f'{v.name} {v.clicks}' for v in variants)})"
        )
    lines = []
    for t in treatments:
        assert t.p_value is not None
        lift = f"{t.uplift:+.1%}" if t.uplift is not None else "n/a"
        if t.p_value < stats.ALPHA:
            better = "better" if (t.uplift or 0) > 0 else "worse"
            lines.append(f"{t.name}: {better} than {control.name} ({lift} CTR, p={t.p_value:.3g})")
        else:
            mde = f"; it could detect {mde_relative:.1%} or more" if mde_relative else ""
            lines.append(
                f"{t.name}: no significant difference ({lift} CTR, p={t.p_value:.3g}){mde}"
            )
    return "; ".join(lines)


def build(conn: Connection, name: str) -> ExperimentReport:
    """Read an experiment's counts from the graph and compute its report.

    Raises:
        NotFoundError: No such experiment.
    """
    experiment = store.get(conn, name)
    users = served.users_per_variant(conn, name)
    by_variant: dict[str, list[served.Counts]] = {}
    for row in served.daily_counts(conn, name):
        by_variant.setdefault(row.variant, []).append(row)
    variants = [
        _variant(
            v.name,
            v.traffic_percent,
            users.get(v.name, 0),
            by_variant.get(v.name, []),
        )
        for v in experiment.variants
    ]
    control = variants[0]
    variants = [control, *(_compare(control, v) for v in variants[1:])]
    srm_p = stats.sample_ratio_p([v.users for v in variants], [v.traffic_percent for v in variants])
    smallest = min(variants[1:], key=lambda v: v.impressions)
    mde_abs = stats.mde(control.ctr, control.impressions, smallest.impressions)
    mde_relative = mde_abs / control.ctr if control.ctr > 0 and math.isfinite(mde_abs) else None
    srm = srm_p < stats.SRM_ALPHA
    return ExperimentReport(
        experiment=name,
        status=experiment.status,
        variants=variants,
        srm_p_value=srm_p,
        srm=srm,
        mde_relative=mde_relative,
        switched_users=served.switched_users(conn, name),
        verdict=_verdict(variants, srm, mde_relative),
    )


def format_report(report: ExperimentReport) -> str:
    """The report as a text table and its verdict."""
    head = (
        f"{'variant':<14} {'share':>6} {'users':>7} {'impr.':>9} {'clicks':>7} "
        f"{'CTR':>7} {'95% interval':>17} {'conv.':>7} {'engag.':>7} {'uplift':>8} {'p':>7}"
    )
    lines = [f"experiment {report.experiment} ({report.status})", head, "-" * len(head)]
    for v in report.variants:
        uplift = f"{v.uplift:+.1%}" if v.uplift is not None else "control"
        p = f"{v.p_value:.3g}" if v.p_value is not None else ""
        lines.append(
            f"{v.name:<14} {v.traffic_percent:>5g}% {v.users:>7,} {v.impressions:>9,} "
            f"{v.clicks:>7,} {v.ctr:>7.2%} {f'[{v.ctr_low:.2%}, {v.ctr_high:.2%}]':>17} "
            f"{v.conversion_rate:>7.2%} {v.engagement_per_impression:>7.3f} {uplift:>8} {p:>7}"
        )
    mde = f"{report.mde_relative:.1%}" if report.mde_relative is not None else "n/a"
    lines += [
        "",
        f"sample ratio check: p={report.srm_p_value:.3g} ({'MISMATCH' if report.srm else 'ok'}); "
        f"minimum detectable CTR uplift at this sample: {mde}; users in two variants: "
        f"{report.switched_users}",
        f"verdict: {report.verdict}",
    ]
    return "\n".join(lines)
