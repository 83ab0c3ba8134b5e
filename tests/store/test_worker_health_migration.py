"""Migration ``0022_worker_health`` on both backends: upgrade from 0021 adds the worker's and
the sources' health tables empty (nothing before was counted: zeros, no instants), downgrade
drops them; and their writes — a tick counted per outcome, a source's latest success kept when
a read with an older instant comes later, failed reads added per code — through an engine's
connection and, on SQLite, through a plain ``sqlite3`` one (``covenant evaluate``'s reads)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from covenant.store.db import create_engine_for, write_transaction
from covenant.store.source_health import last_successes, read_errors, record_source_reads
from covenant.store.worker_health import record_tick, tick_totals
from tests.stores import migrate_to

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TABLES = {"worker_health", "source_health", "source_read_errors"}


def _tables(url: str) -> set[str]:
    engine = create_engine_for(url)
    try:
        return set(sa.inspect(engine).get_table_names()) & TABLES
    finally:
        engine.dispose()


def test_upgrade_adds_empty_tables_and_downgrade_drops_them(store_url: str) -> None:
    migrate_to(store_url, "0021_ticket_settled")
    assert _tables(store_url) == set()
    migrate_to(store_url, "0022_worker_health")
    assert _tables(store_url) == TABLES
    engine = create_engine_for(store_url)
    try:
        with engine.connect() as conn:
            totals = tick_totals(conn)
            assert totals.ticks == {"ok": 0, "problems": 0, "failed": 0}
            assert (totals.last_tick_at, totals.last_tick_s, totals.last_success_at) == (
                None,
                None,
                None,
            )
            assert (last_successes(conn), read_errors(conn)) == ({}, {})
        with write_transaction(engine) as conn:
            record_tick(conn, outcome="ok", at=T0, took_s=1.5)
            record_tick(conn, outcome="problems", at=T0 + timedelta(minutes=1), took_s=2.0)
            record_tick(conn, outcome="failed", at=T0 + timedelta(minutes=2), took_s=0.25)
            record_source_reads(
                conn, succeeded={"prom": 1_000}, failed={("prom", "source-error"): 3}
            )
            record_source_reads(  # an older success (a slower reader) keeps the newer one
                conn, succeeded={"prom": 900, "vm": 950}, failed={("prom", "source-error"): 2}
            )
        with engine.connect() as conn:
            totals = tick_totals(conn)
            assert totals.ticks == {"ok": 1, "problems": 1, "failed": 1}
            # the latest tick is the failed one; the latest completed, the one with problems
            assert totals.last_tick_at == T0 + timedelta(minutes=2)
            assert totals.last_tick_s == 0.25
            assert totals.last_success_at == T0 + timedelta(minutes=1)
            assert last_successes(conn) == {"prom": 1_000, "vm": 950}
            assert read_errors(conn) == {"prom": {"source-error": 5}}
    finally:
        engine.dispose()
    migrate_to(store_url, "0021_ticket_settled", down=True)
    assert _tables(store_url) == set()


def test_a_plain_sqlite3_connection_counts_the_same(sqlite_engine: sa.Engine) -> None:
    path = sqlite_engine.url.database
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        with conn:
            record_source_reads(
                conn, succeeded={"prom": 1_200}, failed={("prom", "source-unreachable"): 4}
            )
            record_source_reads(conn, succeeded={"prom": 1_100}, failed={})
        assert last_successes(conn) == {"prom": 1_200}
        assert read_errors(conn) == {"prom": {"source-unreachable": 4}}
    finally:
        conn.close()
    with sqlite_engine.connect() as engine_conn:  # what /metrics reads through the engine
        assert read_errors(engine_conn) == {"prom": {"source-unreachable": 4}}
