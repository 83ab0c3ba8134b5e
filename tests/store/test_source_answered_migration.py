"""Migration ``0025_source_answered`` on both backends: upgrade from 0024 adds the nullable
``source_reads.answered_from`` (the first minute a read found the source answering), keeping
the rows (not known: NULL, until the next read); reads then lower it to the earliest minute
any of them was answered for, never raise it, and leave series without a row alone;
downgrade to 0024 removes it and keeps the rows."""

from __future__ import annotations

import sqlalchemy as sa

from covenant.store.db import create_engine_for
from covenant.store.source_state import answered_from
from covenant.store.sqlite_writer import record_answered
from tests.stores import migrate_to

OLD, NEW = "0024_ticket_settled_instant", "0025_source_answered"
MIDNIGHT = 1_789_948_800  # 2026-09-21T00:00:00Z


def _rows(url: str) -> tuple[set[str], list[tuple[object, ...]]]:
    engine = create_engine_for(url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("source_reads")}
        wanted = ["series_id", "source", "read_until"]
        wanted += ["answered_from"] if "answered_from" in columns else []
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {', '.join(wanted)} FROM source_reads ORDER BY series_id"
            ).all()
        return columns, [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_upgrade_keeps_the_rows_not_known_reads_lower_it_and_downgrade_removes_it(
    store_url: str,
) -> None:
    migrate_to(store_url, OLD)
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:
            for sid, key in ((1, "api"), (2, "night"), (3, "files")):
                conn.exec_driver_sql(
                    "INSERT INTO series (id, key, step_s, created_at) "
                    f"VALUES ({sid}, '{key}', 60, '2026-12-03 00:00:00')"
                )
            for sid in (1, 2):
                conn.exec_driver_sql(
                    "INSERT INTO source_reads (series_id, source, read_until, updated_at) "
                    f"VALUES ({sid}, 'prom', {MIDNIGHT + 8 * 3600}, '2026-12-03 00:00:00')"
                )
    finally:
        engine.dispose()
    before = [(1, "prom", MIDNIGHT + 8 * 3600), (2, "prom", MIDNIGHT + 8 * 3600)]
    assert _rows(store_url)[1] == before
    migrate_to(store_url, NEW)
    columns, rows = _rows(store_url)
    assert "answered_from" in columns
    assert rows == [(*r, None) for r in before]
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:  # night answered from 03:00, then a re-read from 00:00
            record_answered(conn, [(1, MIDNIGHT + 3600), (2, MIDNIGHT + 3 * 3600), (3, MIDNIGHT)])
        with engine.begin() as conn:
            record_answered(conn, [(1, MIDNIGHT + 7 * 3600), (2, MIDNIGHT)])
        with engine.connect() as conn:
            found = answered_from(conn, keys=["api", "night", "files", "unknown"])
    finally:
        engine.dispose()
    assert found == {"api": MIDNIGHT + 3600, "night": MIDNIGHT}  # files: no read, no row
    assert _rows(store_url)[1] == [(*before[0], MIDNIGHT + 3600), (*before[1], MIDNIGHT)]
    migrate_to(store_url, OLD, down=True)
    columns, rows = _rows(store_url)
    assert "answered_from" not in columns
    assert rows == before
    migrate_to(store_url, NEW)
    assert "answered_from" in _rows(store_url)[0]
