"""A no-data alert (OpenSLO ``alertWhenNoData: true``) reaches a real Alertmanager (Debian's
prometheus-alertmanager on loopback) through the worker's tick, the outbox and the dispatcher;
Alertmanager routes it by its ``alertname`` to a receiver, and resolves it — and routes the
resolution — once data comes back.

The ticks run at instants shortly before the wall clock (Alertmanager keeps a firing alert
until its ``endsAt``, which the sender sets ahead of the wall clock; a resolution's ``endsAt``
is the tick's instant, already past). The checkout SLO gets 100 clean requests a minute up to
T0, then nothing: its 5-minute short window is empty from T0 + 5 min, the alert pending from
then, firing 5 minutes later (the condition's ``alertAfter``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Backoff, Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from tests.checkout import drained, put, slo_with_policies, wait
from tests.promserver import Server, active_alerts, alertmanager_config, running_alertmanager
from tests.receiver import Receiver, receiver
from tests.services.test_alert_no_data import ALERT_AFTER, CONDITION, MINUTE, SHORT

NO_DATA = "no-data/checkout-availability/fast-burn"
ALERTNAME = "CheckoutAvailabilityNoData"


def workspace_text(alertmanager: str) -> str:
    return "---\n".join(
        [
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n",
            CONDITION,
            f"""\
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: am
  annotations:
    covenant.dev/delivery: '{{"url": "{alertmanager}", "timeout": "5s"}}'
spec:
  target: alertmanager
""",
            """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: checkout-watch}
spec:
  alertWhenNoData: true
  alertWhenBreaching: false
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: am}]
""",
            slo_with_policies("checkout", ["checkout-watch"]),
        ]
    )


@pytest.fixture
def routed() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


@pytest.fixture
def alertmanager(tmp_path: Path, routed: Receiver) -> Iterator[Server]:
    routes = {"no-data": ('alertname=~".+NoData"', f"{routed.url}/no-data")}
    with running_alertmanager(tmp_path / "am", alertmanager_config(routes=routes)) as server:
        yield server


def test_a_no_data_alert_reaches_alertmanager_and_resolves_when_data_comes(
    tmp_path: Path, alertmanager: Server, routed: Receiver
) -> None:
    t0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    workspace: Workspace | None
    workspace, problems = analyse_text(workspace_text(alertmanager.url))
    assert workspace is not None, problems
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    dispatcher = Dispatcher.for_workspace(engine, workspace, backoff=Backoff(0.05, 0.2))
    worker = Worker(engine, enqueue=dispatcher.enqueue)
    put(engine, t0 - timedelta(hours=3), 180, bad=0)  # clean data, which stops at t0
    fires_at = t0 + SHORT + ALERT_AFTER
    dispatcher.start()
    try:
        at = t0
        while at < fires_at:
            assert worker.tick(workspace, at).notices == ()
            at += MINUTE
        fired = worker.tick(workspace, fires_at)
        assert [(n.key, n.state.value) for n in fired.notices] == [(NO_DATA, "firing")]
        wait(lambda: len(active_alerts(alertmanager)) == 1, "the no-data alert is in Alertmanager")
        (alert,) = active_alerts(alertmanager)
        assert alert["labels"]["alertname"] == ALERTNAME
        assert alert["labels"]["sloth_slo"] == "checkout-availability"
        assert alert["labels"]["covenant_tier"] == "fast-burn"
        assert alert["status"]["state"] == "active"
        assert [r["name"] for r in alert["receivers"]] == ["no-data"]
        assert alert["startsAt"].startswith(fires_at.strftime("%Y-%m-%dT%H:%M:%S"))
        routed.wait_for("/no-data", 1)

        put(engine, fires_at + MINUTE, 2, bad=0)  # data comes back
        back = worker.tick(workspace, fires_at + 3 * MINUTE)
        assert [(n.key, n.state.value) for n in back.notices] == [(NO_DATA, "resolved")]
        wait(lambda: active_alerts(alertmanager) == [], "Alertmanager resolved it")
        wait(
            lambda: any(b["status"] == "resolved" for b in routed.bodies("/no-data")),
            "Alertmanager routed the resolution",
        )
        wait(lambda: drained(engine), "every notice sent")
    finally:
        assert dispatcher.stop(30)
        engine.dispose()
    first = routed.bodies("/no-data")[0]
    assert first["status"] == "firing"
    assert first["alerts"][0]["labels"]["alertname"] == ALERTNAME
    last = [b for b in routed.bodies("/no-data") if b["status"] == "resolved"][-1]
    (ended,) = last["alerts"]
    assert ended["labels"]["alertname"] == ALERTNAME
    resolved_at = fires_at + 3 * MINUTE
    assert ended["endsAt"].startswith(resolved_at.strftime("%Y-%m-%dT%H:%M:%S"))
