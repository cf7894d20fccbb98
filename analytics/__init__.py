"""Graph analytics with networkx: communities, influence, bridges and homophily, written back
into the graph as versioned ``Community`` nodes (``graphrec analyze``).

Everything it reads and writes goes through ``graph.analytics``; this package never touches the
driver or ``cypher/``.
"""

from __future__ import annotations

from analytics.compare import adjusted_rand_index
from analytics.errors import AnalysisDataError, AnalyticsError
from analytics.pipeline import AnalysisConfig, AnalysisReport, run_analysis

__all__ = [
    "AnalysisConfig",
    "AnalysisDataError",
    "AnalysisReport",
    "AnalyticsError",
    "adjusted_rand_index",
    "run_analysis",
]
