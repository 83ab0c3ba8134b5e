"""The ``sqlite3`` writer (``store.sqlite_writer``: what ``covenant evaluate``'s Prometheus
catch-up writes through) waits for the store's write lock as every other write does, at most
``COVENANT_LOCK_TIMEOUT`` (0.3 s here), not SQLite's 60 s ``busy_timeout``; then it is
``store-error`` naming the lock, nothing written. Another process holds the lock
(tests/lock_holder.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from covenant.config import LOCK_TIMEOUT_ENV
from covenant.errors import StoreError
from covenant.store.sqlite_writer import open_sqlite_writer
from tests.lock_holder import held


def test_the_sqlite_writer_waits_the_bound(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    url = sqlite_engine.url.render_as_string(hide_password=True)
    writer = open_sqlite_writer(url)
    assert writer is not None
    try:
        with held(sqlite_engine), pytest.raises(StoreError) as caught, writer.write() as conn:
            conn.execute("DELETE FROM series")  # pragma: no cover - the lock is not had
        assert caught.value.code == "store-error"
        assert caught.value.message == (
            "nothing was written: another process held a lock on the store's write lock (one "
            f"for the whole SQLite file) in the store at {url} for longer than 0.3 s (database "
            "is locked)"
        )
        with writer.write() as conn:  # let go: the write goes in
            conn.execute(
                "INSERT INTO series (key, step_s, created_at) "
                "VALUES ('a', 60, '2026-11-20 12:00:00.000000')"
            )
        with writer.connect() as conn:
            assert conn.execute("SELECT key, step_s FROM series").fetchall() == [("a", 60)]
    finally:
        writer.dispose()
