"""A new SQLite store is created from the packaged schema snapshot, without Alembic, and is the
very store Alembic's migrations make; any other store is still migrated by Alembic."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from covenant.errors import StoreError
from covenant.store import db, schema_snapshot
from covenant.store.db import alembic_config, create_engine_for, migrate
from tests.stores import sqlite_schema

OLDER = "0016_outbox_target_spec"


def alembic_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


@pytest.fixture
def without_alembic(monkeypatch: pytest.MonkeyPatch) -> None:
    """``migrate`` fails if it runs Alembic's migrations."""

    def refused(_engine: sa.Engine) -> None:
        raise AssertionError("Alembic ran the migrations")

    monkeypatch.setattr(db, "upgrade_with_alembic", refused)


@pytest.fixture
def without_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """``migrate`` fails if it creates a store from the snapshot."""

    def refused(_cursor: object, _snapshot: object) -> None:
        raise AssertionError("the snapshot was applied")

    monkeypatch.setattr(schema_snapshot, "apply", refused)


def migrated(path: Path, how: str) -> Path:
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        if how == "alembic":
            db.upgrade_with_alembic(engine)
        else:
            migrate(engine)
    finally:
        engine.dispose()
    return path


@pytest.fixture
def by_alembic(tmp_path: Path) -> Path:
    return migrated(tmp_path / "alembic.db", "alembic")


@pytest.fixture
def by_snapshot(tmp_path: Path, without_alembic: None) -> Path:
    return migrated(tmp_path / "snapshot.db", "migrate")


def test_a_store_from_the_snapshot_is_the_store_alembic_makes(
    by_alembic: Path, by_snapshot: Path
) -> None:
    expected = sqlite_schema(by_alembic)
    assert len(expected["tables"]) >= 18  # type: ignore[arg-type]  # 17 revisions' tables
    assert expected["stamp"] == [(head,) for head in sorted(alembic_heads())]
    assert sqlite_schema(by_snapshot) == expected


def test_an_empty_store_in_memory_is_created_from_the_snapshot(
    by_alembic: Path, without_alembic: None
) -> None:
    engine = create_engine_for("sqlite://")
    try:
        migrate(engine)
        with engine.connect() as conn:
            master = conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
            ).all()
            stamp = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in master] == sqlite_schema(by_alembic)["master"]
    assert {row[0] for row in stamp} == alembic_heads()


def test_alembic_finds_a_store_from_the_snapshot_at_its_heads(by_snapshot: Path) -> None:
    before = sqlite_schema(by_snapshot)
    engine = create_engine_for(f"sqlite:///{by_snapshot}")
    try:
        with engine.connect() as conn:
            assert set(MigrationContext.configure(conn).get_current_heads()) == alembic_heads()
        with engine.begin() as conn:  # Alembic's own upgrade: nothing to do
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")
        migrate(engine)  # and ours: nothing either
    finally:
        engine.dispose()
    assert sqlite_schema(by_snapshot) == before


def test_a_store_behind_the_heads_is_migrated_by_alembic(
    tmp_path: Path, by_alembic: Path, without_snapshot: None
) -> None:
    url = f"sqlite:///{tmp_path / 'older.db'}"
    engine = create_engine_for(url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, OLDER)
        migrate(engine)
    finally:
        engine.dispose()
    assert sqlite_schema(tmp_path / "older.db")["stamp"] == sqlite_schema(by_alembic)["stamp"]


def test_a_store_with_tables_but_no_stamp_is_refused_unchanged(
    tmp_path: Path, without_snapshot: None
) -> None:
    # Alembic used to add its tables beside another application's (`notes`), or fail on one
    # named as one of Covenant's (`series`): such a file is refused, with or without the
    # snapshot (tests/store/test_future_schema.py)
    for name, table in (("foreign.db", "notes"), ("clashing.db", "series")):
        path = tmp_path / name
        with sqlite3.connect(path) as conn:
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
        conn.close()
        with pytest.raises(StoreError, match="not a Covenant store"):
            migrated(path, "migrate")
        with sqlite3.connect(path) as conn:
            left = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
        conn.close()
        assert left == [("table", table)]


@pytest.fixture
def snapshot_at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / schema_snapshot.SNAPSHOT_FILE
    monkeypatch.setattr(schema_snapshot, "snapshot_path", lambda: path)
    schema_snapshot.packaged.cache_clear()
    yield path
    schema_snapshot.packaged.cache_clear()


def test_a_snapshot_of_other_heads_is_never_used(
    snapshot_at: Path, tmp_path: Path, without_snapshot: None
) -> None:
    committed = schema_snapshot.loads(
        (Path(schema_snapshot.__file__).with_name("schema_sqlite.json")).read_text("utf-8")
    )
    assert list(committed.heads) == sorted(alembic_heads())
    stale = schema_snapshot.Snapshot(
        heads=(OLDER,), pragmas=committed.pragmas, statements=committed.statements
    )
    snapshot_at.write_text(schema_snapshot.dumps(stale), encoding="utf-8")
    assert schema_snapshot.packaged() is None
    path = migrated(tmp_path / "new.db", "migrate")  # by Alembic, to the real heads
    assert {row[0] for row in sqlite_schema(path)["stamp"]} == alembic_heads()  # type: ignore[attr-defined]


def test_check_fails_on_a_stale_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = schema_snapshot.dumps(schema_snapshot.generate())
    committed = Path(schema_snapshot.__file__).with_name("schema_sqlite.json")
    assert schema_snapshot.check(committed, fresh) == 0, "run `make schema-snapshot`"
    stale = tmp_path / "schema_sqlite.json"
    stale.write_text(fresh.replace("ix_alert_transitions_at", "ix_alert_transitions_when"))
    assert stale.read_text() != fresh
    assert schema_snapshot.check(stale, fresh) == 1
    assert "make schema-snapshot" in capsys.readouterr().err
    assert schema_snapshot.check(tmp_path / "missing.json", fresh) == 1
