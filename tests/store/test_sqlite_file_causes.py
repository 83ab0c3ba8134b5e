"""A SQLite store that cannot be opened or written for a cause of the file or its disk is
refused naming the file, the cause and the fix, not SQLite's "unable to open database file" or
"disk I/O error" alone: the store's path a folder, and a full disk (the file size limit of the
command's process, ``ulimit -f``, which SQLite meets as a disk that takes no more). (A folder
this user may not write cannot be made here: the tests run as root, who may write any.)"""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from covenant.store.db import _migration_failed
from covenant.store.sqlite_cause import sqlite_cause

LIMIT = 8192  # bytes: less than a new store's schema
PAGE = 1 << 16  # bytes: SQLite's largest page, what one write may add to a file


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    made = _covenant(tmp_path, "init", str(ws))
    assert made.returncode == 0, made.stdout
    return ws


def _covenant(cwd: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": ":".join(sys.path)},
        preexec_fn=limited,
        check=False,
    )


@pytest.mark.parametrize("command", [("ingest", "events", "events/sample.csv"), ("evaluate",)])
def test_a_store_path_that_is_a_folder(tmp_path: Path, command: tuple[str, ...]) -> None:
    ws = _workspace(tmp_path)
    store = ws / ".covenant" / "covenant.db"
    store.mkdir(parents=True)
    said = _covenant(ws, *command)
    assert said.returncode != 0, said.stdout
    out = " ".join((said.stdout + said.stderr).split())
    assert f"{store} is a folder, not a file" in out
    assert "move that folder away" in out
    assert "nothing has been ingested" not in out
    assert "Traceback" not in out


def test_a_full_disk_names_the_file_the_limit_and_the_fix(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    said = _covenant(ws, "ingest", "events", "events/sample.csv", limit=LIMIT)
    assert said.returncode != 0, said.stdout
    out = " ".join((said.stdout + said.stderr).split())
    store = ws / ".covenant" / "covenant.db"
    assert str(store) in out
    assert f"this process may write files of at most {LIMIT:,} bytes (ulimit -f)" in out
    assert "raise the limit (ulimit -f unlimited)" in out
    assert "Traceback" not in out


@pytest.fixture
def a_large_file_limit() -> Iterator[int]:
    """A finite but roomy ``ulimit -f`` (1 TiB, as a service's LimitFSIZE may set)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 40, hard))
    try:
        yield 1 << 40
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_roomy_file_limit_is_not_named_the_cause(tmp_path: Path, a_large_file_limit: int) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(b"")
    assert sqlite_cause(store) is None  # 0 bytes are far from 1 TiB


@pytest.mark.parametrize("said", ["database is locked", "disk I/O error"])
def test_a_migration_failure_keeps_sqlite_s_words(
    tmp_path: Path, a_large_file_limit: int, said: str
) -> None:
    store = tmp_path / "store.db"
    store.write_bytes(b"")
    engine = create_engine(f"sqlite:///{store}")
    error = _migration_failed(engine, OperationalError("UPDATE x", {}, Exception(said)))
    assert said in error.message
    assert "ulimit" not in f"{error.message} {error.hint}"


def test_a_rollback_journal_counts_toward_the_file_limit(tmp_path: Path) -> None:
    """A store in rollback journal mode (not WAL) mid-write: its ``-journal`` holds the pages
    the write changes, and it too must fit under ``ulimit -f``, a file of its own. A write that
    changes every page (all rows deleted, the header's user_version set) journals each page
    with 8 bytes of its own and a 512-byte header: the journal is larger than the store file.
    The limit here is reached by the journal and a page more, not by the file and a page."""
    store = tmp_path / "store.db"
    conn = sqlite3.connect(store, isolation_level=None)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
        conn.execute("CREATE TABLE t (b BLOB)")
        conn.executemany("INSERT INTO t VALUES (zeroblob(?))", [(4000,)] * 64)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM t")
        conn.execute("PRAGMA user_version = 7")
        journal = tmp_path / "store.db-journal"
        assert journal.is_file()
        assert not (tmp_path / "store.db-wal").exists()
        file_bytes, journal_bytes = store.stat().st_size, journal.stat().st_size
        pages = file_bytes // 4096  # SQLite's default page size
        assert journal_bytes == 512 + pages * (4096 + 8)  # every page journaled
        limit = journal_bytes + PAGE  # reached by the journal, not by the file
        assert file_bytes + PAGE < limit
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        try:
            found = sqlite_cause(store)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    finally:
        conn.close()
    assert found is not None
    cause, fix = found
    assert cause == (
        f"this process may write files of at most {limit:,} bytes (ulimit -f), too few for {store}"
    )
    assert fix == "raise the limit (ulimit -f unlimited) where covenant runs"


def test_the_limit_is_per_file_not_the_files_summed(tmp_path: Path) -> None:
    """``ulimit -f`` caps each file a process writes on its own: a 600 KB store and its
    500 KB journal (1.1 MB together) each fit under a 1 MB limit with a page to spare, so the
    limit is not the cause (nothing else is here: None)."""
    store = tmp_path / "store.db"
    store.write_bytes(b"\0" * 600_000)
    (tmp_path / "store.db-journal").write_bytes(b"\0" * 500_000)
    limit = 1_000_000
    assert 600_000 + PAGE < limit < 600_000 + 500_000
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        found = sqlite_cause(store)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert found is None
