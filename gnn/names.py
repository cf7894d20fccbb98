"""Names shared by the GNN package and the command line, importable without torch."""

from __future__ import annotations

__all__ = ["DEFAULT_MODEL", "MODELS"]

#: The registry name of the GraphSAGE recommender.
DEFAULT_MODEL = "graphsage"

#: Every model ``graphrec evaluate`` can run, GraphSAGE first.
MODELS: tuple[str, ...] = (
    "graphsage",
    "mostpop",
    "itemknn",
    "ials",
    "ease",
    "lightgcn",
    "gfcf",
)
