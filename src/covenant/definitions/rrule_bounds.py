"""Bounds on expanding an RRULE with dateutil, which otherwise walks to the year 9999.

dateutil finds the next occurrence period by period (year, month, week, day or hour) until it
finds one or passes ``datetime.MAXYEAR``; its ``UNTIL`` only ends the walk at a *candidate*
after ``UNTIL``. A rule that never occurs (``BYMONTH=2;BYMONTHDAY=30``) therefore steps through
every period to the year 9999 — seconds — at each validation and each evaluation, whatever
``UNTIL`` says. Three bounds:

- :func:`never_reason`: parts that exclude each other on every calendar (no date is both in
  ``BYMONTH`` and on a ``BYMONTHDAY``/``BYYEARDAY`` day), found by trying every day of a leap
  and a common year, named with the reason ("February has no 30th").
- :data:`HORIZON_YEARS`: a correction must first occur within 40 years of its start (and by its
  until). The Gregorian calendar has 14 kinds of year (the weekday of 1 January, leap or not);
  every 28 years hold each kind within a century, and every 40 years hold each across a century
  year that is not a leap year (2100): a rule that picks days by the kind of year (``5MO`` in
  ``BYMONTH=2``, 29 February, ``BYWEEKNO=53``) occurs within 40 years of any start or never.
  With an ``INTERVAL`` the periods walked are fewer (every 4th year from 2001 is never a leap
  year), so the horizon is a limit there, not a proof of "never".
- :func:`walk`: the occurrences up to a stop, expanded on years with the same calendar (each
  year from the one before the start to the one after the stop has the same kind) as near
  the year 9999 as they can be, then moved back: the rule selects the same days in them, and
  dateutil's own end of the calendar ends a walk that finds no later occurrence a few years
  (at most 400, the calendar's cycle) after the stop, instead of thousands.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from functools import cache, lru_cache

from dateutil.rrule import rrule

HORIZON_YEARS = 40
"""A correction's first occurrence must be at most this many years after its start."""

_MONTHS = list(calendar.month_name)
_CYCLE = 400  # years: the Gregorian calendar repeats exactly


@cache
def _kinds() -> tuple[tuple[int, bool], ...]:
    """Each year's kind (the weekday of 1 January, leap or not), from year 1 to 9999."""
    return tuple((date(y, 1, 1).weekday(), calendar.isleap(y)) for y in range(MINYEAR, MAXYEAR + 1))


@lru_cache(maxsize=4096)
def calendar_shift(first: int, last: int) -> int:
    """The most years to add to ``first``…``last`` (and the year either side) that lands on
    years of the same kinds, each, before the year 9999 (0: none)."""
    lo, hi = max(first - 1, MINYEAR), last + 1
    if hi >= MAXYEAR:
        return 0
    kinds = _kinds()
    span = kinds[lo - 1 : hi]
    top = MAXYEAR - hi
    for shift in range(top, max(top - _CYCLE, 0), -1):  # a multiple of 400 is among these
        if kinds[lo - 1 + shift : hi + shift] == span:
            return shift
    return 0


def plus_years(value: datetime, years: int) -> datetime:
    """``value`` ``years`` later on the calendar (29 February: the 28th in a common year)."""
    year = value.year + years
    if value.month == 2 and value.day == 29 and not calendar.isleap(year):
        return value.replace(year=year, day=28)
    return value.replace(year=year)


def walk(parsed: rrule, *, start: datetime, stop: datetime, counted: bool) -> Iterator[datetime]:
    """``parsed``'s occurrences (its DTSTART ``start``, naive) up to ``stop`` (at or before its
    UNTIL), stepping at most to the end of the calendar from years of the same kinds as
    ``start``…``stop``. ``stop`` is also the UNTIL given to dateutil, unless the rule has a
    COUNT (dateutil warns about both)."""
    if stop < start:
        return  # every occurrence is at or after DTSTART
    shift = calendar_shift(start.year, stop.year)
    moved = parsed.replace(dtstart=plus_years(start, shift))
    if not counted:
        moved = moved.replace(until=plus_years(stop, shift))
    for found in moved:
        back = plus_years(found, -shift)
        if back > stop:
            return
        yield back


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _numbers(text: str | None) -> list[int]:
    return [int(v) for v in text.split(",")] if text else []


