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
    # Deadlines can lie well after the period: compile the calendar generously.
    first, last = start - timedelta(days=7), max(at, start) + timedelta(days=400)
    latest = first + timedelta(days=MAX_COMPILED_DAYS) - timedelta(days=400)
    if last - first > timedelta(days=MAX_COMPILED_DAYS):
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
