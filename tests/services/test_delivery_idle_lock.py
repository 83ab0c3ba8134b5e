"""The delivery thread polls the outbox every second. It took the store's write lock for each
poll even with nothing to send, so while a worker tick held the lock (a first tick over
600,000 tickets, for minutes) every poll waited ``COVENANT_LOCK_TIMEOUT`` and logged
"database is locked" (78 times in one run). Now it reads first and asks for the lock only
when a row is due: an idle poll never contends with the tick. The holder is another process
(tests/lock_holder.py) on a real store file."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from covenant.config import LOCK_TIMEOUT_ENV
from covenant.services.delivery import Dispatcher
from covenant.store.lock_wait import StoreLockedError
from tests.lock_holder import held
from tests.services.test_delivery import FAST, notice, webhook
from tests.services.test_delivery_lock_wait import OUTBOX_LOCK


def test_an_idle_poll_does_not_wait_for_a_held_store(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    dispatcher = Dispatcher(engine, [webhook("http://127.0.0.1:9/hook")], backoff=FAST)
    with held(engine, OUTBOX_LOCK):
        assert dispatcher.send_due() == 0  # nothing due: no lock asked for, no refusal


def test_a_due_row_still_waits_for_the_lock(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    dispatcher = Dispatcher(engine, [webhook("http://127.0.0.1:9/hook")], backoff=FAST)
    assert dispatcher.submit([notice()]) == 1
    with held(engine, OUTBOX_LOCK), pytest.raises(StoreLockedError):
        dispatcher.send_due()  # claiming writes: it waits, and is refused, as before
