"""Datasets into the property graph: parsers of each source, the synthetic generator, one writer.

Every source produces the canonical :class:`graph.dataset.Dataset` (``read_dataset``), which
both the Neo4j writer (``write_dataset``) and the GNN's offline evaluation consume.
"""

from __future__ import annotations

from loaders.build import ReadReport
from loaders.errors import LoadError
from loaders.sources import SOURCES, open_source, read_dataset, read_source
from loaders.stream import DatasetStream, DatasetStreams
from loaders.synthetic import SyntheticStream, generate
from loaders.writer import LoadCounts, write_dataset

__all__ = [
    "SOURCES",
    "DatasetStream",
    "DatasetStreams",
    "LoadCounts",
    "LoadError",
    "ReadReport",
    "SyntheticStream",
    "generate",
    "open_source",
    "read_dataset",
    "read_source",
    "write_dataset",
]
