"""``--plot``: each variant's daily CTR with its 95 % interval, as a PNG."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from learning.report import ExperimentReport

__all__ = ["plot_daily_ctr"]


def plot_daily_ctr(report: ExperimentReport, path: Path) -> None:
    """Draw one line per variant (daily CTR) with its interval as a band; write ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for v in report.variants:
        days = [p.day for p in v.daily]
        ax.plot(
            days, [p.ctr for p in v.daily], marker="o", label=f"{v.name} ({v.traffic_percent:g} %)"
        )
        ax.fill_between(
            days, [p.ctr_low for p in v.daily], [p.ctr_high for p in v.daily], alpha=0.2
        )
    ax.set_title(f"{report.experiment}: daily CTR with 95 % intervals")
    ax.set_xlabel("day (UTC)")
    ax.set_ylabel("clicks per impression")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend()
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
