"""The worker's agreement-side alerts on the demo shop: ticket timers, claim deadlines and a
forecast crossing into a credit tier.

The expected instants come from the contract text in examples/shop/contracts.yaml, not from the
engine: Globex's P1 first response is due 30 wall-clock minutes after a ticket is created;
Initech's credits can be claimed until the end of the period after (``periodsAfter: 1``, New
York time), and its November 2026 credit is owed (INC-1010, tests/services/test_exposure.py);
its storefront uptime is measured from sev1/sev2 incident records, 10 % credit below 99.9 %.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.config import Settings, sqlite_url
from covenant.core.agreements import Incident
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.tickets import Ticket
from covenant.definitions.workspace import Workspace
from covenant.services.demo import run_demo
from covenant.services.ingest import open_store
from covenant.services.record_changes import create_incident, create_ticket, update_ticket
from covenant.services.worker import Worker
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("worker") / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    return target


@pytest.fixture
def shop(demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo shop per test (each test writes alert states and tickets)."""
    target = tmp_path / "shop"
    shutil.copytree(demo, target)
    return target


def offline(shop: Path) -> Workspace:
    """The shop without its (unreachable, example) Prometheus source: no catch-up."""
    return replace(load_workspace(shop), prometheus=None)


class Inbox:
    def __init__(self) -> None:
        self.notices: list[AlertNotice] = []

    def __call__(self, notices: Sequence[AlertNotice]) -> None:
        self.notices.extend(notices)

    def keys(self, kind: NoticeKind, state: NoticeState) -> list[str]:
        return [n.key for n in self.notices if n.kind is kind and n.state is state]


def test_ticket_at_risk_then_breached_then_answered(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    opened = AT + timedelta(minutes=3)
    ticket = Ticket(id="GLX-W1", customer="globex", priority="P1", created=opened)
    create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=opened)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    key = "globex-enterprise/GLX-W1/first-response/1"
    at_risk, breached = f"ticket-at-risk/{key}", f"ticket-breached/{key}"

    worker.tick(workspace, opened + timedelta(minutes=22))  # 22 of 30 min: 73 %
    assert at_risk not in inbox.keys(NoticeKind.TICKET_AT_RISK, NoticeState.FIRING)
    worker.tick(workspace, opened + timedelta(minutes=23))  # 23 of 30: 76.7 % >= 75 %
    assert inbox.keys(NoticeKind.TICKET_AT_RISK, NoticeState.FIRING).count(at_risk) == 1
    (notice,) = [n for n in inbox.notices if n.key == at_risk]
    assert notice.labels["ticket"] == "GLX-W1"
    assert notice.labels["customer"] == "Globex Corporation"
    assert "SLO" not in str(notice)  # a support alert names no internal objective
    worker.tick(workspace, opened + timedelta(minutes=30))  # exactly 30: not breached (>)
    assert breached not in inbox.keys(NoticeKind.TICKET_BREACHED, NoticeState.FIRING)
    worker.tick(workspace, opened + timedelta(minutes=31))
    assert inbox.keys(NoticeKind.TICKET_BREACHED, NoticeState.FIRING) == [breached]
    assert inbox.keys(NoticeKind.TICKET_AT_RISK, NoticeState.FIRING).count(at_risk) == 1

    answered = opened + timedelta(minutes=34)
    update_ticket(engine, ticket_id="GLX-W1", at=answered, first_response=answered)
    worker.tick(workspace, opened + timedelta(minutes=35))
    assert at_risk in inbox.keys(NoticeKind.TICKET_AT_RISK, NoticeState.RESOLVED)
    assert inbox.keys(NoticeKind.TICKET_BREACHED, NoticeState.RESOLVED) == [breached]
    worker.tick(workspace, opened + timedelta(minutes=36))
    assert inbox.keys(NoticeKind.TICKET_BREACHED, NoticeState.RESOLVED) == [breached]  # once


def test_claim_deadline_seven_days_before(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    # November's credit: claimable until December ends in New York, 2027-01-01T05:00Z
    deadline = datetime(2027, 1, 1, 5, 0, tzinfo=UTC)
    worker.tick(workspace, deadline - timedelta(days=7, minutes=1))
    assert inbox.keys(NoticeKind.CLAIM_DEADLINE, NoticeState.FIRING) == []
    worker.tick(workspace, deadline - timedelta(days=7))
    (key,) = inbox.keys(NoticeKind.CLAIM_DEADLINE, NoticeState.FIRING)
    assert key.startswith("claim-deadline/initech-standard/storefront-uptime/2026-11-01")
    (notice,) = [n for n in inbox.notices if n.key == key]
    assert "150.00 USD" in notice.annotations["summary"]
    assert "2027-01-01T05:00:00+00:00" in notice.annotations["summary"]
    worker.tick(workspace, deadline)  # the deadline passed: resolved
    assert inbox.keys(NoticeKind.CLAIM_DEADLINE, NoticeState.RESOLVED) == [key]


def test_without_catch_up_the_sources_are_left_unread(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = load_workspace(shop)
    assert workspace.prometheus is not None  # the demo names a (fictional) Prometheus
    result = Worker(engine, catch_up=False).tick(workspace, AT)
    assert result.caught_up == 0
    assert not any("prometheus" in p for p in result.problems)
    assert not any(e.no_data and e.no_data.startswith("stale") for e in result.report.effective)


def test_forecast_crossing_into_a_credit_tier_fires_once_then_resolves(shop: Path) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    # December 2026 in New York: 31 days = 44,640 min; below 99.9 % is more than 44.64 min down.
    # 20 min down in its first day (17:00Z on 1 December is noon in New York) heads past that.
    down = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    incident = Incident(
        id="INC-W1",
        services=("storefront",),
        start=down,
        end=down + timedelta(minutes=20),
        severity="sev1",
    )
    create_incident(engine, incident=incident, customers=["globex", "initech"], at=incident.end)
    key = "forecast-credit/initech-standard/storefront-uptime/2026-12"
    firing = (NoticeKind.FORECAST_CREDIT, NoticeState.FIRING)
    resolved = (NoticeKind.FORECAST_CREDIT, NoticeState.RESOLVED)

    worker.tick(workspace, datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # one day into December
    assert inbox.keys(*firing) == [key]
    (notice,) = [n for n in inbox.notices if n.key == key]
    assert notice.annotations["summary"].startswith("At this rate, Initech's December credit")
    assert "becomes 10 %" in notice.annotations["summary"]
    assert notice.labels["customer"] == "initech"
    worker.tick(workspace, datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    assert inbox.keys(*firing) == [key]  # deduplicated: still firing, not sent again
    assert inbox.keys(*resolved) == []
    # the pace falls off (or, at the latest, December ends): resolved, once
    worker.tick(workspace, datetime(2026, 12, 20, 5, 0, tzinfo=UTC))
    worker.tick(workspace, datetime(2027, 1, 1, 5, 1, tzinfo=UTC))
    assert inbox.keys(*resolved) == [key]
    assert inbox.keys(*firing) == [key]
