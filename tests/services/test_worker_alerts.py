"""The worker's tick: burn-rate alerts fire, notify once, resolve once, survive a restart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.worker import Worker
from covenant.store.alert_states import load_alert_states
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction
from tests.checkout import CHECKOUT_SLO, STEP, put

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WORKSPACE = (
    """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
"""
    + CHECKOUT_SLO
)


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


class Inbox:
    def __init__(self) -> None:
        self.notices: list[AlertNotice] = []

    def __call__(self, notices: Sequence[AlertNotice]) -> None:
        self.notices.extend(notices)


def test_page_fires_once_and_resolves_once(engine: Engine, workspace: Workspace) -> None:
    put(engine, T0 - timedelta(hours=3), 170, bad=0)  # clean until 11:50
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # then half the requests fail
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    # 500 bad requests against a 0.1 % budget: 1 h burn 500/6,000/0.001 = 83 (>= 14.4), 5 min
    # 500; 6 h and 1 d (3 h of data) 500/18,000/0.001 = 27.8 (>= 6, >= 3, >= 1): all four fire
    first = worker.tick(workspace, T0)
    firing = [n for n in inbox.notices if n.state is NoticeState.FIRING]
    assert [n.key for n in firing] == [
        f"burn-rate/checkout-availability/{tier}"
        for tier in ("page-fast", "page-slow", "ticket-fast", "ticket-slow")
    ]
    assert firing[0].kind is NoticeKind.BURN_RATE
    assert dict(firing[0].labels) == {
        "alertname": "CheckoutAvailabilityBurnRate",
        "sloth_id": "shop-checkout-availability",
        "sloth_service": "shop",
        "sloth_slo": "checkout-availability",
        "severity": "page",
        "sloth_severity": "page",
        "covenant_tier": "page-fast",
    }
    assert firing[0].starts_at == T0
    assert {r.key for r in first.alerts if r.phase.value == "firing"} >= {firing[0].key}

    put(engine, T0, 1, bad=50)
    worker.tick(workspace, T0 + timedelta(minutes=1))
    assert len(inbox.notices) == len(first.notices)  # still firing: no second notice

    # a restarted worker (cold cache, state from the store) sends nothing new either
    restarted = Worker(engine, notify=inbox)
    put(engine, T0 + timedelta(minutes=1), 1, bad=50)
    restarted.tick(workspace, T0 + timedelta(minutes=2))
    assert len(inbox.notices) == len(first.notices)

    # six clean minutes: the 5-minute window is clean, the fast page resolves (once)
    put(engine, T0 + timedelta(minutes=2), 6, bad=0)
    restarted.tick(workspace, T0 + timedelta(minutes=8))
    restarted.tick(workspace, T0 + timedelta(minutes=9))
    resolved = [n for n in inbox.notices if n.state is NoticeState.RESOLVED]
    assert [n.key for n in resolved] == ["burn-rate/checkout-availability/page-fast"]
    assert resolved[0].starts_at == T0
    assert resolved[0].ends_at == T0 + timedelta(minutes=8)
    with engine.connect() as conn:
        stored = load_alert_states(conn)
    assert stored["burn-rate/checkout-availability/page-fast"].phase.value == "resolved"


def test_a_failing_notify_does_not_stop_the_tick(engine: Engine, workspace: Workspace) -> None:
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)

    def broken(notices: Sequence[AlertNotice]) -> None:
        raise RuntimeError("receiver down")

    result = Worker(engine, notify=broken).tick(workspace, T0)
    assert result.notices  # the state moved on; delivery owns retries


TARGET = """---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: ops-hook
  annotations:
    covenant.dev/delivery: '{"url": "http://127.0.0.1:9/covenant"}'
spec:
  target: webhook
"""


def test_notices_are_written_to_the_outbox_with_the_state(engine: Engine) -> None:
    from covenant.services.delivery import Dispatcher  # noqa: PLC0415
    from covenant.services.delivery_outbox import outbox_view  # noqa: PLC0415

    ws, problems = analyse_text(WORKSPACE + TARGET)
    assert ws is not None, problems
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    dispatcher = Dispatcher.for_workspace(engine, ws)  # never started: nothing is sent
    worker = Worker(engine, enqueue=dispatcher.enqueue)
    first = worker.tick(ws, T0)
    rows = outbox_view(engine, limit=100).rows
    assert sorted(r.notice_key for r in rows) == sorted(n.key for n in first.notices)
    assert {r.target for r in rows} == {"ops-hook"}
    assert {r.state for r in rows} == {"firing"}
    worker.tick(ws, T0 + timedelta(minutes=1))  # still firing: nothing new to send
    assert len(outbox_view(engine, limit=100).rows) == len(rows)


def test_a_stale_slo_keeps_its_alerts_firing(engine: Engine, workspace: Workspace) -> None:
    """A source read that failed makes the SLO "no data (stale)": its alerts neither resolve
    nor fire on numbers that stopped arriving; they move again once the read succeeds."""
    from covenant.core.timeutil import to_epoch as epoch  # noqa: PLC0415
    from covenant.store.source_reads import record_error, record_read  # noqa: PLC0415

    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    worker.tick(workspace, T0)
    firing = len(inbox.notices)
    assert firing == 4
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["checkout"], step=STEP)["checkout"]
        record_read(conn, series_id=sid, source="prom", until=epoch(T0), at=T0)
        record_error(conn, series_id=sid, source="prom", code="source-error", message="down", at=T0)
    later = T0 + timedelta(hours=2)  # every window clean by now, but nothing was read
    stale = worker.tick(workspace, later)
    assert stale.report.evaluations[0].no_data is not None
    assert stale.report.evaluations[0].no_data.startswith("stale:")
    assert len(inbox.notices) == firing  # nothing resolved on missing data
    assert {r.phase.value for r in stale.alerts} == {"firing"}
    with write_transaction(engine) as conn:
        record_read(conn, series_id=sid, source="prom", until=epoch(later), at=later)
    worker.tick(workspace, later + timedelta(minutes=1))
    resolved = [n for n in inbox.notices if n.state is NoticeState.RESOLVED]
    assert len(resolved) == 3  # the 3-day ticket tier still sees the burst
