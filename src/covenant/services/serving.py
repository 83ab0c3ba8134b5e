"""Which processes serve a SQLite store, and the demo's rebuild of it: every ``covenant serve``
(with its worker or not) holds a shared ``flock`` on ``<database>.serving`` beside the store
for as long as it runs, and writes a line there: its process id and its address. ``covenant
demo`` holds the lock exclusively for the whole rebuild (its files written, the store deleted
and filled again), having written ``rebuild <its process id>`` there: it takes it without
waiting and names the servers when it cannot have it; a ``covenant serve`` that cannot take its
shared lock because a rebuild holds it refuses to start (it would serve a half-built store).

The lock is shared, not the leader's (``services.leader``): the leader lock is exclusive by
design — exactly one process runs the worker — while any number of servers may answer from
one store. With ``--workers N`` the supervisor takes it before it forks: the worker processes
inherit it, and its process id (the one that stops them all) is the one written. The kernel
releases the lock when the last process holding it ends; a stale line left in the file is
dropped when read (no such process)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from covenant.errors import InputError, ServeStartError
from covenant.store.db import sqlite_path

REBUILD = "rebuild"  # the first word of the line a demo's rebuild writes
_SETTLE_S = 2.0
"""How long a starting server tries again for its shared lock while another process holds
the file exclusively without naming a rebuild: a server alone truncating the file (a moment),
or a demo between its lock and its line."""
_MAX_BYTES = 65536


def lock_file(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + ".serving")


@dataclass(frozen=True, slots=True)
class Holder:
    """A process named in the lock file: its id, what it is doing there and how to find it."""

    pid: str
    address: str = ""  # a server's: http://127.0.0.1:8080 ("" when not known)
    rebuild: bool = False  # a demo rebuilding the store

    def command(self) -> str:
        """The process's command line (Linux: ``/proc``); empty when it cannot be read."""
        try:
            raw = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return ""
        text = " ".join(part for part in raw.decode("utf-8", "replace").split("\0") if part)
        return text if len(text) <= 200 else text[:199] + "…"

    def __str__(self) -> str:
        parts = [f"process {self.pid}"]
        if self.address:
            parts.append(f"at {self.address}")
        command = self.command()
        if command:
            parts.append(f"({command})")
        return " ".join(parts)


def hold_serving(database_url: str, *, address: str = "") -> IO[bytes] | None:
    """Take the shared serving lock of the SQLite store at ``database_url`` for this process
    (closing the handle returned releases it); None when there is no file to lock (a store in
    memory, PostgreSQL, no ``flock``, the folder not writable). ``ServeStartError`` when a
    demo is rebuilding the store (it holds the lock exclusively)."""
    try:
        import fcntl  # noqa: PLC0415, F401 - POSIX only
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
        _take_shared(handle, path)
    except BaseException:
        handle.close()
        raise
    handle.write(f"{os.getpid()} {address}".strip().encode() + b"\n")
    handle.flush()
    return handle


def _take_shared(handle: IO[bytes], db_file: Path) -> None:
    import fcntl  # noqa: PLC0415 - POSIX only

    deadline = time.monotonic() + _SETTLE_S
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass
        else:  # the only one: the lines left by servers gone are dropped
            handle.truncate(0)
        try:  # (from exclusive: not atomic, a demo may take it in between)
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except OSError:
            pass
        rebuild = next((h for h in holders(db_file) if h.rebuild), None)
        if rebuild is not None or time.monotonic() > deadline:
            by = f"{rebuild}, a `covenant demo`" if rebuild else "another process"
            raise ServeStartError(
                f"the store {db_file} is being rebuilt by {by}: serving it now would answer "
                "from a half-built store",
                hint="wait for the demo to finish (it prints its summary), then start "
                "`covenant serve` again",
            )
        time.sleep(0.01)


def holders(db_file: Path) -> list[Holder]:
    """The live processes the lock file of ``db_file`` names (read without locking)."""
    try:
        text = lock_file(db_file).read_bytes()[:_MAX_BYTES].decode("utf-8", "replace")
    except OSError:
        return []
    found: dict[str, Holder] = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == REBUILD:
            found.setdefault(words[1], Holder(words[1], rebuild=True))
        elif words:
            found.setdefault(words[0], Holder(words[0], address=" ".join(words[1:2])))
    return [h for h in found.values() if _alive(h.pid)]


def serving_processes(db_file: Path) -> list[Holder] | None:
    """The processes serving (or rebuilding) the SQLite store ``db_file`` now (a ``?`` holder
    when none is known alive), or None when no process holds the serving lock. Takes nothing."""
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
            return holders(db_file) or [Holder("?")]
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return None


@contextmanager
def rebuilding(db_file: Path, *, into: Path) -> Iterator[None]:
    """Hold the serving lock of the SQLite store ``db_file`` exclusively inside (a demo's
    rebuild into the folder ``into``): no ``covenant serve`` starts on it meanwhile.
    ``InputError`` naming the servers (or the other rebuild) when a process holds it now, or
    the reason when the store's folder cannot be written; nothing is taken then."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_file(db_file).open("a+b")
    except OSError as exc:  # a file on the path, or a folder this user may not write
        raise InputError(
            f"cannot write the demo into {into}: {exc.strerror or exc}",
            hint="choose a folder you can write to",
        ) from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _in_use(db_file, holders(db_file) or [Holder("?")]) from None
        handle.truncate(0)
        handle.write(f"{REBUILD} {os.getpid()}\n".encode())
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)  # the lock is released when the handle closes


def _in_use(db_file: Path, found: list[Holder]) -> InputError:
    rebuilds = [h for h in found if h.rebuild]
    if rebuilds:
        return InputError(
            f"{rebuilds[0]} is rebuilding the store {db_file} already (another `covenant demo`)",
            hint="wait for it to finish; run the demo again afterwards if you want a fresh one",
        )
    return refusal(db_file, ", ".join(map(str, found)), pid=found[0].pid)


def refusal(db_file: Path, who: str, *, pid: str) -> InputError:
    """The demo's refusal while ``who`` (a server) uses the store ``db_file``."""
    stop = f"kill -TERM {pid}" if pid.isdigit() else "kill -TERM with its process id"
    return InputError(
        f"a `covenant serve` on this workspace is using the store {db_file}: {who}; the demo "
        "would delete the store under it, and it would go on serving the deleted data",
        hint=f"stop it (Ctrl-C where it runs, or {stop}: that stops all its worker "
        "processes), run the demo, then start it again",
    )


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
