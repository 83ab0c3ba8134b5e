"""An ingest's commit is on disk when it returns; the checkpoint may come later, losing nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from covenant.services.ingest import ingest_counts
from covenant.store import db

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def _pragma(conn: object, name: str) -> int:
    raw = conn.connection.dbapi_connection  # type: ignore[attr-defined]
    return int(raw.execute(f"PRAGMA {name}").fetchone()[0])


def test_a_write_transaction_syncs_its_commit_and_defers_the_checkpoint(
    sqlite_engine: Engine,
) -> None:
    with db.write_transaction(sqlite_engine) as conn:
        assert _pragma(conn, "synchronous") == 2  # FULL: the WAL is synced at commit
        assert _pragma(conn, "wal_autocheckpoint") == db.WRITE_CHECKPOINT_PAGES
    with sqlite_engine.connect() as conn:  # the pooled connection is back to the defaults
        assert _pragma(conn, "synchronous") == 1  # NORMAL
        assert _pragma(conn, "wal_autocheckpoint") == 1000


def test_what_a_crash_before_the_checkpoint_leaves_holds_every_count(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    # 5 series × 300 days: 1,500 day chunks of a page each, more WAL pages than SQLite's
    # default checkpoint (1,000 pages) would allow, fewer than the deferred one.
    days = np.tile(np.arange(300, dtype=np.int64), 5)
    ingest_counts(
        sqlite_engine,
        keys=[f"s{i}-availability" for i in range(5)],
        series=np.repeat(np.arange(5, dtype=np.int64), 300),
        bucket_starts=T0 + days * 86_400 + 60,
        good=np.full(1500, 7),
        total=np.full(1500, 9),
    )
    store = Path(str(sqlite_engine.url.database))
    wal = store.with_name(store.name + "-wal")
    assert wal.stat().st_size > 1000 * 4096  # the commit left its pages in the WAL
    # What a power cut leaves: the database file and its WAL as they are on disk now.
    copy = tmp_path / "after-crash"
    copy.mkdir()
    shutil.copy(store, copy / store.name)
    shutil.copy(wal, copy / wal.name)
    with sqlite3.connect(copy / store.name) as conn:
        rows, good, total = conn.execute(
            "SELECT count(*), sum(good_sum), sum(total_sum) FROM bucket_chunks"
        ).fetchone()
    assert (rows, good, total) == (1500, 1500 * 7, 1500 * 9)
    # and the counts are in the WAL alone: the database file has not had them copied yet
    alone = tmp_path / "file-alone"
    alone.mkdir()
    shutil.copy(store, alone / store.name)
    with sqlite3.connect(alone / store.name) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "bucket_chunks" in tables:
            assert conn.execute("SELECT count(*) FROM bucket_chunks").fetchone() == (0,)
    sqlite_engine.dispose()  # the last connection closed: the checkpoint ran, the WAL is gone
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT sum(total_sum) FROM bucket_chunks").fetchone() == (13_500,)
