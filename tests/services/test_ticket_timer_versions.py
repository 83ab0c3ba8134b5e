"""The ``covenant_ticket_timers`` gauges after an amendment in the period (on SQLite and
PostgreSQL): each ticket is measured against the targets of the version in force when it was
created, and counted in its group with no ``version`` label (docs/worker.md "Why no version
label"): one series per agreement, commitment, customer, priority, timer and state, whichever
version governs each of its tickets.

acme-sla v1 (from 1 January 2026) answers P1 within 1 hour; v2 (from 15 November 2026, in the
same monthly period) within 4 hours, in calendar time. Read on 20 November 2026 at 12:00 UTC:
V1-OPEN, created 10 November 09:00 under v1 and unanswered, is 3 days in: breached (of 1 h;
also of v2's 4 h). V2-OPEN, created 20 November 10:00 under v2, is 2 hours in: 50 % of 4 h
(at-risk-50) with 7,200 s left — under v1's 1 hour it would be breached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.render.metrics import Snapshot, exposition
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.ticket_timers import agreement_live_timers
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def version(number: int, status: str, since: str, signed: str, first_response: str) -> str:
    reason = "\n      reason: longer first responses" if number > 1 else ""
    return f"""\
    - version: {number}
      status: {status}{reason}
      effectiveFrom: {since}
      fees: {{desk: "1000.00"}}
      period: {{unit: month, timeZone: UTC}}
      signatories: [{{name: A, signedAt: {signed}}}]
      support:
        - name: desk
          targets:
            P1: {{firstResponse: {first_response}, resolution: 5d}}
          attainment: 90
"""


WORKSPACE = (
    """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
"""
    + version(1, "superseded", "2026-01-01", "2025-12-01", "1h")
    + version(2, "active", "2026-11-15", "2026-11-01", "4h")
)


def p1(id_: str, created: datetime) -> Ticket:
    return Ticket(
        id=id_,
        customer="acme",
        priority="P1",
        created=created,
        history=(StatusChange(at=created, status="open"),),
    )


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


@pytest.fixture
def ticketed(engine: Engine) -> Engine:
    tickets = [
        p1("V1-OPEN", datetime(2026, 11, 10, 9, 0, tzinfo=UTC)),
        p1("V2-OPEN", datetime(2026, 11, 20, 10, 0, tzinfo=UTC)),
    ]
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=tickets, at=NOW)
    return engine


def test_each_ticket_counts_under_its_version_in_one_series_per_state(
    ticketed: Engine, workspace: Workspace
) -> None:
    live = agreement_live_timers(ticketed, workspace=workspace, name="acme-sla", at=NOW)
    first = {x.timer.ticket: x for x in live if x.timer.kind.value == "first-response"}
    assert {t: (x.version, x.timer.state.value) for t, x in first.items()} == {
        "V1-OPEN": (1, "breached"),
        "V2-OPEN": (2, "at-risk-50"),
    }
    groups = ticket_timer_groups(ticketed, workspace=workspace, at=NOW)
    (response,) = [g for g in groups if g.timer == "first-response"]
    assert response.counts == {"breached": 1, "at-risk-50": 1}
    assert response.nearest_remaining_s == 7_200
    page = exposition(
        Snapshot(at=NOW, evaluations=(), exposure=None, alerts=(), timers=groups)
    ).decode()
    lines = [x for x in page.splitlines() if x.startswith("covenant_ticket_timers{")]
    assert len(lines) == 2 * 6  # two timers, six states: one series each, not one per version
    assert all("version" not in x for x in lines)
