"""A reopened ticket, and a ticket open for months, as the four views count them: the
``/metrics`` gauges, the agreement's Ticket timers page, the worker's ticket alerts and the
month's statement (on SQLite and PostgreSQL).

The rule (``core.support``): a reopened ticket has one resolution timer that counts, its latest
cycle's; an earlier cycle's resolution did not hold, so it is no longer ``met``; a breach stands
(the latest cycle is ``breached`` when an earlier one was). The alerts watch every ticket still
open, however long ago it was created.

The desk works Monday to Friday 09:00-17:00 UTC (8 business hours a day); P1 is answered within
2 business hours and resolved within 8. Everything is read on Friday 20 November 2026 at 12:00
UTC; the figures below are worked out by hand on that calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import NoticeKind
from covenant.core.support import TimerKind, counted
from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.sla import sla_statement
from covenant.services.sla_clocks import calendar_clocks
from covenant.services.ticket_timers import agreement_live_timers
from covenant.services.worker_agreements import agreement_conditions
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
WORKSPACE = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Calendar
metadata: {name: desk}
spec:
  timeZone: UTC
  weekly: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00",
           fri: "09:00-17:00"}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {desk: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      support:
        - name: desk
          calendar: desk
          targets:
            P1: {firstResponse: 2h, resolution: 8h}
          pauseStates: [waiting-on-customer]
          attainment: 90
"""


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def p1(
    id_: str, created: datetime, answered: datetime | None, *moves: tuple[datetime, str]
) -> Ticket:
    history = (
        StatusChange(at=created, status="open"),
        *(StatusChange(at=t, status=s) for t, s in moves),
    )
    return Ticket(
        id=id_,
        customer="acme",
        priority="P1",
        created=created,
        first_response=answered,
        history=history,
    )


TICKETS = [
    # Created Monday 3 August 10:00 — three periods before November — answered at 10:30 (met),
    # never resolved: the resolution (8 business hours) was due Tuesday 4 August 10:00 and is
    # breached. It is still open: watched (the alerts read it from the open-ticket index).
    p1("ANCIENT", at(8, 3, 10), at(8, 3, 10, 30)),
    # Monday 16 November 09:00, answered 09:30 (met); resolved 11:00 (cycle 1: 2 of 8 h, met);
    # reopened Thursday 19 November 15:00. Cycle 2 by Friday 12:00: Thu 15-17 (2 h) + Fri 9-12
    # (3 h) = 5 h = 18,000 s of 28,800 s: 62.5 % (at-risk-50), 10,800 s left, due Fri 15:00.
    # Its resolution is not decided: cycle 1's resolution did not hold.
    p1(
        "REOPENED",
        at(11, 16, 9),
        at(11, 16, 9, 30),
        (at(11, 16, 11), "resolved"),
        (at(11, 19, 15), "open"),
    ),
    # Tuesday 10 November 09:00, answered 10:00 (1 of 2 h: met); resolved Wednesday 11
    # November 13:00 (cycle 1: Tue 9-17 = 8 h + Wed 9-13 = 4 h = 12 h > 8 h: breached);
    # reopened Friday 20 November 11:00 (cycle 2: 1 of 8 h). The breach stands: breached.
    p1(
        "LATE-BACK",
        at(11, 10, 9),
        at(11, 10, 10),
        (at(11, 11, 13), "resolved"),
        (at(11, 20, 11), "open"),
    ),
    # Friday 20 November 09:00, not answered by 12:00: 3 h > 2 h (breached); resolution 3 of
    # 8 h = 37.5 % (running), 18,000 s left.
    p1("FRESH", at(11, 20, 9), None),
]


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


@pytest.fixture
def ticketed(engine: Engine) -> Engine:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=NOW)
    return engine


def test_the_gauges_count_a_reopened_tickets_latest_cycle(
    ticketed: Engine, workspace: Workspace
) -> None:
    groups = {g.timer: g for g in ticket_timer_groups(ticketed, workspace=workspace, at=NOW)}
    # first response: ANCIENT, REOPENED, LATE-BACK met; FRESH breached
    assert groups["first-response"].counts == {"met": 3, "breached": 1}
    # resolution: ANCIENT and LATE-BACK breached, REOPENED at-risk-50, FRESH running — no
    # "met" for REOPENED's first cycle, nor a running timer for LATE-BACK's second
    assert groups["resolution"].counts == {"breached": 2, "at-risk-50": 1, "running": 1}
    assert groups["resolution"].nearest_remaining_s == 10_800  # REOPENED (FRESH: 18,000)


