"""Live ticket timers beside a ticket created decades ago (on SQLite and PostgreSQL): the
``/metrics`` gauges, the Ticket timers page, the ticket alerts and the API's ticket list.

A business calendar is compiled for at most 50 years (``core.calendar_compile``), from 7 days
before the oldest ticket to 400 days after now. An open ticket created in 1970 (a missing date
stored as the epoch) is watched as open, though no agreement was in force then: it has no
timers, and the others' timers are computed as without it. A ticket created in 1976 under an
agreement in force since 1971 cannot be measured on its calendar: it has a note saying so and
how to fix it, and every other ticket's timers are shown, counted and alerted on.

The desk works Monday to Friday 09:00-17:00 UTC; P1 is answered within 2 business hours and
resolved within 8. Read on Friday 20 November 2026 at 12:00 UTC: a P1 ticket created that day
at 09:00 and not answered has its first response breached (3 h > 2 h) and its resolution
running (3 of 8 h, 18,000 s left) — worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import NoticeKind
from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.ticket_timers import agreement_live_timers, live_timers
from covenant.services.worker_agreements import agreement_conditions
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday


def agreement(name: str, customer: str, since: str, signed: str) -> str:
    return f"""\
apiVersion: covenant/v1
kind: Customer
metadata: {{name: {customer}}}
spec: {{currency: EUR}}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {{name: {name}}}
spec:
  customer: {customer}
  versions:
    - version: 1
      status: active
      effectiveFrom: {since}
      fees: {{desk: "1000.00"}}
      period: {{unit: month, timeZone: UTC}}
      signatories: [{{name: A, signedAt: {signed}}}]
      support:
        - name: desk
          calendar: desk
          targets:
            P1: {{firstResponse: 2h, resolution: 8h}}
          attainment: 90
"""


WORKSPACE = "---\n".join(
    [
        """\
apiVersion: covenant/v1
kind: Calendar
metadata: {name: desk}
spec:
  timeZone: UTC
  weekly: {mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00",
           fri: "09:00-17:00"}
""",
        agreement("acme-sla", "acme", "2026-01-01", "2025-12-01"),
        agreement("oldco-sla", "oldco", "1971-02-01", "1971-01-15"),
    ]
)


def p1(id_: str, customer: str, created: datetime) -> Ticket:
    return Ticket(
        id=id_,
        customer=customer,
        priority="P1",
        created=created,
        history=(StatusChange(at=created, status="open"),),
    )


TODAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # acme's agreement began in 2026: governs nothing
AGES_AGO = datetime(1976, 11, 19, 10, 0, tzinfo=UTC)  # 50 years before NOW: oldco's v1 governs
TICKETS = [
    p1("EPOCH", "acme", EPOCH),
    p1("FRESH", "acme", TODAY),
    p1("AGES-AGO", "oldco", AGES_AGO),
    p1("OLD-FRESH", "oldco", TODAY),
]
TODAYS = {("first-response", "breached"), ("resolution", "running")}


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


def test_the_gauges_count_every_ticket_they_can_measure(
    ticketed: Engine, workspace: Workspace
) -> None:
    groups = {
        (g.agreement, g.timer): g
        for g in ticket_timer_groups(ticketed, workspace=workspace, at=NOW)
    }
    for name in ("acme-sla", "oldco-sla"):  # AGES-AGO is not counted: it cannot be measured
        assert groups[(name, "first-response")].counts == {"breached": 1}
        assert groups[(name, "resolution")].counts == {"running": 1}
        assert groups[(name, "resolution")].nearest_remaining_s == 18_000


def test_the_timers_page_shows_a_note_for_the_ticket_it_cannot_measure(
    ticketed: Engine, workspace: Workspace
) -> None:
    for name, fresh in (("acme-sla", "FRESH"), ("oldco-sla", "OLD-FRESH")):
        notes: dict[str, str] = {}
        live = agreement_live_timers(ticketed, workspace=workspace, name=name, at=NOW, notes=notes)
        got = {(x.timer.ticket, x.timer.kind.value, x.timer.state.value) for x in live}
        assert got == {(fresh, kind, state) for kind, state in TODAYS}
        if name == "acme-sla":
            assert notes == {}  # EPOCH: no agreement was in force when it was created
        else:
            (note,) = notes.values()
            assert list(notes) == ["AGES-AGO"]
            assert "1976-11-19T10:00:00Z" in note
            assert "calendar 'desk'" in note
            assert "50 years" in note
            assert "created" in note


def test_the_api_list_gives_the_note_per_ticket(ticketed: Engine, workspace: Workspace) -> None:
    notes: dict[tuple[str, str], str] = {}
    found = live_timers(ticketed, workspace=workspace, tickets=TICKETS, at=NOW, notes=notes)
    assert found["EPOCH"] == []
    assert found["AGES-AGO"] == []
    assert {(x.timer.kind.value, x.timer.state.value) for x in found["OLD-FRESH"]} == TODAYS
    assert list(notes) == [("oldco-sla", "AGES-AGO")]


def test_the_alerts_go_on_and_the_tick_names_the_ticket(
    ticketed: Engine, workspace: Workspace
) -> None:
    found = agreement_conditions(ticketed, workspace=workspace, now=NOW)
    assert not found.unknown & {NoticeKind.TICKET_AT_RISK, NoticeKind.TICKET_BREACHED}
    active = sorted(c.key for c in found.conditions if c.active and "ticket" in c.key)
    assert active == [
        "ticket-at-risk/acme-sla/FRESH/first-response/1",
        "ticket-at-risk/oldco-sla/OLD-FRESH/first-response/1",
        "ticket-breached/acme-sla/FRESH/first-response/1",
        "ticket-breached/oldco-sla/OLD-FRESH/first-response/1",
    ]
    (problem,) = [p for p in found.problems if "AGES-AGO" in p]
    assert "1976-11-19T10:00:00Z" in problem
