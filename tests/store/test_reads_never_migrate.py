"""A command that only reads never migrates a shared (PostgreSQL) store that is behind this
version's schema: it refuses with store-read-only and the fix (`covenant db upgrade`), and the
store is left exactly as it was. A workspace's own SQLite file is migrated as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import DATABASE_ENV
from covenant.errors import ReadOnlyStoreError
from covenant.services.store import open_existing, open_reader, open_store
from covenant.store.db import alembic_config, create_engine_for
from tests.stores import postgres_schemas

OLDER = "0007_api_tokens"  # a revision every later version still knows


@pytest.fixture
def shared_url(postgres_url: str) -> Iterator[str]:
    """An empty schema on the real PostgreSQL (what is PostgreSQL's own: the shared store)."""
    with postgres_schemas(postgres_url) as (url,):
        yield url


def heads() -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def migrate_to(url: str, revision: str) -> None:
    engine = create_engine_for(url)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def snapshot(url: str) -> tuple[list[str], list[str]]:
    """The stamped revisions and the store's table names."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            stamp = sorted(
                conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            )
        return stamp, sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_read_leaves_a_shared_store_behind_unmigrated(store_url: str) -> None:
    migrate_to(store_url, OLDER)
    before = snapshot(store_url)
    assert before[0] == [OLDER]
    assert heads() != [OLDER]  # there is something to migrate
    assert "web_users" not in before[1]  # the newest migration's table: not there yet
    if store_url.startswith("sqlite"):  # the workspace's own file: migrated, as documented
        open_existing(store_url).dispose()
        assert snapshot(store_url)[0] == heads()
        return
    for opener in (open_existing, open_reader):
        with pytest.raises(ReadOnlyStoreError) as raised:
            opener(store_url)
        assert raised.value.code == "store-read-only"
        assert f"schema revision {OLDER}" in raised.value.message
        assert "covenant db upgrade" in raised.value.hint
    assert snapshot(store_url) == before  # nothing migrated, no table added


def test_a_read_command_says_which_revision_and_the_fix(shared_url: str, tmp_path: Path) -> None:
    store_url = shared_url
    migrate_to(store_url, OLDER)
    before = snapshot(store_url)
    result = CliRunner().invoke(
        app, ["agreements", "list", "-w", str(tmp_path)], env={DATABASE_ENV: store_url}
    )
    assert result.exit_code == 1
    assert f"is at schema revision {OLDER}, behind this version's" in result.stderr
    assert "run `covenant db upgrade` once" in result.stderr
    assert "covenant explain store-read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store_url) == before


def test_a_shared_store_at_the_newest_schema_is_read(store_url: str) -> None:
    open_store(store_url).dispose()
    before = snapshot(store_url)
    assert before[0] == heads()
    engine = open_existing(store_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM series")).scalar() == 0
    finally:
        engine.dispose()
    assert snapshot(store_url) == before


def test_an_empty_shared_database_is_created_as_before(shared_url: str) -> None:
    assert not snapshot_tables(shared_url)
    open_existing(shared_url).dispose()  # nothing to migrate from: a new store
    assert snapshot(shared_url)[0] == heads()


def snapshot_tables(url: str) -> list[str]:
    engine = create_engine_for(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
