"""The ranking stage's hook: the promoted model's learned ranker scores the merged candidates.

Without a stored ranker (or under an experiment variant that sets its own source weights or
serves another model version, which the ranker was not trained on) the hand-set blend of
:func:`api.ranking.merge_sources` ranks, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gnn import ranker as learned

if TYPE_CHECKING:
    from collections.abc import Mapping

    from api.ranking import Candidate
    from graph.experiments import VariantConfig
    from graph.items import ItemRepository, TitleSummary
    from graph.recommendations import ModelInfo, SourceRows

__all__ = ["apply", "rerank"]


def apply(
    cands: dict[str, Candidate],
    rows: SourceRows,
    titles: Mapping[str, TitleSummary],
    ranker: learned.Ranker,
) -> None:
    """Set every candidate's learned score (``titles`` give popularity and genres)."""
    ids, x = learned.features(rows, titles)
    for item_id, value in zip(ids, ranker.scores(x).tolist(), strict=True):
        if item_id in cands:
            cands[item_id].ranked = value


async def rerank(
    items: ItemRepository,
    cands: dict[str, Candidate],
    rows: SourceRows,
    model: ModelInfo,
    variant: VariantConfig,
) -> bool:
    """Score the candidates with the model's learned ranker, if it has one that applies.

    Returns:
        Whether the learned ranker scored them (else the hand-set blend stands).
    """
    if variant.source_weights or variant.model_version or not cands:
        return False
    ranker = learned.load(model.ranker)
    if ranker is None:
        return False
    apply(cands, rows, await items.summaries(sorted(cands)), ranker)
    return True
