"""Events (and tickets, incidents) dated after now: how an ingest words them (stored with a
warning, or the file refused with ``--refuse-future``). Evaluations count a stored event once
its minute has passed (``core.elapsed``)."""

from __future__ import annotations

from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import FutureEventsError
from covenant.sources.eventcounts import Ahead

FUTURE_SKEW_S = 300
"""An event dated up to this long after the wall clock is taken as clock skew, not a mistake."""


def ahead_text(ahead: Ahead, *, stored: bool, noun: str = "row") -> str:
    """``events.csv:7: 3 rows are dated after now (the latest 2027-01-01T00:00:00Z) …``;
    ``noun``: what the file holds (a ticket is dated after now by any of its instants)."""
    rows = f"{ahead.rows:,} {noun}{'' if ahead.rows == 1 else 's'}"
    verb = "is" if ahead.rows == 1 else "are"
    latest = utc_text(from_epoch(ahead.latest))
    said = (
        f"{ahead.first}: {rows} {verb} dated more than {FUTURE_SKEW_S // 60} minutes after now "
        f"(the first here, the latest {latest})"
    )
    if not stored:
        return f"{said}; the file was refused (--refuse-future): nothing of it was stored"
    if noun == "row":
        return (
            f"{said}; stored: an evaluation counts them only once their minutes have passed "
            "(check the source's clock and time zone; --refuse-future refuses such a file)"
        )
    return (
        f"{said}; stored as written (check the export's clock and time zone; --refuse-future "
        "refuses such a file)"
    )


def refuse_ahead(ahead: Ahead | None, *, noun: str = "row") -> None:
    """Refuse a file with rows dated after now (``--refuse-future``): nothing of it is stored."""
    if ahead is not None:
        raise FutureEventsError(
            ahead_text(ahead, stored=False, noun=noun),
            hint="fix the timestamps (or the source's clock), or ingest without "
            "--refuse-future to store them",
        )
