"""`covenant db current` and `covenant db upgrade` on both backends: from → to, behind, a store
newer than the code, a database that does not answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import DATABASE_ENV
from covenant.errors import StoreNewerError
from covenant.services.store import open_store
from covenant.store.db import alembic_config, create_engine_for

OLDER = "0007_api_tokens"  # a revision every later version still knows


def heads() -> list[str]:
    """The newest revisions, as Alembic reads the migration scripts."""
    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def db(args: list[str], url: str, tmp_path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["db", *args, "-w", str(tmp_path)], env={DATABASE_ENV: url}, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def stamped(url: str) -> list[str]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            return sorted(
                conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()


def test_upgrade_a_new_store_then_nothing_to_do(store_url: str, tmp_path: Path) -> None:
    code, out, err = db(["upgrade"], store_url, tmp_path)
    assert code == 0, err
    assert f"upgraded from (none: no schema yet) to {', '.join(heads())}" in out
    assert stamped(store_url) == heads()
    code, out, _ = db(["upgrade"], store_url, tmp_path)
    assert code == 0
    assert f"already at {', '.join(heads())}: nothing to do" in out
    code, out, _ = db(["current", "-f", "json"], store_url, tmp_path)
    assert code == 0
    assert json.loads(out)["to"] == heads()
    assert json.loads(out)["behind"] is False


def test_a_store_behind_is_said_behind_and_upgraded_from_its_revision(
    store_url: str, tmp_path: Path
) -> None:
    engine = create_engine_for(store_url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, OLDER)
    engine.dispose()
    assert stamped(store_url) == [OLDER]
    assert heads() != [OLDER]  # there is something to upgrade

    code, out, err = db(["current"], store_url, tmp_path)
    assert code == 0, err
    assert f"revision: {OLDER}" in out
    assert f"behind: this version's newest is {', '.join(heads())}" in out
    code, out, _ = db(["current", "-f", "json"], store_url, tmp_path)
    assert json.loads(out) | {"store": None} == {
        "store": None,
        "from": [OLDER],
        "to": [OLDER],
        "head": heads(),
        "behind": True,
    }
    assert stamped(store_url) == [OLDER]  # current never writes

    code, out, err = db(["upgrade"], store_url, tmp_path)
    assert code == 0, err
    assert f"upgraded from {OLDER} to {', '.join(heads())}" in out
    assert stamped(store_url) == heads()


def test_a_store_newer_than_the_code_is_refused_unchanged(store_url: str, tmp_path: Path) -> None:
    open_store(store_url).dispose()
    engine = create_engine_for(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for args in (["current"], ["upgrade"]):
        code, _, err = db(args, store_url, tmp_path)
        assert code == 1
        assert "newer Covenant" in err
        assert "covenant explain store-newer" in err
    assert stamped(store_url) == ["9999_future"]
    with pytest.raises(StoreNewerError):
        open_store(store_url)


def test_current_never_creates_a_sqlite_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nothing' / 'covenant.db'}"
    code, _, err = db(["current"], url, tmp_path)
    assert code == 1
    assert "covenant explain no-store" in err
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/test",  # nothing listens on port 1
        "postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database_here",
    ],
)
def test_an_unreachable_database_is_a_clear_error(
    url: str, tmp_path: Path, postgres_url: str
) -> None:
    for args in (["current"], ["upgrade"]):
        code, out, err = db(args, url, tmp_path)
        assert code == 1
        assert "cannot connect to the store at" in err
        assert "covenant explain store-unreachable" in err
        assert "Traceback" not in out + err
