"""Two ways a ticket's timers used to run on where a ticket desk's would not (the four views:
the ``/metrics`` gauges, the agreement's Ticket timers page, the worker's ticket alerts and the
month's statement; on SQLite and PostgreSQL).

- A ticket resolved without a first response: resolving it stops its first-response timer (as
  Jira Service Management and Zendesk do — solving a ticket fulfils Zendesk's first-reply
  metric), met when resolved within the response target, breached after it; a reopening does
  not start it again, and a response after the resolution does not move it.
- A ticket opened under an agreement that has expired since and still open: the agreement in
  force when it was opened governs it until it is resolved, so the gauges, the alerts and the
  agreement's page keep watching it, under that version.

The desk works Monday to Friday 09:00-17:00 UTC (8 business hours a day); P1 is answered within
2 business hours and resolved within 8. Everything is read on Friday 20 November 2026 at 12:00
UTC; the figures are worked out by hand on that calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from covenant.core.support import TimerKind
from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.sla import sla_statement
from covenant.services.sla_clocks import calendar_clocks
from covenant.services.ticket_timers import agreement_live_timers, watched_timers
from covenant.services.worker_agreements import agreement_conditions
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
HEAD = """\
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
"""
TAIL = """\
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
IN_FORCE = HEAD + TAIL
EXPIRED = HEAD + "      effectiveTo: 2026-11-01\n" + TAIL  # in force up to 31 October


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def p1(
    id_: str,
    created: datetime,
    answered: datetime | None,
    *moves: tuple[datetime, str],
) -> Ticket:
    history = (
        StatusChange(at=created, status="open"),
        *(StatusChange(at=t, status=s) for t, s in moves),
    )
    resolved = [t for t, s in moves if s == "resolved"]
    return Ticket(
        id=id_,
        customer="acme",
        priority="P1",
        created=created,
        first_response=answered,
        resolved=resolved[-1] if resolved else None,
        history=history,
    )


UNANSWERED = [
    # Monday 16 November 09:00, never answered, resolved 10:30: 1.5 of 2 business hours, so
    # the first response is met (5,400 s) — resolving it answered it; resolution met too.
    p1("QUIET-MET", at(11, 16, 9), None, (at(11, 16, 10, 30), "resolved")),
    # Tuesday 17 November 16:00, never answered, resolved Wednesday 10:30: Tue 16-17 (1 h) +
    # Wed 9-10:30 (1.5 h) = 9,000 s > 7,200 s: first response breached (and stopped); the
    # resolution (9,000 of 28,800 s) met.
    p1("QUIET-LATE", at(11, 17, 16), None, (at(11, 18, 10, 30), "resolved")),
    # Wednesday 18 November 09:00, resolved 09:30 without an answer (first response met,
    # 1,800 s), reopened Friday 20 November 10:00 and answered at 11:00: the first-response
    # timer is not started again, nor moved by the later answer. Resolution cycle 2: Fri
    # 10-12 = 7,200 of 28,800 s (25 %): running.
    p1(
        "QUIET-BACK",
        at(11, 18, 9),
        at(11, 20, 11),
        (at(11, 18, 9, 30), "resolved"),
        (at(11, 20, 10), "open"),
    ),
]


def workspace_of(text: str) -> Workspace:
    ws, problems = analyse_text(text)
    assert ws is not None, problems
    return ws


def stored(engine: Engine, tickets: list[Ticket]) -> Engine:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=tickets, at=NOW)
    return engine


def test_resolving_an_unanswered_ticket_stops_its_first_response_timer(engine: Engine) -> None:
    ws = workspace_of(IN_FORCE)
    stored(engine, UNANSWERED)
    live = agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW)
    response = {x.timer.ticket: x.timer for x in live if x.timer.kind is TimerKind.FIRST_RESPONSE}
    got = {k: (t.state.value, t.stopped, t.elapsed_s) for k, t in response.items()}
    assert got == {
        "QUIET-MET": ("met", at(11, 16, 10, 30), 5_400),
        "QUIET-LATE": ("breached", at(11, 18, 10, 30), 9_000),
        "QUIET-BACK": ("met", at(11, 18, 9, 30), 1_800),  # not restarted by the reopening
    }
    assert response["QUIET-LATE"].remaining_s == -1_800

    groups = {g.timer: g for g in ticket_timer_groups(engine, workspace=ws, at=NOW)}
    assert groups["first-response"].counts == {"met": 2, "breached": 1}  # none running
    assert groups["first-response"].nearest_remaining_s is None  # none counts down
    assert groups["resolution"].counts == {"met": 2, "running": 1}

    # no alert: the breached first response stopped at the resolution, it is not running
    found = agreement_conditions(engine, workspace=ws, now=NOW)
    assert not found.problems
    assert [c.key for c in found.conditions if c.active] == []

    st = sla_statement(
        engine,
        workspace=ws,
        customer="acme",
        period="2026-11",
        at=NOW,
        clock_for=calendar_clocks(ws),
    )
    (support,) = st.support
    shares = {a.kind: (a.met, a.breached, a.running) for a in support.attainment}
    assert shares == {TimerKind.FIRST_RESPONSE: (2, 1, 0), TimerKind.RESOLUTION: (2, 0, 1)}


