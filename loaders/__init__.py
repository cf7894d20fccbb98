"""Datasets into the property graph: parsers of each source and the synthetic generator.

Every source produces the canonical :class:`graph.dataset.Dataset` (``read_dataset``), which
both the graph's bulk writer (:func:`graph.bulk.write_dataset`, through :func:`load_source`)
and the GNN's offline evaluation consume.
"""

from __future__ import annotations

from loaders.build import ReadReport
from loaders.errors import LoadError
from loaders.pipeline import LoadResult, load_source
from loaders.sources import SOURCES, open_source, read_dataset, read_source
from loaders.synthetic import SyntheticStream, generate

__all__ = [
    "SOURCES",
    "LoadError",
    "LoadResult",
    "ReadReport",
    "SyntheticStream",
    "generate",
    "load_source",
    "open_source",
    "read_dataset",
    "read_source",
]
