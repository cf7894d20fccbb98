"""``graphrec train|evaluate|embed`` (the model registry commands are in ``models.py``)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import typer
from rich.table import Table

from gnn.errors import GnnError, SplitError
from gnn.names import MODELS
from graph.settings import get_settings
from graphrec.console import Bars, connect, console, fail, info
from loaders import SOURCES, LoadError, read_dataset

if TYPE_CHECKING:
    from gnn.train import TrainConfig

# The gnn modules load torch (seconds): they are imported inside the commands that need them,
# so that `graphrec --help`, `graphrec models list` and the other commands start at once.

__all__ = ["embed", "evaluate", "run_train", "train"]


class _Bars(Bars):
    """Rich bars on a terminal, plain lines otherwise; and the epochs of training."""

    def __init__(self) -> None:
        super().__init__()
        self.epochs = 0

    def epoch(self, epoch: int, loss: float, ndcg: float | None) -> None:
        note = f"loss {loss:.4f}" + (f" valid ndcg {ndcg:.4f}" if ndcg is not None else "")
        if self.bar is not None:
            self.phase("epochs", epoch, self.epochs, note)
        elif ndcg is not None:
            info(f"epoch {epoch}: {note}")


def _config(config: Path | None, flags: dict[str, Any]) -> TrainConfig:
    from gnn.train import TrainConfig

    values: dict[str, Any] = {}
    if config is not None:
        try:
            values = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            fail(f"{config}: {exc}")
        values = values.get("train", values)
    values |= {key: value for key, value in flags.items() if value is not None}
    try:
        return msgspec.convert(values, TrainConfig)
    except msgspec.ValidationError as exc:
        fail(f"{config or 'flags'}: {exc}")


def train(
    config: Annotated[Path | None, typer.Option(help="TOML file of hyperparameters.")] = None,
    epochs: int | None = typer.Option(None, min=1, help="Maximum epochs."),
    dim: int | None = typer.Option(None, min=4, help="Embedding size."),
    num_layers: int | None = typer.Option(None, min=1, max=4, help="SAGE layers."),
    lr: float | None = typer.Option(None, help="Learning rate."),
    temperature: float | None = typer.Option(None, help="Softmax temperature."),
    seed: int | None = typer.Option(None, help="Random seed."),
    k: int = typer.Option(20, min=1, max=200, help="SIMILAR_TO / SIMILAR_USER edges per node."),
    dataset: str | None = typer.Option(None, help="Train on one dataset tag only."),
    promote: bool = typer.Option(
        True, help="Promote the new version if not worse than the promoted one beyond noise."
    ),
    force: bool = typer.Option(False, help="Promote even when it is worse than the promoted."),
    keep: int = typer.Option(2, min=1, help="Versions whose edges are kept."),
    ranker: bool = typer.Option(
        False,
        help="Then fit the feed's learned ranker of the promoted version (off by default: its"
        " split is not yet leak-free, see docs/evaluation.md).",
    ),
    ranker_only: bool = typer.Option(
        False, help="Only fit the learned ranker of the promoted version (no GNN training)."
    ),
) -> None:
    """Export the graph, train GraphSAGE, write SIMILAR_TO/SIMILAR_USER and register the model."""
    if ranker_only:
        from graphrec.commands.ranker import run_ranker

        with connect() as conn:
            run_ranker(conn)
        return
    flags = {"epochs": epochs, "dim": dim, "num_layers": num_layers, "lr": lr,
             "temperature": temperature, "seed": seed}  # fmt: skip
    run_train(
        _config(config, flags), k=k, dataset=dataset, promote=promote, force=force, keep=keep,
        ranker=ranker,
    )  # fmt: skip


def run_train(
    cfg: TrainConfig,
    *,
    k: int = 20,
    dataset: str | None = None,
    promote: bool = True,
    force: bool = False,
    keep: int = 2,
    ranker: bool = False,
) -> None:
    """Train, write back and register with progress bars, then print the metrics table (and
    fit the learned ranker when the new version is promoted)."""
    from gnn.pipeline import train_and_register

    bars = _Bars()
    bars.epochs = cfg.epochs
    with connect() as conn:
        if bars.bar is not None:
            bars.bar.start()
        try:
            report = train_and_register(
                conn, cfg, k=k, dataset=dataset, promote=promote, force=force, keep=keep,
                epoch_progress=bars.epoch, phase=bars.phase,
            )  # fmt: skip
        except GnnError as exc:
            fail(str(exc))
        finally:
            if bars.bar is not None:
                bars.bar.stop()
    table = Table(title=f"{report.model_id} ({'promoted' if report.promoted else 'ready'})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in report.metrics.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    gate = report.gate
    if gate is not None:
        verdict = "not worse" if gate.not_worse else "WORSE"
        typer.echo(
            f"against promoted {gate.promoted} on the same {gate.users:,} valid users: "
            f"NDCG {gate.new_ndcg:.4f} vs {gate.promoted_ndcg:.4f}, difference "
            f"{gate.difference:+.4f} (noise ±{gate.noise:.4f}): {verdict}"
        )
        if not gate.not_worse:
            typer.echo(
                f"{report.version} promoted anyway (--force)"
                if report.promoted
                else f"{report.version} NOT promoted (kept as ready; --force promotes it)"
            )
    if report.pruned_edges:
        typer.echo(f"deleted {report.pruned_edges:,} edges of versions beyond the last {keep}")
    if ranker and report.promoted:
        from graphrec.commands.ranker import run_ranker

        with connect() as conn:
            run_ranker(conn, report.version, step=True)


def evaluate(
    source: str = typer.Option(..., help=f"One of: {', '.join(SOURCES)}."),
    path: Annotated[Path | None, typer.Option(help="Dataset directory or file.")] = None,
    split_dir: Annotated[
        Path | None, typer.Option(help="Directory with train.tsv, valid.tsv, test.tsv.")
    ] = None,
    k: int = typer.Option(20, min=1, help="Cut-off of Recall and NDCG."),
    seed: int = typer.Option(0, help="Split and model seed."),
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results here.")] = None,
    models: str = typer.Option(",".join(MODELS), help="Comma-separated models to run."),
    threads: int = typer.Option(2, min=1, help="Torch / implicit threads."),
    grid: Annotated[
        list[str] | None,
        typer.Option(help="Replace grid values, e.g. ials.factors=512,1024 (repeatable)."),
    ] = None,
    users: int = typer.Option(2_000, min=1, help="synthetic: number of users."),
    titles: int = typer.Option(1_000, min=12, help="synthetic: number of titles."),
    delimiter: str = typer.Option(",", help="csv: delimiter."),
    user_col: str = typer.Option("user", help="csv: user id column."),
    item_col: str = typer.Option("item", help="csv: item id column."),
) -> None:
    """Offline evaluation: GraphSAGE vs MostPop, ItemKNN, iALS, EASE, LightGCN, GF-CF (no Neo4j)."""
    from gnn.evaluate import run_evaluation

    options: dict[str, Any] = {}
    if source == "synthetic":
        options = {"users": users, "titles": titles, "seed": seed}
    elif source == "csv":
        options = {"delimiter": delimiter, "user_col": user_col, "item_col": item_col}
    try:
        data = read_dataset(source, path, **options)
        result = run_evaluation(
            data, split_dir=split_dir, k=k, seed=seed, num_threads=threads,
            models=[m.strip() for m in models.split(",") if m.strip()],
            grids=_grid_overrides(grid or []), device=get_settings().device, log=info,
        )  # fmt: skip
    except (LoadError, SplitError, ValueError) as exc:
        fail(str(exc))
    table = Table(title=f"{result['dataset']}: {result['users_evaluated']:,} test users, K={k}")
    for column in ("model", f"Recall@{k}", f"NDCG@{k}", "fit s", "tune s"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, row in result["results"].items():
        table.add_row(name, f"{row['recall']:.4f}", f"{row['ndcg']:.4f}",
                      f"{row['fit_seconds']:.1f}", f"{row['tune_seconds']:.1f}")  # fmt: skip
    console.print(table)
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {json_out}")


def _grid_overrides(specs: list[str]) -> dict[str, dict[str, list[Any]]]:
    """``["ials.factors=512,1024"]`` → ``{"ials": {"factors": [512, 1024]}}`` (ints, floats,
    ``true``/``false``, else strings)."""

    def value(text: str) -> Any:
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return {"true": True, "false": False}.get(text.lower(), text)

    out: dict[str, dict[str, list[Any]]] = {}
    for spec in specs:
        key, sep, values = spec.partition("=")
        model, dot, param = key.strip().partition(".")
        if not (sep and dot and model and param and values.strip()):
            fail(f"--grid {spec!r}: expected MODEL.PARAMETER=V1,V2,...")
        out.setdefault(model, {})[param] = [value(v.strip()) for v in values.split(",")]
    return out


def embed(
    new_titles: bool = typer.Option(False, help="Titles lacking a promoted-version embedding."),
    new_users: bool = typer.Option(False, help="Users lacking a promoted-version embedding."),
    k: int = typer.Option(20, min=1, max=200, help="Similarity edges per node."),
) -> None:
    """Embed titles/users added after training with the promoted model (no retraining)."""
    if not (new_titles or new_users):
        fail("nothing to do: pass --new-titles and/or --new-users")
    from gnn.inductive import embed_new_titles, embed_new_users

    with connect() as conn:
        try:
            if new_titles:
                typer.echo(f"embedded {embed_new_titles(conn, k=k):,} titles")
            if new_users:
                typer.echo(f"embedded {embed_new_users(conn, k=k):,} users")
        except GnnError as exc:
            fail(str(exc))
