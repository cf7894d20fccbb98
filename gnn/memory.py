"""The process's memory, as training reports it."""

from __future__ import annotations

import resource

__all__ = ["peak_rss_mib"]


def peak_rss_mib() -> int:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
