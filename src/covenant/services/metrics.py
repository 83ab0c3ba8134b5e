"""What ``/metrics`` shows: the latest tick's numbers, or a fresh evaluation without a worker.

With the worker running (``covenant serve``), the numbers are those of its latest tick — the
same report, forecast and alert states its alerts were decided from. Without one (``covenant
serve --no-worker``, or before the first tick) the workspace is evaluated at ``now`` by the
same service functions as ``covenant evaluate`` and ``covenant exposure``; alert states are
read from the store either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from covenant.render.metrics import Snapshot
from covenant.services.evaluate import evaluate_workspace
from covenant.store.alert_states import load_alert_states

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.definitions.workspace import Workspace
    from covenant.services.worker import TickResult


def metrics_snapshot(
    engine: Engine, *, workspace: Workspace, now: datetime, latest: TickResult | None
) -> Snapshot:
    """The numbers ``/metrics`` exposes (see the module docstring)."""
    with engine.connect() as conn:
        alerts = tuple(load_alert_states(conn).values())
    if latest is not None:
        return Snapshot(
            at=latest.at,
            evaluations=latest.report.effective,
            exposure=latest.agreements,
            alerts=alerts,
            paths={"incremental": latest.incremental, "full": latest.full},
        )
    report = evaluate_workspace(engine, workspace=workspace, at=now)
    found = None
    if workspace.agreements:
        from covenant.services.exposure import exposure  # noqa: PLC0415

        found = exposure(engine, workspace=workspace, at=now)
    return Snapshot(at=now, evaluations=report.effective, exposure=found, alerts=alerts)
