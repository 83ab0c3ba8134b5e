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


class Turns:
    """A leadership the test hands from one loop to another; ``terms`` counts each new lead."""

    def __init__(self, *, leading: bool) -> None:
        self.leading = leading
        self.terms = 0
        self._held = False

    def acquire(self) -> bool:
        if self.leading and not self._held:
            self.terms += 1
        self._held = self.leading
        return self.leading

    def held(self) -> bool:
        return self._held

    def release(self) -> None:
        self._held = False


def test_a_loop_that_leads_again_does_not_trust_its_edge_cache(
    engine: Engine, workspace: Workspace
) -> None:
    """Two replicas: A ticks, loses the lead to B, which ticks after late events arrived and
    takes the journal's rows; when A leads again its cached edges would miss those events."""
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    now = [T0]
    first, second = Turns(leading=True), Turns(leading=False)
    a = WorkerLoop(
        Worker(engine), workspace=lambda: workspace, clock=lambda: now[0], leadership=first
    )
    b = WorkerLoop(
        Worker(engine), workspace=lambda: workspace, clock=lambda: now[0], leadership=second
    )
    assert a.run_once() is not None
    first.leading, second.leading = False, True
    assert a.run_once() is None
    put(engine, T0 - timedelta(minutes=5), 100, bad=0)  # late: before A's newest edge
    now[0] = T0 + timedelta(minutes=1)
    assert b.run_once() is not None  # B reads the late events and forgets the journal's rows
    first.leading, second.leading = True, False
    now[0] = T0 + timedelta(minutes=2)
    result = a.run_once()
    assert result is not None
    want = evaluate_workspace(engine, workspace=workspace, at=now[0])
    assert result.report.evaluations == want.evaluations
    a.stop()
    b.stop()
