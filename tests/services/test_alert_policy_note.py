"""A burn-rate alert whose windows a good/bad no-data policy filled says so in its notice.

Fed in: a Timeslices SLO (1-minute slices, 99.9 % over 30 days, ``noDataPolicy: bad``) with 100
requests a minute from 09:00 to 11:50 and none from 11:50 to the tick at 12:00. By hand: the
1-hour window counts 60 slices, the last 10 silent and counted bad (a burn of 10/60 / 0.001 =
166.7 ≥ 14.4); the 5-minute window's 5 slices are all silent; the 6-hour window (06:00–12:00)
has events in 170 of its 360 slices, so 190 are silent; the 30-minute window 10 of 30.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeState
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.worker import Worker
from tests.checkout import put

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BAD = "noDataPolicy: bad"
WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: shop
  indicator:
    metadata: {name: checkout}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Timeslices
  noDataPolicy: bad
  objectives: [{target: 0.999, timeSliceTarget: 0.95, timeSliceWindow: 1m}]
"""


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


def test_the_notice_says_how_many_slices_of_its_windows_the_policy_counted(
    engine: Engine, workspace: Workspace
) -> None:
    put(engine, T0 - timedelta(hours=3), 170, bad=0)  # 09:00–11:50, then silence
    inbox = Inbox()
    Worker(engine, notify=inbox).tick(workspace, T0)
    firing = {n.key: n for n in inbox.notices if n.state is NoticeState.FIRING}
    fast = firing["burn-rate/checkout-availability/page-fast"].annotations["description"]
    assert fast.endswith(
        f" No-data policy: over 1h, 10 of 60 slices had no events and were counted bad by "
        f"{BAD}; over 5m, no events in the window: all 5 slices counted bad by {BAD}."
    )
    slow = firing["burn-rate/checkout-availability/page-slow"].annotations["description"]
    assert slow.endswith(
        f" No-data policy: over 6h, 190 of 360 slices had no events and were counted bad "
        f"by {BAD}; over 30m, 10 of 30 slices had no events and were counted bad by {BAD}."
    )


def test_a_measured_burn_says_nothing_of_the_policy(engine: Engine, workspace: Workspace) -> None:
    """Events in every slice of the last 3 days, half of them failing in the last 10 minutes:
    the alerts fire from measured slices alone."""
    put(engine, T0 - timedelta(days=3), 3 * 1440 - 10, bad=0)
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)
    inbox = Inbox()
    Worker(engine, notify=inbox).tick(workspace, T0)
    fast = next(n for n in inbox.notices if n.key.endswith("/page-fast"))
    assert fast.state is NoticeState.FIRING
    assert "No-data policy" not in fast.annotations["description"]
