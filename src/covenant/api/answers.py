"""Answers kept while nothing they depend on changed: the same question asked again (an
evaluation at the same instant) is answered from memory as long as nothing was committed to
the store, by any process, and the workspace's definitions were not read anew.

What "nothing was committed" means, per database:

- SQLite: ``PRAGMA data_version`` on a connection of its own that never writes, which changes
  whenever another connection (this process's or another's) commits a change to the file;
- PostgreSQL: the snapshot (``pg_current_snapshot()``: the oldest transaction still running,
  the next transaction id, and those in progress), which is the same exactly when the same
  transactions are visible, so the same rows are;
- any other database, or a SQLite database in memory: unknown, so nothing is kept.

The version is read before an answer is computed: a change committed while it is computed
makes the next question miss, never keeps a stale answer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.store.db import sqlite_path

T = TypeVar("T")
MISSING: Any = object()  # ``Answers.peek``: nothing kept
KEPT = 256  # answers kept at most (the least recently used go first)


class StoreVersion:
    """A value that changes whenever anything is committed to the store (None: unknown)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._path = sqlite_path(str(engine.url)) if engine.dialect.name == "sqlite" else None
        self._watch: sqlite3.Connection | None = None
        # read without waiting on the network or another process (fit for the event loop)
        self.cheap = self._path is not None

    def current(self) -> Hashable | None:
        if self._path is not None:
            with self._lock:
                if self._watch is None:
                    self._watch = sqlite3.connect(
                        f"{self._path.resolve().as_uri()}?mode=ro",
                        uri=True,
                        check_same_thread=False,
                        isolation_level=None,
                    )
                (version,) = self._watch.execute("PRAGMA data_version").fetchone()
            return int(version)
        if self._engine.dialect.name == "postgresql":
            with self._engine.connect() as conn:
                return str(conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar())
        return None

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None


class Answers:
    """Computed answers by question, each valid for one store version and one workspace (or
    for one store version alone: ``workspace=None``)."""

    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, tuple[Hashable, Workspace | None, Any]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    def peek(self, question: Hashable, *, version: Hashable | None, workspace: Any) -> Any:
        """The answer kept for ``question`` at ``version`` and ``workspace``, else ``missing``
        (nothing is computed)."""
        if version is None:
            return MISSING
        with self._lock:
            kept = self._kept.get(question)
            if kept is not None and kept[0] == version and kept[1] is workspace:
                self._kept.move_to_end(question)
                return kept[2]
        return MISSING

    def get(
        self,
        question: Hashable,
        *,
        version: Hashable | None,
        workspace: Workspace | None,
        compute: Callable[[], T],
    ) -> T:
        """The answer kept for ``question`` at ``version`` and ``workspace``, else computed.
        Questions asked at once at the same version are computed once: the others wait for
        that answer (50 clients asking a process that has nothing kept yet made 50 threads
        compute the same evaluation); if that computation fails, each computes its own."""
        if version is None:
            return compute()
        key = (version, workspace)
        with self._lock:
            kept = self._kept.get(question)
            if kept is not None and kept[0] == version and kept[1] is workspace:
                self._kept.move_to_end(question)
                found: T = kept[2]
                return found
            flight = self._flights.get(question)
            mine = flight is None or flight.key[0] != version or flight.key[1] is not workspace
            if mine:
                flight = self._flights[question] = _Flight(key)
        assert flight is not None
        if not mine:
            flight.done.wait()
            if flight.failed:
                return compute()
            made: T = flight.value
            return made
        try:
            made = compute()
        except BaseException:
            flight.failed = True
            raise
        else:
            flight.value = made
            with self._lock:
                self._kept[question] = (version, workspace, made)
                self._kept.move_to_end(question)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        finally:
            with self._lock:
                if self._flights.get(question) is flight:
                    del self._flights[question]
            flight.done.set()
        return made


class _Flight:
    """One computation under way, for those who ask the same question meanwhile."""

    def __init__(self, key: tuple[Hashable, Any]) -> None:
        self.key = key
        self.done = threading.Event()
        self.failed = False
        self.value: Any = None
