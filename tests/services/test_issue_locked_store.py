"""Issuing into an embedded store another process holds (a second ``sqlite3`` connection in
``BEGIN IMMEDIATE``): the issue queues for the write lock as a record ingest does
(``write_transaction``: ``BEGIN IMMEDIATE``, SQLite's ``busy_timeout``), and when the lock is
not released in time it was refused with "cannot write an issued statement: OperationalError"
— the driver's class name, neither the store nor the cause nor the fix. It now names the
period not issued, the store, SQLite's reason (``database is locked``), that another process
held the write lock longer than the wait, and the fix (issue it again once that writer is
done) — on the CLI, and on the API as a ``503`` ``store-error`` answer.

An issue waits ``COVENANT_LOCK_TIMEOUT`` (default 10 s) for the write lock, as it waits for a
PostgreSQL lock (tests/services/test_issue_lock_wait.py), not the connection's 60 s; the wait is
shortened to 0.2 s here."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app as cli_app
from covenant.config import DEFAULT_LOCK_TIMEOUT_S, LOCK_TIMEOUT_ENV, Settings, sqlite_url
from covenant.errors import StoreError
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.api.support import Client, role_tokens
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
NOVEMBER = "/api/v1/customers/initech/statements/2026-11"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    engine = open_store(sqlite_url(target))
    sync_agreements(engine, workspace=load_workspace(target), at=ISSUED_AT, actor="test")
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=9))
    yield target, engine
    engine.dispose()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """An issue waits 0.2 s for a lock, not the default 10 s."""
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.2")


def _db(folder: Path) -> Path:
    return folder / ".covenant" / "covenant.db"


def _held(folder: Path) -> sqlite3.Connection:
    """Another process's connection holding the store's write lock."""
    other = sqlite3.connect(_db(folder), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def _issue(folder: Path, engine: Engine) -> Any:
    return issue_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        now=ISSUED_AT,
        actor="cli:tester",
    )


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_locked_store_is_named_with_the_cause_and_the_fix(
    shop: tuple[Path, Engine], short_wait: None
) -> None:
    folder, _ = shop
    engine = open_store(sqlite_url(folder))
    audited = _count(engine, "audit_log")  # the sync's entries
    other = _held(folder)
    try:
        with pytest.raises(StoreError) as caught:
            _issue(folder, engine)
    finally:
        other.execute("ROLLBACK")
        other.close()
    error = caught.value
    assert error.code == "store-error"
    assert error.message == (
        "initech 2026-11 was not issued: another process held a lock on the store's write lock "
        f"(one for the whole SQLite file) in the store at sqlite:///{_db(folder)} for longer "
        "than 0.2 s (database is locked)"
    )
    assert "OperationalError" not in str(error)
    assert error.hint == (
        "nothing of it was written; wait for the other writer to end its transaction (an "
        "ingest, an issue, an agreements sync, a migration), then issue it again; or raise "
        "COVENANT_LOCK_TIMEOUT to wait longer (seconds, default 10)"
    )
    assert _count(engine, "issued_statements") == 0
    assert _count(engine, "audit_log") == audited
    # the fix works: once the other writer is done, the same issue is revision 1
    assert _issue(folder, engine).issued.revision == 1
    engine.dispose()


def test_an_issue_waits_for_the_write_lock_as_an_ingest_does(
    shop: tuple[Path, Engine],
) -> None:
    """Covenant's own wait (COVENANT_LOCK_TIMEOUT, 10 s unset): a writer that lets go after
    0.3 s only delays the issue. (Had the issue not waited, it would be refused at once.)"""
    assert DEFAULT_LOCK_TIMEOUT_S == 10
    folder, engine = shop
    other = _held(folder)

    def release() -> None:
        other.execute("ROLLBACK")
        other.close()

    timer = threading.Timer(0.3, release)
    timer.start()
    try:
        made = _issue(folder, engine)
    finally:
        timer.join()
    assert made.issued.revision == 1
    assert _count(engine, "issued_statements") == 1


def test_the_cli_says_so_without_the_driver_class(
    shop: tuple[Path, Engine], short_wait: None
) -> None:
    folder, _ = shop
    other = _held(folder)
    try:
        result = CliRunner().invoke(
            cli_app,
            ["report", "sla", "-w", str(folder), "-c", "initech", "-p", "2026-11", "--issue"],
            env={"COVENANT_NOW": "2026-12-10T09:00:00Z", "COLUMNS": "200"},
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "initech 2026-11 was not issued: another process held a lock" in out
    assert "another process held a lock on the store's write lock" in out
    assert "for longer than 0.2 s (database is locked)" in out
    assert "then issue it again" in out
    assert "covenant explain store-error" in out
    assert "OperationalError" not in out
    assert "Traceback" not in out


def test_the_api_answers_503_store_error(shop: tuple[Path, Engine], short_wait: None) -> None:
    folder, engine = shop
    tokens = role_tokens(engine, customers=("globex", "initech"))
    app = create_app(
        Settings(workspace=folder, database_url=sqlite_url(folder)), clock=lambda: ISSUED_AT
    )
    client = Client(app)
    try:
        other = _held(folder)
        try:
            answer = client.request("POST", f"{NOVEMBER}/issue", tokens["admin"])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert answer.status_code == 503, answer.text
        found = answer.json()
        assert found["code"] == "store-error"
        assert found["message"].startswith("initech 2026-11 was not issued: another process")
        assert "another process held a lock on the store's write lock" in found["message"]
        assert found["message"].endswith("for longer than 0.2 s (database is locked)")
        assert "then issue it again;" in found["hint"]
        assert "OperationalError" not in answer.text
        again = client.request("POST", f"{NOVEMBER}/issue", tokens["admin"])
        assert again.status_code == 201, again.text
        assert again.json()["revision"] == 1
    finally:
        app.state.covenant.close()
