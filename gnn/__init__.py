"""GraphSAGE on the graph: export to PyG, training, evaluation, write-back, cold start."""

from __future__ import annotations

import warnings

# torch_geometric still calls torch.jit.script at import time, which torch now deprecates: a
# warning for PyG's maintainers, not for people training or serving models.
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*", category=FutureWarning)
# LightGCN's adjacency is a CSR tensor built once from a valid index (gnn.baselines): torch's
# beta-feature notices about sparse CSR are noise for people running an evaluation.
warnings.filterwarnings("ignore", message=r"Sparse (CSR tensor support|invariant checks)")

__all__: list[str] = []
