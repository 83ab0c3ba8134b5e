"""Cut a PostgreSQL connection while it is inside the database, deterministically, as a
database restart, a failover or an administrator does (``pg_terminate_backend``): another
session locks the table the work needs (``LOCK TABLE``), the work waits on that lock, and the
backend that waits is terminated — found in ``pg_locks`` by its wait on that very table of that
schema, so no other test's session sharing the server is touched."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa

from tests.checkout import wait

T = TypeVar("T")


def waiting_on(admin: sa.Engine, table: str) -> list[int]:
    """The backends waiting for a lock on ``table`` (named in ``admin``'s search path)."""
    with admin.connect() as conn:
        query = "SELECT pid FROM pg_locks WHERE relation = CAST(:table AS regclass) AND NOT granted"
        return list(conn.execute(sa.text(query), {"table": table}).scalars())


@contextmanager
def table_locked(
    url: str, table: str, mode: str = "ACCESS EXCLUSIVE"
) -> Iterator[Callable[[str], None]]:
    """Hold ``table`` of the store at ``url`` locked in ``mode`` by another session while the
    block runs; yields ``cut(what)``: wait until a backend waits on that lock (``what`` says
    what should, if none comes), then terminate every backend that does."""
    holder, admin = sa.create_engine(url), sa.create_engine(url)

    def cut(what: str) -> None:
        wait(lambda: bool(waiting_on(admin, table)), what)
        with admin.connect() as kill:
            for pid in waiting_on(admin, table):
                kill.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        with holder.connect() as conn:
            conn.execute(sa.text(f"LOCK TABLE {table} IN {mode} MODE"))
            yield cut
            conn.rollback()
    finally:
        holder.dispose()
        admin.dispose()


def cut_while_waiting(
    url: str, table: str, work: Callable[[], T], what: str, mode: str = "ACCESS EXCLUSIVE"
) -> list[T]:
    """Run ``work`` in a thread while ``table`` is locked (:func:`table_locked`), cut its
    connection once it waits on the lock, and return what it returned (``[]`` if it raised)."""
    results: list[T] = []
    with table_locked(url, table, mode) as cut:
        running = threading.Thread(target=lambda: results.append(work()))
        running.start()
        cut(what)
        running.join()
    return results
