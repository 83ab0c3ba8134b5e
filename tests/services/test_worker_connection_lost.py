"""The worker's tick (and the delivery thread's round) whose PostgreSQL connection is cut
while it runs (``pg_terminate_backend``, a restart, a failover) is logged as one warning naming
the lost connection, no traceback; the next round runs and nothing is lost.

The tick is held inside the database deterministically: another session locks the table it
reads (``LOCK TABLE … EXCLUSIVE``), the tick waits on that lock, and the test terminates the
waiting backend (``tests/lock_cut.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from covenant.core.alert_state import AlertPhase
from covenant.definitions.workspace import Workspace
from covenant.services.delivery import Dispatcher
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.store.alert_states import load_alert_states
from covenant.store.db import create_engine_for
from tests.checkout import put, wait
from tests.lock_cut import cut_while_waiting, table_locked
from tests.ports import free_port
from tests.receiver import receiver
from tests.services.test_delivery import FAST, notice, webhook
from tests.services.test_worker_alerts import T0, workspace
from tests.stores import postgres_schemas

__all__ = ["workspace"]  # fixture, used by name
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[str, Engine]]:
    with postgres_schemas(postgres_url, prefix="wlost") as (url,):
        engine = open_store(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def test_a_tick_whose_connection_is_terminated_is_a_warning_and_runs_again(
    pg: tuple[str, Engine], workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    url, engine = pg
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # fires the burn-rate alerts
    loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: T0)
    with caplog.at_level(logging.WARNING):
        results = cut_while_waiting(
            url, "bucket_chunks", loop.run_once, "the tick waits on the lock"
        )
    assert results == [None]  # the tick did not run
    assert loop.failures == 1
    assert loop.last_error is not None
    assert "the connection to the database was lost" in loop.last_error
    ours = [r for r in caplog.records if r.name.startswith("covenant")]
    assert any("tick not run" in r.getMessage() for r in ours), [r.getMessage() for r in ours]
    assert not [r for r in ours if r.exc_info], "a lost connection is logged without traceback"
    with engine.connect() as conn:
        assert not load_alert_states(conn)  # nothing of the tick was written
    again = loop.run_once()  # the next tick runs: the alerts fire now
    assert again is not None
    with engine.connect() as conn:
        firing = {r.key for r in load_alert_states(conn).values() if r.phase is AlertPhase.FIRING}
    assert "burn-rate/checkout-availability/page-fast" in firing
    loop.stop()


def test_the_delivery_thread_whose_connection_is_terminated_logs_a_line_and_sends_later(
    pg: tuple[str, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    url, engine = pg
    with receiver() as hooks:
        dispatcher = Dispatcher(engine, [webhook(f"{hooks.url}/hook")], backoff=FAST, poll_s=0.05)
        assert dispatcher.submit([notice()]) == 1  # in the outbox, not sent (not started)
        try:
            with caplog.at_level(logging.INFO, logger="covenant.delivery"):
                # its rows are claimed SKIP LOCKED: lock the table
                with table_locked(url, "notice_outbox", "EXCLUSIVE") as cut:
                    dispatcher.start()
                    cut("the claim waits on the lock")
                    wait(
                        lambda: any(r.levelno >= logging.WARNING for r in caplog.records),
                        "the delivery thread says what it did not do",
                    )
                    assert hooks.requests == []
                hooks.wait_for("/hook", 1)  # sent at a later round: nothing lost
        finally:
            assert dispatcher.stop(30)
    said = [r for r in caplog.records if r.name == "covenant.delivery"]
    lost = [r for r in said if r.levelno >= logging.WARNING]
    assert lost, caplog.text
    for record in lost:
        assert record.exc_info is None, "a lost connection is logged without traceback"
        assert "the connection to the database was lost" in record.getMessage()
    assert [b["key"] for b in hooks.bodies("/hook")] == [notice().key]  # once


def test_a_tick_on_a_database_that_is_down_is_a_warning(
    workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing listens on the port: libpq's "connection refused" has no SQLSTATE; it is the
    store unreachable, said in one line each tick, not a traceback each minute."""
    engine = create_engine_for(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x")
    loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: T0)
    with caplog.at_level(logging.WARNING):
        assert loop.run_once() is None
    engine.dispose()
    assert loop.last_error is not None
    assert "the connection to the database was lost" in loop.last_error
    ours = [r for r in caplog.records if r.name.startswith("covenant")]
    assert any("tick not run" in r.getMessage() for r in ours)
    assert not [r for r in ours if r.exc_info]
