"""A store behind this version's schema that can only be read: a command that migrates it
(`db upgrade`) is refused as `store-read-only` with the fix, not a `store-error` quoting the
driver's class (`OperationalError: attempt to write a readonly database — check that the
database is reachable and writable`); nothing is changed. `token list` and `user list` only
read: they never migrate such a store, and refuse it as every reading command does
(tests/store/test_list_commands_never_migrate.py), also `store-read-only`.

SQLite is opened read-only by its URI (`mode=ro`), so the refusal is the database's own even
as root; PostgreSQL by a session whose transactions are read-only (as on a standby)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import DATABASE_ENV
from tests.store.test_db_commands import stamped
from tests.stores import migrate_to, postgres_schemas

OLDER = "0018_source_query"  # a revision every later version still knows

COMMANDS = [["db", "upgrade"], ["token", "list"], ["user", "list"]]


def said_so(err: str, args: list[str]) -> None:
    """The refusal names the store's revision; the migrating command says it cannot write."""
    if args[0] == "db":
        assert "can only be read, and its schema needs upgrading" in err, err
        assert f"from {OLDER}" in err, err
    else:
        assert f"is at schema revision {OLDER}, behind this version's" in err, err
        assert "run `covenant db upgrade` once" in err, err


def refused(args: list[str], url: str, workspace: Path) -> str:
    result = CliRunner().invoke(
        app, [*args, "-w", str(workspace)], env={DATABASE_ENV: url}, catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    return result.stderr


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_sqlite_store_behind_opened_read_only(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "covenant.db"
    migrate_to(f"sqlite:///{path}", OLDER)
    err = refused(args, f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path)
    said_so(err, args)
    assert "covenant explain store-read-only" in err, err
    assert "OperationalError" not in err
    assert stamped(f"sqlite:///{path}") == [OLDER]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_postgres_store_behind_in_a_read_only_session(
    args: list[str], tmp_path: Path, postgres_url: str
) -> None:
    with postgres_schemas(postgres_url) as (url,):
        migrate_to(url, OLDER)
        read_only = url + "%20-cdefault_transaction_read_only%3Don"
        err = refused(args, read_only, tmp_path)
        said_so(err, args)
        assert "covenant explain store-read-only" in err, err
        assert "ReadOnlySqlTransaction" not in err
        assert stamped(url) == [OLDER]
