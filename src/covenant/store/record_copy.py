"""PostgreSQL's write of a file's staged records: ``COPY`` into a temporary table, then one merge.

``record_staging.save_staged`` hands PostgreSQL's writes here. The staged rows (plain values:
instants as epoch seconds, booleans as 0 or 1) stream from the staging database a chunk at a
time into ``COPY … FROM STDIN`` of a temporary table of those plain columns, and one
statement merges that table into ``tickets`` or ``incidents``:

* rows whose stored ``content_sha256`` is already theirs are left out before anything is
  written or locked (a join on the statement's snapshot), so an unchanged row keeps its
  ``updated_at`` and its tuple;
* the rest go in by ``INSERT … ON CONFLICT (id) DO UPDATE … WHERE`` the stored hash differs,
  so a row another transaction inserted or changed meanwhile is updated only if its content
  still differs (and counted unchanged otherwise);
* they go in by id, so two ingests of overlapping files take their row locks in the same order
  and one waits for the other instead of deadlocking;
* the statement answers how many rows it inserted and how many it updated (``xmax = 0`` marks
  a row version this statement inserted rather than updated).

All of it runs in the caller's transaction, with the temporary table dropped at its end (and
on commit or rollback in any case): an error or a killed process leaves nothing of the file.
Memory stays that of a chunk on the client; the server sorts the file's rows in its own
``work_mem``, spilling to disk beyond it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Table
from sqlalchemy.engine import Connection

from covenant.store.records import SaveCounts

__all__ = ["copy_and_merge"]


def copy_and_merge(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    instants: frozenset[str],
    chunks: Iterable[list[tuple[Any, ...]]],
    *,
    at: datetime,
    each: Callable[[list[tuple[Any, ...]]], None] | None = None,
) -> SaveCounts:
    """Copy the rows of ``chunks`` (plain values of ``columns``, ids distinct) into a temporary
    table and merge them into ``table``, stamping what is written with ``at``."""
    temporary = f"covenant_staged_{table.name}"
    kinds = ", ".join(f"{name} {_plain_type(table, name, instants)}" for name in columns)
    raw = conn.connection.driver_connection
    assert raw is not None  # an open connection
    total = 0
    with raw.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {temporary} ({kinds}) ON COMMIT DROP")
        with cursor.copy(f"COPY {temporary} ({', '.join(columns)}) FROM STDIN") as sink:
            for chunk in chunks:
                for row in chunk:
                    sink.write_row(row)
                total += len(chunk)
                if each is not None:
                    each(chunk)
        cursor.execute(_merge(table, temporary, columns, instants), {"at": at})
        answer = cursor.fetchone()
        assert answer is not None  # an aggregate answers one row
        cursor.execute(f"DROP TABLE {temporary}")
    inserted, updated = int(answer[0]), int(answer[1])
    return SaveCounts(inserted=inserted, updated=updated, unchanged=total - inserted - updated)


def _plain_type(table: Table, name: str, instants: frozenset[str]) -> str:
    """The type a column's staged plain value is copied as."""
    if name in instants:
        return "bigint"  # epoch seconds
    if isinstance(table.c[name].type, Boolean):
        return "integer"  # 0 or 1, as SQLite hands it back
    return "text"


def _merge(table: Table, temporary: str, columns: Sequence[str], instants: frozenset[str]) -> str:
    """The statement that merges ``temporary`` into ``table``: its inserted and updated counts."""

    def value(name: str) -> str:
        if name in instants:
            return f"to_timestamp(s.{name})"
        if isinstance(table.c[name].type, Boolean):
            return f"s.{name}::boolean"
        return f"s.{name}"

    names = [*columns, "updated_at"]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "id")
    return (
        f"WITH written AS ("
        f"INSERT INTO {table.name} AS t ({', '.join(names)}) "
        f"SELECT {', '.join(value(name) for name in columns)}, %(at)s "
        f"FROM {temporary} s LEFT JOIN {table.name} o ON o.id = s.id "
        f"WHERE o.content_sha256 IS DISTINCT FROM s.content_sha256 "
        f'ORDER BY s.id COLLATE "C" '
        f"ON CONFLICT (id) DO UPDATE SET {updates} "
        f"WHERE t.content_sha256 IS DISTINCT FROM excluded.content_sha256 "
        f"RETURNING t.xmax = 0 AS fresh) "
        f"SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM written"
    )
