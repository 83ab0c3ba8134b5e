"""The worker's agreement-side alerts on the demo shop: ticket timers, claim deadlines and a
forecast crossing into a credit tier.

The expected instants come from the contract text in examples/shop/contracts.yaml, not from the
engine: Globex's P1 first response is due 30 wall-clock minutes after a ticket is created;
Initech's credits can be claimed until the end of the period after (``periodsAfter: 1``, New
York time), and its November 2026 credit is owed (INC-1010, tests/services/test_exposure.py);
its storefront uptime is measured from sev1/sev2 incident records, 10 % credit below 99.9 %.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.config import Settings, sqlite_url
from covenant.core.agreements import Incident
from covenant.core.alert_state import AlertPhase
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.tickets import Ticket
from covenant.definitions.workspace import Workspace
from covenant.services.demo import run_demo
from covenant.services.ingest import open_store
from covenant.services.record_changes import create_incident, create_ticket, update_ticket
from covenant.services.worker import Worker
from covenant.services.workspace import load_workspace
from covenant.store import alert_transitions
from covenant.store.alert_states import load_alert_states
from covenant.store.worker_tables import alert_states
from tests.checkout import put
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
    assert notice.labels["customer"] == "globex"
    assert notice.annotations["customer_display_name"] == "Globex Corporation"
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
    with engine.connect() as conn:  # the agreement alerts' transaction records them too
        logged = alert_transitions.load(conn, kinds=["ticket-at-risk", "ticket-breached"])
    assert [(c.key, c.from_state, c.to_state, c.at) for c in logged if "GLX-W1" in c.key] == [
        (breached, "firing", "resolved", answered + timedelta(minutes=1)),
        (at_risk, "firing", "resolved", answered + timedelta(minutes=1)),
        (breached, None, "firing", opened + timedelta(minutes=31)),
        (at_risk, None, "firing", opened + timedelta(minutes=23)),
    ]


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


CHECKOUT = "checkout-availability"  # the SLI behind checkout-monthly (examples/shop/slos.yaml)
GLOBEX = {"agreement": "globex-enterprise", "customer": "globex"}
INITECH = {"agreement": "initech-standard", "customer": "initech"}
GLOBEX_TICKET = {  # a P1 ticket: Globex's enterprise-support commitment targets P1
    **GLOBEX,
    "commitment": "enterprise-support",
    "ticket": "GLX-W2",
    "priority": "P1",
    "timer": "first-response",
}
GLOBEX_CLAIM = "claim-deadline/globex-enterprise/checkout-uptime/2026-10-31T23:00:00+00:00"
INITECH_CLAIM = "claim-deadline/initech-standard/storefront-uptime/2026-11-01T04:00:00+00:00"
EXPECTED = {  # written from examples/shop/contracts.yaml: names, customers, commitments
    "ticket-at-risk/globex-enterprise/GLX-W2/first-response/1": (
        {"alertname": "TicketAtRisk", **GLOBEX_TICKET, "severity": "warning"},
        "Globex Corporation",
    ),
    "ticket-breached/globex-enterprise/GLX-W2/first-response/1": (
        {"alertname": "TicketBreached", **GLOBEX_TICKET, "severity": "critical"},
        "Globex Corporation",
    ),
    "forecast-credit/globex-enterprise/checkout-uptime/2026-12": (
        {
            "alertname": "AgreementCreditForecast",
            **GLOBEX,
            "commitment": "checkout-uptime",
            "severity": "warning",
        },
        "Globex Corporation",
    ),
    # Initech's November credit (INC-1010), claimable until 2027-01-01T05:00Z
    INITECH_CLAIM: (
        {
            "alertname": "CreditClaimDeadline",
            **INITECH,
            "commitment": "storefront-uptime",
            "severity": "warning",
        },
        "Initech",
    ),
    # Globex's November credit: claimable for two periods after (until 2027-01-31T23:00Z)
    GLOBEX_CLAIM: (
        {
            "alertname": "CreditClaimDeadline",
            **GLOBEX,
            "commitment": "checkout-uptime",
            "severity": "warning",
        },
        "Globex Corporation",
    ),
}


def globex_december(engine: Engine) -> datetime:
    """Globex's checkout (its SLA's ``checkout-uptime``, measured from ``checkout-monthly``'s
    bad 5-minute intervals) from December's start in Berlin (2026-11-30T23:00Z) to the instant
    returned, 3 d 13 h later (5,100 min, more than the 10 % of the month a projection needs):
    15 minutes at 50 % errors (three bad intervals), so 22.32 min (0.05 % of December's 44,640)
    are not used up yet but the pace heads past them — and a P1 ticket opened 40 minutes
    before, past its 30-minute first response."""
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    at = start + timedelta(minutes=5100)
    put(engine, start, 600, bad=0, series=CHECKOUT)
    put(engine, start + timedelta(minutes=600), 15, bad=50, series=CHECKOUT)
    put(engine, start + timedelta(minutes=615), 5100 - 615, bad=0, series=CHECKOUT)
    opened = at - timedelta(minutes=40)
    ticket = Ticket(id="GLX-W2", customer="globex", priority="P1", created=opened)
    create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=opened)
    return at


TICKS = (  # December's forecast and ticket; then each claim window (7 days before)
    datetime(2026, 12, 26, 12, 0, tzinfo=UTC),
    datetime(2027, 1, 26, 12, 0, tzinfo=UTC),
)


def test_every_agreement_alert_routes_by_the_customer_id(shop: Path) -> None:
    """Each kind carries ``agreement`` and ``customer`` (the Customer's name, as the API and
    the workspace call it), the display name as the ``customer_display_name`` annotation."""
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    for at in (globex_december(engine), *TICKS):
        worker.tick(workspace, at)
    firing = {n.key: n for n in inbox.notices if n.state is NoticeState.FIRING}
    assert set(EXPECTED) <= set(firing)
    for key, (labels, display) in EXPECTED.items():
        assert dict(firing[key].labels) == labels, key
        assert firing[key].annotations["customer_display_name"] == display, key
    agreement_side = [n for n in inbox.notices if n.kind is not NoticeKind.BURN_RATE]
    assert {n.kind for n in agreement_side} == {
        NoticeKind.TICKET_AT_RISK,
        NoticeKind.TICKET_BREACHED,
        NoticeKind.FORECAST_CREDIT,
        NoticeKind.CLAIM_DEADLINE,
    }
    for n in agreement_side:  # the demo's own tickets too, and every resolution
        who = GLOBEX if n.labels["agreement"] == "globex-enterprise" else INITECH
        assert {k: n.labels[k] for k in who} == who, n.key


def test_an_alert_firing_before_the_upgrade_keeps_its_labels_until_it_resolves(
    shop: Path,
) -> None:
    """Keys did not change with the labels, so an alert firing when Covenant is upgraded is
    the same alert: not sent again, and resolved with the labels it fired with (Alertmanager
    knows an alert by its labels: the resolution ends the very alert it was told of, which is
    never left firing). Every new alert carries the new labels (so does its next episode: a
    resolved record starts afresh, core.alert_state)."""
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    opened = AT + timedelta(minutes=3)
    ticket = Ticket(id="GLX-W1", customer="globex", priority="P1", created=opened)
    create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=opened)
    inbox = Inbox()
    worker = Worker(engine, notify=inbox)
    key = "ticket-at-risk/globex-enterprise/GLX-W1/first-response/1"
    worker.tick(workspace, opened + timedelta(minutes=23))  # 23 of 30 min: at risk
    before = {  # what a Covenant before the change stored: the display name in `customer`
        "alertname": "TicketAtRisk",
        "agreement": "globex-enterprise",
        "customer": "Globex Corporation",
        "ticket": "GLX-W1",
        "priority": "P1",
        "timer": "first-response",
        "severity": "warning",
    }
    with engine.begin() as conn:
        conn.execute(
            sa.update(alert_states)
            .where(alert_states.c.key == key)
            .values(labels=json.dumps(before, sort_keys=True))
        )
    inbox.notices.clear()
    worker.tick(workspace, opened + timedelta(minutes=24))  # upgraded: still at risk
    assert [n for n in inbox.notices if n.key == key] == []  # not sent twice
    worker.tick(workspace, opened + timedelta(minutes=31))  # breached: a new alert
    (breached,) = [n for n in inbox.notices if n.kind is NoticeKind.TICKET_BREACHED]
    assert dict(breached.labels) == {**before, "alertname": "TicketBreached",
                                     "customer": "globex", "commitment": "enterprise-support",
                                     "severity": "critical"}  # fmt: skip
    answered = opened + timedelta(minutes=34)
    update_ticket(engine, ticket_id="GLX-W1", at=answered, first_response=answered)
    worker.tick(workspace, opened + timedelta(minutes=35))
    (resolved,) = [n for n in inbox.notices if n.key == key]
    assert resolved.state is NoticeState.RESOLVED
    assert dict(resolved.labels) == before  # the alert Alertmanager holds ends
    with engine.connect() as conn:
        assert load_alert_states(conn)[key].phase is AlertPhase.RESOLVED
