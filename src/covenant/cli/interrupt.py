"""Ctrl-C during a read from a source: say what stays, and end at once.

A query in flight on a worker thread is not waited for (``services.fetch_pool``): its answer
would be dropped, and a hung server would hold the command for its timeouts. What was written
is committed part by part (an unfinished part was rolled back as the interrupt left it), so the
process ends with ``os._exit`` — Python's own exit would join those threads first.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import NoReturn

INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def interrupted(what: str) -> NoReturn:
    """Print ``interrupted: WHAT`` on standard error and end the process with 130."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
            stream.flush()
    try:
        sys.stderr.write(f"\ninterrupted: {what}\n")
        sys.stderr.flush()
    finally:
        os._exit(INTERRUPTED)
