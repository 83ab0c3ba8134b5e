"""The CLI's readers, run so that the minutes of days stored as sums are read when needed.

A first read by days (``covenant evaluate --read``) stores whole days as their two sums only.
A command that needs those days minute by minute — ``backtest``, ``suggest``, ``report sla``,
``exposure`` — reads them from the SLI's Prometheus DataSource first, with a note on stderr,
then computes (``services.day_minutes.with_day_minutes``); when they cannot be read it stops
with ``minutes-unread`` naming the SLOs, the days and the fix. A Ctrl-C while it reads them
ends the command at once, saying what stays (``cli.interrupt``): a query in flight is not
waited for. Before the read and once it is done, a Ctrl-C ends the command as any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from covenant.cli.console import err_console, now, settings_for

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.services.prometheus import Store

T = TypeVar("T")


def with_minutes(workspace: Path, compute: Callable[[], T]) -> T:
    """``compute()``, reading the minutes of the day-sum days it needs first (see above)."""
    from covenant.services.day_minutes import with_day_minutes

    def reads() -> Sequence[SeriesQueries]:
        from covenant.services.workspace import load_workspace

        found = load_workspace(workspace).prometheus
        return found.reads if found is not None else ()

    def engine() -> Store:
        from covenant.services.store import open_store

        return open_store(settings_for(workspace).database_url)

    reading = False  # from the note before a read of minutes to the next compute()

    def notice(text: str) -> None:
        nonlocal reading
        reading = True
        err_console.print(
            f"note: {text}", style="yellow", markup=False, highlight=False, soft_wrap=True
        )

    def computed() -> T:
        nonlocal reading
        reading = False
        return compute()

    try:
        return with_day_minutes(computed, engine=engine, reads=reads, now=now, notice=notice)
    except KeyboardInterrupt:
        if not reading:
            raise
        from covenant.cli.interrupt import interrupted

        interrupted(
            "the minutes of the days read so far are kept; nothing was computed — run the "
            "command again to read the rest"
        )
