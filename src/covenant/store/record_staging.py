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

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from covenant.core.agreements import Incident
from covenant.core.tickets import Ticket
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.store import record_tables, records
from covenant.store.records import Executor, SaveCounts

__all__ = ["StagedRecords", "save_staged"]

R = TypeVar("R", Ticket, Incident)
Kind = Literal["tickets", "incidents"]
_CHUNK = 1000  # rows per read from the staging database and per upsert into the store
_IN_LIMIT = 900  # bound parameters per IN list
_INSTANTS: dict[Kind, tuple[str, ...]] = {
    "tickets": ("created", "first_response", "resolved", "settled_at"),
    "incidents": ("start_at", "end_at"),
}


class StagedRecords(Generic[R]):
    """One record per id, with the line it was read from; use as a context manager."""

    def __init__(self, kind: Kind, *, row: Callable[[R], dict[str, Any]]) -> None:
        self.kind = kind
        self._row: Callable[[R], dict[str, Any]] = row
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -4096;
            CREATE TABLE staged (
                id TEXT PRIMARY KEY, line INTEGER NOT NULL, row TEXT NOT NULL
            );
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
        instants = _INSTANTS[self.kind]
        self._db.executemany(
            "INSERT OR REPLACE INTO staged (id, line, row) VALUES (?, ?, ?)",
            ((key, line, _encode(self._row(record), instants)) for line, key, record in entries),
        )

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM staged").fetchone()[0])

    def rows(self) -> Iterator[list[dict[str, Any]]]:
        """The staged store rows in file order, a chunk at a time."""
        instants = _INSTANTS[self.kind]
        cursor = self._db.execute("SELECT row FROM staged ORDER BY line")
        while chunk := cursor.fetchmany(_CHUNK):
            yield [_decode(text, instants) for (text,) in chunk]


def _encode(row: dict[str, Any], instants: tuple[str, ...]) -> str:
    plain = {k: to_epoch(v) if k in instants and v is not None else v for k, v in row.items()}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def _decode(text: str, instants: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(text)
    for key in instants:
        if row.get(key) is not None:
            row[key] = from_epoch(row[key])
    return row


def save_staged(
    conn: Executor,
    staged: StagedRecords[R],
    *,
    at: datetime,
    each: Callable[[list[dict[str, Any]]], None] | None = None,
) -> SaveCounts:
    """Write every staged record into the store (inserted, updated or left unchanged by id),
    a chunk at a time in the caller's transaction; ``each`` sees every chunk of rows."""
    table = record_tables.tickets if staged.kind == "tickets" else record_tables.incidents
    counts = SaveCounts()
    for chunk in staged.rows():
        counts += records.save_rows(conn, table, chunk, at)
        if each is not None:
            each(chunk)
    return counts
