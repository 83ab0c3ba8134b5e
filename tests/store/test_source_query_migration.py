"""Migration ``0018_source_query`` on both backends: upgrade from 0017 adds the nullable
``source_reads.query_sha256`` and keeps the rows (their query unknown: NULL), downgrade to
0017 removes the column and keeps the rows, upgrade again restores it."""

from __future__ import annotations

import sqlalchemy as sa

from covenant.store.db import create_engine_for
from tests.stores import migrate_to


def _rows(url: str) -> tuple[set[str], list[tuple[object, ...]]]:
    engine = create_engine_for(url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("source_reads")}
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT series_id, source, read_until FROM source_reads ORDER BY series_id"
            ).all()
            sha = []
            if "query_sha256" in columns:
                sha = conn.exec_driver_sql("SELECT query_sha256 FROM source_reads").all()
        return columns, [tuple(r) for r in rows] + [tuple(r) for r in sha]
    finally:
        engine.dispose()


def test_upgrade_keeps_the_rows_with_no_query_and_downgrade_removes_the_column(
    store_url: str,
) -> None:
    migrate_to(store_url, "0017_alert_transitions")
    engine = create_engine_for(store_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO series (id, key, step_s, created_at) "
                "VALUES (1, 'api', 60, '2026-12-03 00:00:00')"
            )
            conn.exec_driver_sql(
                "INSERT INTO source_reads (series_id, source, read_until, updated_at) "
                "VALUES (1, 'prometheus', 1790000040, '2026-12-03 00:00:00')"
            )
    finally:
        engine.dispose()
    before = [(1, "prometheus", 1790000040)]
    assert _rows(store_url)[1] == before
    migrate_to(store_url, "0018_source_query")
    columns, rows = _rows(store_url)
    assert "query_sha256" in columns
    assert rows == [*before, (None,)]
    migrate_to(store_url, "0017_alert_transitions", down=True)
    columns, rows = _rows(store_url)
    assert "query_sha256" not in columns
    assert rows == before
    migrate_to(store_url, "0018_source_query")
    assert "query_sha256" in _rows(store_url)[0]
