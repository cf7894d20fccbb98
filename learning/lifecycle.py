"""Create, start, stop and conclude experiments, refusing bad ones with the field at fault.

``draft`` → ``running`` (start) → ``analyzing`` (stop: counting ends, the counts are kept on the
variants) → ``concluded``. A running experiment's shares never change (assignment is a hash of
the shares), so a user stays in one variant for the whole run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from graph import experiments as store
from graph import models
from graph.experiments import ExperimentRecord, ExperimentStatus, VariantConfig, VariantRecord

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = ["MODEL_NAME", "SpecError", "conclude", "create", "parse_variant", "start", "stop"]

MODEL_NAME = "graphsage"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class SpecError(ValueError):
    """An experiment refused: ``field`` names what is wrong, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_variant(text: str) -> VariantRecord:
    """``name:percent[:key=value,...]`` (keys: model_version, diversity, candidates, w.<source>).

    Example: ``treatment:10:model_version=v3,w.popular=0.2``.
    """
    parts = text.split(":", 2)
    if len(parts) < 2:
        raise SpecError("variant", f"{text!r} is not name:percent[:key=value,...]")
    name, share = parts[0], parts[1]
    try:
        percent = float(share)
    except ValueError:
        raise SpecError(f"variant {name}", f"traffic {share!r} is not a number") from None
    options: dict[str, Any] = {}
    weights: dict[str, float] = {}
    for item in filter(None, (parts[2] if len(parts) > 2 else "").split(",")):
        key, _, value = item.partition("=")
        if not (key.startswith("w.") or key in ("model_version", "diversity", "candidates")):
            raise SpecError(f"variant {name}", f"unknown setting {key!r}")
        try:
            if key.startswith("w."):
                weights[key[2:]] = float(value)
            elif key == "model_version":
                options[key] = value
            else:
                options[key] = float(value) if key == "diversity" else int(value)
        except ValueError:
            raise SpecError(f"variant {name}.{key}", f"{value!r} is not a number") from None
    config = VariantConfig(source_weights=weights, **options)
    return VariantRecord(name=name, traffic_percent=percent, config=config)


def _validate(conn: Connection, experiment: ExperimentRecord) -> None:
    if not _NAME.fullmatch(experiment.name):
        raise SpecError(
            "name", "1-64 letters, digits, '_', '.' or '-', starting with one of the first two"
        )
    if len(experiment.variants) < 2:
        raise SpecError("variants", "an experiment needs a control and at least one treatment")
    names = [v.name for v in experiment.variants]
    for v in experiment.variants:
        if not _NAME.fullmatch(v.name):
            raise SpecError(f"variant {v.name!r}", "name: letters, digits, '_', '.' or '-'")
        if not 0 < v.traffic_percent <= 100 or not math.isfinite(v.traffic_percent):
            raise SpecError(f"variant {v.name}.traffic_percent", "must lie in (0, 100]")
        c = v.config
        if c.diversity is not None and not 0 <= c.diversity <= 1:
            raise SpecError(f"variant {v.name}.diversity", "must lie in [0, 1]")
        if c.candidates is not None and not 1 <= c.candidates <= 500:
            raise SpecError(f"variant {v.name}.candidates", "must lie in [1, 500]")
        if any(w < 0 or not math.isfinite(w) for w in c.source_weights.values()):
            raise SpecError(f"variant {v.name}.source_weights", "weights must be finite and ≥ 0")
    if len(set(names)) != len(names):
        raise SpecError("variants", f"variant names repeat: {names}")
    total = sum(v.traffic_percent for v in experiment.variants)
    if abs(total - 100) > 1e-6:
        raise SpecError("variants.traffic_percent", f"shares sum to {total:g}, not 100")
    known = {m.version for m in models.list_models(conn, MODEL_NAME)}
    for v in experiment.variants:
        version = v.config.model_version
        if version is not None and version not in known:
            have = ", ".join(sorted(known, key=models.version_number)) or "none"
            raise SpecError(
                f"variant {v.name}.model_version",
                f"{MODEL_NAME} {version} is not registered (registered: {have})",
            )


def create(conn: Connection, experiment: ExperimentRecord) -> ExperimentRecord:
    """Validate and store a new experiment in ``draft``.

    Raises:
        SpecError: The experiment is refused (nothing is written).
        ConflictError: An experiment of that name exists.
    """
    _validate(conn, experiment)
    store.create(conn, experiment)
    return store.get(conn, experiment.name)


def _move(
    conn: Connection, name: str, to: ExperimentStatus, allowed: list[ExperimentStatus]
) -> ExperimentRecord:
    current = store.get(conn, name)
    if current.status == to:
        return current
    if not store.set_status(conn, name, to, allowed):
        raise SpecError(
            "status", f"{name} is {current.status}; only {'/'.join(allowed)} can go {to}"
        )
    return store.get(conn, name)


def start(conn: Connection, name: str) -> ExperimentRecord:
    """Start a draft; refused while another non-independent experiment runs (unless this one
    or that one is declared independent)."""
    experiment = store.get(conn, name)
    _validate(conn, experiment)  # a model version may have been pruned since it was created
    if not experiment.independent:
        clash = [
            e.name
            for e in store.list_experiments(conn, "running")
            if e.name != name and not e.independent
        ]
        if clash:
            raise SpecError(
                "independent",
                f"{clash[0]} is running and neither is declared independent: a user is in one "
                "such experiment at a time (stop it, or create this one with --independent)",
            )
    return _move(conn, name, "running", ["draft"])


def stop(
    conn: Connection, name: str, collect: Callable[[ExperimentRecord], dict[str, dict[str, Any]]]
) -> ExperimentRecord:
    """Stop counting (``analyzing``) and keep each variant's counts, from ``collect``, on it."""
    experiment = store.get(conn, name)
    if experiment.status == "running":
        store.save_metrics(conn, name, collect(experiment))
    return _move(conn, name, "analyzing", ["running"])


def conclude(conn: Connection, name: str) -> ExperimentRecord:
    """Close an experiment for good (from ``draft`` or ``analyzing``)."""
    return _move(conn, name, "concluded", ["draft", "analyzing"])


def variants_of(specs: Sequence[str]) -> list[VariantRecord]:
    """Parse ``--variant`` options."""
    return [parse_variant(spec) for spec in specs]
