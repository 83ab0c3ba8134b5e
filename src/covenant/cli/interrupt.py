"""Ctrl-C during a read from a source or an ingest of files: say what stays, and end at once
(and what stays of files ingested one by one when one of them fails: ``files_kept``).

A query in flight on a worker thread is not waited for (``services.fetch_pool``): its answer
would be dropped, and a hung server would hold the command for its timeouts. What was written
is committed part by part (an unfinished part was rolled back as the interrupt left it), so the
process ends with ``os._exit`` — Python's own exit would join those threads first.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from pathlib import Path

INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def interrupted(what: str, *, files: Iterable[Any] | None = None) -> NoReturn:
    """Print ``interrupted: WHAT`` on standard error (and the ``interrupted`` error's JSON
    document on standard output when the command line asked for JSON: ``cli.jsonmode``; an
    ingest's has the reports of the ``files`` ingested and kept) and end the process with
    130."""
    from covenant.cli import jsonmode

    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
            stream.flush()
    try:
        jsonmode.interrupted(what, files=None if files is None else list(files))
        sys.stderr.write(f"\ninterrupted: {what}\n")
        sys.stderr.flush()
    finally:
        os._exit(INTERRUPTED)


def files_kept(
    files: Sequence[Path], *, kept: Collection[Path], current: Path | None, failed: bool = False
) -> str:
    """What stays of a Ctrl-C (or, ``failed``, of an error in the ``current`` file) while
    ``files`` are ingested one by one, each in its own transaction: the ``kept`` ones
    (committed, or in the store already); nothing of the ``current`` one (its transaction
    rolled back); the rest were not started."""
    given = list(dict.fromkeys(files))
    done = [path for path in given if path in kept]
    started = [path for path in given if path == current and path not in kept]
    waiting = [path for path in given if path not in kept and path != current]
    parts: list[str] = []
    if done:
        parts.append(f"{_names(done)} {'is' if len(done) == 1 else 'are'} ingested and kept")
    if started:
        what = "failed" if failed else "was not finished"
        parts.append(f"{_names(started)} {what}: nothing of it was written")
    if waiting:
        parts.append(f"{_names(waiting)} {'was' if len(waiting) == 1 else 'were'} not started")
    said = "; ".join(parts) if done else f"no file was ingested: {'; '.join(parts)}"
    if started or waiting:
        fix = f"fix {_names(started)} and " if failed and started else ""
        return f"{said} — {fix}run the same command again: a file already ingested is skipped"
    return said


def _names(paths: Sequence[Path]) -> str:
    shown = [str(path) for path in paths]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
