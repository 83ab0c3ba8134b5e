"""Files written whole or not at all: beside the target, then renamed over it.

A command killed halfway (SIGKILL, the OOM killer, a power cut) leaves the old file, never one
cut short; a pipe or a device given as the path is written into instead (nothing to keep). The
temporary file such a kill leaves is removed by the next write of the same file, never one
another process is writing (:mod:`covenant.files_left`).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from covenant.files_left import ATTEMPTS, held_temporary, hold, remove_left, temporary_prefix

_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def write_replacing(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write ``chunks`` (text as UTF-8, or bytes) to ``path`` as they come, replacing the
    file whole or not at all: see :func:`write_all_replacing`."""
    write_all_replacing([(path, chunks)])


def write_all_replacing(files: Sequence[tuple[Path, Iterable[str | bytes]]]) -> None:
    """Write each file's chunks (text as UTF-8, or bytes) as they come, replacing the files
    whole or not at all: they go to temporary files beside them (beside the real file, when a
    path is a symbolic link), renamed over them once the last chunk of the last file is
    written — a kill (SIGKILL, a power cut) or a failure on the way (an error making a chunk,
    a full disk) leaves every old file as it was, never one cut short; a failure removes the
    temporary files, and a rename refused after others were made puts those back (the old
    files, kept under a second name until then; a new file is removed). A file keeps the old
    one's permissions (a new one gets those the umask gives); a file made read-only is not
    replaced (PermissionError). A path naming a pipe or a device (``-o /dev/stdout``, a named
    pipe) is written into, never replaced: there is no old file to keep. An OSError names the
    path given."""
    written: list[tuple[str, Path, Path]] = []  # temporary file, target, path given
    held: list[int] = []  # the temporary files' descriptors: held until renamed or removed
    kept: list[str] = []  # second names of the old files, until every rename is made
    kept_held: list[int] = []  # their descriptors: held (never removed as left) until then
    renamed: list[tuple[Path, str | None]] = []  # target, its old file's second name
    planned = [
        (path, chunks, None if stream(path) else Path(os.path.realpath(path)))
        for path, chunks in files
    ]
    remove_left(target for _, _, target in planned if target is not None)
    try:
        for path, chunks, target in planned:
            if target is None:
                with Path(path).open("wb") as out:
                    _fill(out, chunks, path, durable=False)
                continue
            handle, temporary = _temporary_beside(path, target)
            held.append(handle)
            written.append((temporary, target, path))
            with os.fdopen(handle, "wb", closefd=False) as out:
                _fill(out, chunks, path)
        for temporary, target, path in written:
            old, old_handle = _kept(target, path) if len(written) > 1 else (None, None)
            if old_handle is not None:
                kept_held.append(old_handle)
            if old:
                kept.append(old)
            _renamed(temporary, target, path)
            renamed.append((target, old))
    except BaseException:
        for temporary, _, _ in written:
            Path(temporary).unlink(missing_ok=True)
        _undo(renamed)
        raise
    finally:
        for old in kept:
            Path(old).unlink(missing_ok=True)
        for handle in held + kept_held:
            os.close(handle)


def _kept(target: Path, path: Path) -> tuple[str | None, int | None]:
    """A second name beside ``target`` for the file it names now (a hard link, named as a
    temporary file is), so that renaming over it can be undone, and its descriptor: held like a
    temporary file (:mod:`covenant.files_left`), or another writer of ``target`` would remove
    it as left; None for a new file, "" when none can be made (the rename then cannot be
    undone). An old file this process cannot read is kept unheld (no descriptor)."""
    for _ in range(ATTEMPTS):
        name = str(target.parent / f"{temporary_prefix(target)}{_random_part()}.tmp")
        try:
            os.link(target, name, follow_symlinks=False)
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None, None
        except OSError:  # no hard links here (a FAT disk …), or a folder: nothing to undo by
            return "", None
        try:
            handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # removed as left in the instant after it was made: another one
        except OSError:
            return name, None
        if hold(handle, name):
            return name, handle
        os.close(handle)  # removed as left before it was held: another one
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _undo(renamed: Sequence[tuple[Path, str | None]]) -> None:
    """Put back the old files of the renames made (a new file removed), last first; what
    cannot be put back is left as it is (the error being raised says what failed)."""
    for target, old in reversed(renamed):
        try:
            if old is None:
                target.unlink(missing_ok=True)
            elif old:
                Path(old).replace(target)
        except OSError:
            continue


def _random_part() -> str:
    """Eight characters as ``tempfile.mkstemp`` puts in its names."""
    return "".join(secrets.choice(_CHARACTERS) for _ in range(8))


def stream(path: Path) -> bool:
    """Whether ``path`` (or what its link points to) is there and neither a regular file nor a
    folder: a pipe, a socket or a device — written into rather than replaced, and never read
    (reading ``/dev/stdout`` on a terminal waits for the keyboard)."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return False  # not there (or unreadable): the rename makes or refuses it
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _temporary_beside(path: Path, target: Path) -> tuple[int, str]:
    """A new empty temporary file beside ``target`` (the real file ``path`` names), held
    (:mod:`covenant.files_left`), with the real file's permissions (checked writable first):
    its descriptor and name."""
    try:
        mode = target.stat().st_mode & 0o7777
        # a file made read-only is not renamed over: by root neither (whom access allows)
        if not mode & 0o222 or not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    handle, temporary = held_temporary(target, path)
    try:
        os.fchmod(handle, mode)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        os.close(handle)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    return handle, temporary


def _fill(
    out: BinaryIO, chunks: Iterable[str | bytes], path: Path, *, durable: bool = True
) -> None:
    """Write ``chunks`` to ``out`` and, ``durable``, put them on the disk (fsync) before the
    temporary file is renamed: a power cut after the rename finds the whole file, not an empty
    one (a pipe or a device has no disk to put them on)."""
    try:
        for chunk in chunks:
            out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        out.flush()
        if durable:
            os.fsync(out.fileno())
    except OSError as exc:  # named by the path given, not the temporary file
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _renamed(temporary: str, target: Path, path: Path) -> None:
    try:
        Path(temporary).replace(target)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _umask() -> int:
    mask = os.umask(0o022)  # read it by setting it, then set it back at once
    os.umask(mask)
    return mask
