"""The embedded SQLite store opened for reading with the standard library's ``sqlite3``.

``covenant evaluate`` reads day chunks and nothing else; through ``sqlite3`` it does so without
loading SQLAlchemy (most of its start-up). The reads are the same functions every store uses
(``chunk_reads``). Only a plain file URL (``sqlite:///path``) of a store that exists and is
stamped with the newest schema is opened this way; anything else (PostgreSQL, a store to
create or migrate, an unusual URL) returns None and the caller opens an engine as always.

It also holds what every connection that may write the file shares, without SQLAlchemy: the
pragmas, the folder made first (:func:`make_store_folder`) and the wait for a lock
(:func:`execute_waiting`) — the engine's (``store.db``) and ``store.sqlite_writer``'s.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from covenant.errors import StoreError
from covenant.store.schema_version import head_revisions

_PREFIX = "sqlite:///"
BUSY_TIMEOUT_MS = 60_000
"""How long any connection to the embedded store waits for another process's write lock (a
queued ingest, a first migration on a loaded machine) before it fails: the engine uses it too."""

SQLITE_PRAGMAS = (
    # First, so that switching a new store to WAL also waits for a concurrent writer (a first
    # migration on a loaded machine can hold the lock for several seconds) instead of failing.
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode=WAL",  # readers never block the writer
    "PRAGMA synchronous=NORMAL",  # durable at checkpoints; safe with WAL
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",  # 64 MiB page cache
)
"""Every connection that may write the embedded store (the engine's, ``sqlite_writer``'s)."""

AUTOCHECKPOINT_PAGES = 1000  # SQLite's default, which every other commit keeps
WRITE_CHECKPOINT_PAGES = 16384
"""A ``write_transaction``'s commit copies the WAL into the database file (a checkpoint) only
once the WAL holds this many pages (64 MiB of 4 KiB pages). Its commit is durable without the
checkpoint (``synchronous=FULL`` syncs the WAL); the copy is made by a later commit that passes
the threshold, or when the last connection closes (``engine.dispose()``, which the CLI calls)."""


class SqliteReader:
    """An up-to-date embedded store, read only: ``connect()`` is one read transaction (one
    snapshot of the store, as an engine's connection gives)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(
            read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
        )
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN")
        try:
            yield self._conn
        finally:
            self._conn.execute("ROLLBACK")  # nothing was written: end the snapshot

    def close(self) -> None:
        self._conn.close()

    def dispose(self) -> None:
        """The engine's name for :meth:`close`."""
        self.close()


def can_write(path: Path) -> bool:
    """True when the SQLite store ``path`` and its folder (where its journal lives) can be
    written: False on a read-only file system or without write permission."""
    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)


def make_store_folder(path: Path) -> None:
    """Create the folder of the SQLite store ``path`` (``.covenant/``) if it is missing, or
    :class:`StoreError` with the fix: every way of opening a store to write it does this first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the store folder for {path}: {exc.strerror}",
            hint="check the workspace path and its permissions",
        ) from exc


def execute_waiting(cursor: sqlite3.Cursor | sqlite3.Connection, statement: str) -> None:
    """``statement``, tried again while SQLite answers "database is locked" at once, without
    waiting in its busy handler — as it did for a connection opened while other processes
    migrated the same new file (tests/store/test_concurrent_migrate.py, about one round in
    fifteen on a loaded machine) — until ``busy_timeout`` has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def read_only_uri(path: Path) -> str:
    """A ``file:`` URI that opens the SQLite store ``path`` for reading only.

    Where nothing can write the file (it cannot be written, and no write-ahead log lies beside
    it) it is opened *immutable*: SQLite then needs no ``-shm`` lock file, which a read-only
    file system cannot hold. Otherwise read-only (a log's pages are read through its ``-shm``).
    """
    wal = path.with_name(path.name + "-wal")
    logged = wal.is_file() and wal.stat().st_size > 0
    immutable = "&immutable=1" if not can_write(path) and not logged else ""
    return f"file:{quote(str(path.resolve()))}?mode=ro{immutable}"


def sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL; None for any other URL."""
    if not url.startswith(_PREFIX):
        return None
    database = url[len(_PREFIX) :]
    if not database or database == ":memory:" or any(c in database for c in "?#%"):
        return None  # in memory, URI options or escapes: the engine reads those
    return Path(database)


def open_sqlite_reader(url: str) -> SqliteReader | None:
    """A reader on the store at ``url`` if it is an existing SQLite file at the newest schema."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return None
    try:
        reader = SqliteReader(path)
    except sqlite3.Error:
        return None
    try:
        with reader.connect() as conn:
            stamped = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:  # not a store, or no schema yet: the engine says what is wrong
        reader.close()
        return None
    if stamped != head_revisions():
        reader.close()
        return None
    return reader


RECORDED_CORRECTION = "SELECT 1 FROM definition_changes WHERE kind = 'Correction' LIMIT 1"


def recorded_any(engine: object) -> bool:
    """True when the store records a correction changed over the API (ADR 0006): read through
    ``sqlite3`` alone for a :class:`SqliteReader`, else on the engine's connection."""
    if isinstance(engine, SqliteReader):
        try:
            with engine.connect() as conn:
                return conn.execute(RECORDED_CORRECTION).fetchone() is not None
        except sqlite3.Error:  # older than the records: none
            return False
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.exec_driver_sql(RECORDED_CORRECTION).first() is not None
