"""Ticket timers on ``/metrics`` (``services.metrics_timers``), on SQLite and PostgreSQL: per
agreement, support commitment, customer, priority and timer, how many timers of the tickets
created in the agreement's current period or still open (created earlier) stand in each state,
and the seconds left on the timer nearest its target — on the page evaluated at the scrape and
on the page the worker's loop published (the same samples in every process).

The expected numbers are worked out by hand from the tickets written here, in calendar time
(the commitment has no calendar): P1 30 min to a first response and 4 h to a resolution, P2
2 h and 1 day, paused while waiting on the customer; the scrape is at 12:00 UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry
from sqlalchemy.engine import Engine

from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.metrics import SharedMetrics
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
WORKSPACE = """\
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
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {desk: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      support:
        - name: desk
          targets:
            P1: {firstResponse: 30m, resolution: 4h}
            P2: {firstResponse: 2h, resolution: 1d}
          pauseStates: [waiting-on-customer]
          attainment: 90
"""
STATES = ("met", "breached", "running", "at-risk-50", "at-risk-75", "paused")


def ago(minutes: int) -> datetime:
    return T0 - timedelta(minutes=minutes)


def ticket(id_: str, priority: str, created: datetime, **kw: Any) -> Ticket:
    return Ticket(id=id_, customer="acme", priority=priority, created=created, **kw)


TICKETS = [
    # two days before the period (November) began and never answered nor resolved: still
    # open, so counted — both timers far past 30 minutes and 4 hours (breached)
    ticket("OLD", "P1", datetime(2026, 10, 30, 0, 0, tzinfo=UTC)),
    # created and resolved in October: not counted
    ticket(
        "GONE",
        "P1",
        datetime(2026, 10, 30, 9, 0, tzinfo=UTC),
        first_response=datetime(2026, 10, 30, 9, 40, tzinfo=UTC),
        resolved=datetime(2026, 10, 30, 20, 0, tzinfo=UTC),
    ),
    # created on 29 October, answered after 10 minutes (met) and resolved after 2 hours (its
    # first cycle's resolution met, superseded by the reopening); reopened at 11:00 today: a new
    # cycle 60 minutes into its 4 hours (running, 10,800 s left — the P1 resolution timer
    # nearest its target), the one that counts
    ticket(
        "BACK",
        "P1",
        datetime(2026, 10, 29, 10, 0, tzinfo=UTC),
        first_response=datetime(2026, 10, 29, 10, 10, tzinfo=UTC),
        resolved=datetime(2026, 10, 29, 12, 0, tzinfo=UTC),
        history=(
            StatusChange(at=datetime(2026, 10, 29, 10, 0, tzinfo=UTC), status="open"),
            StatusChange(at=datetime(2026, 10, 29, 12, 0, tzinfo=UTC), status="resolved"),
            StatusChange(at=ago(60), status="open"),
        ),
    ),
    # six hours without an answer: both timers past their target
    ticket("T1", "P1", ago(360)),
    # ten minutes in: 10 of 30 minutes (running, 1,200 s left), 10 min of 4 h (13,800 s left)
    ticket("T2", "P1", ago(10)),
    # answered after 10 minutes (met); waiting on the customer since 11:30: the resolution
    # timer stands still at 30 minutes (paused, 12,600 s left: not counting down)
    ticket(
        "T3",
        "P1",
        ago(60),
        first_response=ago(50),
        history=(
            StatusChange(at=ago(60), status="open"),
            StatusChange(at=ago(30), status="waiting-on-customer"),
        ),
    ),
    # answered after 10 minutes and resolved after 2 hours: both met
    ticket(
        "T4",
        "P1",
        ago(180),
        first_response=ago(170),
        resolved=ago(60),
        history=(
            StatusChange(at=ago(180), status="open"),
            StatusChange(at=ago(60), status="resolved"),
        ),
    ),
    # twenty minutes in: 20 of 30 minutes is past half (at-risk-50, 600 s left); 13,200 s left
    ticket("T5", "P1", ago(20)),
    # P2, 100 minutes in: 6,000 of 7,200 s is past three quarters (at-risk-75, 1,200 s left);
    # 80,400 s of the day left
    ticket("T6", "P2", ago(100)),
    # no target for P9: no timer
    ticket("T7", "P9", ago(5)),
]
EXPECTED = {
    # met: T3, T4, BACK; breached: T1, OLD
    ("P1", "first-response"): ({"met": 3, "breached": 2, "running": 1, "at-risk-50": 1}, 600),
    # met: T4 (BACK's first cycle no longer counts: its resolution did not hold); breached: T1,
    # OLD; running: T2, T5, BACK's second cycle
    ("P1", "resolution"): ({"met": 1, "breached": 2, "running": 3, "paused": 1}, 10_800),
    ("P2", "first-response"): ({"at-risk-75": 1}, 1_200),
    ("P2", "resolution"): ({"running": 1}, 80_400),
}


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


@pytest.fixture
def ticketed(engine: Engine) -> Engine:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=T0)
    return engine


def parsed(page: bytes) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page.decode())
        for s in family.samples
    }


def labels(**kw: str) -> tuple[tuple[str, str], ...]:
    ids = {"agreement": "acme-sla", "commitment": "desk", "customer": "acme"}
    return tuple(sorted({**ids, **kw}.items()))


def check_timers(got: Samples) -> None:
    for (priority, timer), (counts, nearest) in EXPECTED.items():
        for state in STATES:
            key = labels(priority=priority, state=state, timer=timer)
            assert got[("covenant_ticket_timers", key)] == counts.get(state, 0), key
        key = labels(priority=priority, timer=timer)
        assert got[("covenant_ticket_timer_nearest_remaining_seconds", key)] == nearest
    names = {name for name, _ in got if name.startswith("covenant_ticket_timer")}
    timers = [k for k in got if k[0] == "covenant_ticket_timers"]
    assert len(timers) == len(EXPECTED) * len(STATES)  # no series per ticket, none for P9
    assert names == {"covenant_ticket_timers", "covenant_ticket_timer_nearest_remaining_seconds"}
    assert all("ticket" not in dict(key) for _, key in got)


def roundtrip(page: bytes) -> None:
    """The page as prometheus_client's parser reads it and its generate_latest writes it."""
    families = list(text_string_to_metric_families(page.decode()))

    class Again:
        def collect(self) -> Iterator[Any]:
            yield from families

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Again())  # type: ignore[arg-type]
    assert generate_latest(registry) == page


