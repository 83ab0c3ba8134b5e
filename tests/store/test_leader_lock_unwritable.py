"""`covenant serve` on a SQLite store whose folder this user may not write (a shared, read-only
workspace): the worker cannot open `<database>.leader`, and the log said only "cannot open the
leader lock …: [Errno 13] Permission denied" while the banner said "worker on" — nothing said
that no worker runs, or what to do. The warning now says both."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.services.leader import Leadership


def test_a_leader_lock_that_cannot_be_opened_says_no_worker_runs_and_the_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / ".covenant"
    folder.mkdir()
    (folder / "covenant.db.leader").mkdir()  # cannot be opened as a file, even by root
    leadership = Leadership(sqlite_url(tmp_path))
    with caplog.at_level(logging.WARNING, logger="covenant"):
        assert not leadership.acquire()
    said = " ".join(record.getMessage() for record in caplog.records)
    assert "cannot open the leader lock" in said, said
    assert "no worker runs in this process" in said, said
    assert "--no-worker" in said, said
