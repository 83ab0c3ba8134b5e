"""`covenant ingest` is a batch command (a cron job, a script): nobody waits on its answer as a
client waits on a request. It waited for another writer's lock as long as a request does
(``COVENANT_LOCK_TIMEOUT``, 10 s), so of two overlapping cron ingests into one SQLite store
the second was refused after 10 s though the first would have finished a minute later. Now an
ingest waits longer by default (``config.BATCH_LOCK_TIMEOUT_S``, 10 minutes) while the server
and the worker keep 10 s; a set ``COVENANT_LOCK_TIMEOUT`` applies to all. Refused past it, it
says so, the file and the fix, nothing of the file written. Here both defaults are shortened
(0.2 s for requests, 0.5 s for a batch); another process holds the lock
(tests/lock_holder.py): a table lock on PostgreSQL, the write lock on SQLite."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant import config
from covenant.cli.main import app
from covenant.config import DATABASE_ENV, LOCK_TIMEOUT_ENV
from covenant.errors import StoreError
from covenant.services.records import ingest_ticket_files
from tests.conftest import ROOT
from tests.lock_holder import held
from tests.services.test_store_lock_bound import TICKETS

runner = CliRunner()
NOW = datetime(2026, 11, 1, tzinfo=UTC)
TABLE_LOCK = "LOCK TABLE tickets IN SHARE MODE"


def tickets(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM tickets")).scalar_one())


def lock_said(engine: Engine, waited: str) -> str:
    shown = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite":
        return (
            "tickets.csv was not ingested: another process held a lock on the store's write "
            f"lock (one for the whole SQLite file) in the store at {shown} for longer than "
            f"{waited} s (database is locked)"
        )
    return (
        "tickets.csv was not ingested: another session held a lock on the table tickets in "
        f"the store at {shown} for longer than {waited} s (canceling statement due to lock "
        "timeout)"
    )


@pytest.fixture
def shop(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    monkeypatch.setenv(DATABASE_ENV, engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv(LOCK_TIMEOUT_ENV, raising=False)
    monkeypatch.setattr(config, "DEFAULT_LOCK_TIMEOUT_S", 0.2)
    monkeypatch.setattr(config, "BATCH_LOCK_TIMEOUT_S", 0.5)
    return folder


def test_an_ingest_waits_the_batch_default_then_says_what_was_not_ingested(
    engine: Engine, shop: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    command = ["ingest", "tickets", str(path), "-w", str(shop), "-f", "json"]
    with held(engine, TABLE_LOCK):
        result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["file"]) == ("store-error", str(path))
    assert error["message"] == lock_said(engine, "0.5")
    assert error["hint"].endswith(
        "then ingest tickets.csv again; or raise COVENANT_LOCK_TIMEOUT to wait longer "
        "(seconds, default 0.5 for covenant ingest, 0.2 for the rest)"
    )
    assert tickets(engine) == 0
    # the command is over: what is not a batch (a request, the worker) waits its own default
    with held(engine, TABLE_LOCK), pytest.raises(StoreError) as caught:
        ingest_ticket_files(engine, files=[path], now=NOW)
    assert caught.value.message == lock_said(engine, "0.2")
    result = runner.invoke(app, command)  # let go: the same command goes in
    assert result.exit_code == 0, result.output
    assert tickets(engine) == 2


def test_a_set_lock_timeout_applies_to_an_ingest_too(
    engine: Engine, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    with held(engine, TABLE_LOCK):
        result = runner.invoke(app, ["ingest", "tickets", str(path), "-w", str(shop), "-f", "json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["error"]["message"] == lock_said(engine, "0.3")
    assert tickets(engine) == 0
