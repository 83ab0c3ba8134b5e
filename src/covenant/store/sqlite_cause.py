"""Why a SQLite store's file could not be opened or written, found by looking at it: SQLite
says only "unable to open database file" or "disk I/O error", which names neither the file nor
the cause. Each cause comes with its fix."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
from pathlib import Path

LOW_FREE_BYTES = 1 << 20  # less free space than this on the store's disk: full for a write
MAX_PAGE_BYTES = 1 << 16  # SQLite's largest page: what a write may add to the file at once


def _size(path: Path) -> int:
    """The bytes of the largest of the store's file, its write-ahead log and its rollback
    journal (a store not in WAL mode keeps a write's old pages there): ``ulimit -f`` caps each
    file on its own, not their sum; 0 for what is not there."""
    largest = 0
    for part in (path, *(path.with_name(path.name + end) for end in ("-wal", "-journal"))):
        with contextlib.suppress(OSError):  # gone meanwhile: nothing of it
            largest = max(largest, part.stat().st_size if part.is_file() else 0)
    return largest


def sqlite_cause(path: Path) -> tuple[str, str] | None:
    """``(cause, fix)`` for the store's file ``path`` that could not be opened or written, or
    None when none of the known causes is found (a failing disk, a file system's own error).
    The file size limit (``ulimit -f``) is named only when the file, its log or its journal
    (the largest of them) and a page more reach it: a roomy limit is no cause."""
    if path.is_dir():
        return (
            f"{path} is a folder, not a file",
            "move that folder away (a command that writes creates the store there), or point "
            "COVENANT_DATABASE_URL at a file",
        )
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft != resource.RLIM_INFINITY and _size(path) + MAX_PAGE_BYTES >= soft:
        return (
            f"this process may write files of at most {soft:,} bytes (ulimit -f), too few for "
            f"{path}",
            "raise the limit (ulimit -f unlimited) where covenant runs",
        )
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if free is not None and free < LOW_FREE_BYTES:
        return (
            f"the disk that holds {folder} is full ({free:,} bytes free)",
            "free space on that disk (or raise its size limit or quota), or point "
            "COVENANT_DATABASE_URL at a store on another disk",
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        where = path if path.exists() and os.access(folder, os.W_OK) else folder
        return (
            f"this user may not write {where}",
            f"let this user write {where} (its owner and mode), or point "
            "COVENANT_DATABASE_URL at a store it may write",
        )
    return None