def _days(year: int, months: list[int], monthdays: list[int], yeardays: list[int]) -> bool:
    """Whether some day of ``year`` is in ``months`` and on one of the days given."""
    length = 366 if calendar.isleap(year) else 365
    day = date(year, 1, 1)
    for n in range(1, length + 1):
        size = calendar.monthrange(year, day.month)[1]
        if (
            (not months or day.month in months)
            and (not monthdays or day.day in monthdays or day.day - size - 1 in monthdays)
            and (not yeardays or n in yeardays or n - length - 1 in yeardays)
        ):
            return True
        day += timedelta(days=1)
    return False


def never_reason(parts: dict[str, str], *, start: datetime) -> str | None:
    """Why the rule selects nothing, or None: its BYMONTH, BYMONTHDAY and BYYEARDAY select no
    date of any year (a ``YEARLY`` rule without a day part takes the start's day of the
    month), or its BYSETPOS picks beyond the times of an ``HOURLY`` or ``DAILY`` period."""
    return _setpos_reason(parts, start=start) or _date_reason(parts, start=start)


def _setpos_reason(parts: dict[str, str], *, start: datetime) -> str | None:
    freq, positions = parts.get("FREQ"), _numbers(parts.get("BYSETPOS"))
    if freq not in ("HOURLY", "DAILY") or not positions:
        return None
    sizes = [len(_numbers(parts.get("BYMINUTE")) or [start.minute])]
    sizes.append(len(_numbers(parts.get("BYSECOND")) or [start.second]))
    if freq == "DAILY":
        sizes.append(len(_numbers(parts.get("BYHOUR")) or [start.hour]))
    times = sizes[0] * sizes[1] * (sizes[2] if len(sizes) > 2 else 1)
    if any(abs(p) <= times for p in positions):
        return None
    period = "hour" if freq == "HOURLY" else "day"
    return (
        f"BYSETPOS={parts['BYSETPOS']} picks beyond the {times} time(s) of each {period} "
        "(BYHOUR, BYMINUTE and BYSECOND, else the start's)"
    )


def _date_reason(parts: dict[str, str], *, start: datetime) -> str | None:
    months = _numbers(parts.get("BYMONTH"))
    monthdays = _numbers(parts.get("BYMONTHDAY"))
    yeardays = _numbers(parts.get("BYYEARDAY"))
    implied = ""
    day_parts = ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
    if parts.get("FREQ") == "YEARLY" and months and not any(p in parts for p in day_parts):
        monthdays, implied = [start.day], " (the start's day: no BYMONTHDAY is given)"
    if sum(map(bool, (months, monthdays, yeardays))) < 2:
        return None
    if any(_days(year, months, monthdays, yeardays) for year in (2024, 2025)):
        return None
    written = ";".join(
        f"{name}={parts[name]}" for name in ("BYMONTH", "BYYEARDAY", "BYMONTHDAY") if name in parts
    )
    if yeardays:
        return f"no day of the year meets {written} (in a leap year or not)"
    lacking = []
    for month in months:
        size = 29 if month == 2 else calendar.monthrange(2025, month)[1]
        lacking += [
            f"{_MONTHS[month]} has no {_ordinal(abs(d))}{'-last day' if d < 0 else ''}"
            for d in monthdays
            if abs(d) > size
        ][:1]
    days = ",".join(str(d) for d in monthdays)
    return (
        f"BYMONTHDAY={days}{implied} falls in no month of BYMONTH={parts['BYMONTH']}: "
        + ", ".join(lacking)
    )
