"""Two dispatchers (two replicas) on one PostgreSQL store and one receiver: every notice is
received once, whichever replica wrote it and whichever sent it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.delivery import Backoff, Dispatcher
from covenant.store import outbox
from tests.receiver import Receiver, receiver
from tests.store.conftest import postgres_engine  # noqa: F401 - the fixture

STARTS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTICES = 40


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def notice(i: int) -> AlertNotice:
    return AlertNotice(
        key=f"burn-rate/slo-{i}/page-fast",
        kind=NoticeKind.BURN_RATE,
        state=NoticeState.FIRING,
        severity="page",
        labels={"alertname": f"Slo{i}"},
        annotations={},
        starts_at=STARTS,
    )


@pytest.mark.postgres
def test_two_replicas_send_every_notice_once(postgres_engine: Engine, hooks: Receiver) -> None:  # noqa: F811
    target = DeliveryTarget(name="hook", kind="webhook", url=f"{hooks.url}/hook")
    replicas = [
        Dispatcher(postgres_engine, [target], backoff=Backoff(0.01, 0.05), batch=5, poll_s=0.05)
        for _ in range(2)
    ]
    for replica in replicas:
        replica.start()
    try:
        # both replicas write every notice (as two workers racing on one tick would)
        for i in range(NOTICES):
            for replica in replicas:
                replica.submit([notice(i)])
        hooks.wait_for("/hook", NOTICES)
        deadline = time.monotonic() + 60  # only ends a broken test
        while True:
            with postgres_engine.connect() as conn:
                if outbox.counts(conn)["sent"] == NOTICES or time.monotonic() > deadline:
                    break
            time.sleep(0.05)
    finally:
        for replica in replicas:
            assert replica.stop(30)
    received = Counter(body["key"] for body in hooks.bodies("/hook"))
    assert received == Counter({notice(i).key: 1 for i in range(NOTICES)})
    with postgres_engine.connect() as conn:
        assert outbox.counts(conn) == {"pending": 0, "sent": NOTICES, "failed": 0}
