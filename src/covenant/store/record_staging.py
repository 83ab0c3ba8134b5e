"""The records of a ticket or incident file being ingested, staged on disk until it is read.

A file is written all or nothing, but it is read batch by batch: each batch's records wait
here, in a private SQLite database of their own (sqlite3's ``""`` file name: pages beyond a
small cache go to a temporary file, deleted when it is closed), not in Python lists. Staging
keeps one record per id (the later row of a repeated id replaces the earlier one) and answers
which ids of a batch were seen before, so memory stays that of a batch whatever the file's
size. Once the file was read to its end without an error, ``save_staged`` writes the staged
records into the store in chunks, inside the caller's one transaction; an error before that
leaves the store untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import Boolean, Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket
from covenant.core.timeutil import require_utc
from covenant.errors import StoreError
from covenant.store import record_tables
from covenant.store.record_copy import copy_and_merge
from covenant.store.records import (
    INCIDENT_INSTANTS,
    INCIDENT_VALUES,
    TICKET_INSTANTS,
    TICKET_VALUES,
    Executor,
    SaveCounts,
)

__all__ = ["StagedRecords", "save_staged"]

R = TypeVar("R", Ticket, Incident)
Kind = Literal["tickets", "incidents"]
_CHUNK = 1000  # rows per read from the staging database and per upsert into the store
_IN_LIMIT = 900  # bound parameters per IN list
COLUMNS: dict[Kind, tuple[str, ...]] = {"tickets": TICKET_VALUES, "incidents": INCIDENT_VALUES}


class StagedRecords(Generic[R]):
    """One record per id, with the line it was read from; use as a context manager.

    A record is staged as its store row of plain values (``records.ticket_values`` /
    ``incident_values``: instants as epoch seconds), a column each in the order of
    ``COLUMNS[kind]`` (no encoding on the way in or out)."""

    def __init__(self, kind: Kind, *, values: Callable[[R], tuple[Any, ...]]) -> None:
        self.kind = kind
        self.columns = COLUMNS[kind]
        self._values: Callable[[R], tuple[Any, ...]] = values
        self._db = sqlite3.connect("", isolation_level=None)
        names = ", ".join(f"v{n}" for n in range(len(self.columns)))
        self._insert = (
            f"INSERT OR REPLACE INTO staged (id, line, {names}) "
            f"VALUES (?, ?, {', '.join('?' * len(self.columns))})"
        )
        self._select = f"SELECT {names} FROM staged ORDER BY line"
        self._db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -4096;
            CREATE TABLE staged (id TEXT PRIMARY KEY, line INTEGER NOT NULL, {names});
            CREATE INDEX staged_line ON staged (line);
            """
        )

    def __enter__(self) -> StagedRecords[R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._db.close()

    def earlier(self, ids: Sequence[str]) -> dict[str, int]:
        """The line of each of ``ids`` staged so far."""
        found: dict[str, int] = {}
        for i in range(0, len(ids), _IN_LIMIT):
            part = ids[i : i + _IN_LIMIT]
            marks = ",".join("?" * len(part))
            query = f"SELECT id, line FROM staged WHERE id IN ({marks})"
            found.update(self._db.execute(query, part).fetchall())
        return found

    def put(self, entries: Sequence[tuple[int, str, R]]) -> None:
        """Stage these records (ids distinct), each replacing the one of its id staged before."""
        rows: list[tuple[Any, ...]] = []
        for line, key, record in entries:
            plain: tuple[Any, ...] = self._values(record)
            rows.append((key, line, *plain))
        self._db.executemany(self._insert, rows)

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM staged").fetchone()[0])

    def rows(self) -> Iterator[list[tuple[Any, ...]]]:
        """The staged store rows (plain values, ``self.columns``) in file order, by chunks."""
        cursor = self._db.execute(self._select)
        while chunk := cursor.fetchmany(_CHUNK):
            yield chunk


def save_staged(
    conn: Executor,
    staged: StagedRecords[R],
    *,
    at: datetime,
    each: Callable[[list[tuple[Any, ...]]], None] | None = None,
) -> SaveCounts:
    """Write every staged record into the store (inserted, updated or left unchanged by id),
    in the caller's transaction; ``each`` sees every chunk of rows.

    Instants go in as epoch seconds and the database makes its timestamps of them (SQLite: the
    text SQLAlchemy writes; PostgreSQL: ``to_timestamp``), so no row passes through
    SQLAlchemy's per-value processing; the rows stored are those ``records.save_rows`` stores.
    On PostgreSQL: ``COPY`` into a temporary table, then one merge (``record_copy``). On
    SQLite, per chunk: one query for the stored content hashes of its ids, then one
    ``executemany`` of an upsert for the new and changed rows, on the driver's connection. An
    error of the driver is raised as SQLAlchemy's (``DBAPIError``), as any other query's."""
    if staged.kind == "tickets":
        table, instants = record_tables.tickets, TICKET_INSTANTS
    else:
        table, instants = record_tables.incidents, INCIDENT_INSTANTS
    connection = conn.connection() if isinstance(conn, Session) else conn
    at = require_utc(at)
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        if connection.dialect.name == "postgresql":
            rows = staged.rows()
            return copy_and_merge(
                connection, table, staged.columns, instants, rows, at=at, each=each
            )
        upsert, stamp = _upsert(connection, table, staged.columns, instants, at)
        counts = SaveCounts()
        for chunk in staged.rows():
            counts += _save_chunk(connection, table, chunk, upsert, stamp)
            if each is not None:
                each(chunk)
        return counts
    except driver_error as exc:  # the driver's own cursor: SQLAlchemy's error, as elsewhere
        raise DBAPIError.instance(
            f"saving staged {staged.kind} INTO {table.name}",
            None,
            exc,
            driver_error,
            dialect=connection.dialect,
        ) from exc


def _upsert(
    conn: Connection, table: Table, columns: Sequence[str], instants: frozenset[str], at: datetime
) -> tuple[str, object]:
    """SQLite's driver-level upsert of ``columns`` + ``updated_at``, and ``at`` as its value."""
    if conn.dialect.name != "sqlite":  # pragma: no cover - PostgreSQL copies (record_copy)
        raise StoreError(f"records cannot be saved on {conn.dialect.name}")
    mark = "?"
    stamp = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    instant = "datetime(?, 'unixepoch') || '.000000'"  # SQLAlchemy's SQLite DATETIME text
    boolean = mark  # 0 or 1, as SQLAlchemy stores a Boolean
    names = [*columns, "updated_at"]
    values = ", ".join(
        instant
        if name in instants
        else boolean
        if isinstance(table.c[name].type, Boolean)
        else mark
        for name in columns
    )
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "id")
    # a concurrent writer may insert the same id after our read: update it instead
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({values}, {mark}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}"
    )
    return sql, stamp


def _save_chunk(
    conn: Connection, table: Table, rows: list[tuple[Any, ...]], upsert: str, stamp: object
) -> SaveCounts:
    """Look up the stored hashes of a chunk's ids, upsert its new and changed rows: both on
    the driver's own cursor, in the connection's transaction."""
    ids = [row[0] for row in rows]
    stored: dict[str, str] = {}
    cursor = conn.connection.cursor()
    try:
        for i in range(0, len(ids), _IN_LIMIT):
            part = ids[i : i + _IN_LIMIT]
            marks = ", ".join("?" * len(part))
            cursor.execute(
                f"SELECT id, content_sha256 FROM {table.name} WHERE id IN ({marks})", part
            )
            stored.update(cursor.fetchall())
        changed = [(*row, stamp) for row in rows if stored.get(row[0]) != row[-1]]
        if changed:
            cursor.executemany(upsert, changed)
    finally:
        cursor.close()
    updated = sum(1 for row in changed if row[0] in stored)
    return SaveCounts(
        inserted=len(changed) - updated, updated=updated, unchanged=len(rows) - len(changed)
    )
