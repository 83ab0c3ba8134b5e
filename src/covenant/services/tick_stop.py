"""A tick abandoned because the server is stopping (SIGTERM, Ctrl-C).

The worker checks its ``stopped`` callable between a tick's units of work — before each of
its write transactions, and between the agreements' readers — and raises
:class:`TickAbandonedError`: raised inside a write transaction it rolls that back (nothing of it is
written), so a tick is never half written; what an earlier transaction of the tick committed
(the SLO alerts, before the agreements') stays, as when a tick fails there. The next tick, in
this process or another, starts from the store as it is.
"""

from __future__ import annotations

from collections.abc import Callable


class TickAbandonedError(Exception):
    """The tick was abandoned between two units of work: the process is stopping."""


def check_stop(stopped: Callable[[], bool] | None, *, before: str) -> None:
    """Raise :class:`TickAbandonedError` when ``stopped()`` says the process is stopping."""
    if stopped is not None and stopped():
        raise TickAbandonedError(f"the tick was abandoned before {before}: the server is stopping")
