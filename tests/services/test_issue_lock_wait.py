"""Issuing a statement while another session holds a lock on what the issue writes: on
PostgreSQL it waited without limit (no ``lock_timeout``): `covenant report sla --issue` (and
the API's issue route) hung for as long as, say, a `psql` session left a transaction open that
had taken the audit log's lock or locked the issued statements (or locked a table the statement
is computed from, as ALTER TABLE does). The issue's transactions now set ``SET LOCAL
lock_timeout`` to ``COVENANT_LOCK_TIMEOUT`` (default 10 s) and a lock not had by then is
``store-error`` naming what was locked, that another session holds it, and to issue
it again; nothing is written. SQLite waits the same ``COVENANT_LOCK_TIMEOUT`` for its write lock
(tests/services/test_issue_locked_store.py) and is refused the same way.

Against the real PostgreSQL; the other session is a second connection holding its lock in an
open transaction, the wait shortened to 0.3 s."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app as cli_app
from covenant.config import LOCK_TIMEOUT_ENV, lock_timeout_s
from covenant.errors import OptionValueError, StoreError
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement
from covenant.services.workspace import load_workspace
from covenant.store import audit
from covenant.store.records import save_incidents
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR, ISSUED_AT

AUDIT_LOCK = audit.LOCK  # what every audited writer takes
TABLE_LOCK = "LOCK TABLE issued_statements IN SHARE MODE"  # a psql session's, say
READS_LOCK = "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE"  # what ALTER TABLE takes
READS = "a table the statement is computed from (agreements, records, counts)"


@pytest.fixture
def shop(tmp_path: Path, postgres_engine: Engine) -> tuple[Path, Engine]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    sync_agreements(postgres_engine, workspace=load_workspace(target), at=ISSUED_AT, actor="test")
    with postgres_engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=9))
    return target, postgres_engine


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _issue(folder: Path, engine: Engine) -> object:
    return issue_statement(
        engine,
        workspace=load_workspace(folder),
        customer="initech",
        period="2026-11",
        now=ISSUED_AT,
        actor="cli:tester",
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("lock", "locked"),
    [
        (
            AUDIT_LOCK,
            "the audit log (every audited change takes it: another issue, an agreements sync)",
        ),
        (TABLE_LOCK, "the issued statements of initech"),
        # the statement's reads, before the issue's transaction: an ALTER TABLE, say
        (READS_LOCK.format("agreements"), READS),
        (READS_LOCK.format("incidents"), READS),
    ],
)
def test_a_held_lock_is_waited_for_the_lock_timeout_then_named(
    shop: tuple[Path, Engine], monkeypatch: pytest.MonkeyPatch, lock: str, locked: str
) -> None:
    folder, engine = shop
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    audited = _count(engine, "audit_log")
    other = engine.connect()  # another session, its transaction left open
    other.begin()
    other.execute(sa.text(lock))
    try:
        with pytest.raises(StoreError) as caught:
            _issue(folder, engine)
    finally:
        other.rollback()
        other.close()
    error = caught.value
    assert error.code == "store-error"
    url = engine.url.render_as_string(hide_password=True)
    assert error.message == (
        f"initech 2026-11 was not issued: another session held a lock on {locked} in the store "
        f"at {url} for longer than 0.3 s (canceling statement due to lock timeout)"
    )
    assert error.hint == (
        "nothing of it was written; wait for the other session to end its transaction (an "
        "ingest, an issue, an agreements sync, a migration; pg_stat_activity names the "
        "session), then issue it again; or raise COVENANT_LOCK_TIMEOUT to wait longer "
        "(seconds, default 10)"
    )
    assert _count(engine, "issued_statements") == 0
    assert _count(engine, "audit_log") == audited
    assert _issue(folder, engine).issued.revision == 1  # type: ignore[attr-defined]
    assert _count(engine, "audit_log") == audited + 1


@pytest.mark.postgres
def test_the_cli_is_refused_with_the_error_code(
    shop: tuple[Path, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, engine = shop
    other = engine.connect()
    other.begin()
    other.execute(sa.text(AUDIT_LOCK))
    try:
        result = CliRunner().invoke(
            cli_app,
            ["report", "sla", "-w", str(folder), "-c", "initech", "-p", "2026-11", "--issue"],
            env={
                "COVENANT_NOW": "2026-12-10T09:00:00Z",
                "COLUMNS": "200",
                "COVENANT_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                LOCK_TIMEOUT_ENV: "0.3",
            },
        )
    finally:
        other.rollback()
        other.close()
    assert result.exit_code == 1, result.output
    out = " ".join(result.output.split())
    assert "initech 2026-11 was not issued: another session held a lock on the audit log" in out
    assert "for longer than 0.3 s (canceling statement due to lock timeout)" in out
    assert "covenant explain store-error" in out
    assert "Traceback" not in out
    assert _count(engine, "issued_statements") == 0


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, 10.0), ("2.5", 2.5), ("30s", 30.0), (" 0.3 ", 0.3)]
)
def test_the_wait_is_read_from_the_environment(value: str | None, seconds: float) -> None:
    env = {} if value is None else {LOCK_TIMEOUT_ENV: value}
    assert lock_timeout_s(env) == seconds


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "3601"])
def test_a_wait_that_is_no_number_of_seconds_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(OptionValueError) as caught:
        lock_timeout_s({LOCK_TIMEOUT_ENV: value})
    assert caught.value.message == (
        f"COVENANT_LOCK_TIMEOUT={value!r} is not a number of seconds from 0.001 to 3600"
    )
