"""What ``/metrics`` shows: the worker's latest tick, the same in every server process.

The process that leads the worker publishes each tick's page into the store right after the
tick (``publish_tick``: its report, forecast and alert states, rendered once, in the worker's
thread); every process — leader, follower, ``--no-worker`` — serves the latest published page
(``SharedMetrics``), with ``covenant_metrics_snapshot_age_seconds``, how old its tick is. So
a scrape answers the same samples whichever process (or replica) takes it.

When no page was published, or the latest is older than :data:`STALE_AFTER` (no worker ran
for a while: ``covenant serve --no-worker`` alone), the workspace is evaluated at ``now`` by the
same service functions as ``covenant evaluate`` and ``covenant exposure``, with the alert
states read from the store (no age gauge then: the numbers are of now).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from covenant.render.metrics import Snapshot, age_exposition, exposition
from covenant.services.evaluate import evaluate_workspace
from covenant.store import metrics_snapshots
from covenant.store.alert_states import load_alert_states
from covenant.store.db import write_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.definitions.workspace import Workspace
    from covenant.services.worker import TickResult

STALE_AFTER = timedelta(minutes=10)
"""A published page older than this (by its tick's instant) is not served: no worker ticks."""


def tick_snapshot(result: TickResult) -> Snapshot:
    """The numbers of one tick: its report, forecast and alert states after it."""
    return Snapshot(
        at=result.at,
        evaluations=result.report.effective,
        exposure=result.agreements,
        alerts=result.alerts,
        paths={"incremental": result.incremental, "full": result.full},
    )


def publish_tick(
    engine: Engine, result: TickResult, *, published_at: datetime
) -> metrics_snapshots.Stamp:
    """Render the tick's page and store it as the latest (every process serves it)."""
    body = exposition(tick_snapshot(result))
    with write_transaction(engine) as conn:
        return metrics_snapshots.publish(conn, body, at=result.at, published_at=published_at)


def metrics_snapshot(engine: Engine, *, workspace: Workspace, now: datetime) -> Snapshot:
    """The workspace evaluated at ``now``, with the stored alert states (no page published)."""
    with engine.connect() as conn:
        alerts = tuple(load_alert_states(conn).values())
    report = evaluate_workspace(engine, workspace=workspace, at=now)
    found = None
    if workspace.agreements:
        from covenant.services.exposure import exposure  # noqa: PLC0415

        found = exposure(engine, workspace=workspace, at=now)
    return Snapshot(at=now, evaluations=report.effective, exposure=found, alerts=alerts)


class SharedMetrics:
    """The latest published page, kept in memory while the stored one is the same (one small
    query per scrape; the body is read again only when a new tick was published)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: metrics_snapshots.StoredSnapshot | None = None

    def page(self, engine: Engine, *, workspace: Callable[[], Workspace], now: datetime) -> bytes:
        """The text ``/metrics`` answers at ``now`` (see the module docstring)."""
        with engine.connect() as conn:
            stamp = metrics_snapshots.stamp(conn)
            if stamp is not None and now - stamp.at <= STALE_AFTER:
                with self._lock:
                    kept = self._kept
                if kept is None or kept.stamp != stamp:
                    kept = metrics_snapshots.read(conn)
                    with self._lock:
                        self._kept = kept
                if kept is not None:
                    age = max((now - kept.stamp.at).total_seconds(), 0.0)
                    return kept.body + age_exposition(age)
        snapshot = metrics_snapshot(engine, workspace=workspace(), now=now)
        return exposition(snapshot)
