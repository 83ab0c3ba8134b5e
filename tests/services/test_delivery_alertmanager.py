"""A real Alertmanager (Debian's prometheus-alertmanager, started on loopback) receives an alert
from the dispatcher, routes it to a receiver, and then receives and routes its resolution."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import Backoff, Dispatcher
from covenant.store import outbox
from tests.checkout import wait
from tests.promserver import Server, active_alerts, alertmanager_config, running_alertmanager
from tests.receiver import Receiver, receiver

LABELS = {
    "alertname": "CheckoutAvailabilityBudgetBurn",
    "sloth_id": "checkout-checkout-availability",
    "sloth_service": "checkout",
    "sloth_slo": "checkout-availability",
    "sloth_severity": "page",
    "severity": "page",
}


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """These tests run on SQLite; tests/services/test_delivery_replicas.py covers PostgreSQL."""
    return sqlite_engine


@pytest.fixture
def routed() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


@pytest.fixture
def alertmanager(tmp_path: Path, routed: Receiver) -> Iterator[Server]:
    # routed like Sloth's alerts: by sloth_severity
    config = alertmanager_config(
        routes={"pager": ('sloth_severity="page"', f"{routed.url}/pager")},
        group_by=("alertname", "sloth_slo"),
    )
    with running_alertmanager(tmp_path / "am", config) as server:
        yield server


def test_alertmanager_receives_an_alert_and_its_resolution(
    engine: Engine, alertmanager: Server, routed: Receiver
) -> None:
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    firing = AlertNotice(
        key="burn-rate/checkout-availability/page-fast",
        kind=NoticeKind.BURN_RATE,
        state=NoticeState.FIRING,
        severity="page",
        labels=LABELS,
        annotations={"summary": "Checkout burns its error budget 14x too fast."},
        starts_at=starts,
    )
    target = DeliveryTarget(name="oncall", kind="alertmanager", url=alertmanager.url)
    dispatcher = Dispatcher(
        engine, [target], backoff=Backoff(base_s=0.05, cap_s=0.2), generator_url="http://x/y"
    )
    dispatcher.start()
    try:
        dispatcher.submit([firing])
        wait(lambda: len(active_alerts(alertmanager)) == 1, "the alert is in Alertmanager")
        (alert,) = active_alerts(alertmanager)
        assert alert["labels"] == LABELS
        assert alert["status"]["state"] == "active"
        assert alert["annotations"] == {"summary": "Checkout burns its error budget 14x too fast."}
        assert alert["startsAt"].startswith(starts.strftime("%Y-%m-%dT%H:%M:%S"))
        assert alert["generatorURL"] == "http://x/y"
        assert [r["name"] for r in alert["receivers"]] == ["pager"]
        routed.wait_for("/pager", 1)
        ends = datetime.now(UTC).replace(microsecond=0)
        resolved = AlertNotice(
            key=firing.key,
            kind=firing.kind,
            state=NoticeState.RESOLVED,
            severity="page",
            labels=LABELS,
            annotations=firing.annotations,
            starts_at=starts,
            ends_at=ends,
        )
        dispatcher.submit([resolved])
        wait(lambda: active_alerts(alertmanager) == [], "the alert is resolved (gone)")
        wait(
            lambda: any(b["status"] == "resolved" for b in routed.bodies("/pager")),
            "Alertmanager routed the resolution",
        )
    finally:
        assert dispatcher.stop(30)
    first = routed.bodies("/pager")[0]
    assert first["status"] == "firing"
    assert first["alerts"][0]["labels"] == LABELS
    last = [b for b in routed.bodies("/pager") if b["status"] == "resolved"][-1]
    assert last["alerts"][0]["endsAt"].startswith(ends.strftime("%Y-%m-%dT%H:%M:%S"))
    with engine.connect() as conn:
        assert outbox.counts(conn) == {"pending": 0, "sent": 2, "failed": 0}
