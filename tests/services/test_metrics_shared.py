"""``/metrics`` is the page the leader's loop published after its latest tick, served alike by
every process (``services.metrics.SharedMetrics``), on SQLite and PostgreSQL: its samples are
the tick's, the age gauge counts from the tick's instant, a newer publication replaces the page
kept in memory, and a page older than ``STALE_AFTER`` gives way to an evaluation at the scrape.

The checkout SLO gets 100 requests a minute (``tests.checkout.put``): 170 clean minutes, then 10
minutes with 50 failing, up to T0 — 18,000 events, 500 bad, in its 30-day window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.services.metrics import STALE_AFTER, SharedMetrics
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from tests.checkout import put
from tests.services.test_worker_alerts import T0, workspace

__all__ = ["workspace"]  # fixture, used by name

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
SLO = (
    ("objective", "checkout-availability"),
    ("sloth_id", "shop-checkout-availability"),
    ("sloth_service", "shop"),
    ("sloth_slo", "checkout-availability"),
)


def parsed(page: bytes) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page.decode())
        for s in family.samples
    }


class UnreadError(Exception):
    pass


def no_workspace() -> Workspace:
    raise UnreadError  # the published page is served without reading the definitions


@pytest.fixture
def filled(engine: Engine) -> Engine:
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    return engine


def test_every_reader_serves_the_published_tick(filled: Engine, workspace: Workspace) -> None:
    engine = filled
    shared = SharedMetrics()
    with pytest.raises(UnreadError):  # nothing published yet: evaluated at the scrape
        shared.page(engine, workspace=no_workspace, now=T0)

    clock = [T0]
    loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: clock[0])
    assert loop.run_once() is not None
    later = T0 + timedelta(seconds=90)
    pages = [SharedMetrics().page(engine, workspace=no_workspace, now=later) for _ in range(2)]
    assert pages[0] == pages[1]  # two processes, one page
    got = parsed(pages[0])
    assert got[("covenant_slo_window_events", SLO)] == 18_000
    assert got[("covenant_slo_window_good_events", SLO)] == 17_500
    firing = tuple(sorted((*SLO, ("severity", "page"), ("tier", "page-fast"))))
    assert got[("covenant_slo_alert_firing", firing)] == 1
    assert got[("covenant_alerts", (("kind", "burn-rate"), ("state", "firing")))] == 4
    assert got[("covenant_evaluation_timestamp_seconds", ())] == T0.timestamp()
    assert got[("covenant_metrics_snapshot_age_seconds", ())] == 90.0

    # a new tick replaces the page a reader kept
    shared.page(engine, workspace=no_workspace, now=later)
    clock[0] = T0 + timedelta(minutes=1)
    assert loop.run_once() is not None
    got = parsed(shared.page(engine, workspace=no_workspace, now=later))
    assert got[("covenant_evaluation_timestamp_seconds", ())] == clock[0].timestamp()
    assert got[("covenant_metrics_snapshot_age_seconds", ())] == 30.0
    # 60 s later the window holds the same 18,000 events (no bucket left it, none came)
    assert got[("covenant_slo_window_events", SLO)] == 18_000
    loop.stop()

    # no tick for longer than STALE_AFTER: the page is not served any more
    stale = clock[0] + STALE_AFTER + timedelta(seconds=1)
    with pytest.raises(UnreadError):
        shared.page(engine, workspace=no_workspace, now=stale)
    fresh = parsed(shared.page(engine, workspace=lambda: workspace, now=stale))
    assert fresh[("covenant_evaluation_timestamp_seconds", ())] == stale.timestamp()
    assert ("covenant_metrics_snapshot_age_seconds", ()) not in fresh
    assert ("covenant_worker_objectives", (("path", "incremental"),)) not in fresh
