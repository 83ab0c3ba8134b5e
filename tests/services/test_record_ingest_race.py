"""Two ticket ingests into one SQLite store at once: the second ended in a traceback,
`sqlite3.OperationalError: database is locked`.

The write of records opened a deferred transaction (`BEGIN`), read the stored tickets to merge
into, and then wrote; when another writer committed between that read and the write, SQLite
refused the write at once (its snapshot was stale) instead of waiting. It now opens its
transaction as every other read-modify-write of the store does (`write_transaction`: `BEGIN
IMMEDIATE`, queueing for the write lock before it reads). The other writer here commits right
after the ingest's transaction has read: it is refused (within its own 0.1 s wait) while the
ingest holds the lock — the ingest itself must succeed either way.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import covenant.services.records as service
from covenant.services.records import ingest_ticket_files


def test_a_writer_committing_meanwhile_does_not_fail_the_ingest(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = sqlite_engine.url.database
    assert database is not None
    real = service.save_staged

    def meanwhile(conn, staged, **options):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("SELECT count(*) FROM tickets").all()  # the snapshot is taken
        other = sqlite3.connect(database, timeout=0.1)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO worker_health VALUES (1, 0, 0, 0, '2026-10-01 00:00:00', 0, NULL)"
            )
            other.commit()
        except sqlite3.OperationalError:
            pass  # the ingest holds the write lock: the other writer waits its turn
        finally:
            other.close()
        return real(conn, staged, **options)

    monkeypatch.setattr(service, "save_staged", meanwhile)
    path = tmp_path / "tickets.csv"
    path.write_text("id,customer,priority,created\nT-1,acme,P1,2026-10-01T09:00:00Z\n")
    (report,) = ingest_ticket_files(sqlite_engine, files=[path])
    assert report.inserted == 1
