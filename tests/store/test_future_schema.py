"""A store written by a newer Covenant, or a SQLite file of another application, is refused
with a clear error, not a traceback, and left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.errors import StoreError
from covenant.services.database import database_current
from covenant.services.ingest import open_store


def test_a_newer_schema_is_refused(store_url: str) -> None:
    url = store_url
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('9999_future')"))
    engine.dispose()
    with pytest.raises(StoreError, match="newer Covenant"):
        open_store(url)


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        names = [str(row[0]) for row in rows]
    conn.close()
    return names


@pytest.mark.parametrize("table", ["notes", "tickets"])
def test_another_applications_sqlite_file_is_refused_unchanged(tmp_path: Path, table: str) -> None:
    # regression: Covenant's 26 tables were added beside another application's `notes`; a
    # table of the same name as one of Covenant's (`tickets`) failed the migration with
    # "table tickets already exists — check that the database is reachable and writable"
    path = tmp_path / "covenant.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute(f"INSERT INTO {table} VALUES (1, 'kept')")
    conn.close()
    with pytest.raises(StoreError, match=rf"not a Covenant store: .*\({table}\)") as raised:
        open_store(f"sqlite:///{path}")
    assert "move that file away" in (raised.value.hint or "")
    assert _tables(path) == [table]
    with sqlite3.connect(path) as conn:
        assert conn.execute(f"SELECT body FROM {table}").fetchall() == [("kept",)]
    conn.close()


def test_db_current_names_another_applications_sqlite_file_not_a_store_behind(
    tmp_path: Path,
) -> None:
    # regression: `covenant db current` on such a file said "revision: (none: no schema
    # yet) / behind: … run `covenant db upgrade`" (exit 0), which the upgrade then refused
    path = tmp_path / "covenant.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    conn.close()
    with pytest.raises(StoreError, match=r"not a Covenant store: .*\(notes\)"):
        database_current(f"sqlite:///{path}")
    assert _tables(path) == ["notes"]


def test_db_current_still_says_an_empty_sqlite_file_has_no_schema_yet(tmp_path: Path) -> None:
    path = tmp_path / "covenant.db"
    sqlite3.connect(path).close()
    report = database_current(f"sqlite:///{path}")
    assert report.after == ()
    assert report.behind
