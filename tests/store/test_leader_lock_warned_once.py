"""A leader lock that cannot be taken for a reason worth saying (`<database>.leader` cannot be
opened; on PostgreSQL the store cannot be reached) is warned of once, not at every round of
the worker's loop (every 5 s: 720 lines an hour of the same warning, before), again when the
reason changes, and once more, in other words, when it clears."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from covenant.config import sqlite_url
from covenant.services.leader import Leadership


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "covenant.leader"]


def test_the_lock_file_is_warned_of_once_per_condition_and_when_it_clears(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / ".covenant"
    folder.mkdir()
    lock = folder / "covenant.db.leader"
    lock.mkdir()  # cannot be opened as a file, even by root
    leadership = Leadership(sqlite_url(tmp_path))
    with caplog.at_level(logging.INFO, logger="covenant"):
        assert [leadership.acquire() for _ in range(5)] == [False] * 5
        said = _said(caplog)
        assert len(said) == 1, said
        assert said[0].startswith(f"cannot open the leader lock {lock}: Is a directory")
        lock.rmdir()
        assert [leadership.acquire() for _ in range(3)] == [True] * 3
        said = _said(caplog)
        assert len(said) == 2, said
        assert said[1] == (
            f"the leader lock {lock} opens again: the worker runs in this process while it leads"
        )
        leadership.release()
        shutil.rmtree(folder)
        folder.write_text("")  # another condition: the lock's folder is a file
        assert [leadership.acquire() for _ in range(3)] == [False] * 3
        said = _said(caplog)
        assert len(said) == 3, said
        assert said[2].startswith(f"cannot open the leader lock {lock}: ")
        assert said[2] != said[0]
    leadership.close()


def test_an_unreachable_postgresql_store_is_warned_of_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    leadership = Leadership("postgresql+psycopg://covenant@127.0.0.1:1/test")  # nothing listens
    with caplog.at_level(logging.INFO, logger="covenant"):
        assert [leadership.acquire() for _ in range(4)] == [False] * 4
    said = _said(caplog)
    assert len(said) == 1, said
    assert said[0].startswith("cannot reach the store to lead (worker): ")
    leadership.close()
