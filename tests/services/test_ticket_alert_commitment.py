"""Ticket alerts name their support commitment (the ``commitment`` label, as the forecast and
claim-deadline alerts name theirs) on every surface: the worker's notices, the log lines it
groups them into, a webhook's body, and — unless the name shares a word with an SLO or a
service of the workspace — a customer's view.

The commitments come from examples/shop/contracts.yaml: Globex's ``enterprise-support``
targets P1 and P2 (P1: first response within 30 wall-clock minutes), ``business-hours-support``
P3 (first response within 4 business hours of the Berlin desk, open Friday 08:00-17:00).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.core.notices import NoticeKind, NoticeState
from covenant.core.tickets import Ticket
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import Backoff, Dispatcher, internal_names
from covenant.services.ingest import open_store
from covenant.services.record_changes import create_ticket
from covenant.services.senders import customer_view
from covenant.services.worker import Worker
from tests.receiver import receiver
from tests.services.test_worker_agreements import AT, Inbox, demo, offline, shop

__all__ = ["demo", "shop"]  # fixtures, used by name

OPENED = AT + timedelta(minutes=3)  # Friday 2026-11-27 10:33 in Berlin: the desk is open
LATER = OPENED + timedelta(minutes=190)  # P1: 190 of 30 min (breached); P3: 190 of 240 (79 %)


def _open(shop: Path, ids: list[str], priority: str) -> None:
    engine = open_store(sqlite_url(shop))
    for ticket_id in ids:
        ticket = Ticket(id=ticket_id, customer="globex", priority=priority, created=OPENED)
        create_ticket(engine, ticket=ticket, customers=["globex", "initech"], at=OPENED)
    engine.dispose()


P1 = [f"C-P1-{i}" for i in range(4)]
P3 = [f"C-P3-{i}" for i in range(4)]


def test_each_ticket_alert_names_the_commitment_its_priority_is_targeted_by(shop: Path) -> None:
    _open(shop, P1, "P1")
    _open(shop, P3, "P3")
    engine = open_store(sqlite_url(shop))
    inbox = Inbox()
    Worker(engine, notify=inbox).tick(offline(shop), LATER)
    firing = {
        n.key: n
        for n in inbox.notices
        if n.state is NoticeState.FIRING and n.labels.get("ticket", "").startswith("C-")
    }
    found = {
        (n.labels["ticket"], n.labels["alertname"], n.labels["commitment"]) for n in firing.values()
    }
    assert found == {
        *((t, a, "enterprise-support") for t in P1 for a in ("TicketAtRisk", "TicketBreached")),
        *((t, "TicketAtRisk", "business-hours-support") for t in P3),
    }
    engine.dispose()


def test_the_log_groups_ticket_alerts_by_their_commitment(
    shop: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    worker = Worker(engine)  # the default notify: the grouped log (services.notice_log)
    worker.tick(workspace, OPENED)  # the demo's own alerts, before ours
    _open(shop, P1, "P1")
    _open(shop, P3, "P3")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="covenant.worker"):
        worker.tick(workspace, LATER)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("alerts firing")]
    shape = re.compile(
        r"alerts firing: (\d+) (\w+) \(\w+\) agreement=globex-enterprise commitment=([\w-]+):"
    )
    grouped = {m.group(2, 3): int(m.group(1)) for line in lines if (m := shape.match(line))}
    # every one of our tickets is in its commitment's line (the demo's own may join it)
    assert grouped.get(("TicketBreached", "enterprise-support"), 0) >= len(P1)
    assert grouped.get(("TicketAtRisk", "business-hours-support"), 0) >= len(P3)
    assert ("TicketBreached", "business-hours-support") not in grouped  # 79 %: not breached
    engine.dispose()


def test_a_webhook_gets_the_commitment_label(shop: Path) -> None:
    _open(shop, P3[:1], "P3")
    engine = open_store(sqlite_url(shop))
    with receiver() as hooks:
        target = DeliveryTarget(name="ops", kind="webhook", url=f"{hooks.url}/ops")
        dispatcher = Dispatcher(engine, [target], backoff=Backoff(base_s=0.01, cap_s=0.05))
        Worker(engine, enqueue=dispatcher.enqueue).tick(offline(shop), LATER)
        while dispatcher.send_due():
            pass
        bodies = [b for b in hooks.bodies("/ops") if b["labels"].get("ticket") == P3[0]]
    assert [(b["kind"], b["labels"]["commitment"]) for b in bodies] == [
        ("ticket-at-risk", "business-hours-support")
    ]
    engine.dispose()


def test_a_customer_reads_the_commitment_unless_it_shares_an_internal_name(shop: Path) -> None:
    """The shop has a service named ``support``: a customer's view drops the commitment
    ``business-hours-support`` alone and keeps the labels that route the ticket alert; a
    commitment that names nothing internal is kept."""
    _open(shop, P3[:1], "P3")
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    inbox = Inbox()
    Worker(engine, notify=inbox).tick(workspace, LATER)
    (mine,) = [n for n in inbox.notices if n.labels.get("ticket") == P3[0]]
    internal = internal_names(workspace)
    assert "support" in internal
    seen = customer_view(mine, internal)
    assert dict(seen.labels) == {
        "alertname": "TicketAtRisk",
        "agreement": "globex-enterprise",
        "customer": "globex",
        "ticket": P3[0],
        "priority": "P3",
        "timer": "first-response",
        "severity": "warning",
    }
    kept = customer_view(mine, internal - {"support"})
    assert kept.labels["commitment"] == "business-hours-support"
    assert kept.kind is NoticeKind.TICKET_AT_RISK
    engine.dispose()
