"""The store's PostgreSQL advisory locks (the audit log's, the migration's) belong to its
schema: two stores in one database (two workspaces, or two tests running at once) do not wait
for each other's locks, while two sessions of one store still exclude each other. They were
keyed by a constant, so a test holding the audit lock of its own schema made another test's
writes in another schema time out (``test_tickets_round_trip_through_the_store[postgres]``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from covenant.store import audit
from covenant.store.db import create_engine_for, migration_lock
from tests.stores import postgres_schemas

LOCKS: dict[str, Callable[[Connection], None]] = {"audit": audit.lock, "migration": migration_lock}


@contextmanager
def _holding(engine: Engine, take: Callable[[Connection], None]) -> Iterator[None]:
    """A session of ``engine``'s store holds the lock ``take`` takes until the block ends."""
    with engine.connect() as conn, conn.begin():
        take(conn)
        yield


def _can_take(engine: Engine, take: Callable[[Connection], None]) -> bool:
    """True when another session of ``engine``'s store takes the lock within 1 s."""
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.text("SET LOCAL lock_timeout = '1s'"))
        try:
            take(conn)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03":  # not lock_not_available
                raise
            return False
        return True


@pytest.fixture
def two_stores(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    with postgres_schemas(postgres_url, 2) as (first, second):
        engines = create_engine_for(first), create_engine_for(second)
        try:
            yield engines
        finally:
            for engine in engines:
                engine.dispose()


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_a_lock_held_in_one_schema_does_not_block_another(
    two_stores: tuple[Engine, Engine], lock: str
) -> None:
    first, second = two_stores
    with _holding(first, LOCKS[lock]):
        assert _can_take(second, LOCKS[lock])


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_sessions_of_one_schema_still_exclude_each_other(
    two_stores: tuple[Engine, Engine], lock: str
) -> None:
    first, _ = two_stores
    with _holding(first, LOCKS[lock]):
        assert not _can_take(first, LOCKS[lock])
    assert _can_take(first, LOCKS[lock])  # let go: the next session takes it
