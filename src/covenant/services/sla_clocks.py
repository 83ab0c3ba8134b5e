"""The support clocks of statements and live ticket timers: wall-clock time, or business time
on a workspace calendar compiled for the range asked for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from covenant.core.agreements import SupportCommitment
from covenant.core.business_time import CalendarSet, compile_calendars
from covenant.core.calendar_compile import MAX_COMPILED_DAYS
from covenant.core.support import BusinessClock, Clock, WallClock
from covenant.core.timeutil import utc_text
from covenant.definitions.calendar_spec import to_core_calendar
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.sources.zones import read_zones

ClockFactory = Callable[[str, datetime, datetime], Clock]
"""Builds the clock of a named business calendar valid over ``[start, end)``."""


def support_clock(
    commitment: SupportCommitment, *, start: datetime, at: datetime, clock_for: ClockFactory
) -> Clock:
    if commitment.calendar is None:
        return WallClock()
    first, last = _compiled(start, at)
    latest = first + timedelta(days=MAX_COMPILED_DAYS) - AHEAD
    if not fits_calendar(start, at):
        raise InputError.naming(  # --at for the CLI, the at parameter for the API
            "{at} {when} is too far after the period starting {start}: support {name!r} "
            "counts business hours of calendar {calendar!r} up to {at}, and a calendar is "
            "compiled for at most 50 years",
            hint="give {at} at most {latest} for this period (or leave it out: now)",
            when=utc_text(at),
            start=utc_text(start),
            name=commitment.name,
            calendar=commitment.calendar,
            latest=utc_text(latest),
        )
    return clock_for(commitment.calendar, first, last)


AHEAD = timedelta(days=400)
"""How far after ``at`` a support calendar is compiled: deadlines can lie well after it."""
BEHIND = timedelta(days=7)


def _compiled(start: datetime, at: datetime) -> tuple[datetime, datetime]:
    """The range a support calendar is compiled for, for instants from ``start`` to ``at``."""
    return start - BEHIND, max(at, start) + AHEAD


def fits_calendar(start: datetime, at: datetime) -> bool:
    """Whether a business calendar compiled for the instants from ``start`` (a ticket's
    creation, a period's start) to ``at`` stays within the 50 years a calendar is compiled
    for (``core.calendar_compile.MAX_COMPILED_DAYS``): a ticket created more than about 49
    years before ``at`` does not."""
    first, last = _compiled(start, at)
    return last - first <= timedelta(days=MAX_COMPILED_DAYS)


def too_old_note(
    ticket: str, *, created: datetime, at: datetime, agreement: str, commitment: SupportCommitment
) -> str:
    """Why a ticket created too long before ``at`` has no timers on ``commitment``'s business
    calendar, and how to fix it (the live views show it in place of its timers)."""
    return (
        f"ticket {ticket}: its timers are not measured — it was created {utc_text(created)}, "
        f"more than 49 years before {utc_text(at)}, and support {commitment.name!r} of "
        f"{agreement} counts business hours of calendar {commitment.calendar!r}, which is "
        "compiled for at most 50 years (from 7 days before the ticket to 400 days after now); "
        "check the ticket's created instant (1970-01-01 is often a missing date) and send "
        "the ticket again with the right one (`covenant ingest tickets`, POST /api/v1/tickets), "
        "or resolve it"
    )


def calendar_clocks(workspace: Workspace) -> ClockFactory:
    """A clock factory over the workspace's business calendars: every calendar is compiled in
    one batch per range asked for, and each clock reads its own calendar of the set."""
    specs = {c.name: c for c in workspace.calendars}
    names = sorted(specs)
    compiled: dict[tuple[datetime, datetime], CalendarSet] = {}

    def clock_for(name: str, start: datetime, end: datetime) -> Clock:
        if name not in specs:
            raise NotFoundError(
                f"no calendar named {name!r}", hint="define it as a covenant/v1 Calendar"
            )
        key = (start, end)
        if key not in compiled:
            calendars = [to_core_calendar(specs[n]) for n in names]
            zones = read_zones(c.zone for c in calendars)  # core reads no files (ADR 0004)
            compiled[key] = compile_calendars(calendars, start=start, end=end, zone_data=zones)
        return BusinessClock(compiled[key], names.index(name))

    return clock_for