def test_the_timers_page_shows_the_same_timers(ticketed: Engine, workspace: Workspace) -> None:
    live = agreement_live_timers(ticketed, workspace=workspace, name="acme-sla", at=NOW)
    got = {(x.timer.ticket, x.timer.kind.value): (x.timer.cycle, x.timer.state.value) for x in live}
    assert got == {
        ("ANCIENT", "first-response"): (1, "met"),
        ("ANCIENT", "resolution"): (1, "breached"),
        ("REOPENED", "first-response"): (1, "met"),
        ("REOPENED", "resolution"): (2, "at-risk-50"),
        ("LATE-BACK", "first-response"): (1, "met"),
        ("LATE-BACK", "resolution"): (2, "breached"),
        ("FRESH", "first-response"): (1, "breached"),
        ("FRESH", "resolution"): (1, "running"),
    }
    assert len(live) == len(got)  # one timer per ticket and kind
    back = next(x.timer for x in live if x.timer.ticket == "LATE-BACK" and x.timer.cycle == 2)
    assert (back.breached_cycle, back.elapsed_s, back.remaining_s) == (1, 3_600, 25_200)
    again = next(x.timer for x in live if x.timer.ticket == "REOPENED" and x.timer.cycle == 2)
    assert (again.elapsed_s, again.remaining_s, again.deadline) == (18_000, 10_800, at(11, 20, 15))


def test_the_alerts_watch_every_open_ticket_and_agree(
    ticketed: Engine, workspace: Workspace
) -> None:
    found = agreement_conditions(ticketed, workspace=workspace, now=NOW)
    assert not found.problems
    active = sorted(c.key for c in found.conditions if c.active)
    assert active == [
        # ANCIENT, created three periods ago and still open, is watched
        "ticket-at-risk/acme-sla/ANCIENT/resolution/1",
        "ticket-at-risk/acme-sla/FRESH/first-response/1",
        "ticket-at-risk/acme-sla/LATE-BACK/resolution/2",
        "ticket-breached/acme-sla/ANCIENT/resolution/1",
        "ticket-breached/acme-sla/FRESH/first-response/1",
        # running again after cycle 1 breached: the resolution stays breached
        "ticket-breached/acme-sla/LATE-BACK/resolution/2",
    ]
    keys = {c.key for c in found.conditions if c.kind is NoticeKind.TICKET_AT_RISK}
    assert "ticket-at-risk/acme-sla/REOPENED/resolution/1" not in keys  # superseded
    back = next(c for c in found.conditions if c.key.endswith("LATE-BACK/resolution/2"))
    assert "after cycle 1 breached its target" in back.annotations["summary"]


def test_the_statement_counts_one_verdict_per_ticket(
    ticketed: Engine, workspace: Workspace
) -> None:
    st = sla_statement(
        ticketed,
        workspace=workspace,
        customer="acme",
        period="2026-11",
        at=NOW,
        clock_for=calendar_clocks(workspace),
    )
    (support,) = st.support
    shares = {a.kind: (a.met, a.breached, a.running) for a in support.attainment}
    # November's tickets (ANCIENT is August's): first response REOPENED, LATE-BACK met, FRESH
    # breached; resolution LATE-BACK breached (cycle 1), REOPENED and FRESH not decided
    assert shares == {TimerKind.FIRST_RESPONSE: (2, 1, 0), TimerKind.RESOLUTION: (0, 1, 2)}
    # every cycle stays in the statement as evidence; the superseded ones do not count
    cycles = sorted(
        (t.ticket, t.cycle, t.superseded) for t in support.timers if t.kind.value == "resolution"
    )
    assert cycles == [
        ("FRESH", 1, False),
        ("LATE-BACK", 1, True),
        ("LATE-BACK", 2, False),
        ("REOPENED", 1, True),
        ("REOPENED", 2, False),
    ]
    # the gauges' resolution counts less ANCIENT's breach are the statement's
    counted_states = [
        t.state.value for t in counted(support.timers) if t.kind.value == "resolution"
    ]
    assert sorted(counted_states) == ["at-risk-50", "breached", "running"]
