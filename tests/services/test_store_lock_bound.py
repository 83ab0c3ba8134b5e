"""Every write of the store waits at most ``COVENANT_LOCK_TIMEOUT`` for a lock another process
holds, then is refused naming the lock, the store and the fix, nothing of it written.

Only issuing a statement was bounded so: an ingest, an agreements sync or the worker's tick
waited SQLite's 60 s ``busy_timeout`` for its write lock, and on PostgreSQL without any bound
(no ``lock_timeout``) for the audit log's lock or a locked table. Each case here has another
process (tests/lock_holder.py: a child Python with its own connection) hold the lock, the wait
shortened to 0.3 s; the holder lets go after 90 s at the latest, so that a write that would
wait without bound fails here instead of hanging. After the holder let go, the same write
goes in: the refusal's fix works."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.config import LOCK_TIMEOUT_ENV
from covenant.errors import StoreError
from covenant.services.agreements import sync_agreements
from covenant.services.records import ingest_ticket_files
from covenant.services.slo_history import record_slo_changes
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.services.workspace import load_workspace
from covenant.store import audit
from tests.conftest import ROOT
from tests.lock_holder import held
from tests.services.test_alert_after import KEY, T0, WORKSPACE, put

NOW = datetime(2026, 11, 1, tzinfo=UTC)
AUDIT_LOCK = audit.LOCK  # every audited writer takes it
AUDIT_LOG = "the audit log (every audited change takes it: another issue, an agreements sync)"
WRITE_LOCK = "the store's write lock (one for the whole SQLite file)"
TICKETS = (
    "id,customer,priority,created,first_response,resolved,history\n"
    "T-1,acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:05:00Z,,\n"
    "T-2,globex,P3,2026-10-01T09:02:00Z,,,\n"
)


@pytest.fixture(autouse=True)
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")


def refused(engine: Engine, subject: str, locked: str) -> str:
    """The message of a write refused after 0.3 s, worked out for each database."""
    url = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite":
        return (
            f"{subject}: another process held a lock on {WRITE_LOCK} in the store at {url} "
            "for longer than 0.3 s (database is locked)"
        )
    return (
        f"{subject}: another session held a lock on {locked} in the store at {url} for "
        "longer than 0.3 s (canceling statement due to lock timeout)"
    )


def hint(engine: Engine, again: str) -> str:
    if engine.dialect.name == "sqlite":
        other = "writer to end its transaction (an ingest, an issue, an agreements sync, a "
        other += "migration)"
    else:
        other = "session to end its transaction (an ingest, an issue, an agreements sync, a "
        other += "migration; pg_stat_activity names the session)"
    return (
        f"nothing of it was written; wait for the other {other}, then {again}; or raise "
        "COVENANT_LOCK_TIMEOUT to wait longer (seconds, default 10)"
    )


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def rows(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))]


def test_an_ingest_waits_the_bound_then_names_the_lock(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    audited = count(engine, "audit_log")
    with held(engine, "LOCK TABLE tickets IN SHARE MODE"), pytest.raises(StoreError) as caught:
        ingest_ticket_files(engine, files=[path], now=NOW)
    error = caught.value
    assert error.code == "store-error"
    assert error.message == refused(engine, "tickets.csv was not ingested", "the table tickets")
    assert error.hint == hint(engine, "ingest tickets.csv again")
    assert (count(engine, "tickets"), count(engine, "ingest_batches")) == (0, 0)
    assert count(engine, "audit_log") == audited
    (report,) = ingest_ticket_files(engine, files=[path], now=NOW)  # the lock let go: it goes in
    assert report.inserted == 2
    assert count(engine, "tickets") == 2


def test_an_agreements_sync_waits_the_bound_then_names_the_lock(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    workspace = load_workspace(folder)
    with held(engine, AUDIT_LOCK), pytest.raises(StoreError) as caught:
        sync_agreements(engine, workspace=workspace, at=NOW, actor="test")
    assert caught.value.message == refused(engine, "no agreement was synced", AUDIT_LOG)
    assert caught.value.hint == hint(engine, "sync again")
    assert (count(engine, "agreements"), count(engine, "audit_log")) == (0, 0)
    sync_agreements(engine, workspace=workspace, at=NOW, actor="test")
    assert count(engine, "agreements") == 2  # initech's and globex's (examples/shop)


def test_recording_slo_changes_waits_the_bound_then_names_the_lock(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    workspace = load_workspace(folder)
    with held(engine, AUDIT_LOCK), pytest.raises(StoreError) as caught:
        record_slo_changes(engine, workspace=workspace, actor="test", at=NOW)
    assert caught.value.message == refused(engine, "the SLO changes were not recorded", AUDIT_LOG)
    assert count(engine, "audit_log") == 0
    made = record_slo_changes(engine, workspace=workspace, actor="test", at=NOW)
    slos = sum(1 for d in workspace.documents if d.kind == "SLO")
    assert [c.action for c in made] == ["created"] * slos
    assert count(engine, "audit_log") == slos


def test_a_tick_refused_by_a_held_store_is_logged_and_run_again_no_alert_lost(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from covenant.definitions.workspace import analyse_text  # noqa: PLC0415

    workspace, problems = analyse_text(WORKSPACE)
    assert workspace is not None, problems
    inbox: list[object] = []
    worker = Worker(engine, notify=inbox.extend)
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    put(engine, T0 - timedelta(minutes=10), 16, bad=50)  # half fails until T0 + 6 min
    for minute in range(5):  # the condition holds from T0: pending (alertAfter 5m)
        worker.tick(workspace, T0 + timedelta(minutes=minute))
    assert inbox == []
    now = [T0 + timedelta(minutes=5)]  # held 5 minutes: this tick would fire
    loop = WorkerLoop(worker, workspace=lambda: workspace, clock=lambda: now[0])
    states = rows(engine, "alert_states")  # the alert pending
    with caplog.at_level(logging.WARNING), held(engine, "LOCK TABLE alert_states IN SHARE MODE"):
        assert loop.run_once() is None  # refused: no crash
    assert inbox == []
    assert loop.failures == 1
    expected = refused(engine, "nothing was written", "the table alert_states")
    assert loop.last_error == f"{expected}; the tick is run again at the next one"
    assert f"worker: tick not run: {expected}" in caplog.text
    assert "Traceback" not in caplog.text
    assert rows(engine, "alert_states") == states  # nothing of the tick was written
    now[0] = T0 + timedelta(minutes=6)  # the next tick: the alert fires, not lost
    assert loop.run_once() is not None
    assert [(n.key, n.state.value) for n in inbox] == [(KEY, "firing")]  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_a_read_behind_a_table_locked_whole_waits_the_bound(postgres_engine: Engine) -> None:
    """On PostgreSQL a read waits for a table another session locked whole (``ALTER TABLE``
    takes that lock): every connection's ``lock_timeout`` is ``COVENANT_LOCK_TIMEOUT``."""
    from covenant.services.audit import AuditFilter, list_entries  # noqa: PLC0415
    from covenant.store.db import create_engine_for  # noqa: PLC0415

    engine = create_engine_for(postgres_engine.url.render_as_string(hide_password=False))
    try:
        with (
            held(engine, "LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE"),
            pytest.raises(StoreError) as caught,
        ):
            list_entries(engine, where=AuditFilter())
        assert caught.value.code == "store-error"
        assert caught.value.message == (
            "cannot read the audit log: another session held a lock on the table audit_log for "
            "longer than 0.3 s (canceling statement due to lock timeout)"
        )
        assert list_entries(engine, where=AuditFilter()) == []  # let go: it reads
    finally:
        engine.dispose()
