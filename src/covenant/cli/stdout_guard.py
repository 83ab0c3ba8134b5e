"""Standard output that cannot be written — closed (``covenant evaluate >&-``), a full disk
(``> /dev/full``), an I/O error — ends the command with the coded ``output-unwritable`` error
and exit 1, not a Python traceback (or, for a closed one, exit 0 with the output lost).

``main`` puts :class:`Guarded` in front of ``sys.stdout`` for the command: every write and
flush goes to the real stream, and the error of one that fails is kept, so that ``main`` tells
a failed write to standard output from any other ``OSError``. A reader that went away
(``| head -1``) is not this error: ``main`` ends that quietly with 141.
"""

from __future__ import annotations

import errno
import io
from typing import Any, NoReturn


class Closed(io.TextIOBase):
    """Standard output when the command was started without one (``>&-``): a write fails."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def isatty(self) -> bool:
        return False


class Guarded:
    """``sys.stdout`` that remembers the error of a write or flush that failed."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as error:
            self.failed = error
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self.failed = error
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard(stream: Any) -> Guarded:
    """``stream`` (``sys.stdout``, None when the process has none) behind a :class:`Guarded`."""
    return Guarded(Closed() if stream is None else stream)


def failed_write(error: BaseException, guarded: Guarded) -> OSError | None:
    """The failed write to standard output that ``error`` is, or that it was raised while
    handling (typer and rich end a failed write with an exit), else None."""
    if guarded.failed is None:
        return None
    seen: BaseException | None = error
    for _ in range(8):  # the error itself, then what it was raised while handling
        if seen is None:
            return None
        if seen is guarded.failed:
            return guarded.failed
        seen = seen.__context__
    return None


def unwritable(error: OSError) -> NoReturn:
    """End with the coded error on standard error (standard output is what failed) and 1."""
    import sys

    from covenant.errors import OutputUnwritableError

    if error.errno == errno.EBADF:
        problem = "standard output is closed, so nothing can be printed"
        fix = "run the command with its output somewhere (> FILE, or > /dev/null to drop it)"
    else:
        problem = f"standard output cannot be written: {error.strerror or error}"
        fix = "free space where standard output goes, or send it elsewhere (> FILE)"
    coded = OutputUnwritableError(problem, hint=fix)
    try:
        sys.stderr.write(f"error: {coded}\n  run: {coded.explain}\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # no standard error either: the exit status says it
        pass
    raise SystemExit(1)
