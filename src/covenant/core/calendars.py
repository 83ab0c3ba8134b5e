"""Business calendars: weekly hours, holidays, closures and overrides, on a zone's wall clock.

A :class:`Calendar` describes opening hours on the *wall clock* of an IANA zone;
:mod:`covenant.core.calendar_compile` turns calendars into UTC interval tables that
:mod:`covenant.core.business_time` searches with numpy.

How the open time is decided, for each local date ``D``:

1. a per-date override (:class:`DayHours`) for ``D`` replaces ``D``'s shifts, and a holiday on
   ``D`` does not apply;
2. otherwise the weekly hours in force on ``D`` (the last :class:`ScheduleChange` effective on
   or before ``D``, else ``Calendar.hours``) for ``D``'s weekday give ``D``'s shifts.

A shift belongs to the day it starts on: ``22:00-06:00`` on Friday runs until Saturday 06:00.
Open time is the union of every day's shifts (an overnight tail may touch or overlap the next
day's first shift; they merge), minus the closed time. A holiday closes according to the
calendar's :class:`HolidayRule`:

* ``local-day`` (the default, as Zendesk, Jira Service Management and ServiceNow count): a
  holiday closes exactly its local calendar day, 00:00 to 24:00. The evening before runs until
  midnight; the holiday's own overnight shift opens at midnight after it.
* ``shift-start``: a shift that *starts* on a holiday is closed whole (its after-midnight tail
  too); a shift that started the evening before runs to its end.

Partial-day :class:`Closure` ranges are closed time too, always (whatever the rule, even on an
overridden date).

Wall clock to instant: see :mod:`covenant.core.wallclock` (the first instant at which the clock
reads that time or later: a fold's first occurrence, a gap's end).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from covenant.errors import InputError

DAY_S = 86400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HolidayRule(StrEnum):
    """Which time a holiday closes (see the module docstring)."""

    LOCAL_DAY = "local-day"
    SHIFT_START = "shift-start"


def clock(text: str) -> int:
    """Seconds after local midnight of ``"HH:MM"`` or ``"HH:MM:SS"``; ``"24:00"`` is 86400."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) <= 2 for p in parts):
        raise InputError(f"{text!r} is not a clock time", hint="write HH:MM, e.g. 08:00 or 24:00")
    hours, minutes, seconds = (int(p) for p in [*parts, "0"][:3])
    if minutes >= 60 or seconds >= 60 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise InputError(f"{text!r} is not a clock time", hint="use 00:00 to 24:00")
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` when there are seconds) of seconds after midnight."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _parse_range(text: str) -> tuple[int, int]:
    start, sep, end = text.partition("-")
    if not sep:
        raise InputError(f"{text!r} is not a time range", hint="write START-END, e.g. 08:00-17:00")
    return clock(start), clock(end)


@dataclass(frozen=True, slots=True, kw_only=True)
class Shift:
    """Open from ``start`` to ``end`` on the wall clock, in seconds after local midnight.

    ``end`` may be 86400 (24:00). An ``end`` earlier than ``start`` is an overnight shift that
    ends at ``end`` the next morning (``22:00-06:00``); ``22:00-00:00`` equals ``22:00-24:00``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < DAY_S:
            raise InputError(
                f"a shift cannot start at {self.start}s after midnight",
                hint="a start is 00:00 to 23:59:59",
            )
        if not 0 <= self.end <= DAY_S:
            raise InputError(
                f"a shift cannot end at {self.end}s after midnight", hint="an end is 00:00 to 24:00"
            )
        if self.start == self.end:
            raise InputError(
                f"shift {self} opens and closes at the same time",
                hint="write 00:00-24:00 for a whole day; an overnight shift ends the next "
                "morning, e.g. 22:00-06:00",
            )

    @classmethod
    def parse(cls, text: str) -> Shift:
        """``Shift.parse("08:00-17:00")``, ``"22:00-06:00"`` (overnight), ``"00:00-24:00"``."""
        start, end = _parse_range(text)
        return cls(start=start, end=end)

    @property
    def overnight(self) -> bool:
        return self.end < self.start

    @property
    def stop(self) -> int:
        """The end in seconds after the start day's midnight (past 86400 when overnight)."""
        return self.end + DAY_S if self.overnight else self.end

    def __str__(self) -> str:
        return f"{format_clock(self.start)}-{format_clock(self.end)}"


def _day_shifts(shifts: Iterable[Shift], *, where: str) -> tuple[Shift, ...]:
    """The shifts of one day, sorted by start; overlapping shifts are refused."""
    ordered = tuple(sorted(shifts, key=lambda s: s.start))
    for before, after in pairwise(ordered):
        if after.start < before.stop:
            raise InputError(
                f"{where}: shifts {before} and {after} overlap",
                hint="give each day non-overlapping shifts (touching is fine, e.g. "
                "08:00-12:00 and 12:00-17:00)",
            )
    return ordered


def _parse_shifts(text: str | Iterable[str]) -> list[Shift]:
    items = text.split(",") if isinstance(text, str) else list(text)
    return [Shift.parse(item) for item in items if item.strip()]


def _parse_days(key: str) -> list[int]:
    key = key.strip().lower()
    if key in {"daily", "all", "mon-sun"}:
        return list(range(7))
    found: list[int] = []
    for part in key.split(","):
        first, sep, last = part.strip().partition("-")
        if first not in WEEKDAYS or (sep and last not in WEEKDAYS):
            raise InputError(
                f"{key!r} is not a weekday or range of weekdays",
                hint="use mon, tue, wed, thu, fri, sat, sun, ranges like mon-fri, or daily",
            )
        lo = WEEKDAYS.index(first)
        hi = WEEKDAYS.index(last) if sep else lo
        if hi < lo:
            raise InputError(f"weekday range {part!r} runs backwards", hint="write e.g. mon-fri")
        found.extend(range(lo, hi + 1))
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyHours:
    """Opening shifts for each weekday, Monday first (``days[0]`` is Monday).

    Build it with :meth:`parse` (``{"mon-fri": "08:00-12:00, 13:00-17:00"}``) or
    :meth:`always` (24×7). Each day's shifts are sorted and must not overlap.
    """

    days: tuple[tuple[Shift, ...], ...]
    key: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, compare=False)
    """The shifts as plain ``(start, end)`` numbers: equal hours have equal keys, and a key
    hashes and compares without walking dataclasses (compilation groups calendars by it)."""

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InputError(
                f"weekly hours need 7 days, got {len(self.days)}", hint="Monday first, 7 entries"
            )
        normal = tuple(_day_shifts(shifts, where=WEEKDAYS[i]) for i, shifts in enumerate(self.days))
        object.__setattr__(self, "days", normal)
        key = tuple(tuple((s.start, s.end) for s in shifts) for shifts in normal)
        object.__setattr__(self, "key", key)

    @classmethod
    def parse(cls, spec: Mapping[str, str | Iterable[str]]) -> WeeklyHours:
        """Weekly hours from ``{"mon-fri": "08:00-17:00", "sat": "10:00-14:00"}``.

        Keys are weekdays (``mon`` … ``sun``), ranges (``mon-fri``), lists (``sat,sun``) or
        ``daily``; values are comma-separated shifts (or a list of them). Days not named are
        closed. A day named twice is refused.
        """
        days: list[list[Shift] | None] = [None] * 7
        for key, text in spec.items():
            for day in _parse_days(key):
                if days[day] is not None:
                    raise InputError(
                        f"{WEEKDAYS[day]} is given twice in the weekly hours",
                        hint="name each weekday once; list several shifts in one value",
                    )
                days[day] = _parse_shifts(text)
        return cls(days=tuple(tuple(d or ()) for d in days))

    @classmethod
    def always(cls) -> WeeklyHours:
        """Open around the clock, every day (24×7)."""
        return cls(days=((Shift(start=0, end=DAY_S),),) * 7)

    def on(self, weekday: int) -> tuple[Shift, ...]:
        """The shifts of ``weekday`` (0 = Monday)."""
        return self.days[weekday]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleChange:
    """New weekly hours in force from ``effective`` (a local date) on."""

    effective: date
    hours: WeeklyHours


@dataclass(frozen=True, slots=True, kw_only=True)
class DayHours:
    """The hours of one local date, replacing the weekly ones (and a holiday) that day.

    ``shifts=()`` closes the date's own hours (without closing a previous overnight tail).
    """

    day: date
    shifts: tuple[Shift, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "shifts", _day_shifts(self.shifts, where=str(self.day)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    """Closed on local date ``day`` from ``start`` to ``end`` (seconds after midnight).

    ``Closure.parse(date(2026, 12, 24), "12:00-24:00")`` closes Christmas Eve afternoon.
    """

    day: date
    start: int = 0
    end: int = DAY_S

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= DAY_S:
            raise InputError(
                f"closure on {self.day} from {format_clock(self.start)} to "
                f"{format_clock(self.end)} is not a range within the day",
                hint="a closure runs from START to a later END within one date (END up to "
                "24:00); close an evening and the next morning with two closures",
            )

    @classmethod
    def parse(cls, day: date, text: str) -> Closure:
        start, end = _parse_range(text)
        return cls(day=day, start=start, end=end)


def _plain_date(value: object, *, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(f"{what} {value!r} is not a date", hint="pass datetime.date values")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Calendar:
    """Business hours in an IANA zone: weekly hours, effective-dated changes, holidays,
    per-date overrides and partial-day closures. All times are wall-clock times in ``zone``.

    ``holidays`` takes any iterable of dates (e.g. the keys of
    ``holidays.country_holidays("DE", subdiv="BY", years=...)``) and is stored as a frozenset;
    ``holiday_rule`` says which time a holiday closes (default ``local-day``).
    """

    zone: str
    hours: WeeklyHours
    changes: tuple[ScheduleChange, ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)
    overrides: tuple[DayHours, ...] = ()
    closures: tuple[Closure, ...] = ()
    name: str = ""
    holiday_rule: HolidayRule = HolidayRule.LOCAL_DAY

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "holiday_rule", HolidayRule(self.holiday_rule))
        except ValueError as exc:
            raise InputError(
                f"unknown holiday rule {self.holiday_rule!r}",
                hint="use local-day (a holiday closes its local date) or shift-start (a shift "
                "that starts on a holiday is closed whole)",
            ) from exc
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise InputError(
                f"unknown time zone {self.zone!r}",
                hint="use an IANA name such as Europe/Berlin or America/New_York",
            ) from exc
        holidays = frozenset(_plain_date(d, what="holiday") for d in self.holidays)
        object.__setattr__(self, "holidays", holidays)
        changes = tuple(sorted(self.changes, key=lambda c: c.effective))
        for before, after in pairwise(changes):
            if before.effective == after.effective:
                raise InputError(
                    f"two schedule changes take effect on {after.effective}",
                    hint="give each effective date one set of weekly hours",
                )
        object.__setattr__(self, "changes", changes)
        seen: set[date] = set()
        for override in self.overrides:
            if override.day in seen:
                raise InputError(
                    f"two overrides for {override.day}",
                    hint="give a date one override listing all its shifts",
                )
            seen.add(override.day)

    def weekly_on(self, day: date) -> WeeklyHours:
        """The weekly hours in force on ``day``."""
        index = bisect_right([c.effective for c in self.changes], day)
        return self.changes[index - 1].hours if index else self.hours


__all__ = [
    "DAY_S",
    "WEEKDAYS",
    "Calendar",
    "Closure",
    "DayHours",
    "HolidayRule",
    "ScheduleChange",
    "Shift",
    "WeeklyHours",
    "clock",
    "format_clock",
]
