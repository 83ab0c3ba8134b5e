"""Migration ``0020_source_matches`` on both backends: upgrade from 0019 adds the nullable
``source_reads`` columns of whether each read's queries matched series, keeping the rows
(not known: NULL, until the next read), a read then fills them, downgrade to 0019 removes
them and keeps the rows."""

from __future__ import annotations

import sqlalchemy as sa

from covenant.store.db import create_engine_for
from covenant.store.source_reads import record_matches
from tests.stores import migrate_to

NEW = ("first_found", "first_unmatched_from", "total_found", "total_unmatched_from")


def _rows(url: str) -> tuple[set[str], list[tuple[object, ...]]]:
    engine = create_engine_for(url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("source_reads")}
        wanted = ["series_id", "source", "read_until", *(c for c in NEW if c in columns)]
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {', '.join(wanted)} FROM source_reads ORDER BY series_id"
            ).all()
        return columns, [tuple(r) for r in rows]
    finally:
        engine.dispose()


def test_upgrade_keeps_the_rows_not_known_a_read_fills_them_and_downgrade_removes_them(
    store_url: str,
) -> None:
    migrate_to(store_url, "0019_ingest_totals")
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:
            for sid, key in ((1, "api"), (2, "typo")):
                conn.exec_driver_sql(
                    "INSERT INTO series (id, key, step_s, created_at) "
                    f"VALUES ({sid}, '{key}', 60, '2026-12-03 00:00:00')"
                )
                conn.exec_driver_sql(
                    "INSERT INTO source_reads (series_id, source, read_until, updated_at) "
                    f"VALUES ({sid}, 'prom', 1790000040, '2026-12-03 00:00:00')"
                )
    finally:
        engine.dispose()
    before = [(1, "prom", 1790000040), (2, "prom", 1790000040)]
    assert _rows(store_url)[1] == before
    migrate_to(store_url, "0020_source_matches")
    columns, rows = _rows(store_url)
    assert set(NEW) <= columns
    assert rows == [(*r, None, None, None, None) for r in before]
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:  # api matched; typo's total matched none since 00:00
            record_matches(
                conn,
                matches=[
                    (1, 1790000040, (True, None, False), (True, None, False)),
                    (2, 1790000040, (True, None, False), (False, 1789948800, True)),
                ],
            )
        with engine.begin() as conn:  # an older range read again changes nothing
            record_matches(conn, matches=[(2, 1789990000, (False, 1, False), (True, None, False))])
    finally:
        engine.dispose()
    assert _rows(store_url)[1] == [
        (1, "prom", 1790000040, True, None, True, None),
        (2, "prom", 1790000040, True, None, False, 1789948800),
    ]
    migrate_to(store_url, "0019_ingest_totals", down=True)
    columns, rows = _rows(store_url)
    assert not set(NEW) & columns
    assert rows == before
    migrate_to(store_url, "0020_source_matches")
    assert set(NEW) <= _rows(store_url)[0]
