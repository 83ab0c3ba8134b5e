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

The resolved form is in ``calendar_spec``; reading the written hours in ``calendar_hours``.
"""

from __future__ import annotations

import re
import warnings
from datetime import date
from typing import Any, Literal

import holidays as holiday_data
from pydantic import Field

from covenant.definitions.calendar_hours import HoursText, parse_date, read_day, read_week
from covenant.definitions.calendar_spec import DEFAULT_YEARS, CalendarSpec, DayHours, ScheduleChange
from covenant.definitions.diagnostics import at, did_you_mean
from covenant.definitions.fields import Spec, TimeZoneText
from covenant.definitions.openslo import Document
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem


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
    weekly = read_week(doc, spec.weekly, (*base, "weekly"), problems)
    changes: list[ScheduleChange] = []
    for i, change in enumerate(spec.changes):
        here = (*base, "changes", i)
        day = parse_date(doc, change.effective_from, (*here, "effectiveFrom"), problems)
        week = read_week(doc, change.weekly, (*here, "weekly"), problems)
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
        hours = read_day(doc, closure.hours, (*here, "hours"), problems, overnight=False)
        if day is not None and hours is not None:
            closures.append((day, hours))
    overrides: list[tuple[date, DayHours]] = []
    for key, text in spec.overrides.items():
        here = (*base, "overrides", key)
        day = parse_date(doc, key, here, problems)
        hours = read_day(doc, text, here, problems, overnight=False)
        if day is not None and hours is not None:
            overrides.append((day, hours))
    if weekly is None or any(p.severity == "error" for p in problems):
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
        display_name=(model.metadata.display_name or "").strip(),
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
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
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
    known = _known_years(said)
    if known is not None:
        outside = _years_text(spec.first_year, spec.last_year, known)
        if outside:
            problems.append(
                at(
                    doc,
                    (*here, "country"),
                    code="unknown-holiday-region",
                    severity="warning",
                    message=f"the holidays package has {country}'s holidays in full only from "
                    f"{known[0]} to {known[1]}: in {outside} some of them are missing, and "
                    "those days count as business days",
                    fix=f"keep firstYear and lastYear within {known[0]}–{known[1]}, and list "
                    "the holidays of other years under dates",
                )
            )
    return {day: str(name) for day, name in table.items()}


_KNOWN = re.compile(r"available only from (\d{4}) to (\d{4})")
"""The ``holidays`` package's warning for years its tables (a lunar calendar's) do not hold."""


def _known_years(said: list[warnings.WarningMessage]) -> tuple[int, int] | None:
    for item in said:
        found = _KNOWN.search(str(item.message))
        if found:
            return int(found.group(1)), int(found.group(2))
    return None


def _years_text(first: int, last: int, known: tuple[int, int]) -> str:
    """The years of ``first``–``last`` outside ``known``: ``2000 and 2036–2040``."""
    spans = [(first, min(last, known[0] - 1)), (max(first, known[1] + 1), last)]
    texts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans if a <= b]
    return " and ".join(texts)
