"""Alertmanager keeps no alerts across a restart (only silences and its notification log are
on disk), so an alert that still fires must be told again soon after Alertmanager comes back,
not at the next hourly re-send (up to an hour without the page in Alertmanager).

A real Alertmanager is stopped and started again on the same port and storage, as a restart by
its service manager; the dispatcher keeps its default re-send period (one hour), so only the
restart can bring the alert back within the wait."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import RESEND, Backoff, Dispatcher
from tests.checkout import wait
from tests.promserver import active_alerts, alertmanager_config, start_alertmanager

LABELS = {
    "alertname": "CheckoutAvailabilityBurnRate",
    "sloth_slo": "checkout-availability",
    "severity": "page",
    "covenant_tier": "page-fast",
}


def notice(state: NoticeState, starts: datetime, ends: datetime | None = None) -> AlertNotice:
    return AlertNotice(
        key="burn-rate/checkout-availability/page-fast",
        kind=NoticeKind.BURN_RATE,
        state=state,
        severity="page",
        labels=LABELS,
        annotations={"summary": "Checkout burns its budget."},
        starts_at=starts,
        ends_at=ends,
    )


def labels_in(server_url_alerts: list[dict[str, object]]) -> list[object]:
    return [a["labels"] for a in server_url_alerts]


def test_a_restarted_alertmanager_is_told_the_firing_alerts_again(
    engine: Engine, tmp_path: Path
) -> None:
    assert timedelta(hours=1) <= RESEND  # the periodic re-send cannot be what brings it back
    workdir = tmp_path / "am"
    config = alertmanager_config()
    first = start_alertmanager(workdir, config=config)
    port = int(first.url.rsplit(":", 1)[1])
    target = DeliveryTarget(name="oncall", kind="alertmanager", url=first.url)
    dispatcher = Dispatcher(engine, [target], backoff=Backoff(base_s=0.05, cap_s=0.2))
    dispatcher.start()
    second = None
    try:
        starts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        dispatcher.submit([notice(NoticeState.FIRING, starts)])
        wait(lambda: labels_in(active_alerts(first)) == [LABELS], "the alert is in Alertmanager")
        first.stop()
        second = start_alertmanager(workdir, config=config, port=port)
        assert active_alerts(second) == []  # it came back without the alert
        # the dispatcher looks at its Alertmanagers once a minute: waited for, not timed
        deadline = time.monotonic() + 180
        while labels_in(active_alerts(second)) != [LABELS]:
            assert time.monotonic() < deadline, "the restarted Alertmanager never got it back"
            time.sleep(0.2)
        # the alert's end still reaches it, and it is not told the alert again afterwards
        dispatcher.submit([notice(NoticeState.RESOLVED, starts, datetime.now(UTC))])
        wait(lambda: active_alerts(second) == [], "the resolution ends it")
    finally:
        dispatcher.stop(30)
        first.stop()
        if second is not None:
            second.stop()
