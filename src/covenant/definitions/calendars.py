"""``covenant/v1`` ``Calendar``: business hours as written, and resolved into :class:`CalendarSpec`.

Hours are wall-clock times in the calendar's IANA zone, written ``"HH:MM-HH:MM"``; ``24:00`` is
allowed only as an end. An interval whose end is not after its start runs overnight
(``"22:00-06:00"`` on ``mon`` is Monday 22:00–24:00 plus Tuesday 00:00–06:00; Sunday's spills into
Monday). Resolution splits overnight intervals at midnight, so every day's hours are integer
seconds since local midnight in ``[0, 86400]``.

The hours of a date: its ``overrides`` entry if it has one (replacing everything else, a holiday
included), otherwise the weekly hours in force on that date (the base ``weekly`` or the latest
``changes`` entry whose ``effectiveFrom`` is on or before it), nothing on a holiday; then every
``closures`` entry of the date is cut out. Holidays of ``holidays.country`` /
``holidays.subdivision`` come from the ``holidays`` package, expanded for
``firstYear``–``lastYear`` (default 2000–2040), plus the explicit ``holidays.dates``.

``holidayRule`` says which time a holiday closes: ``local-day`` (the default) closes exactly the
holiday's local date, 00:00–24:00, as Zendesk, Jira Service Management and ServiceNow count
(Friday 00:00–06:00 of Thursday's 22:00–06:00 shift stays open); ``shift-start`` closes every
shift that *starts* on the holiday, whole, and lets the previous evening's shift run to its end.
The split form above describes ``local-day``; the engine gets each weekly shift as written
(``WeekSchedule.shifts``) so that ``shift-start`` knows where a shift began.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import holidays as holiday_data
from pydantic import Field

from covenant.core import calendars as core
from covenant.definitions.diagnostics import at, did_you_mean
from covenant.definitions.fields import Spec, TimeZoneText
from covenant.definitions.openslo import Document
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

DAY_S = 86400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_YEARS = (2000, 2040)
INTERVAL_HELP = 'write "HH:MM-HH:MM" in 24 h time, e.g. "08:00-17:00"; 24:00 only as an end'
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Interval = tuple[int, int]
"""``(start, end)`` in seconds since local midnight, ``0 <= start < end <= 86400``."""
DayHours = tuple[Interval, ...]


# --- the resolved form -----------------------------------------------------------------------


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


# --- the YAML form ---------------------------------------------------------------------------

HoursText = str | list[str]


class HolidaysSpec(Spec):
    country: str | None = None
    subdivision: str | None = None
    dates: list[Any] = Field(default_factory=list)
    first_year: int = Field(default=DEFAULT_YEARS[0], ge=1900, le=2200)
    last_year: int = Field(default=DEFAULT_YEARS[1], ge=1900, le=2200)


class ClosureSpec(Spec):
    date: Any
    hours: HoursText = "00:00-24:00"
    reason: str | None = None


class ChangeSpec(Spec):
    effective_from: Any
    weekly: dict[str, HoursText]


class CalendarDocumentSpec(Spec):
    time_zone: TimeZoneText
    weekly: dict[str, HoursText]
    holiday_rule: Literal["local-day", "shift-start"] = "local-day"
    holidays: HolidaysSpec | None = None
    closures: list[ClosureSpec] = Field(default_factory=list)
    overrides: dict[str, HoursText] = Field(default_factory=dict)
    changes: list[ChangeSpec] = Field(default_factory=list)


class CalendarDocument(Document):
    spec: CalendarDocumentSpec


# --- resolution ------------------------------------------------------------------------------


def build_calendar(
    doc: SourceDocument, model: CalendarDocument
) -> tuple[CalendarSpec | None, list[Problem]]:
    """The calendar of a validated document, or None with every problem found."""
    spec = model.spec
    base: PathKey = ("spec",)
    problems: list[Problem] = []
    weekly = _week(doc, spec.weekly, (*base, "weekly"), problems)
    changes: list[ScheduleChange] = []
    for i, change in enumerate(spec.changes):
        here = (*base, "changes", i)
        day = parse_date(doc, change.effective_from, (*here, "effectiveFrom"), problems)
        week = _week(doc, change.weekly, (*here, "weekly"), problems)
        if day is None or week is None:
            continue
        if changes and day <= changes[-1].effective_from:
            problems.append(
                at(
                    doc,
                    (*here, "effectiveFrom"),
                    code="invalid-calendar",
                    message=f"changes must be in date order; {day} is not after "
                    f"{changes[-1].effective_from}",
                    fix="sort the changes by effectiveFrom, one change per date",
                )
            )
            continue
        changes.append(ScheduleChange(effective_from=day, weekly=week))
    years = DEFAULT_YEARS
    found_holidays: dict[date, str] = {}
    if spec.holidays is not None:
        years = (spec.holidays.first_year, spec.holidays.last_year)
        found_holidays = _holidays(doc, spec.holidays, (*base, "holidays"), problems)
    closures: list[tuple[date, DayHours]] = []
    for i, closure in enumerate(spec.closures):
        here = (*base, "closures", i)
        day = parse_date(doc, closure.date, (*here, "date"), problems)
        hours = _day(doc, closure.hours, (*here, "hours"), problems, overnight=False)
        if day is not None and hours is not None:
            closures.append((day, hours))
    overrides: list[tuple[date, DayHours]] = []
    for key, text in spec.overrides.items():
        here = (*base, "overrides", key)
        day = parse_date(doc, key, here, problems)
        hours = _day(doc, text, here, problems, overnight=False)
        if day is not None and hours is not None:
            overrides.append((day, hours))
    if weekly is None or problems:
        return None, problems
    calendar = CalendarSpec(
        name=model.metadata.name,
        zone=spec.time_zone,
        weekly=weekly,
        changes=tuple(changes),
        holidays=tuple(sorted(found_holidays.items())),
        closures=tuple(sorted(closures)),
        overrides=tuple(sorted(overrides)),
        holiday_years=years,
        holiday_rule=spec.holiday_rule,
    )
    return calendar, problems


def _holidays(
    doc: SourceDocument, spec: HolidaysSpec, here: PathKey, problems: list[Problem]
) -> dict[date, str]:
    found: dict[date, str] = {}
    if spec.first_year > spec.last_year:
        problems.append(
            at(
                doc,
                (*here, "lastYear"),
                code="invalid-calendar",
                message=f"lastYear {spec.last_year} is before firstYear {spec.first_year}",
                fix="give the first and last year of the range to expand, e.g. 2020 and 2040",
            )
        )
    elif spec.country is not None:
        found = _country_holidays(doc, spec, here, problems)
    elif spec.subdivision is not None:
        problems.append(
            at(
                doc,
                (*here, "country"),
                code="missing-field",
                message="holidays.subdivision needs holidays.country",
                fix="add country: DE (an ISO 3166-1 alpha-2 code)",
            )
        )
    for i, value in enumerate(spec.dates):
        day = parse_date(doc, value, (*here, "dates", i), problems)
        if day is not None:
            found[day] = found.get(day, "holiday")
    return found


def _country_holidays(
    doc: SourceDocument, spec: HolidaysSpec, here: PathKey, problems: list[Problem]
) -> dict[date, str]:
    country = spec.country or ""
    supported = holiday_data.list_supported_countries()
    if country not in supported:
        guess = did_you_mean(country.upper(), list(supported))
        problems.append(
            at(
                doc,
                (*here, "country"),
                code="unknown-holiday-region",
                message=f"the holidays package knows no country {country!r}",
                fix=f"did you mean {guess!r}?"
                if guess
                else "use an ISO 3166-1 alpha-2 code such as DE, FR or US",
            )
        )
        return {}
    try:
        table = holiday_data.country_holidays(
            country,
            subdiv=spec.subdivision,
            years=range(spec.first_year, spec.last_year + 1),
        )
    except NotImplementedError as exc:
        subdivisions = ", ".join(supported[country]) or "none"
        problems.append(
            at(
                doc,
                (*here, "subdivision"),
                code="unknown-holiday-region",
                message=f"{country} has no subdivision {spec.subdivision!r} ({exc})",
                fix=f"use one of: {subdivisions}",
            )
        )
        return {}
    return {day: str(name) for day, name in table.items()}


def parse_date(
    doc: SourceDocument, value: Any, here: PathKey, problems: list[Problem]
) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(
            at(
                doc,
                here,
                code="invalid-date",
                message=f"{value!r} is not a date",
                fix="write the date as YYYY-MM-DD, e.g. 2026-12-24",
            )
        )
        return None


def _week(
    doc: SourceDocument,
    weekly: dict[str, HoursText],
    here: PathKey,
    problems: list[Problem],
) -> WeekSchedule | None:
    days: list[list[Interval]] = [[] for _ in WEEKDAYS]
    written: list[list[Interval]] = [[] for _ in WEEKDAYS]
    origin: list[list[str]] = [[] for _ in WEEKDAYS]
    ok = True
    for key, text in weekly.items():
        name = key.lower()
        if name not in WEEKDAYS:
            guess = did_you_mean(name, list(WEEKDAYS))
            problems.append(
                at(
                    doc,
                    (*here, key),
                    code="invalid-calendar",
                    message=f"{key!r} is not a weekday",
                    fix=f"did you mean {guess!r}?"
                    if guess
                    else f"use one of: {', '.join(WEEKDAYS)}",
                )
            )
            ok = False
            continue
        index = WEEKDAYS.index(name)
        for item, (start, end) in _intervals(doc, text, (*here, key), problems):
            written[index].append((start, end))
            if end > start:
                days[index].append((start, end))
                origin[index].append(item)
            else:  # overnight: the rest of the day, then the start of the next one
                following = (index + 1) % len(WEEKDAYS)
                days[index].append((start, DAY_S))
                origin[index].append(item)
                if end > 0:
                    days[following].append((0, end))
                    origin[following].append(f"{item} from {name}")
    for index, name in enumerate(WEEKDAYS):
        if not _no_overlap(
            doc,
            hours=days[index],
            labels=origin[index],
            here=(*here, name),
            problems=problems,
            day=name,
        ):
            ok = False
    if not ok:
        return None
    return WeekSchedule(
        days=tuple(tuple(sorted(d)) for d in days),
        shifts=tuple(tuple(sorted(w)) for w in written),
    )


def _day(
    doc: SourceDocument,
    text: HoursText,
    here: PathKey,
    problems: list[Problem],
    *,
    overnight: bool,
) -> DayHours | None:
    parsed = _intervals(doc, text, here, problems)
    hours: list[Interval] = []
    labels: list[str] = []
    for item, (start, end) in parsed:
        if end <= start and not overnight:
            problems.append(
                at(
                    doc,
                    here,
                    code="invalid-interval",
                    message=f"{item!r} ends before it starts; a date's hours stay within the date",
                    fix='split it at midnight or end at 24:00, e.g. "22:00-24:00"',
                )
            )
            return None
        hours.append((start, end))
        labels.append(item)
    if not _no_overlap(
        doc, hours=hours, labels=labels, here=here, problems=problems, day="the date"
    ):
        return None
    return tuple(sorted(hours))


def _intervals(
    doc: SourceDocument, text: HoursText, here: PathKey, problems: list[Problem]
) -> list[tuple[str, Interval]]:
    """``[(as written, (start, end))]``; an interval with end <= start is overnight."""
    items = [text] if isinstance(text, str) else text
    result: list[tuple[str, Interval]] = []
    for i, item in enumerate(items):
        path = here if isinstance(text, str) else (*here, i)
        parsed = parse_interval(item)
        if parsed is None:
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-interval",
                    message=f"{item!r} is not an interval of the day",
                    fix=INTERVAL_HELP,
                )
            )
            continue
        if parsed[0] == parsed[1]:
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-interval",
                    message=f"{item!r} is empty",
                    fix='write a whole day as "00:00-24:00"; leave a closed day out',
                )
            )
            continue
        result.append((item, parsed))
    return result


def parse_interval(text: str) -> Interval | None:
    """``"08:00-17:00"`` → ``(28800, 61200)``; None unless both ends are valid times."""
    match = _INTERVAL.match(text)
    if match is None:
        return None
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        return None
    start, end = start_h * 3600 + start_m * 60, end_h * 3600 + end_m * 60
    if end == DAY_S and start == 0:
        return (0, DAY_S)
    if end == 0:
        end = DAY_S if start else 0
    return (start, end)


def _no_overlap(
    doc: SourceDocument,
    *,
    hours: Sequence[Interval],
    labels: Sequence[str],
    here: PathKey,
    problems: list[Problem],
    day: str,
) -> bool:
    order = sorted(range(len(hours)), key=lambda i: hours[i])
    for previous, current in itertools.pairwise(order):
        if hours[current][0] < hours[previous][1]:
            problems.append(
                at(
                    doc,
                    here,
                    code="invalid-interval",
                    message=f"{labels[previous]!r} and {labels[current]!r} overlap on {day}",
                    fix="merge the overlapping intervals into one",
                )
            )
            return False
    return True


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
