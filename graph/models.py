"""Model registry repository: ``(:Model)`` nodes of trained model versions.

A model is ``(:Model {modelId: "<name>:<version>", name, version: "v<N>", algorithm,
hyperparameters (JSON), metrics (JSON), status, trainedAt, promotedAt, artifactPath})`` with
``status`` one of ``training``, ``ready``, ``promoted``, ``retired``; at most one ``promoted`` per
name (promotion flips both in one transaction). A gradual rollout sets ``trafficPercent`` (and
``rolloutAt``) on the one version served to that share of users besides the promoted one; a full
promotion or :func:`cancel_rollout` removes it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from graph.errors import NotFoundError

if TYPE_CHECKING:
    from graph.connection import Connection

__all__ = [
    "ModelRecord",
    "ModelStatus",
    "cancel_rollout",
    "get_model",
    "get_promoted",
    "iso",
    "list_models",
    "loads",
    "next_version",
    "promote",
    "record",
    "register",
    "set_ranker",
    "set_rollout",
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
    #: The learned ranker's figures beside the hand weights' (empty: none was trained).
    ranker_metrics: dict[str, Any] = msgspec.field(default_factory=dict)
    #: The share of users (percent) served this version in a gradual rollout, else ``None``.
    traffic_percent: float | None = None

    @property
    def number(self) -> int:
        """The ``N`` of version ``vN``."""
        return version_number(self.version)


def version_number(version: str) -> int:
    """Return ``N`` of ``"vN"`` (``0`` when the version is not of that form)."""
    return int(version[1:]) if version[:1] == "v" and version[1:].isdigit() else 0


def loads(raw: Any) -> dict[str, Any]:
    """A JSON object stored as a string property (``{}`` when absent)."""
    return json.loads(raw) if isinstance(raw, str) and raw else {}


def iso(value: Any) -> str | None:
    """A stored ``DateTime`` as an ISO-8601 string (``None`` when absent)."""
    return value.iso_format() if hasattr(value, "iso_format") else value


def record(props: dict[str, Any]) -> ModelRecord:
    """A registry entry from the properties of its ``Model`` node."""
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
        ranker_metrics=loads(props.get("rankerMetrics")),
        traffic_percent=props.get("trafficPercent"),
    )


def list_models(conn: Connection, name: str) -> list[ModelRecord]:
    """Return the versions of a model, newest first."""
    rows = conn.rows("model_list", {"name": name})
    return sorted((record(r["model"]) for r in rows), key=lambda m: m.number, reverse=True)


def get_model(conn: Connection, name: str, version: str) -> ModelRecord:
    """Return one version.

    Raises:
        NotFoundError: No such version.
    """
    rows = conn.rows("model_get", {"name": name, "version": version})
    if not rows:
        raise NotFoundError(f"no model {name}:{version}")
    return record(rows[0]["model"])


def get_promoted(conn: Connection, name: str) -> ModelRecord | None:
    """Return the promoted version of a model, or ``None``."""
    rows = conn.rows("get_promoted_model", {"name": name})
    return record(rows[0]["model"]) if rows else None


def next_version(conn: Connection, name: str) -> str:
    """Return ``v<N+1>`` where ``N`` is the highest registered version number (``v1`` first)."""
    models = list_models(conn, name)
    return f"v{max((m.number for m in models), default=0) + 1}"


def register(
    conn: Connection,
    *,
    name: str,
    version: str,
    algorithm: str,
    hyperparameters: dict[str, Any],
    artifact_path: str,
    status: ModelStatus = "training",
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
    conn.write("model_upsert", {"model_id": model_id, "props": props})
    return model_id


def set_status(
    conn: Connection,
    model_id: str,
    status: ModelStatus,
    metrics: dict[str, Any] | None = None,
) -> None:
    """Set a model's status (and metrics)."""
    encoded = json.dumps(metrics, sort_keys=True) if metrics is not None else None
    conn.write("model_set_status", {"model_id": model_id, "status": status, "metrics": encoded})


def promote(conn: Connection, name: str, version: str) -> str | None:
    """Promote a version and retire the previously promoted one, in one transaction.

    Returns:
        The previously promoted version, if any.

    Raises:
        NotFoundError: No such version, or it is still training.
    """
    rows = conn.rows("model_promote", {"name": name, "version": version}, write=True)
    if not rows:
        raise NotFoundError(f"no promotable model {name}:{version} (unknown or still training)")
    return rows[0]["previous"]


def set_ranker(conn: Connection, model_id: str, ranker: str | None, metrics: str) -> None:
    """Store a version's learned ranker (JSON; None removes it) and its figures (JSON).

    Raises:
        NotFoundError: No such model.
    """
    params = {"model_id": model_id, "ranker": ranker, "ranker_metrics": metrics}
    if not conn.rows("model_set_ranker", params, write=True):
        raise NotFoundError(f"no model {model_id}")


def set_rollout(conn: Connection, name: str, version: str, percent: float) -> float | None:
    """Serve ``version`` to ``percent`` % of the users (the rest keep the promoted version).

    Returns:
        The version's former share (``None`` when the rollout starts now).

    Raises:
        NotFoundError: No such version, or it is not ready/retired, or nothing is promoted, or
            another version of ``name`` is in rollout (checked in the same transaction).
    """
    params = {"name": name, "version": version, "percent": float(percent)}
    rows = conn.rows("model_rollout", params, write=True)
    if not rows:
        raise NotFoundError(
            f"{name}:{version} cannot be rolled out (unknown, still training, promoted, nothing "
            "else promoted, or another version is in rollout)"
        )
    before = rows[0]["before"]
    return None if before is None else float(before)


def cancel_rollout(conn: Connection, name: str) -> list[tuple[str, float]]:
    """End any gradual rollout of ``name``: the ``(version, share)`` pairs it ended."""
    rows = conn.rows("model_rollout_cancel", {"name": name}, write=True)
    return [(r["version"], float(r["percent"])) for r in rows]
