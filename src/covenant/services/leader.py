"""Leadership: which of several processes on one store runs the worker (exactly one at a time).

On PostgreSQL a process leads while it holds a session advisory lock
(``pg_try_advisory_lock``) on a connection of its own, kept open for as long as it leads: the
lock dies with that connection, so a killed or partitioned leader frees it and a follower's
next ``acquire()`` takes it. The lock's key is made from the schema the store lives in, so
stores in different schemas of one database each have their own leader.

On SQLite the processes share one file: a process leads while it holds an exclusive
``flock`` on ``<database>.leader`` beside it (released by the kernel when the process dies).
A store in memory is private to its process, which always leads.

What stops a process from leading for a reason worth saying (the lock file cannot be opened,
the store cannot be reached) is warned of once, and again only when the reason changes — the
worker's loop asks every 5 s — and its clearing is said once too.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from covenant.store.db import sqlite_path

log = logging.getLogger("covenant.leader")

LOCK_CLASS = 0x636F7665  # "cove": the first half of every leader lock's key (int4)
KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
"""TCP keep-alives on the leader's connection: a leader cut off from the database is noticed
by the server within about 25 s, which then frees the lock (a killed process at once)."""


def lock_key(schema: str, name: str) -> int:
    """The second half of the lock's key (int4): the store's schema and the role led."""
    return zlib.crc32(f"{schema}:{name}".encode()) & 0x7FFFFFFF


class Leadership:
    """``acquire()`` (never waits), ``held()``, ``release()`` — see the module's docstring.

    Thread-safe; one object per process and role (``name``, default ``worker``)."""

    def __init__(self, database_url: str, *, name: str = "worker") -> None:
        self.name = name
        self._url = database_url
        self._guard = threading.Lock()
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._key: tuple[int, int] | None = None
        self._file: IO[bytes] | None = None
        self._memory = False
        self._held = False
        self._trouble: str | None = None  # the last reason warned of, until it clears
        self.terms = 0  # leaderships taken so far: another process may have led between two
        parsed = make_url(database_url)
        self.backend = parsed.get_backend_name()
        if self.backend == "sqlite":
            path = sqlite_path(database_url)
            self._memory = path is None
            self._lock_path = None if path is None else path.with_name(path.name + ".leader")

    @property
    def lock_path(self) -> Path | None:
        """The SQLite lock file (None on PostgreSQL and for a store in memory)."""
        return self._lock_path if self.backend == "sqlite" else None

    def acquire(self) -> bool:
        """Try to lead now; True when this process leads afterwards (it may have already)."""
        with self._guard:
            if self._held and self._still_held():
                return True
            self._drop()
            if self.backend == "sqlite":
                self._held = self._memory or self._lock_file()
            elif self.backend == "postgresql":
                self._held = self._lock_postgres()
            else:  # another database: no lock to take; one process is expected
                self._held = True
            self.terms += self._held
            return self._held

    def held(self) -> bool:
        """True while this process leads: on PostgreSQL the lock is asked of the server (a
        lost connection is a lost lead)."""
        with self._guard:
            if self._held and not self._still_held():
                log.warning("leadership lost (%s): the lock's connection is gone", self.name)
                self._drop()
            return self._held

    def release(self) -> None:
        """Stop leading (a follower's next ``acquire()`` takes over)."""
        with self._guard:
            self._drop()

    # PostgreSQL -------------------------------------------------------------------------

    def _lock_postgres(self) -> bool:
        try:
            if self._engine is None:
                self._engine = create_engine(self._url, poolclass=NullPool, connect_args=KEEPALIVE)
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:
            self._troubled(f"cannot reach the store to lead ({self.name}): {exc}")
            return False
        try:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            key = (LOCK_CLASS, lock_key(str(schema), self.name))
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(CAST(:a AS integer), CAST(:b AS integer))"),
                {"a": key[0], "b": key[1]},
            ).scalar_one()
        except SQLAlchemyError as exc:
            self._troubled(f"cannot take the leader lock ({self.name}): {exc}")
            connection.close()
            return False
        self._cleared(
            f"the store answers again: the {self.name} runs in this process while it leads"
        )
        if not got:
            connection.close()
            return False
        self._connection, self._key = connection, key
        return True

    def _still_held(self) -> bool:
        if self.backend != "postgresql":
            return True  # a file lock or a private store cannot be lost while open
        if self._connection is None or self._key is None:
            return False
        try:
            return bool(
                self._connection.execute(
                    text(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                        "AND pid = pg_backend_pid() AND classid = CAST(CAST(:a AS integer) AS oid) "
                        "AND objid = CAST(CAST(:b AS integer) AS oid) "
                        "AND objsubid = 2 AND granted)"
                    ),
                    {"a": self._key[0], "b": self._key[1]},
                ).scalar_one()
            )
        except SQLAlchemyError:
            return False

    # SQLite -----------------------------------------------------------------------------

    def _lock_file(self) -> bool:
        import fcntl  # noqa: PLC0415 - POSIX only, and only for SQLite stores

        assert self._lock_path is not None
        try:
            self._lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._lock_path.open("a+b")
        except OSError as exc:
            self._troubled(
                f"cannot open the leader lock {self._lock_path}: {exc.strerror or exc} — no "
                "worker runs in this process until it can (no catch-up, no alerts): let this "
                "user write that folder, or serve with --no-worker"
            )
            return False
        self._cleared(
            f"the leader lock {self._lock_path} opens again: the {self.name} runs in this "
            "process while it leads"
        )
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle
        return True

    def _troubled(self, reason: str) -> None:
        """Warn of ``reason`` unless it is the one warned of last (asked every round)."""
        if reason != self._trouble:
            log.warning("%s", reason)
            self._trouble = reason

    def _cleared(self, words: str) -> None:
        """Say once that the reason warned of is gone (a warning too: the only level shown)."""
        if self._trouble is not None:
            log.warning("%s", words)
            self._trouble = None

    def _drop(self) -> None:
        self._held = False
        if self._connection is not None:
            try:
                if self._key is not None:
                    self._connection.execute(
                        text("SELECT pg_advisory_unlock(CAST(:a AS integer), CAST(:b AS integer))"),
                        {"a": self._key[0], "b": self._key[1]},
                    )
            except SQLAlchemyError:
                pass  # the connection is gone, and the lock with it
            finally:
                self._connection.close()
                self._connection = self._key = None
        if self._file is not None:
            self._file.close()  # closing the file releases its flock
            self._file = None

    def close(self) -> None:
        """Release and close everything this object opened."""
        self.release()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def sqlite_leader(db_file: Path) -> str | None:
    """Who leads the SQLite store ``db_file`` now: the process id its leader wrote (``"?"``
    when it wrote none), or None when no process holds the lock (or there is no lock file,
    or no ``flock``: not POSIX). Asks without waiting and takes nothing."""
    lock = db_file.with_name(db_file.name + ".leader")
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        handle = lock.open("rb")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return handle.read(32).decode("ascii", "replace").strip() or "?"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return None
