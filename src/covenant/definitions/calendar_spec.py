"""A business-hours calendar in its resolved form (:class:`CalendarSpec`), and its conversion to
the business-time engine's calendar (:func:`to_core_calendar`).

Every day's hours are integer seconds since local midnight in ``[0, 86400]``, overnight
intervals split at midnight; ``WeekSchedule.shifts`` keeps each weekly shift as written so that
``holidayRule: shift-start`` knows where a shift began. The YAML form and its reading are in
``calendars``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from covenant.core import calendars as core
from covenant.errors import InputError

DAY_S = 86400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_YEARS = (2000, 2040)

Interval = tuple[int, int]
"""``(start, end)`` in seconds since local midnight, ``0 <= start < end <= 86400``."""
DayHours = tuple[Interval, ...]


def _check_day(hours: DayHours, what: str) -> None:
    previous_end = -1
    for start, end in hours:
        if not 0 <= start < end <= DAY_S:
            raise InputError(f"{what}: interval ({start}, {end}) is outside one day")
        if start < previous_end:
            raise InputError(f"{what}: intervals overlap or are not sorted")
        previous_end = end


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekSchedule:
    """Hours per weekday, Monday first: sorted, non-overlapping seconds since local midnight.

    ``days`` is the split form (an overnight shift's tail counted on the next day); ``shifts``
    keeps each shift on the day it starts, as written (``end <= start`` runs overnight). Built
    without ``shifts``, the split ``days`` stand for themselves.
    """

    days: tuple[DayHours, ...]
    shifts: tuple[tuple[Interval, ...], ...] = ()

    def __post_init__(self) -> None:
        if len(self.days) != len(WEEKDAYS):
            raise InputError("a week schedule has exactly seven days, Monday first")
        for name, hours in zip(WEEKDAYS, self.days, strict=True):
            _check_day(hours, name)
        if not self.shifts:
            object.__setattr__(self, "shifts", self.days)
        elif len(self.shifts) != len(WEEKDAYS):
            raise InputError("a week schedule has exactly seven days of shifts, Monday first")

    def hours(self, weekday: int) -> DayHours:
        """Hours of ``weekday`` (0 = Monday, as ``date.weekday()``)."""
        return self.days[weekday]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleChange:
    effective_from: date
    weekly: WeekSchedule


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarSpec:
    """A business calendar, exact and zone-aware, ready to map onto the core business-time model.

    ``holidays`` are whole closed dates with their names; ``closures`` cut partial hours out of
    a date; ``overrides`` replace a date's hours entirely (and win over a holiday); ``changes``
    replace the weekly hours from a date on. All tuples are sorted by date.
    """

    name: str
    zone: str
    weekly: WeekSchedule
    changes: tuple[ScheduleChange, ...] = ()
    holidays: tuple[tuple[date, str], ...] = ()
    closures: tuple[tuple[date, DayHours], ...] = ()
    overrides: tuple[tuple[date, DayHours], ...] = ()
    holiday_years: tuple[int, int] = DEFAULT_YEARS
    holiday_rule: str = "local-day"
    display_name: str = ""  # metadata.displayName (statements name the support hours by it)

    def schedule_on(self, day: date) -> WeekSchedule:
        """The weekly hours in force on ``day``."""
        current = self.weekly
        for change in self.changes:
            if change.effective_from > day:
                break
            current = change.weekly
        return current

    def is_holiday(self, day: date) -> bool:
        return any(found == day for found, _ in self.holidays)

    def hours_on(self, day: date) -> DayHours:
        """Open hours of ``day`` after overrides, holidays and closures (a reference, not fast)."""
        override = dict(self.overrides).get(day)
        if override is not None:
            hours = override
        elif self.holiday_rule == "shift-start":
            hours = self._shift_start_hours(day)
        elif self.is_holiday(day):
            hours = ()
        else:
            hours = self.schedule_on(day).hours(day.weekday())
        for closed_day, closed in self.closures:
            if closed_day == day:
                hours = subtract(hours, closed)
        return hours

    def _shift_start_hours(self, day: date) -> DayHours:
        """``day``'s part of the shifts that start on it or the day before, a holiday's shifts
        left out (``shift-start``)."""
        found: list[Interval] = []
        before = day - timedelta(days=1)
        if not self.is_holiday(before) and before not in dict(self.overrides):
            for start, end in self.schedule_on(before).shifts[before.weekday()]:
                if end <= start and end > 0:
                    found.append((0, end))
        if not self.is_holiday(day):
            for start, end in self.schedule_on(day).shifts[day.weekday()]:
                found.append((start, end if end > start else DAY_S))
        return tuple(sorted(found))


def subtract(hours: DayHours, closed: DayHours) -> DayHours:
    """``hours`` minus ``closed`` (both sorted, non-overlapping)."""
    result: list[Interval] = []
    for start, end in hours:
        pieces = [(start, end)]
        for cut_start, cut_end in closed:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, cut_start)), (max(s, cut_end), e))
                if piece[0] < piece[1]
            ]
        result.extend(pieces)
    return tuple(result)


def to_core_calendar(spec: CalendarSpec) -> core.Calendar:
    """The business-time engine's calendar for ``spec`` (holidays already expanded).

    Weekly shifts go over as written, an overnight shift on the day it starts. An override
    replaces everything on its date, a previous evening's tail included, so the rest of an
    overridden date becomes closures.
    """

    def week(schedule: WeekSchedule) -> core.WeeklyHours:
        return core.WeeklyHours(
            days=tuple(
                tuple(core.Shift(start=s, end=e % DAY_S if e <= s else e) for s, e in hours)
                for hours in schedule.shifts
            )
        )

    override_gaps = [
        core.Closure(day=day, start=s, end=e)
        for day, hours in spec.overrides
        for s, e in subtract(((0, DAY_S),), hours)
    ]
    return core.Calendar(
        name=spec.name,
        zone=spec.zone,
        hours=week(spec.weekly),
        changes=tuple(
            core.ScheduleChange(effective=c.effective_from, hours=week(c.weekly))
            for c in spec.changes
        ),
        holidays=frozenset(day for day, _ in spec.holidays),
        overrides=tuple(
            core.DayHours(day=day, shifts=tuple(core.Shift(start=s, end=e) for s, e in hours))
            for day, hours in spec.overrides
        ),
        closures=tuple(
            core.Closure(day=day, start=s, end=e) for day, hours in spec.closures for s, e in hours
        )
        + tuple(override_gaps),
        holiday_rule=core.HolidayRule(spec.holiday_rule),
    )
