"""The learned ranker's step of ``graphrec train`` (also ``graphrec train --ranker-only``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from gnn.errors import GnnError
from gnn.names import DEFAULT_MODEL
from graph import models as registry
from graphrec.console import fail, info

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["run_ranker"]


def run_ranker(
    conn: Connection, version: str | None = None, name: str = DEFAULT_MODEL, *, step: bool = False
) -> None:
    """Fit the ranker of ``version`` (default: the promoted one) and print it beside the hand
    weights; it is kept with the version only if it ranks better.

    As a ``step`` of ``graphrec train``, too little data to fit one is a note, not a failure:
    the version serves with the hand weights.
    """
    if version is None:
        promoted = registry.get_promoted(conn, name)
        if promoted is None:
            fail(f"no promoted {name} model: `graphrec train` one first")
        version = promoted.version
    from gnn.ranker_fit import train_ranker

    info(f"training the ranker of {name}:{version} on a temporal split of the graph ...")
    try:
        report = train_ranker(conn, name, version)
    except GnnError as exc:
        if not step:
            fail(str(exc))
        info(f"no learned ranker ({exc}); {version} serves with the hand weights")
        return
    m = report.metrics
    typer.echo(
        f"ranker on {report.valid_users:,} validation users ({report.train_users:,} fitted): "
        f"learned recall@20 {m['ranker_recall@20']:.4f} NDCG@20 {m['ranker_ndcg@20']:.4f}; "
        f"hand weights recall@20 {m['hand_recall@20']:.4f} NDCG@20 {m['hand_ndcg@20']:.4f}"
    )
    weights = ", ".join(
        f"{f} {w:+.2f}" for f, w in zip(report.ranker.features, report.ranker.weights, strict=True)
    )
    typer.echo(f"learned weights (standardised features): {weights}")
    typer.echo(
        f"learned ranker kept with {version}"
        if report.kept
        else f"learned ranker NOT kept ({version} serves with the hand weights)"
    )
