"""Failed sign-ins per key, rows in and out (``services.sign_in_limits`` decides).

Functions take an open connection and never commit. ``lock`` makes sure each key has a row
and locks them (PostgreSQL: ``FOR UPDATE``; SQLite: the write transaction's ``BEGIN
IMMEDIATE`` already serialises writers), so two processes counting the same key's failures at
once count both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from covenant.core.sign_in_limits import Failures
from covenant.store.web_tables import sign_in_failures as t

_EPOCH_ROW = {"failures": 0, "blocked_until": None}


def _failures(row: Any) -> Failures | None:
    if row[1] == 0:  # a row made by ``lock`` for a key with no failure yet
        return None
    return Failures(count=row[1], last=row[2], blocked_until=row[3])


def load(conn: Connection, keys: Sequence[str]) -> dict[str, Failures]:
    """The stored failures of ``keys`` (a key with none is absent)."""
    rows = conn.execute(
        sa.select(t.c.key, t.c.failures, t.c.last_failure_at, t.c.blocked_until).where(
            t.c.key.in_(list(keys))
        )
    )
    found = {row[0]: _failures(row) for row in rows}
    return {k: v for k, v in found.items() if v is not None}


def lock(conn: Connection, keys: Sequence[str], *, at: datetime) -> dict[str, Failures]:
    """Like :func:`load`, with every key's row made if missing and locked until commit."""
    values = [{"key": k, "last_failure_at": at, **_EPOCH_ROW} for k in keys]
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(t).on_conflict_do_nothing(index_elements=["key"]), values)
    else:
        conn.execute(sqlite.insert(t).on_conflict_do_nothing(index_elements=["key"]), values)
    rows = conn.execute(
        sa.select(t.c.key, t.c.failures, t.c.last_failure_at, t.c.blocked_until)
        .where(t.c.key.in_(list(keys)))
        .with_for_update()
    )
    found = {row[0]: _failures(row) for row in rows}
    return {k: v for k, v in found.items() if v is not None}


def save(conn: Connection, key: str, failures: Failures) -> None:
    conn.execute(
        sa.update(t)
        .where(t.c.key == key)
        .values(
            failures=failures.count,
            last_failure_at=failures.last,
            blocked_until=failures.blocked_until,
        )
    )


def forget(conn: Connection, keys: Sequence[str]) -> None:
    conn.execute(sa.delete(t).where(t.c.key.in_(list(keys))))


def prune(conn: Connection, *, before: datetime) -> int:
    """Delete the keys whose latest failure is older than ``before`` (they are forgotten)."""
    done = conn.execute(sa.delete(t).where(t.c.last_failure_at < before))
    return int(done.rowcount or 0)