def test_timers_evaluated_at_the_scrape(ticketed: Engine, workspace: Workspace) -> None:
    page = SharedMetrics().page(ticketed, workspace=lambda: workspace, now=T0)
    check_timers(parsed(page))
    roundtrip(page)


def test_timers_of_the_published_tick_in_every_process(
    ticketed: Engine, workspace: Workspace
) -> None:
    loop = WorkerLoop(Worker(ticketed), workspace=lambda: workspace, clock=lambda: T0)
    assert loop.run_once() is not None

    def unread() -> Workspace:
        raise AssertionError("the published page is served without reading the definitions")

    later = T0 + timedelta(seconds=90)
    pages = [SharedMetrics().page(ticketed, workspace=unread, now=later) for _ in range(2)]
    assert pages[0] == pages[1]  # two processes, one page
    got = parsed(pages[0])
    check_timers(got)  # the timers as of the tick, 90 s before the scrape
    assert got[("covenant_metrics_snapshot_age_seconds", ())] == 90.0
    roundtrip(pages[0])


def test_no_support_commitment_no_timer_family_samples(engine: Engine) -> None:
    ws, problems = analyse_text(WORKSPACE.split("      support:", maxsplit=1)[0])
    assert ws is not None, problems
    got = parsed(SharedMetrics().page(engine, workspace=lambda: ws, now=T0))
    assert not [k for k in got if k[0].startswith("covenant_ticket_timer")]
