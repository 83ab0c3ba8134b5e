"""A COVENANT_DATABASE_URL that cannot be opened is answered with the fix for that URL: a
``postgres://`` URL (as Heroku, Render and Fly print them) is told the scheme SQLAlchemy knows,
and a database whose driver is missing is told to install that driver, never the PostgreSQL
extra for a database that is not PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import DATABASE_ENV


def db_current(url: str, tmp_path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["db", "current", "-w", str(tmp_path)], env={DATABASE_ENV: url, "COLUMNS": "200"}
    )
    return result.exit_code, result.stderr


def test_a_postgres_scheme_is_told_the_postgresql_scheme(tmp_path: Path) -> None:
    code, err = db_current("postgres://ann:s3cret@db.internal:5432/covenant", tmp_path)
    assert code == 1
    assert "Traceback" not in err
    assert "'postgres://' is not a scheme SQLAlchemy knows" in err
    assert "postgresql+psycopg://ann:***@db.internal:5432/covenant" in err
    assert "s3cret" not in err
    assert "run: covenant explain store-error" in err


def test_a_missing_driver_of_another_database_is_not_told_to_install_postgresql(
    tmp_path: Path,
) -> None:
    code, err = db_current("mysql://ann@db.internal/covenant", tmp_path)
    assert code == 1
    assert "covenant[postgres]" not in err
    assert "No module named 'MySQLdb'" in err
    assert "install the Python driver of mysql" in err
    assert "postgresql+psycopg://" in err
