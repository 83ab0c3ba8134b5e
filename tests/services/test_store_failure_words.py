"""``services.store.store_failure``: a driver error met in the store, said as the database's
reason and its cause — it said only the driver's class (``cannot read the audit log:
OperationalError``). A SQLite store whose write lock another connection holds past the wait
(0 s here), and a table that is not there (a cause Covenant does not know: the hint it had)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from covenant.errors import ReadOnlyStoreError, StoreError
from covenant.services.store import store_failure


def _raised(url: str, statement: str) -> sa.exc.SQLAlchemyError:
    engine = sa.create_engine(url, connect_args={"timeout": 0, "isolation_level": None})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
    except sa.exc.SQLAlchemyError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"{statement} did not fail")


def test_a_locked_store_says_so(tmp_path: Path) -> None:
    path = tmp_path / "covenant.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    try:
        exc = _raised(f"sqlite:///{path}", "BEGIN IMMEDIATE")
    finally:
        other.execute("ROLLBACK")
        other.close()
    error = store_failure("record SLO changes", exc)
    assert type(error) is StoreError
    assert error.message == (
        "cannot record SLO changes: database is locked (another process held the store's "
        "write lock longer than Covenant waits for it)"
    )
    assert error.hint == (
        "wait for the other writer (an ingest, an issue, a migration) to finish, then retry"
    )


def test_an_unknown_cause_keeps_the_general_hint(tmp_path: Path) -> None:
    exc = _raised(f"sqlite:///{tmp_path / 'covenant.db'}", "SELECT * FROM nope")
    error = store_failure("read the audit log", exc)
    assert (
        error.message
        == "cannot read the audit log: no such table: nope (the database's own reason)"
    )
    assert "OperationalError" not in str(error)
    assert error.hint.startswith("check that the store is reachable and migrated")


def test_a_read_only_store_is_store_read_only(tmp_path: Path) -> None:
    path = tmp_path / "covenant.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x INTEGER)").connection.close()
    exc = _raised(f"sqlite:///file:{path}?mode=ro&uri=true", "INSERT INTO t VALUES (1)")
    error = store_failure("write an API token", exc)
    assert isinstance(error, ReadOnlyStoreError)
    assert error.code == "store-read-only"
    assert error.message.startswith("cannot write an API token: attempt to write a readonly")
    assert "then retry" in error.hint
