"""The embedded SQLite store written through the standard library's ``sqlite3``: what a
Prometheus catch-up in ``covenant evaluate`` writes, without loading SQLAlchemy (most of the
command's start-up after numpy; docs/benchmarks.md).

Only an existing store at the newest schema that can be written is opened this way
(:func:`open_sqlite_writer`), or a new one created from the packaged schema snapshot as
``db.migrate`` creates one (:func:`create_sqlite_store`: the first read of ``evaluate
--read``); anything else returns None and the caller opens an engine. The connection gets the
engine's pragmas (``sqlite_reader.SQLITE_PRAGMAS``) and a write is the engine's
``write_transaction``: ``BEGIN IMMEDIATE``, a commit synced to disk with the checkpoint left
for later. The rows it writes are the ones the engine's writers write (``bucket_ranges`` is
plain SQL for both); the few that SQLAlchemy writes elsewhere are written here as it writes
them: the series row and the read frontier, instants as SQLite ``DATETIME`` text in UTC
(``YYYY-MM-DD HH:MM:SS.ffffff``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from covenant.config import lock_timeout_s
from covenant.core.promql import Match
from covenant.core.timeutil import to_epoch
from covenant.errors import CovenantError
from covenant.store import schema_snapshot
from covenant.store.chunk_reads import (
    batched,
    buckets_per_day,
    check_step,
    run_many,
    series_rows,
)
from covenant.store.lock_wait import StoreLockedError, is_lock_wait, migration_wait_s, refusal
from covenant.store.schema_version import head_revisions
from covenant.store.sqlite_reader import (
    AUTOCHECKPOINT_PAGES,
    BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    WRITE_CHECKPOINT_PAGES,
    can_write,
    execute_waiting,
    make_store_folder,
    sqlite_file,
)

MAX_KEY_LENGTH = 255


class SqliteWriter:
    """An up-to-date embedded store opened for writing through ``sqlite3``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            for pragma in SQLITE_PRAGMAS:  # as the engine's connections set them
                execute_waiting(self._conn, pragma)
        except BaseException:
            self._conn.close()
            raise

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One read transaction (one snapshot), as an engine's connection gives."""
        self._conn.execute("BEGIN")
        try:
            yield self._conn
        finally:
            self._conn.execute("ROLLBACK")

    @contextmanager
    def write(self, *, wait_s: float | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction as ``store.db.write_transaction`` opens one (committed on
        success, rolled back on an error), waiting as long for the write lock
        (``wait_s``, default ``COVENANT_LOCK_TIMEOUT``; ``lock_wait.StoreLockedError`` past
        it)."""
        conn = self._conn
        waited_s = lock_timeout_s() if wait_s is None else wait_s
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA wal_autocheckpoint={WRITE_CHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA busy_timeout={max(1, round(waited_s * 1000))}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if not is_lock_wait(exc):
                raise
            raise refusal(f"sqlite:///{self.path}", exc, waited_s=waited_s) from exc
        finally:
            with suppress(sqlite3.Error):
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
                conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def dispose(self) -> None:
        self._conn.close()


def open_sqlite_writer(url: str, *, create: bool = False) -> SqliteWriter | None:
    """A writer on the store at ``url`` if it is an existing SQLite file at the newest schema
    that can be written — or, with ``create``, one without a schema yet (missing, or being
    created by another process) created by :func:`create_sqlite_store`; None otherwise (the
    caller opens an engine, which says why)."""
    path = sqlite_file(url)
    if path is None:
        return None
    if create and not path.exists():
        return create_sqlite_store(path)
    if not path.is_file() or not can_write(path):
        return None
    try:
        writer = SqliteWriter(path)
    except sqlite3.Error:
        return None
    try:
        with writer.connect() as conn:
            stamped = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:  # no stamp table: not a store, or no schema yet
        stamped = set()
    if stamped == head_revisions():
        return writer
    writer.dispose()
    return create_sqlite_store(path) if create and not stamped else None


def create_sqlite_store(path: Path) -> SqliteWriter | None:
    """A writer on the store at ``path``, created from the packaged schema snapshot if it is
    empty or missing, as ``db.migrate`` creates one without SQLAlchemy or Alembic.

    Its folder is created as the engine creates it (:class:`StoreError` with the fix when it
    cannot be). The schema is created in a write transaction (``BEGIN IMMEDIATE``): of several
    processes creating one store, the first creates it and the others wait for its lock
    (``busy_timeout``), then find it stamped at the heads. None, having created no schema,
    when the snapshot is not of the packaged heads, the file is not empty and not at the heads
    (a foreign or older store), or SQLite fails: the engine then says what is wrong, as before
    (what may be left — the folder, an empty file, an existing file's journal switched to
    WAL as every connection of the engine's switches it — is what the engine would make too).
    """
    snapshot = schema_snapshot.packaged()
    if snapshot is None:
        return None
    make_store_folder(path)
    try:
        writer = SqliteWriter(path)
    except sqlite3.Error:
        return None
    try:
        with writer.write(wait_s=migration_wait_s()) as conn:
            created = schema_snapshot.create_if_empty(conn.cursor(), snapshot)
    except (sqlite3.Error, StoreLockedError):
        created = False
    if not created:
        writer.dispose()
        return None
    return writer


def stamp(moment: datetime) -> str:
    """An instant as SQLAlchemy writes a ``DateTime`` column on SQLite (UTC, no zone)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def ensure_series(conn: sqlite3.Connection, *, keys: Sequence[str], step: int) -> dict[str, int]:
    """``buckets.ensure_series`` on a ``sqlite3`` connection: the id of every key, missing
    series created with ``step``."""
    buckets_per_day(step)
    unique = list(dict.fromkeys(keys))
    if any(not key or len(key) > MAX_KEY_LENGTH for key in unique):
        from covenant.store.buckets import ensure_series as checked  # noqa: PLC0415

        return checked(conn, keys=unique, step=step)  # type: ignore[arg-type]  # its error
    found = series_rows(conn, unique)
    missing = sorted(key for key in unique if key not in found)
    if missing:
        now = stamp(datetime.now(UTC))
        conn.executemany(
            "INSERT INTO series (key, step_s, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            [(key, step, now) for key in missing],
        )
        found.update(series_rows(conn, missing))
    check_step(found, step)
    return {key: found[key][0] for key in unique}


def record_reads(
    conn: sqlite3.Connection, *, reads: Sequence[tuple[int, int]], source: str, at: datetime
) -> None:
    """``source_reads.record_reads`` on a ``sqlite3`` connection."""
    if not reads:
        return
    when = stamp(at)
    frontier: dict[int, int | None] = {}
    for part in batched(sorted({i for i, _ in reads})):
        sql = (
            "SELECT series_id, read_until FROM source_reads "
            f"WHERE series_id IN ({', '.join('?' * len(part))})"
        )
        for series_id, until in conn.execute(sql, tuple(part)):
            frontier[int(series_id)] = None if until is None else int(until)
    missing = sorted({i for i, _ in reads} - set(frontier))
    conn.executemany(
        "INSERT INTO source_reads (series_id, source, updated_at) VALUES (?, ?, ?)",
        [(i, source, when) for i in missing],
    )
    latest = to_epoch(at)  # a frontier after this instant was never read (an old --to bug)

    def moves(i: int, until: int) -> bool:
        known = frontier.get(i)
        return known is None or until >= known or known > latest

    moved = [(until, source, when, i) for i, until in reads if moves(i, until)]
    kept = [(source, when, i) for i, until in reads if not moves(i, until)]
    conn.executemany(
        "UPDATE source_reads SET read_until = ?, error_code = NULL, error = NULL, "
        "error_at = NULL, source = ?, updated_at = ? WHERE series_id = ?",
        moved,
    )
    conn.executemany("UPDATE source_reads SET source = ?, updated_at = ? WHERE series_id = ?", kept)


def record_error(
    conn: sqlite3.Connection, *, series_id: int, source: str, code: str, message: str, at: datetime
) -> None:
    """``source_reads.record_error`` on a ``sqlite3`` connection."""
    when = stamp(at)
    conn.execute(
        "INSERT INTO source_reads (series_id, source, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (series_id) DO NOTHING",
        (series_id, source, when),
    )
    conn.execute(
        "UPDATE source_reads SET source = ?, error_code = ?, error = ?, error_at = ?, "
        "updated_at = ? WHERE series_id = ?",
        (source, code, message, when, when, series_id),
    )


def record_frontiers(
    conn: Any, reads: Sequence[tuple[int, int]], *, source: str, at: datetime
) -> None:
    """Record ``(series id, read until)`` of ``source`` through a ``sqlite3`` connection
    (:func:`record_reads`) or an engine's (``source_reads.record_reads``)."""
    if isinstance(conn, sqlite3.Connection):
        record_reads(conn, reads=reads, source=source, at=at)
    else:
        from covenant.store.source_reads import record_reads as recorded  # noqa: PLC0415

        recorded(conn, reads=reads, source=source, at=at)


def record_answered(conn: Any, answered: Sequence[tuple[int, int]]) -> None:
    """Lower each ``(series id, first answered minute)``'s ``source_reads.answered_from`` to
    that minute (the earliest of every read is kept), on any connection ``run_many`` takes; a
    series without a row (never claimed) is left alone."""
    run_many(
        conn,
        "UPDATE source_reads SET answered_from = ? "
        "WHERE series_id = ? AND (answered_from IS NULL OR answered_from > ?)",
        [(first, series_id, first) for series_id, first in answered],
    )


def record_failure(
    conn: Any, series_id: int, *, source: str, error: CovenantError, at: datetime
) -> None:
    """Record a failed read of a series the same way (:func:`record_error`)."""
    if isinstance(conn, sqlite3.Connection):
        record_error(
            conn, series_id=series_id, source=source, code=error.code, message=error.message, at=at
        )
    else:
        from covenant.store.source_reads import record_error as recorded  # noqa: PLC0415

        recorded(
            conn, series_id=series_id, source=source, code=error.code, message=error.message, at=at
        )


def record_matches(conn: Any, matches: Sequence[tuple[int, int, Match, Match]]) -> None:
    """Whether each read matched series (``source_reads.record_matches``), through a
    ``sqlite3`` connection or an engine's."""
    if not isinstance(conn, sqlite3.Connection):
        from covenant.store.source_reads import record_matches as recorded  # noqa: PLC0415

        recorded(conn, matches=matches)
        return
    conn.executemany(
        "UPDATE source_reads SET first_found = ?, first_unmatched_from = CASE WHEN ? THEN "
        "COALESCE(first_unmatched_from, ?) ELSE ? END, total_found = ?, total_unmatched_from = "
        "CASE WHEN ? THEN COALESCE(total_unmatched_from, ?) ELSE ? END "
        "WHERE series_id = ? AND (read_until IS NULL OR read_until <= ?)",
        [
            (f[0], f[2], f[1], f[1], t[0], t[2], t[1], t[1], sid, until)
            for sid, until, f, t in matches
        ],
    )
