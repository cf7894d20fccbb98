"""Experiments in the graph: ``(:Experiment)-[:HAS_VARIANT]->(:Variant)``.

``(:Experiment {name, status, config, createdAt, startedAt, endedAt})`` with ``status`` one of
``draft``, ``running``, ``analyzing``, ``concluded`` and ``config`` a JSON object (``independent``,
``description``); ``(:Variant {experiment, name, position, trafficPercent, config, metrics})``
with ``config`` the variant's serving settings (``VariantConfig``) and ``metrics`` the counts kept
when the experiment stops. The first variant is the control.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from graph._tx import read, run_rows
from graph.errors import ConflictError, NotFoundError
from graph.models import iso, loads

if TYPE_CHECKING:
    import neo4j

    from graph.connection import Connection

__all__ = [
    "ExperimentRecord",
    "ExperimentStatus",
    "VariantConfig",
    "VariantRecord",
    "create",
    "get",
    "list_experiments",
    "running",
    "save_metrics",
    "set_status",
]

ExperimentStatus = Literal["draft", "running", "analyzing", "concluded"]


class VariantConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What a variant changes in serving (``None``: as the service is configured).

    Attributes:
        model_version: The GraphSAGE version whose ``SIMILAR_TO`` / ``SIMILAR_USER`` edges the
            variant's users are served from (a registered version).
        source_weights: Candidate-source weights replacing the ranker's, by source name.
        diversity: Share of the list kept for titles outside the user's dominant genres (0–1).
        candidates: Candidates fetched per source.
    """

    model_version: str | None = None
    source_weights: dict[str, float] = msgspec.field(default_factory=dict)
    diversity: float | None = None
    candidates: int | None = None


class VariantRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One variant as stored."""

    name: str
    traffic_percent: float
    config: VariantConfig = msgspec.field(default_factory=VariantConfig)
    metrics: dict[str, Any] = msgspec.field(default_factory=dict)


class ExperimentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One experiment as stored; ``variants[0]`` is the control."""

    name: str
    status: ExperimentStatus
    variants: list[VariantRecord]
    independent: bool = False
    description: str = ""
    created_at: str | None = None
    started_at: str | None = None
    ended_at: str | None = None

    @property
    def shares(self) -> list[tuple[str, float]]:
        """``(variant, percent)`` in declared order."""
        return [(v.name, v.traffic_percent) for v in self.variants]


def _record(row: dict[str, Any]) -> ExperimentRecord:
    props = row["experiment"]
    config = loads(props.get("config"))
    variants = [
        VariantRecord(
            name=v["name"],
            traffic_percent=float(v["trafficPercent"]),
            config=msgspec.json.decode(v.get("config") or "{}", type=VariantConfig),
            metrics=loads(v.get("metrics")),
        )
        for v in row["variants"]
    ]
    return ExperimentRecord(
        name=props["name"],
        status=props["status"],
        variants=variants,
        independent=bool(config.get("independent", False)),
        description=str(config.get("description", "")),
        created_at=iso(props.get("createdAt")),
        started_at=iso(props.get("startedAt")),
        ended_at=iso(props.get("endedAt")),
    )


async def running(session: neo4j.AsyncSession) -> list[ExperimentRecord]:
    """The running experiments (the API's assignment reads them every few seconds)."""
    rows = await read(session, run_rows, "experiment_list", {"status": "running"}, background=True)
    return [_record(row) for row in rows]


def create(conn: Connection, experiment: ExperimentRecord) -> None:
    """Store a new experiment in ``draft``.

    Raises:
        ConflictError: An experiment of that name exists (nothing is written).
    """
    variants = [
        {
            "name": v.name,
            "traffic_percent": v.traffic_percent,
            "config": msgspec.json.encode(v.config).decode(),
        }
        for v in experiment.variants
    ]
    config = {"independent": experiment.independent, "description": experiment.description}
    params = {"name": experiment.name, "config": json.dumps(config), "variants": variants}
    if not conn.rows("experiment_create", params, write=True):
        raise ConflictError("name", experiment.name)


def get(conn: Connection, name: str) -> ExperimentRecord:
    """Return one experiment.

    Raises:
        NotFoundError: No experiment of that name.
    """
    rows = conn.rows("experiment_get", {"name": name})
    if not rows:
        raise NotFoundError("experiment", name)
    return _record(rows[0])


def list_experiments(
    conn: Connection, status: ExperimentStatus | None = None
) -> list[ExperimentRecord]:
    """Every experiment (or those in ``status``), newest first."""
    return [_record(row) for row in conn.rows("experiment_list", {"status": status})]


def set_status(
    conn: Connection, name: str, status: ExperimentStatus, allowed_from: list[ExperimentStatus]
) -> bool:
    """Move an experiment to ``status`` if it is in one of ``allowed_from``; False otherwise."""
    params = {"name": name, "status": status, "from": allowed_from}
    return bool(conn.rows("experiment_set_status", params, write=True))


def save_metrics(conn: Connection, name: str, metrics: dict[str, dict[str, Any]]) -> None:
    """Keep each variant's collected metrics on its node (by variant name)."""
    rows = [{"name": k, "metrics": json.dumps(v, sort_keys=True)} for k, v in metrics.items()]
    conn.write("experiment_save_metrics", {"name": name, "variants": rows})
