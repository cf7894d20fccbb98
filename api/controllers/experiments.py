"""``/v1/experiments`` (admin): create, start, stop, conclude, list and report experiments.

The registry calls are synchronous (``graph.experiments`` over the process's ``Connection``),
so the handlers run in Litestar's thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api.errors import ApiError, ErrorCode
from api.schemas.common import view
from api.schemas.learning import NAME_PATTERN, ExperimentCreate, ExperimentView
from api.security import BEARER, require_admin
from api.state import AppState
from graph import experiments
from graph.experiments import ExperimentRecord, VariantRecord
from learning import lifecycle, report

__all__ = ["ExperimentController"]

NamePath = Annotated[str, PathParameter(pattern=NAME_PATTERN, description="Experiment")]


#: Refusals that are not the request's fault but the state's: a move the experiment's status
#: does not allow, a start while another experiment runs.
_CONFLICTS = frozenset({"status", "independent"})


def _refused(exc: lifecycle.SpecError) -> ApiError:
    """400; 404 for a model version that is not registered (an unknown id, as elsewhere); 409
    for a conflict with the experiments' state."""
    status, code = 400, ErrorCode.INVALID_INPUT
    if exc.field.endswith(".model_version"):
        status, code = 404, ErrorCode.NOT_FOUND
    elif exc.field in _CONFLICTS:
        status = 409
    return ApiError(status, code, str(exc), field=exc.field, reason=exc.reason)


def _counts(app_state: AppState) -> Callable[[ExperimentRecord], dict[str, dict[str, Any]]]:
    """What ``stop`` keeps on each variant: its totals and its test against the control."""
    fields = ("users", "impressions", "clicks", "conversions", "ctr", "uplift", "p_value")

    def collect(experiment: ExperimentRecord) -> dict[str, dict[str, Any]]:
        built = report.build(app_state.conn, experiment.name)
        return {v.name: {f: getattr(v, f) for f in fields} for v in built.variants}

    return collect


class ExperimentController(Controller):
    """A/B experiments (admin key)."""

    path = "/v1/experiments"
    tags = ("experiments",)
    security = BEARER
    guards = [require_admin]  # noqa: RUF012

    @post("", operation_id="CreateExperiment", status_code=201, sync_to_thread=True)
    def create(
        self, app_state: NamedDependency[AppState], data: JSONBody[ExperimentCreate]
    ) -> ExperimentView:
        """Create an experiment in draft; refused with the field at fault."""
        record = ExperimentRecord(
            name=data.name,
            status="draft",
            variants=[view(v, VariantRecord) for v in data.variants],
            independent=data.independent,
            description=data.description,
        )
        try:
            return view(lifecycle.create(app_state.conn, record), ExperimentView)
        except lifecycle.SpecError as exc:
            raise _refused(exc) from exc

    @get("", operation_id="ListExperiments", sync_to_thread=True)
    def list_all(self, app_state: NamedDependency[AppState]) -> list[ExperimentView]:
        """Every experiment, newest first."""
        return [view(e, ExperimentView) for e in experiments.list_experiments(app_state.conn)]

    @get("/{name:str}", operation_id="GetExperiment", sync_to_thread=True)
    def get_one(self, app_state: NamedDependency[AppState], name: NamePath) -> ExperimentView:
        """One experiment."""
        return view(experiments.get(app_state.conn, name), ExperimentView)

    @post("/{name:str}/{move:str}", operation_id="MoveExperiment", status_code=200,
          sync_to_thread=True)  # fmt: skip
    def move(
        self,
        app_state: NamedDependency[AppState],
        name: NamePath,
        move: Annotated[str, PathParameter(pattern=r"^(start|stop|conclude)(?![\s\S])")],
    ) -> ExperimentView:
        """``start`` (draft → running), ``stop`` (→ analyzing, counts kept), ``conclude``."""
        try:
            if move == "start":
                moved = lifecycle.start(app_state.conn, name)
            elif move == "stop":
                moved = lifecycle.stop(app_state.conn, name, _counts(app_state))
            else:
                moved = lifecycle.conclude(app_state.conn, name)
        except lifecycle.SpecError as exc:
            raise _refused(exc) from exc
        app_state.experiments.invalidate()
        return view(moved, ExperimentView)

    @get("/{name:str}/report", operation_id="ExperimentReport", sync_to_thread=True)
    def get_report(
        self, app_state: NamedDependency[AppState], name: NamePath
    ) -> report.ExperimentReport:
        """Per variant CTR with intervals, uplift and p-value, the SRM check and the MDE."""
        return report.build(app_state.conn, name)
