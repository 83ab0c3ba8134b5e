"""From the worker's tick to a real Alertmanager: the notice is written into the outbox in the
tick's own transaction, sent by the dispatcher, active in Alertmanager, then resolved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.delivery import Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store import outbox
from tests.checkout import CHECKOUT_SLO, put, wait
from tests.promserver import Server, get_json, running_alertmanager

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WORKSPACE = (
    """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: oncall
  annotations:
    covenant.dev/delivery: '{"url": "%s", "timeout": "5s"}'
spec:
  target: alertmanager
---
"""
    + CHECKOUT_SLO
)


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[Server]:
    with running_alertmanager(tmp_path / "am") as server:
        yield server


def page_fast(server: Server) -> list[dict[str, object]]:
    alerts = get_json(f"{server.url}/api/v2/alerts")
    return [a for a in alerts if a["labels"].get("covenant_tier") == "page-fast"]


def test_a_tick_pages_alertmanager_and_resolves_it(tmp_path: Path, alertmanager: Server) -> None:
    workspace: Workspace | None
    workspace, problems = analyse_text(WORKSPACE % alertmanager.url)
    assert workspace is not None, problems
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    dispatcher = Dispatcher.for_workspace(engine, workspace)
    worker = Worker(engine, enqueue=dispatcher.enqueue)
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # the page-fast tier fires at T0
    first = worker.tick(workspace, T0)
    with engine.connect() as conn:  # written with the alert state, before anything is sent
        assert outbox.counts(conn)["pending"] == len(first.notices) > 0
    dispatcher.start()
    try:
        wait(lambda: len(page_fast(alertmanager)) == 1, "the page is active")
        (alert,) = page_fast(alertmanager)
        assert alert["labels"]["sloth_slo"] == "checkout-availability"
        assert alert["labels"]["sloth_severity"] == "page"
        assert alert["status"] == {"inhibitedBy": [], "silencedBy": [], "state": "active"}
        put(engine, T0, 8, bad=0)  # eight clean minutes: the 5-minute window is clean
        later = worker.tick(workspace, T0 + timedelta(minutes=8))
        assert [n.key for n in later.notices] == ["burn-rate/checkout-availability/page-fast"]
        wait(lambda: page_fast(alertmanager) == [], "the page is resolved")
    finally:
        assert dispatcher.stop(30)
        engine.dispose()
