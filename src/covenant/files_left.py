"""Temporary files beside a target (``.NAME.covenant-XXXXXXXX.tmp``): made held, removed once left.

:mod:`covenant.files_replaced` writes a file's text to a temporary file beside it, then renames
it over the file. A writer killed on the way (SIGKILL, the OOM killer) leaves that temporary
file behind; nothing reads it (a workspace skips hidden files and reads only ``.yaml``/``.yml``
files), but nothing else would remove it either. So a writer *holds* each temporary file it
makes (a shared ``flock`` on it, for as long as the file is its own) and, before it writes a
target, removes the temporary files of that target which nobody holds: the lock of a process
that ended, however it ended, is gone with it. Another process writing the same file at the
same time holds its own, which is never removed; a file system without locks never loses one
(it cannot be locked by the remover either).

Only names Covenant makes are removed: ``covenant-`` between the target's name and the eight
random characters. A file named ``.NAME.XXXXXXXX.tmp`` without it (as Covenant named its
temporary files before stop 42, or a user's own copy such as ``.report.pdf.20261205.tmp``) is
never removed: it cannot be told apart from a user's file, and left, it is only a hidden file
nothing reads.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

ATTEMPTS = 100  # names tried before giving up (as tempfile does)
MARK = "covenant-"  # between the target's name and the random part: Covenant's own


def temporary_prefix(target: Path) -> str:
    """The start of the name of every temporary file of ``target`` (a random part and
    ``.tmp`` follow)."""
    return f".{target.name}.{MARK}"


def held_temporary(target: Path, path: Path) -> tuple[int, str]:
    """A new empty temporary file beside ``target``, held by this process: its descriptor
    (closing it lets go) and name. An OSError names ``path`` (the path given)."""
    for _ in range(ATTEMPTS):
        try:
            handle, name = tempfile.mkstemp(
                dir=target.parent, prefix=temporary_prefix(target), suffix=".tmp"
            )
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        if hold(handle, name):
            return handle, name
        os.close(handle)  # removed as left in the instant before it was held: another one
    raise OSError(errno.EEXIST, "no temporary file could be held", str(path))


def hold(handle: int, name: str) -> bool:
    """Hold the file open as ``handle`` (named ``name``): False when it was removed before."""
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)  # waits while a remover looks at it
    except OSError:  # no locks on this file system: no remover takes one either
        return True
    try:
        return os.path.samestat(os.fstat(handle), Path(name).lstat())
    except FileNotFoundError:
        return False


def remove_left(targets: Iterable[Path]) -> None:
    """Remove the temporary files of ``targets`` (real paths) that no process holds: those a
    killed writer left. One look at each folder; what cannot be looked at is left alone."""
    folders: dict[Path, set[str]] = {}
    for target in targets:
        folders.setdefault(target.parent, set()).add(target.name)
    for folder, names in folders.items():
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            found = _TEMPORARY.fullmatch(entry.name)
            if found is not None and found.group("name") in names:
                _remove_if_left(entry)


# what tempfile.mkstemp names it: eight of [a-z0-9_] between the prefix and the suffix
_TEMPORARY = re.compile(rf"\.(?P<name>.+)\.{re.escape(MARK)}[a-z0-9_]{{8}}\.tmp")


def _remove_if_left(entry: Path) -> None:
    try:
        handle = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return  # gone, a link, or not ours to read
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # held: a live writer's (or no locks here: never removed)
        if os.path.samestat(os.fstat(handle), entry.lstat()):
            entry.unlink()
    except OSError:
        return
    finally:
        os.close(handle)
