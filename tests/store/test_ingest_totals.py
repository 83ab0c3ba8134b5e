"""The ingest families of ``/metrics`` (``batch_totals``) read a running total kept when a
batch is recorded, not a sum over every batch ever recorded (batches are never pruned, so
that sum grew with every scrape's store). The totals are compared with sums taken by SQL
straight from ``ingest_batches``; the query plan, not a timing, shows the batches are not
read; migration ``0019_ingest_totals`` fills the total from the batches already recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.store import buckets
from covenant.store.db import create_engine_for
from covenant.store.tables import ingest_batches
from tests.stores import migrate_to

T0 = datetime(2026, 12, 1, tzinfo=UTC)

# (rows ingested, rows refused, newest event second or None, minutes after T0): the newest
# batch is recorded second, and the newest event is in a batch recorded before the last one
BATCHES = [
    (10, 0, 1_790_000_000, 5),
    (3, 2, 1_790_000_600, 30),
    (0, 4, None, 10),
    (7, 1, 1_790_000_300, 20),
]


def _record(
    engine: Engine, rows: list[tuple[int, int, int | None, int]], *, first: int = 0
) -> None:
    for i, (ingested, refused, newest, minutes) in enumerate(rows, start=first):
        with engine.begin() as conn:
            buckets.record_batch(
                conn,
                batch=buckets.BatchRecord(
                    sha256=f"{i:064x}",
                    filename=f"batch-{i}.csv",
                    rows_read=ingested + refused,
                    rows_ingested=ingested,
                    rows_rejected=refused,
                    events_min=None if newest is None else newest - 60,
                    events_max=newest,
                    ingested_at=T0 + timedelta(minutes=minutes),
                ),
            )


def _insert_before_0019(engine: Engine, rows: list[tuple[int, int, int | None, int]]) -> None:
    """The batches as a store at 0018 recorded them: the row alone, no running total."""
    with engine.begin() as conn:
        for i, (ingested, refused, newest, minutes) in enumerate(rows):
            conn.execute(
                sa.insert(ingest_batches).values(
                    source_sha256=f"{i:064x}",
                    filename=f"batch-{i}.csv",
                    rows_read=ingested + refused,
                    rows_ingested=ingested,
                    rows_rejected=refused,
                    events_min=None,
                    events_max=newest,
                    ingested_at=T0 + timedelta(minutes=minutes),
                )
            )


def _summed_by_sql(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        count, ingested, refused, newest = conn.exec_driver_sql(
            "SELECT count(*), coalesce(sum(rows_ingested), 0), coalesce(sum(rows_rejected), 0),"
            " max(events_max) FROM ingest_batches"
        ).one()
        last = conn.exec_driver_sql(
            "SELECT ingested_at FROM ingest_batches ORDER BY ingested_at DESC LIMIT 1"
        ).scalar()
    if isinstance(last, str):  # SQLite keeps the UTC instant as text
        last = datetime.fromisoformat(last)
    last = None if last is None else last.replace(tzinfo=UTC) if last.tzinfo is None else last
    return (int(count), int(ingested), int(refused), last, newest)


def _totals(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return buckets.batch_totals(conn)


def test_no_batch_is_zero_and_no_instant(engine: Engine) -> None:
    assert _totals(engine) == (0, 0, 0, None, None)


def test_the_totals_are_the_sums_of_the_recorded_batches(engine: Engine) -> None:
    _record(engine, BATCHES)
    assert _totals(engine) == _summed_by_sql(engine)
    assert _totals(engine) == (4, 20, 7, T0 + timedelta(minutes=30), 1_790_000_600)


def test_a_refused_duplicate_batch_leaves_the_totals(engine: Engine) -> None:
    """A batch recorded twice fails on its unique sha256 and rolls back with its total."""
    _record(engine, BATCHES[:1])
    try:
        _record(engine, BATCHES[:1])
    except sa.exc.IntegrityError:
        pass
    else:  # pragma: no cover - the unique sha256 refuses it
        raise AssertionError("the duplicate batch was recorded")
    assert (
        _totals(engine)
        == _summed_by_sql(engine)
        == (1, 10, 0, T0 + timedelta(minutes=5), 1_790_000_000)
    )


def test_a_scrape_does_not_read_the_batches(sqlite_engine: Engine) -> None:
    """SQLite's query plan of every statement ``batch_totals`` runs: none scans (or
    searches) ``ingest_batches``; the running total is found by its primary key."""
    _record(sqlite_engine, BATCHES)
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    sa.event.listen(sqlite_engine, "before_cursor_execute", keep)
    try:
        _totals(sqlite_engine)
    finally:
        sa.event.remove(sqlite_engine, "before_cursor_execute", keep)
    assert statements
    plans = []
    with sqlite_engine.connect() as conn:
        for statement, parameters in statements:
            found = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans += [row[-1] for row in found]
    assert not [p for p in plans if "ingest_batches" in p], plans
    assert any(p.startswith("SEARCH ingest_totals USING INTEGER PRIMARY KEY") for p in plans), plans


def test_migration_fills_the_totals_from_the_recorded_batches(store_url: str) -> None:
    """Upgrade from 0018 with batches already recorded: the totals are their sums; new batches
    add to them; downgrade drops the table and keeps the batches."""
    migrate_to(store_url, "0018_source_query")
    engine = create_engine_for(store_url)
    try:
        _insert_before_0019(engine, BATCHES[:3])
        migrate_to(store_url, "0019_ingest_totals")
        assert _totals(engine) == _summed_by_sql(engine)
        assert _totals(engine)[:3] == (3, 13, 6)
        _record(engine, BATCHES[3:], first=3)
        assert _totals(engine) == _summed_by_sql(engine)
        engine.dispose()
        migrate_to(store_url, "0018_source_query", down=True)
        assert "ingest_totals" not in sa.inspect(engine).get_table_names()
        assert _summed_by_sql(engine)[:3] == (4, 20, 7)
        migrate_to(store_url, "0019_ingest_totals")
        assert _totals(engine) == _summed_by_sql(engine)
    finally:
        engine.dispose()


def test_migration_of_a_store_without_batches_starts_at_zero(store_url: str) -> None:
    migrate_to(store_url, "0018_source_query")
    migrate_to(store_url, "0019_ingest_totals")
    engine = create_engine_for(store_url)
    try:
        assert _totals(engine) == (0, 0, 0, None, None)
        _record(engine, BATCHES[:2])
        assert _totals(engine) == _summed_by_sql(engine)
    finally:
        engine.dispose()
