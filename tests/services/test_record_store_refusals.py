"""A record file's write the store refuses is said in plain words: the file's name, the store,
the database's own reason (its first line, no traceback) and a fix that fits the cause — a
constraint or a rule of the database, the disk full, the store read-only, the connection lost.
Each cause is made real here (a trigger, a CHECK constraint, SQLite's page limit, a read-only
PostgreSQL session, a session terminated mid-write), and nothing of the file is stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from covenant.errors import ReadOnlyStoreError, StoreError, StoreUnreachableError
from covenant.services.records import ingest_ticket_files
from covenant.store import record_tables
from covenant.store.db import create_engine_for
from tests.services.test_record_copy import NOW, TICKETS, ticket, write

N = 3000


def _tickets(tmp_path: Path, *, refused: bool = True) -> Path:
    lines = [ticket(i) for i in range(N)]
    if refused:  # the last record, in the write's last chunk
        lines[-1] = f"T-{N - 1:05d},refused,P1,2026-10-01T00:00:00Z,,,\n"
    return write(tmp_path / "tickets.csv", TICKETS, lines)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _count(engine: Engine) -> tuple[int, int]:
    """(tickets, record files ingested)."""
    with engine.connect() as conn:
        tickets = conn.execute(sa.select(sa.func.count()).select_from(record_tables.tickets))
        files = conn.exec_driver_sql("SELECT count(*) FROM ingest_batches")
        return int(tickets.scalar_one()), int(files.scalar_one())


def _refused(engine: Engine, path: Path, kind: type[StoreError]) -> StoreError:
    with pytest.raises(StoreError) as caught:
        ingest_ticket_files(engine, files=[path], now=NOW)
    assert type(caught.value) is kind
    assert "Traceback" not in str(caught.value)
    return caught.value


def test_a_sqlite_trigger_that_refuses_a_record(sqlite_engine: Engine, tmp_path: Path) -> None:
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON tickets WHEN NEW.customer = 'refused' "
            "BEGIN SELECT RAISE(ABORT, 'customer refused here'); END"
        )
    error = _refused(sqlite_engine, _tickets(tmp_path), StoreError)
    assert error.code == "store-error"
    assert error.message == (
        f"tickets.csv: the store at {_url(sqlite_engine)} refused the write: customer refused "
        "here (a constraint of the database was violated)"
    )
    assert error.hint == (
        "nothing of this file was written; find the record and the rule the database names (a "
        "constraint or trigger added outside Covenant, or another tool's rows), fix the record "
        "or that rule, then ingest tickets.csv again"
    )
    assert _count(sqlite_engine) == (0, 0)


@pytest.fixture
def full_sqlite(sqlite_engine: Engine) -> Iterator[Engine]:
    """The migrated SQLite store, allowed no page beyond those it has (SQLITE_FULL)."""
    with sqlite_engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    engine = create_engine_for(sqlite_engine.url.render_as_string(hide_password=False))

    @event.listens_for(engine, "connect")
    def _limit(connection: Any, _: Any) -> None:
        connection.execute(f"PRAGMA max_page_count = {pages}")

    yield engine
    engine.dispose()


def test_a_full_sqlite_store(full_sqlite: Engine, tmp_path: Path) -> None:
    error = _refused(full_sqlite, _tickets(tmp_path, refused=False), StoreError)
    assert error.message == (
        f"tickets.csv: the store at {_url(full_sqlite)} refused the write: database or disk is "
        "full (the disk that holds the database is full)"
    )
    assert error.hint == (
        "nothing of this file was written; free space on the disk that holds the database (or "
        "raise its size limit or quota), then ingest tickets.csv again"
    )
    assert _count(full_sqlite) == (0, 0)


def test_a_postgresql_check_constraint(postgres_engine: Engine, tmp_path: Path) -> None:
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(
            "ALTER TABLE tickets ADD CONSTRAINT not_refused CHECK (customer <> 'refused')"
        )
    error = _refused(postgres_engine, _tickets(tmp_path), StoreError)
    assert error.message == (
        f"tickets.csv: the store at {_url(postgres_engine)} refused the write: new row for "
        'relation "tickets" violates check constraint "not_refused" (a constraint of the '
        "database was violated)"
    )
    assert error.hint.endswith("fix the record or that rule, then ingest tickets.csv again")
    assert _count(postgres_engine) == (0, 0)


def test_a_read_only_postgresql_session(postgres_engine: Engine, tmp_path: Path) -> None:
    url = postgres_engine.url
    options = f"{url.query.get('options', '')} -cdefault_transaction_read_only=on".strip()
    reader = create_engine_for(
        url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    )
    try:
        error = _refused(reader, _tickets(tmp_path, refused=False), ReadOnlyStoreError)
        assert error.code == "store-read-only"
        assert error.message.startswith(f"tickets.csv: the store at {_url(reader)} refused")
        assert error.message.endswith("in a read-only transaction (the store can only be read)"), (
            error.message
        )
        assert error.hint == (
            "nothing of this file was written; point COVENANT_DATABASE_URL at a store that can "
            "be written (the primary, not a read-only replica or transaction; a file and folder "
            "this user may write), then ingest tickets.csv again"
        )
    finally:
        reader.dispose()
    assert _count(postgres_engine) == (0, 0)


def test_a_postgresql_connection_lost_mid_write(postgres_engine: Engine, tmp_path: Path) -> None:
    # the session writing the last record is terminated (as by an administrator or a restart)
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION cut() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.customer = 'refused' THEN PERFORM pg_terminate_backend(pg_backend_pid()); "
            "END IF; RETURN NEW; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER cut BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION cut()"
        )
    error = _refused(postgres_engine, _tickets(tmp_path), StoreUnreachableError)
    assert error.code == "store-unreachable"
    assert error.message.startswith(f"tickets.csv: the store at {_url(postgres_engine)} refused")
    assert error.message.endswith("(the connection to the database was lost)"), error.message
    assert error.hint == (
        "nothing of this file was written; check that the database is running and reachable "
        "from here (COVENANT_DATABASE_URL: host, port, database, user), then ingest tickets.csv "
        "again"
    )
    assert _count(postgres_engine) == (0, 0)
