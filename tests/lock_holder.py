"""Another process holding a lock of the store: a child Python that opens its own connection
(``sqlite3`` on the file; ``psycopg`` on PostgreSQL), runs the statement that takes the lock
in a transaction it leaves open, says so, and ends the transaction when the test is done with
it (its stdin closed) — or after ``limit_s`` seconds, so that code that would wait for the lock
without bound fails the test instead of hanging it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

_HOLDER = r"""
import select, sys
kind, target, statement, limit = sys.argv[1:5]
if kind == "sqlite":
    import sqlite3
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=60000")
    conn.execute(statement)
else:
    import psycopg
    conn = psycopg.connect(target)
    conn.execute(statement)  # in the transaction psycopg opened (no autocommit)
print("held", flush=True)
select.select([sys.stdin], [], [], float(limit))  # until the test lets go, or the limit
conn.rollback() if kind != "sqlite" else conn.execute("ROLLBACK")
conn.close()
"""


@contextmanager
def held(engine: Engine, postgres: str = "", *, limit_s: float = 90) -> Iterator[None]:
    """Another process holds a lock on ``engine``'s store while inside: SQLite's write lock
    (``BEGIN IMMEDIATE``, the only lock it has), or on PostgreSQL what ``postgres`` takes."""
    statement = postgres
    if engine.dialect.name == "sqlite":
        kind, target, statement = "sqlite", str(engine.url.database), "BEGIN IMMEDIATE"
    else:
        kind = "postgresql"
        target = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, kind, target, statement, str(limit_s)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    try:
        assert child.stdout.readline() == "held\n"
        yield
    finally:
        child.stdin.close()
        child.wait(timeout=120)
        child.stdout.close()
