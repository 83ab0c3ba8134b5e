"""A new SQLite store created through ``sqlite3`` alone (``sqlite_writer.create_sqlite_store``,
the first read of ``covenant evaluate --read``) is the store Alembic makes, created once when
several processes create it together; anything it cannot create is left to the engine, and a
folder it cannot make is the engine's error."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.errors import StoreError
from covenant.store import schema_snapshot, sqlite_writer
from covenant.store.db import create_engine_for, upgrade_with_alembic
from covenant.store.sqlite_writer import create_sqlite_store, open_sqlite_writer
from tests.services.test_prometheus_grouped import _workspace
from tests.store.test_schema_snapshot import OLDER, alembic_heads
from tests.stores import sqlite_schema, worker_rounds

WORKERS = 3
ROUNDS = 3


@pytest.fixture
def by_alembic(tmp_path: Path) -> Path:
    path = tmp_path / "alembic.db"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        upgrade_with_alembic(engine)
    finally:
        engine.dispose()
    return path


def test_a_store_created_through_sqlite3_is_the_store_alembic_makes(
    tmp_path: Path, by_alembic: Path
) -> None:
    path = tmp_path / "new" / ".covenant" / "covenant.db"  # its folders are made too
    writer = open_sqlite_writer(f"sqlite:///{path}", create=True)
    assert writer is not None
    try:
        with writer.connect() as conn:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        writer.dispose()
    assert mode == "wal"  # as the engine's connections set it
    expected = sqlite_schema(by_alembic)
    assert expected["stamp"] == [(head,) for head in sorted(alembic_heads())]
    assert sqlite_schema(path) == expected


def test_without_create_a_missing_store_is_left_to_the_engine(tmp_path: Path) -> None:
    path = tmp_path / ".covenant" / "covenant.db"
    assert open_sqlite_writer(f"sqlite:///{path}") is None
    assert not path.parent.exists()  # nothing was made


def test_an_existing_store_at_the_heads_is_opened_and_left_as_it_is(
    tmp_path: Path, by_alembic: Path
) -> None:
    before = sqlite_schema(by_alembic)
    writer = open_sqlite_writer(f"sqlite:///{by_alembic}", create=True)
    assert writer is not None
    writer.dispose()
    again = create_sqlite_store(by_alembic)  # not empty, stamped at the heads: nothing to do
    assert again is not None
    again.dispose()
    assert sqlite_schema(by_alembic) == before


def test_a_foreign_or_older_file_is_left_to_the_engine(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    older = tmp_path / "older.db"
    with sqlite3.connect(older) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (OLDER,))
    conn.close()
    for path in (foreign, older):
        before = _master(path)
        assert create_sqlite_store(path) is None
        assert open_sqlite_writer(f"sqlite:///{path}", create=True) is None
        assert _master(path) == before  # unchanged: Alembic says what is wrong


def test_an_empty_file_is_created_as_a_missing_one(tmp_path: Path, by_alembic: Path) -> None:
    """What another process creating the store at the same moment leaves for a moment."""
    path = tmp_path / "empty.db"
    path.touch()
    writer = open_sqlite_writer(f"sqlite:///{path}", create=True)
    assert writer is not None
    writer.dispose()
    assert sqlite_schema(path) == sqlite_schema(by_alembic)


def _master(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM sqlite_master ORDER BY rowid").fetchall()
    conn.close()
    return rows


def test_a_snapshot_of_other_heads_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema_snapshot, "packaged", lambda: None)
    path = tmp_path / ".covenant" / "covenant.db"
    assert open_sqlite_writer(f"sqlite:///{path}", create=True) is None
    assert not path.exists()


def test_a_folder_that_cannot_be_made_is_the_engines_error(tmp_path: Path) -> None:
    (tmp_path / ".covenant").write_text("not a folder")  # where the store's folder would be
    url = f"sqlite:///{tmp_path / '.covenant' / 'covenant.db'}"
    with pytest.raises(StoreError) as ours:
        open_sqlite_writer(url, create=True)
    with pytest.raises(StoreError) as engines:
        create_engine_for(url)
    assert str(ours.value) == str(engines.value)
    assert ours.value.hint == engines.value.hint
    assert str(ours.value).startswith(f"cannot create the store folder for {tmp_path}")
    assert "permissions" in (ours.value.hint or "")


def test_evaluate_read_says_so_when_the_folder_cannot_be_made(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", "http://127.0.0.1:9")  # never asked
    (ws / ".covenant").write_text("not a folder")
    done = CliRunner().invoke(app, ["evaluate", "-w", str(ws), "--read"])
    assert done.exit_code == 1
    store = ws / ".covenant" / "covenant.db"
    assert f"cannot create the store folder for {store}" in done.stderr
    assert "Traceback" not in done.output
    assert isinstance(done.exception, SystemExit)


def test_a_file_sqlite_cannot_open_is_left_to_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a folder that cannot be written (not simulated as root): ``sqlite3`` cannot open the
    new file, and the engine, opening it next, gives its own error."""

    def refused(_path: Path) -> None:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite_writer, "SqliteWriter", refused)
    path = tmp_path / ".covenant" / "covenant.db"
    assert open_sqlite_writer(f"sqlite:///{path}", create=True) is None
    assert not path.exists()


WORKER = textwrap.dedent(
    """
    import json, sys
    from covenant.store.sqlite_writer import open_sqlite_writer

    print("ready", flush=True)
    for line in sys.stdin:  # one URL per round, sent to every worker at once
        writer = open_sqlite_writer(line.strip(), create=True)
        if writer is not None:
            with writer.write() as conn:  # and write through it, as a first read does
                conn.execute(
                    "INSERT INTO series (key, step_s, created_at) VALUES (?, 60, ?) ",
                    (f"w{sys.argv[1]}", "2026-01-01 00:00:00.000000"),
                )
            writer.dispose()
        out = {"ok": writer is not None, "sqlalchemy": "sqlalchemy" in sys.modules}
        print(json.dumps(out), flush=True)
    """
)


def test_processes_creating_one_store_at_once_all_get_it(tmp_path: Path, by_alembic: Path) -> None:
    paths = [tmp_path / f"r{r}" / ".covenant" / "covenant.db" for r in range(ROUNDS)]
    results = worker_rounds(WORKER, [f"sqlite:///{path}" for path in paths], workers=WORKERS)
    assert results == [{"ok": True, "sqlalchemy": False}] * (ROUNDS * WORKERS)
    expected = sqlite_schema(by_alembic)
    for path in paths:
        assert sqlite_schema(path) == expected  # created once: each object once, one stamp
        with sqlite3.connect(path) as conn:
            keys = sorted(row[0] for row in conn.execute("SELECT key FROM series"))
        conn.close()
        assert keys == [f"w{w}" for w in range(WORKERS)]
