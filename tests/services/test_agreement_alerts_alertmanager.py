"""A real Alertmanager (Debian's prometheus-alertmanager, on loopback) routes the demo shop's
agreement alerts by customer: a route matching ``customer="globex"`` receives Globex's ticket,
forecast and claim-deadline alerts, one matching ``customer="initech"`` Initech's claim
deadline — from the worker's ticks through delivery's outbox and dispatcher, as in
``covenant serve``. The scenario (``globex_december``, ``TICKS``) and the label sets are
``test_worker_agreements``'s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from covenant.config import sqlite_url
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.ingest import open_store
from covenant.services.worker import Worker
from tests.checkout import drained, wait
from tests.promserver import Server, alertmanager_config, running_alertmanager
from tests.receiver import Receiver, receiver
from tests.services.test_worker_agreements import (
    EXPECTED,
    GLOBEX_CLAIM,
    INITECH_CLAIM,
    TICKS,
    demo,
    globex_december,
    offline,
    shop,
)

__all__ = ["demo", "shop"]  # fixtures, used by name

ROUTES = {  # Alertmanager route → the alerts it must get (their keys in EXPECTED)
    "globex": [k for k in EXPECTED if k != INITECH_CLAIM],
    "initech": [INITECH_CLAIM],
}


@pytest.fixture
def routed() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


@pytest.fixture
def alertmanager(tmp_path: Path, routed: Receiver) -> Iterator[Server]:
    config = alertmanager_config(
        routes={name: (f'customer="{name}"', f"{routed.url}/{name}") for name in ROUTES},
        group_by=("alertname", "customer"),
    )
    with running_alertmanager(tmp_path / "am", config) as server:
        yield server


def _alerts(routed: Receiver, path: str) -> list[dict[str, Any]]:
    return [a for body in routed.bodies(path) for a in body["alerts"]]


def _label_sets(routed: Receiver, path: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for a in _alerts(routed, path):
        if a["labels"] not in found:
            found.append(a["labels"])
    return found


def test_a_route_on_the_customer_id_gets_every_agreement_alert_of_that_customer(
    shop: Path, alertmanager: Server, routed: Receiver
) -> None:
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)  # the demo names no delivery target: every notice goes to ours
    target = DeliveryTarget(name="oncall", kind="alertmanager", url=alertmanager.url)
    dispatcher = Dispatcher(engine, [target], backoff=Backoff(base_s=0.05, cap_s=0.2))
    worker = Worker(engine, enqueue=dispatcher.enqueue)
    dispatcher.start()
    try:
        for at in (globex_december(engine), *TICKS):
            worker.tick(workspace, at)
        wait(lambda: drained(engine), "every notice sent to Alertmanager")
        for name, keys in ROUTES.items():
            for key in keys:
                labels, _ = EXPECTED[key]
                wait(
                    lambda n=name, want=labels: want in _label_sets(routed, f"/{n}"),
                    f"route {name} got {key}",
                )
    finally:
        assert dispatcher.stop(30)
        engine.dispose()
    globex = _alerts(routed, "/globex")
    assert {a["labels"]["alertname"] for a in globex} == {
        "TicketAtRisk",
        "TicketBreached",
        "AgreementCreditForecast",
        "CreditClaimDeadline",
    }
    assert {a["labels"]["customer"] for a in globex} == {"globex"}
    assert {a["labels"]["agreement"] for a in globex} == {"globex-enterprise"}
    assert {a["annotations"]["customer_display_name"] for a in globex} == {"Globex Corporation"}
    claim = EXPECTED[GLOBEX_CLAIM][0]
    assert claim in _label_sets(routed, "/globex")
    assert claim not in _label_sets(routed, "/initech")
    initech = _alerts(routed, "/initech")
    assert {a["labels"]["customer"] for a in initech} == {"initech"}
    assert {a["labels"]["alertname"] for a in initech} == {"CreditClaimDeadline"}


COMMITMENTS = {  # route → its matchers: an agreement AND one of its commitments
    "globex-support": ('agreement="globex-enterprise"', 'commitment="enterprise-support"'),
    "globex-uptime": ('agreement="globex-enterprise"', 'commitment="checkout-uptime"'),
}


@pytest.fixture
def by_commitment(tmp_path: Path, routed: Receiver) -> Iterator[Server]:
    config = alertmanager_config(
        routes={name: (m, f"{routed.url}/{name}") for name, m in COMMITMENTS.items()},
        group_by=("alertname", "agreement", "commitment"),
    )
    with running_alertmanager(tmp_path / "am", config) as server:
        yield server


def test_a_route_on_agreement_and_commitment_separates_ticket_alerts_from_uptime_alerts(
    shop: Path, by_commitment: Server, routed: Receiver
) -> None:
    """Ticket alerts carry the support commitment whose target their priority has (a P1 of
    Globex: ``enterprise-support``, examples/shop/contracts.yaml), as the forecast and claim
    alerts carry theirs (``checkout-uptime``): a route on both labels gets one kind only."""
    engine = open_store(sqlite_url(shop))
    workspace = offline(shop)
    target = DeliveryTarget(name="oncall", kind="alertmanager", url=by_commitment.url)
    dispatcher = Dispatcher(engine, [target], backoff=Backoff(base_s=0.05, cap_s=0.2))
    worker = Worker(engine, enqueue=dispatcher.enqueue)
    wanted = {
        "globex-support": [k for k in EXPECTED if k.startswith("ticket-")],
        "globex-uptime": [k for k in EXPECTED if "/globex-enterprise/checkout-uptime/" in k],
    }
    assert [len(keys) for keys in wanted.values()] == [2, 2]
    dispatcher.start()
    try:
        for at in (globex_december(engine), *TICKS):
            worker.tick(workspace, at)
        wait(lambda: drained(engine), "every notice sent to Alertmanager")
        for name, keys in wanted.items():
            for key in keys:
                labels, _ = EXPECTED[key]
                wait(
                    lambda n=name, want=labels: want in _label_sets(routed, f"/{n}"),
                    f"route {name} got {key}",
                )
    finally:
        assert dispatcher.stop(30)
        engine.dispose()
    support = _label_sets(routed, "/globex-support")
    assert {s["alertname"] for s in support} == {"TicketAtRisk", "TicketBreached"}
    assert {(s["agreement"], s["commitment"]) for s in support} == {
        ("globex-enterprise", "enterprise-support")
    }
    uptime = _label_sets(routed, "/globex-uptime")
    assert {s["alertname"] for s in uptime} == {"AgreementCreditForecast", "CreditClaimDeadline"}
    assert {s["commitment"] for s in uptime} == {"checkout-uptime"}
