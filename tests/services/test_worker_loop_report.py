"""``covenant serve``'s loop assembles each tick's full report right after the tick (in the
worker's thread, after the alerts moved), so a ``/metrics`` scrape finds it ready; a bare tick
leaves it to the first read, which gives the full evaluation's numbers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.services.evaluate import evaluate_workspace
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from tests.checkout import put
from tests.services.test_worker_alerts import T0, workspace

__all__ = ["workspace"]  # fixture, used by name


def test_the_loop_assembles_the_report_after_the_tick(engine: Engine, workspace: Workspace) -> None:
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    bare = Worker(engine).tick(workspace, T0)
    assert bare.alerts  # the alerts moved without the report
    assert not bare.evaluated.assembled
    loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: T0)
    result = loop.run_once()
    assert result is not None
    assert result.evaluated.assembled
    want = evaluate_workspace(engine, workspace=workspace, at=T0)
    assert result.report.evaluations == want.evaluations
    assert bare.report.evaluations == want.evaluations
    loop.stop()
