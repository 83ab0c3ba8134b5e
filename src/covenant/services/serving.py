"""Which processes serve a SQLite store: every ``covenant serve`` (with its worker or
``--no-worker``) holds a shared ``flock`` on ``<database>.serving`` beside the store for as long
as it runs, and writes its process id there; ``covenant demo`` asks for the lock exclusively
(without waiting) before it deletes the store, and names the servers when it cannot have it.

The lock is shared, not the leader's (``services.leader``): the leader lock is exclusive by
design — exactly one process runs the worker — while any number of servers may answer from
one store. The kernel releases the lock when the process dies; a stale process id left in the
file is dropped when read (no such process)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from covenant.store.db import sqlite_path


def lock_file(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".serving")


def hold_serving(database_url: str) -> IO[bytes] | None:
    """Take the shared serving lock of the SQLite store at ``database_url`` for this process
    (closing the handle returned releases it); None when there is no file to lock (a store in
    memory, PostgreSQL, no ``flock``, the folder not writable)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return None
    path = sqlite_path(database_url)
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_file(path).open("a+b")
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # other servers hold it shared: add this one's id to theirs
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    else:  # the only server: the ids left by servers gone are dropped
        handle.truncate(0)
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    handle.write(f"{os.getpid()}\n".encode())
    handle.flush()
    return handle


def serving_processes(db_file: Path) -> list[str] | None:
    """The ids of the processes serving the SQLite store ``db_file`` now (``["?"]`` when none
    is known alive), or None when no process holds the serving lock. Takes nothing."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        handle = lock_file(db_file).open("rb")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            ids = handle.read(4096).decode("ascii", "replace").split()
            return [i for i in dict.fromkeys(ids) if _alive(i)] or ["?"]
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return None


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True
