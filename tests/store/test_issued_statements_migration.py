"""Migration ``0023_issued_statements`` on both backends: upgrade from 0022 adds the table
empty (no statement was issued before), a second writer of the same revision of a period is
refused by its unique key, and downgrade drops the table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from covenant.store.db import create_engine_for, write_transaction
from covenant.store.issued_statements import IssuedStatement, append, revisions
from tests.stores import migrate_to

AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
ROW = IssuedStatement(
    customer="initech",
    period="2026-11",
    revision=1,
    issued_at=AT,
    issued_by="cli:tester",
    reason=None,
    complete=True,
    digest="0" * 64,
    document='{"schema":"covenant.statement/v1"}',
    html="<!doctype html>",
)


def _has_table(url: str) -> bool:
    engine = create_engine_for(url)
    try:
        return "issued_statements" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_upgrade_adds_the_table_and_downgrade_drops_it(store_url: str) -> None:
    migrate_to(store_url, "0022_worker_health")
    assert not _has_table(store_url)
    migrate_to(store_url, "0023_issued_statements")
    engine = create_engine_for(store_url)
    try:
        with engine.connect() as conn:
            assert revisions(conn, customer="initech", period="2026-11") == []
        with write_transaction(engine) as conn:
            append(conn, ROW)
        with engine.connect() as conn:
            assert revisions(conn, customer="initech", period="2026-11") == [ROW]
            assert revisions(conn, customer="initech", period="2026-10") == []
            assert (
                revisions(conn, customer="initech", period="2026-11", at=AT.replace(hour=8)) == []
            )
        with pytest.raises(sa.exc.IntegrityError), write_transaction(engine) as conn:
            append(conn, ROW)
    finally:
        engine.dispose()
    migrate_to(store_url, "0022_worker_health", down=True)
    assert not _has_table(store_url)
