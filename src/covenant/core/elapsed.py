"""What of a window has happened: an evaluation at an instant after now counts its windows up
to now only (docs/semantics.md#an-instant-after-now). A minute after now is neither good, bad
nor "no data"; no no-data policy counts it."""

from __future__ import annotations

from datetime import datetime

from covenant.core.timeutil import from_epoch, require_utc, to_epoch, utc_text

__all__ = [
    "NOT_BEGUN",
    "after_now_note",
    "align_down",
    "measured_end",
    "not_begun",
    "not_yet_note",
    "timers_after_now_note",
    "up_to_now",
]


def align_down(instant: int, step: int) -> int:
    return instant - instant % step


def measured_end(*, at: datetime, now: datetime | None, step: int) -> int:
    """Where an evaluation at ``at`` stops counting (epoch seconds, aligned down to ``step``):
    ``at``, or the wall clock ``now`` when ``at`` is after it (the minute in progress and the
    minutes after it have not happened yet)."""
    end = align_down(to_epoch(at), step)
    if now is None:
        return end
    return min(end, align_down(to_epoch(now), step))


def not_yet_note(at: datetime, measured_until: datetime) -> str | None:
    """What an evaluation at ``at`` counted only up to ``measured_until`` (the wall clock)
    says; None when it counted up to ``at`` (aligned down to the minute)."""
    if to_epoch(measured_until) >= align_down(to_epoch(at), 60):
        return None
    return (
        f"{_minute(to_epoch(at))} is after now: the windows are counted up to "
        f"{_minute(to_epoch(measured_until))} only; the minutes after it have not happened "
        "yet and count neither good, bad nor no data, whatever the noDataPolicy (a window "
        "that starts after now has no value)"
    )


def up_to_now(at: datetime, now: datetime | None) -> datetime:
    """Where an agreement figure at ``at`` (a statement, a credit, an exposure) is measured up
    to: ``at``, or the clock ``now`` when ``at`` is after it (None: ``at`` has happened)."""
    return at if now is None else min(at, require_utc(now))


def after_now_note(
    at: datetime,
    until: datetime,
    subject: str,
    then: str = "",
    *,
    unhappened: str = "counts neither as up time nor as downtime",
) -> str | None:
    """What a figure at ``at`` measured only up to ``until`` (now) says; None when ``until``
    is ``at``. ``subject`` is what is measured (``the statement is provisional, measured``);
    ``unhappened`` what the time after now does not do."""
    if until >= at:
        return None
    return (
        f"{utc_text(at)} is after now: {subject} up to {utc_text(until)} only{then}; the time "
        f"after now has not happened yet and {unhappened}"
    )


def timers_after_now_note(at: datetime, until: datetime) -> str | None:
    """What live ticket timers asked for at ``at`` but measured up to ``until`` (now) say
    (None when ``until`` is ``at``): no timer runs in the time after now."""
    return after_now_note(
        at, until, "the ticket timers are measured", unhappened="no timer runs in it"
    )


def not_begun(start: int, until: int) -> str | None:
    """The "no data" reason of a window that starts at or after where counting stops (the
    wall clock, for an instant after now): none of it has happened yet."""
    if start < until:
        return None
    return f"the window starts at {_minute(start)}, after now ({_minute(until)}): {NOT_BEGUN}"


NOT_BEGUN = "none of it has happened yet"
"""How the "no data" reason of a window that starts after now ends (:func:`not_begun`)."""


def _minute(epoch: int) -> str:
    return from_epoch(epoch).strftime("%Y-%m-%d %H:%MZ")
