"""Heterogeneous neighbour sampling in plain PyTorch, for PyG's ``LinkNeighborLoader``.

PyG's :class:`~torch_geometric.sampler.NeighborSampler` delegates its sampling step to the
compiled ops of ``pyg-lib`` or ``torch-sparse``, neither of which has a usable wheel on our
registry. :class:`TorchNeighborSampler` keeps everything else of PyG's sampler (CSC conversion,
``perm``, edge/negative sampling, ``filter_fn``) and replaces only
:meth:`~torch_geometric.sampler.NeighborSampler._sample` for the case the recommender needs:
heterogeneous, forward, non-disjoint, non-temporal, unweighted sampling. Its output is what the
``torch-sparse`` branch of PyG produces (plus the per-hop counts ``pyg-lib`` reports)::

    sampler = TorchNeighborSampler(data, num_neighbors=[10, 5])
    loader = LinkNeighborLoader(
        data,
        num_neighbors=[10, 5],
        edge_label_index=(("user", "rates", "title"), edge_index),
        batch_size=1024,
        neighbor_sampler=sampler,
    )

Sampling without replacement is exact: a destination whose in-degree is at most the fan-out
keeps all its incoming edges; the others draw ``k`` distinct edge offsets with Robert Floyd's
algorithm, vectorised over all destinations (a loop over the ``k`` draws, never over nodes).
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import torch
import torch_geometric.typing
from torch import Tensor
from torch_geometric.data import Data, FeatureStore, GraphStore, HeteroData
from torch_geometric.sampler import HeteroSamplerOutput, NeighborSampler, SamplerOutput
from torch_geometric.sampler.base import DataType, SubgraphType
from torch_geometric.sampler.neighbor_sampler import NumNeighborsType
from torch_geometric.typing import EdgeType, NodeType

from gnn.draws import draw_below, floyd_sample

__all__ = ["TorchNeighborSampler"]

# PyG warns that the sampler is deprecated without pyg-lib; that is exactly our situation.
_NO_PYG_LIB_WARNING = r"Using '\w+' without a 'pyg-lib' installation is deprecated"


class TorchNeighborSampler(NeighborSampler):
    """A :class:`~torch_geometric.sampler.NeighborSampler` whose sampling step is plain torch.

    Takes the same arguments as PyG's sampler. Heterogeneous graphs with forward,
    non-disjoint, non-temporal, unweighted sampling and a ``directional`` (or
    ``bidirectional``, which PyG derives from the directional sample) subgraph are sampled
    here; any other configuration falls back to PyG's own ``_sample`` when ``pyg-lib`` or
    ``torch-sparse`` is installed and raises :class:`NotImplementedError` otherwise.

    Random numbers come from the global torch RNG (so :func:`torch.manual_seed` makes runs
    reproducible) unless a ``generator`` keyword reaches :meth:`_sample`.

    A sampler instance keeps a global-to-local index buffer per node type (``num_nodes`` int64
    entries, all ``-1`` between calls), so one instance must not sample from two threads at
    once; data-loader worker processes each get their own copy.
    """

    def __init__(
        self,
        data: Data | HeteroData | tuple[FeatureStore, GraphStore],
        num_neighbors: NumNeighborsType,
        subgraph_type: SubgraphType | str = "directional",
        replace: bool = False,
        disjoint: bool = False,
        temporal_strategy: str = "uniform",
        time_attr: str | None = None,
        weight_attr: str | None = None,
        is_sorted: bool = False,
        share_memory: bool = False,
        directed: bool = True,
        sample_direction: Literal["forward", "backward"] = "forward",
    ) -> None:
        """Build the CSC index like PyG does, without PyG's missing-``pyg-lib`` warning.

        Args:
            data: The graph; only :class:`~torch_geometric.data.HeteroData` is sampled in
                torch, the rest needs ``pyg-lib`` or ``torch-sparse``.
            num_neighbors: Fan-out per hop (``-1`` = every neighbour), either one list for
                all edge types or a dict ``edge_type -> list``.
            subgraph_type: ``directional`` or ``bidirectional`` (``induced`` is not sampled
                in torch).
            replace: Sample with replacement.
            disjoint: Must be ``False`` for torch sampling.
            temporal_strategy: Passed to PyG (temporal sampling is not done in torch).
            time_attr: Must be ``None`` for torch sampling.
            weight_attr: Must be ``None`` for torch sampling.
            is_sorted: Edges are already sorted by destination (then ``perm`` is ``None``).
            share_memory: Move the CSC tensors to shared memory (for worker processes).
            directed: Deprecated PyG flag, passed through.
            sample_direction: Must be ``forward`` for torch sampling.
        """
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_NO_PYG_LIB_WARNING, category=UserWarning)
            super().__init__(
                data,
                num_neighbors,
                subgraph_type=subgraph_type,
                replace=replace,
                disjoint=disjoint,
                temporal_strategy=temporal_strategy,
                time_attr=time_attr,
                weight_attr=weight_attr,
                is_sorted=is_sorted,
                share_memory=share_memory,
                directed=directed,
                sample_direction=sample_direction,
            )
        # Global id -> local index, -1 when absent; only touched entries are reset per call.
        self._to_local: dict[NodeType, Tensor] = {}
        if self.data_type == DataType.heterogeneous:
            self._to_local = {
                node_type: torch.full((int(n),), -1, dtype=torch.long)
                for node_type, n in self.num_nodes.items()
            }

    def unsupported_reason(self, seed: Tensor | dict[NodeType, Tensor]) -> str | None:
        """Why ``seed`` cannot be sampled in torch by this sampler, or ``None`` if it can.

        Args:
            seed: The seeds :meth:`_sample` would receive.

        Returns:
            The unsupported option, in words, or ``None``.
        """
        if not isinstance(seed, dict) or self.data_type == DataType.homogeneous:
            return "homogeneous graphs"
        if self.data_type != DataType.heterogeneous:
            return "(FeatureStore, GraphStore) inputs"
        if self.is_temporal:
            return "temporal sampling (time_attr)"
        if self.disjoint:
            return "disjoint=True"
        if self.subgraph_type == SubgraphType.induced:
            return "subgraph_type='induced'"
        if self.edge_weight is not None:
            return "weighted sampling (weight_attr)"
        if self.sample_direction != "forward":
            return f"sample_direction='{self.sample_direction}'"
        return None

    def _sample(
        self,
        seed: Tensor | dict[NodeType, Tensor],
        seed_time: Tensor | dict[NodeType, Tensor] | None = None,
        **kwargs: Any,
    ) -> SamplerOutput | HeteroSamplerOutput:
        """Sample the multi-hop neighbourhood of ``seed``.

        Args:
            seed: ``node_type -> [num_seeds]`` int64 global node ids (unique, as PyG's edge
                and node samplers pass them).
            seed_time: Seed timestamps; only ``None`` is sampled in torch.
            **kwargs: ``generator`` (:class:`torch.Generator`, optional) is used for the
                random draws; anything else is passed to PyG's fallback.

        Returns:
            A :class:`~torch_geometric.sampler.HeteroSamplerOutput`: ``node[type]`` ``[N_t]``
            global ids, seeds first; ``row/col[edge_type]`` ``[E_r]`` local source and
            destination indices; ``edge[edge_type]`` ``[E_r]`` positions in the CSC arrays
            (map through ``perm``); ``num_sampled_nodes[type]`` (``num_hops + 1`` counts,
            hop 0 = seeds) and ``num_sampled_edges[edge_type]`` (``num_hops`` counts).

        Raises:
            NotImplementedError: The configuration is not sampled in torch and neither
                ``pyg-lib`` nor ``torch-sparse`` is installed.
        """
        reason = self.unsupported_reason(seed)
        if reason is None and seed_time is not None:
            reason = "temporal sampling (seed_time)"
        if reason is not None:
            if torch_geometric.typing.WITH_PYG_LIB or torch_geometric.typing.WITH_TORCH_SPARSE:
                return super()._sample(seed, seed_time, **kwargs)
            raise NotImplementedError(
                f"{type(self).__name__} does not sample {reason} without 'pyg-lib' or "
                f"'torch-sparse'"
            )
        assert isinstance(seed, dict)
        generator: torch.Generator | None = kwargs.get("generator")
        return self._sample_hetero(seed, generator)

    def _sample_hetero(
        self, seed: dict[NodeType, Tensor], generator: torch.Generator | None
    ) -> HeteroSamplerOutput:
        """Torch version of ``torch_sparse.hetero_neighbor_sample`` (directed, no disjoint).

        Args:
            seed: ``node_type -> [num_seeds]`` global node ids.
            generator: RNG for the draws; ``None`` = the global torch RNG.

        Returns:
            See :meth:`_sample`.
        """
        fanouts: dict[str, list[int]] = self.num_neighbors.get_mapped_values(self.edge_types)
        num_hops = self.num_neighbors.num_hops
        nodes: dict[NodeType, list[Tensor]] = {t: [] for t in self.node_types}
        count = dict.fromkeys(self.node_types, 0)
        num_sampled_nodes: dict[NodeType, list[int]] = {t: [] for t in self.node_types}
        rows: dict[EdgeType, list[Tensor]] = {e: [] for e in self.edge_types}
        cols: dict[EdgeType, list[Tensor]] = {e: [] for e in self.edge_types}
        edges: dict[EdgeType, list[Tensor]] = {e: [] for e in self.edge_types}
        num_sampled_edges: dict[EdgeType, list[int]] = {e: [] for e in self.edge_types}

        try:
            # Hop 0: the seeds, local index = position (a repeated seed maps to its first copy).
            frontier: dict[NodeType, tuple[Tensor, int]] = {}
            for node_type in self.node_types:
                ids = seed.get(node_type, torch.empty(0, dtype=torch.long))
                ids = ids.to(device="cpu", dtype=torch.long).view(-1)
                nodes[node_type].append(ids)  # Before touching the buffer: reset in `finally`.
                positions = torch.arange(ids.numel())
                self._to_local[node_type].scatter_reduce_(
                    0, ids, positions, "amin", include_self=False
                )
                count[node_type] = ids.numel()
                num_sampled_nodes[node_type].append(ids.numel())
                frontier[node_type] = (ids, 0)

            for hop in range(num_hops):
                start = dict(count)
                parts_before = {t: len(parts) for t, parts in nodes.items()}
                for edge_type in self.edge_types:
                    src_type, _, dst_type = edge_type
                    rel = self.to_rel_type[edge_type]
                    dst, dst_start = frontier[dst_type]
                    offsets, col = self._sample_edges(
                        self.colptr_dict[rel], dst, dst_start, fanouts[rel][hop], generator
                    )
                    src = self.row_dict[rel][offsets].to(torch.long)
                    row, new = self._add_nodes(src_type, src, count[src_type])
                    if new.numel() > 0:
                        nodes[src_type].append(new)
                        count[src_type] += new.numel()
                    rows[edge_type].append(row)
                    cols[edge_type].append(col)
                    edges[edge_type].append(offsets)
                    num_sampled_edges[edge_type].append(offsets.numel())
                # Next frontier: the nodes this hop added (contiguous local indices).
                for node_type in self.node_types:
                    added = nodes[node_type][parts_before[node_type] :]
                    num_sampled_nodes[node_type].append(count[node_type] - start[node_type])
                    frontier[node_type] = (_cat(added), start[node_type])
        finally:
            for node_type, parts in nodes.items():
                for part in parts:
                    self._to_local[node_type][part] = -1

        return HeteroSamplerOutput(
            node={t: _cat(parts) for t, parts in nodes.items()},
            row={e: _cat(parts) for e, parts in rows.items()},
            col={e: _cat(parts) for e, parts in cols.items()},
            edge={e: _cat(parts) for e, parts in edges.items()},
            batch=None,
            num_sampled_nodes=num_sampled_nodes,
            num_sampled_edges=num_sampled_edges,
        )

    def _sample_edges(
        self,
        colptr: Tensor,
        dst: Tensor,
        dst_start: int,
        k: int,
        generator: torch.Generator | None,
    ) -> tuple[Tensor, Tensor]:
        """Sample up to ``k`` incoming edges of every frontier node of one edge type.

        Args:
            colptr: ``[num_dst_nodes + 1]`` CSC pointers of the edge type.
            dst: ``[F]`` global ids of the frontier (destination) nodes.
            dst_start: Local index of ``dst[0]``; the frontier is contiguous in the node list.
            k: Fan-out; ``-1`` (any negative) = every incoming edge.
            generator: RNG for the draws; ``None`` = the global torch RNG.

        Returns:
            ``offsets`` ``[E]`` positions of the sampled edges in the CSC arrays and ``col``
            ``[E]`` local destination indices, grouped by destination in frontier order (as
            torch-sparse emits them).
        """
        empty = torch.empty(0, dtype=torch.long)
        if dst.numel() == 0 or k == 0:
            return empty, empty
        begin = colptr[dst].to(torch.long)
        deg = colptr[dst + 1].to(torch.long) - begin

        # How many edges each frontier node gets, then one slot per sampled edge.
        if k < 0:
            count = deg
        elif self.replace:
            count = torch.where(deg > 0, k, 0)
        else:
            count = deg.clamp(max=k)
        total = int(count.sum())
        node = torch.repeat_interleave(torch.arange(dst.numel()), count, output_size=total)
        exclusive = torch.cumsum(count, 0) - count
        slot = torch.arange(total) - exclusive[node]  # 0 .. count - 1 within each node

        if k < 0:  # Every incoming edge.
            picked = slot
        else:
            if self.replace:  # k uniform draws per node, repeats allowed.
                picks = draw_below(deg.clamp(min=1).unsqueeze(1).expand(-1, k), generator)
            else:  # All edges of nodes with deg <= k; k distinct draws (Floyd) for the others.
                picks = torch.arange(k).repeat(dst.numel(), 1)
                high = (deg > k).nonzero().view(-1)
                if high.numel() > 0:
                    picks[high] = floyd_sample(deg[high], k, generator)
            picked = picks.view(-1)[node * k + slot]
        return begin[node] + picked, node + dst_start

    def _add_nodes(self, node_type: NodeType, ids: Tensor, base: int) -> tuple[Tensor, Tensor]:
        """Map global ids to local indices, appending the ids not seen yet.

        Args:
            node_type: The node type of ``ids``.
            ids: ``[E]`` global node ids (repeats allowed).
            base: Current number of nodes of ``node_type`` (first free local index).

        Returns:
            ``local`` ``[E]`` local indices of ``ids`` and ``new`` ``[M]`` the newly added global
            ids, in order of first occurrence (their local indices are ``base .. base + M - 1``).
        """
        buffer = self._to_local[node_type]
        local = buffer[ids]
        missing = local < 0
        if not bool(missing.any()):
            return local, torch.empty(0, dtype=torch.long)
        candidates = ids[missing]
        positions = torch.arange(candidates.numel())
        # Each absent id gets the position of its first occurrence among the candidates.
        buffer.scatter_reduce_(0, candidates, positions, "amin", include_self=False)
        new = candidates[buffer[candidates] == positions]
        buffer[new] = torch.arange(base, base + new.numel())
        return buffer[ids], new


def _cat(parts: list[Tensor]) -> Tensor:
    """Concatenate int64 parts (an empty list gives an empty tensor)."""
    return torch.cat(parts) if parts else torch.empty(0, dtype=torch.long)
