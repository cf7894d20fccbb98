"""Model registry repository: ``(:Model)`` nodes of trained model versions.

A model is ``(:Model {modelId: "<name>:<version>", name, version: "v<N>", algorithm,
hyperparameters (JSON), metrics (JSON), status, trainedAt, promotedAt, artifactPath})`` with
``status`` one of ``training``, ``ready``, ``promoted``, ``retired``; at most one ``promoted`` per
name (promotion flips both in one transaction).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import msgspec

import cypher
from graph.errors import NotFoundError
from graph.settings import Settings, get_settings

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "ModelRecord",
    "ModelStatus",
    "get_model",
    "get_promoted",
    "list_models",
    "next_version",
    "promote",
    "register",
    "set_status",
]

ModelStatus = Literal["training", "ready", "promoted", "retired"]


class ModelRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One registered model version."""

    model_id: str
    name: str
    version: str
    algorithm: str = ""
    hyperparameters: dict[str, Any] = msgspec.field(default_factory=dict)
    metrics: dict[str, Any] = msgspec.field(default_factory=dict)
    status: str = "training"
    trained_at: str | None = None
    promoted_at: str | None = None
    artifact_path: str = ""

    @property
    def number(self) -> int:
        """The ``N`` of version ``vN``."""
        return version_number(self.version)


def version_number(version: str) -> int:
    """Return ``N`` of ``"vN"`` (``0`` when the version is not of that form)."""
    return int(version[1:]) if version[:1] == "v" and version[1:].isdigit() else 0


def _record(props: dict[str, Any]) -> ModelRecord:
    def loads(raw: Any) -> dict[str, Any]:
        return json.loads(raw) if isinstance(raw, str) and raw else {}

    def iso(value: Any) -> str | None:
        return value.iso_format() if hasattr(value, "iso_format") else value

    return ModelRecord(
        model_id=props["modelId"],
        name=props.get("name", ""),
        version=props.get("version", ""),
        algorithm=props.get("algorithm", ""),
        hyperparameters=loads(props.get("hyperparameters")),
        metrics=loads(props.get("metrics")),
        status=props.get("status", "training"),
        trained_at=iso(props.get("trainedAt")),
        promoted_at=iso(props.get("promotedAt")),
        artifact_path=props.get("artifactPath", ""),
    )


def _db(settings: Settings | None) -> str:
    return (settings or get_settings()).neo4j_database


def list_models(
    drv: neo4j.Driver, name: str, settings: Settings | None = None
) -> list[ModelRecord]:
    """Return the versions of a model, newest first."""
    records, _, _ = drv.execute_query(
        cypher.load("model_list"), name=name, database_=_db(settings), routing_="r"
    )
    return sorted((_record(r["model"]) for r in records), key=lambda m: m.number, reverse=True)


def get_model(
    drv: neo4j.Driver, name: str, version: str, settings: Settings | None = None
) -> ModelRecord:
    """Return one version.

    Raises:
        NotFoundError: No such version.
    """
    records, _, _ = drv.execute_query(
        cypher.load("model_get"), name=name, version=version, database_=_db(settings), routing_="r"
    )
    if not records:
        raise NotFoundError(f"no model {name}:{version}")
    return _record(records[0]["model"])


def get_promoted(
    drv: neo4j.Driver, name: str, settings: Settings | None = None
) -> ModelRecord | None:
    """Return the promoted version of a model, or ``None``."""
    records, _, _ = drv.execute_query(
        cypher.load("model_get_promoted"), name=name, database_=_db(settings), routing_="r"
    )
    return _record(records[0]["model"]) if records else None


def next_version(drv: neo4j.Driver, name: str, settings: Settings | None = None) -> str:
    """Return ``v<N+1>`` where ``N`` is the highest registered version number (``v1`` first)."""
    models = list_models(drv, name, settings)
    return f"v{max((m.number for m in models), default=0) + 1}"


def register(
    drv: neo4j.Driver,
    *,
    name: str,
    version: str,
    algorithm: str,
    hyperparameters: dict[str, Any],
    artifact_path: str,
    status: ModelStatus = "training",
    settings: Settings | None = None,
) -> str:
    """Create (or update) a model node; returns its ``modelId``."""
    model_id = f"{name}:{version}"
    props = {
        "name": name,
        "version": version,
        "algorithm": algorithm,
        "hyperparameters": json.dumps(hyperparameters, sort_keys=True),
        "metrics": "{}",
        "status": status,
        "artifactPath": artifact_path,
    }
    with drv.session(database=_db(settings)) as session:
        session.execute_write(_upsert, model_id, props)
    return model_id


def _upsert(tx: neo4j.ManagedTransaction, model_id: str, props: dict[str, Any]) -> None:
    tx.run(cypher.load("model_upsert"), model_id=model_id, props=props).consume()


def set_status(
    drv: neo4j.Driver,
    model_id: str,
    status: ModelStatus,
    metrics: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> None:
    """Set a model's status (and metrics)."""
    with drv.session(database=_db(settings)) as session:
        session.execute_write(
            lambda tx: tx.run(
                cypher.load("model_set_status"),
                model_id=model_id,
                status=status,
                metrics=json.dumps(metrics, sort_keys=True) if metrics is not None else None,
            ).consume()
        )


def promote(
    drv: neo4j.Driver, name: str, version: str, settings: Settings | None = None
) -> str | None:
    """Promote a version and retire the previously promoted one, in one transaction.

    Returns:
        The previously promoted version, if any.

    Raises:
        NotFoundError: No such version, or it is still training.
    """

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return tx.run(cypher.load("model_promote"), name=name, version=version).data()

    with drv.session(database=_db(settings)) as session:
        rows = session.execute_write(work)
    if not rows:
        raise NotFoundError(f"no promotable model {name}:{version} (unknown or still training)")
    return rows[0]["previous"]
