"""The delivery thread meets a store another process holds past ``COVENANT_LOCK_TIMEOUT``
(0.3 s here): it logged the refusal with a whole traceback (``log.exception``), as if the store
were broken. Now it logs one line — what was not done, the lock, that it tries again — and the
notice is sent once the holder lets go: nothing is lost. The holder is another process
(tests/lock_holder.py); on PostgreSQL it locks the outbox's table (its rows are claimed
``SKIP LOCKED``, so only the whole table makes the claim wait)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from covenant.config import LOCK_TIMEOUT_ENV
from covenant.services.delivery import Dispatcher
from tests.lock_holder import held
from tests.receiver import Receiver, receiver
from tests.services.test_delivery import FAST, notice, webhook

OUTBOX_LOCK = "LOCK TABLE notice_outbox IN EXCLUSIVE MODE"


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def delivery_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "covenant.delivery"]


def test_a_held_store_is_one_log_line_and_the_notice_is_sent_later(
    engine: Engine,
    hooks: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    dispatcher = Dispatcher(engine, [webhook(f"{hooks.url}/hook")], backoff=FAST, poll_s=0.05)
    assert dispatcher.submit([notice()]) == 1  # in the outbox, not sent (not started)
    shown = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite":
        lock = "another process held a lock on the store's write lock (one for the whole "
        lock += f"SQLite file) in the store at {shown} for longer than 0.3 s (database is locked)"
    else:
        lock = f"another session held a lock on the table notice_outbox in the store at {shown}"
        lock += " for longer than 0.3 s (canceling statement due to lock timeout)"
    with caplog.at_level(logging.INFO, logger="covenant.delivery"):
        with held(engine, OUTBOX_LOCK):
            dispatcher.start()
            try:
                deadline = time.monotonic() + 60  # only to end a broken test
                while not delivery_lines(caplog) and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert hooks.requests == []  # nothing could be claimed while it was held
            except BaseException:
                dispatcher.stop(30)
                raise
        try:
            hooks.wait_for("/hook", 1)  # the holder let go: sent at a later round
        finally:
            assert dispatcher.stop(30)
    refusals = [r for r in delivery_lines(caplog) if r.levelno >= logging.WARNING]
    assert refusals, caplog.text
    for record in refusals:
        assert record.exc_info is None  # no traceback
        assert record.getMessage() == (
            "delivery: the outbox was not read or marked (tried again at the next round): "
            f"nothing was written: {lock}"
        )
    assert [b["key"] for b in hooks.bodies("/hook")] == [notice().key]