OCTOBER = [
    # Monday 26 October 10:00 (the agreement in force), answered 10:30, never resolved: the
    # resolution was due Tuesday 27 October 10:00 (8 business hours) and is breached.
    p1("OCT-OPEN", at(10, 26, 10), at(10, 26, 10, 30)),
    # Tuesday 27 October 09:00, answered 09:15, resolved 12:00: settled, not watched.
    p1("OCT-DONE", at(10, 27, 9), at(10, 27, 9, 15), (at(10, 27, 12), "resolved")),
]


def test_an_open_ticket_is_watched_after_its_agreement_expired(engine: Engine) -> None:
    ws = workspace_of(EXPIRED)
    stored(engine, OCTOBER)
    watched = watched_timers(engine, workspace=ws, at=NOW)
    assert watched.versions == ()  # no agreement in force
    assert sorted(
        (t.id, x.agreement, x.version, x.timer.kind.value) for t, x in watched.timers
    ) == [
        ("OCT-OPEN", "acme-sla", 1, "first-response"),
        ("OCT-OPEN", "acme-sla", 1, "resolution"),
    ]
    assert [(v.agreement, v.version) for v in watched.governing] == [("acme-sla", 1)]

    groups = {g.timer: g for g in ticket_timer_groups(engine, workspace=ws, at=NOW)}
    assert groups["first-response"].counts == {"met": 1}
    assert groups["resolution"].counts == {"breached": 1}
    assert groups["resolution"].agreement == "acme-sla"

    found = agreement_conditions(engine, workspace=ws, now=NOW)
    active = {c.key: c for c in found.conditions if c.active}
    assert sorted(active) == [
        "ticket-at-risk/acme-sla/OCT-OPEN/resolution/1",
        "ticket-breached/acme-sla/OCT-OPEN/resolution/1",
    ]
    breached = active["ticket-breached/acme-sla/OCT-OPEN/resolution/1"]
    assert breached.annotations["agreement_version"] == "acme-sla v1"
    assert "acme-sla v1" in breached.annotations["summary"]
    assert "no longer in force" in breached.annotations["summary"]

    # the agreement's Ticket timers page shows it too
    page = agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW)
    assert sorted((x.timer.ticket, x.timer.state.value) for x in page) == [
        ("OCT-OPEN", "breached"),
        ("OCT-OPEN", "met"),
    ]
    # and the customer's portal (watched for one customer)
    mine = watched_timers(engine, workspace=ws, at=NOW, customer="acme")
    assert {t.id for t, _ in mine.timers} == {"OCT-OPEN"}


def test_an_agreement_in_force_names_its_version_without_the_lapsed_note(engine: Engine) -> None:
    ws = workspace_of(IN_FORCE)
    stored(engine, OCTOBER)
    found = agreement_conditions(engine, workspace=ws, now=NOW)
    breached = next(
        c for c in found.conditions if c.key == "ticket-breached/acme-sla/OCT-OPEN/resolution/1"
    )
    assert breached.active
    assert breached.annotations["agreement_version"] == "acme-sla v1"
    assert "no longer in force" not in breached.annotations["summary"]


@pytest.mark.parametrize("text", [IN_FORCE, EXPIRED])
def test_watching_reads_tickets_through_indexes(sqlite_engine: Engine, text: str) -> None:
    """Every read of the tickets watched_timers sends is a SEARCH through an index (the open
    ones through (customer, settled_at)), never a SCAN of the table."""
    ws = workspace_of(text)
    stored(sqlite_engine, OCTOBER)
    sent: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        _, _, statement, parameters, _, _ = args
        if "FROM tickets" in statement:
            sent.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", grab)
    try:
        watched_timers(sqlite_engine, workspace=ws, at=NOW)
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", grab)
    assert sent
    settled = 0
    with sqlite_engine.connect() as conn:
        for statement, parameters in sent:
            plan = [
                row[-1]
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            reads = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
            assert reads, plan
            assert all(step.startswith("SEARCH") for step in reads), plan
            settled += any("ix_tickets_customer_settled" in step for step in reads)
    assert settled >= 2  # the unsettled ones, and those settled after NOW
