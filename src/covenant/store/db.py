"""Open and migrate the store: SQLite by default, PostgreSQL when several processes share it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from covenant.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never block the writer
    "PRAGMA synchronous=NORMAL",  # durable at checkpoints; safe with WAL
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",  # wait for a concurrent writer instead of failing at once
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",  # 64 MiB page cache
)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file its folder is created and pragmas set on connect.

    PostgreSQL URLs need the ``postgres`` extra (``psycopg``): ``postgresql+psycopg://…``.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot read the database URL {url!r}",
            hint="use sqlite:///path/to/covenant.db or postgresql+psycopg://user@host/db",
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store folder for {database}: {exc.strerror}",
                    hint="check the workspace path and its permissions",
                ) from exc
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(
            f"cannot open {parsed.render_as_string(hide_password=True)}: {exc}",
            hint="for PostgreSQL install the extra: pip install 'covenant[postgres]'",
        ) from exc


def alembic_config() -> Config:
    """The Alembic config for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest revision (idempotent; one transaction)."""
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except CommandError as exc:
        raise StoreError(
            f"the store at {engine.url.render_as_string(hide_password=True)} has a schema this "
            f"version of Covenant does not know ({exc})",
            hint="it was written by a newer Covenant: upgrade Covenant, or point "
            "COVENANT_DATABASE_URL at another store",
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot migrate the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}",
            hint="check that the database is reachable and writable",
        ) from exc
