"""Open the store: the one use case every command that reads or writes data starts with.

Kept apart from ``services.ingest`` so a command that only reads (``evaluate``) does not load
the event-file readers (pyarrow) to open it; ``open_reader`` does not load SQLAlchemy either
when the store is the workspace's up-to-date SQLite file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from covenant.store.sqlite_reader import SqliteReader, open_sqlite_reader

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def open_store(database_url: str) -> Engine:
    """An engine on the store at ``database_url``, migrated to the newest schema."""
    from covenant.store.db import create_engine_for, migrate  # noqa: PLC0415 - SQLAlchemy

    engine = create_engine_for(database_url)
    migrate(engine)
    return engine


def open_reader(database_url: str) -> Engine | SqliteReader:
    """The store at ``database_url`` to read bucket counts from: an existing SQLite file at the
    newest schema through ``sqlite3`` alone, anything else as :func:`open_store` opens it."""
    reader = open_sqlite_reader(database_url)
    return reader if reader is not None else open_store(database_url)
