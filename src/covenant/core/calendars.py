"""Business calendars: weekly hours, holidays, closures and overrides, compiled to UTC intervals.

A :class:`Calendar` describes opening hours on the *wall clock* of an IANA zone.
:func:`compile_calendar` turns it, for a range of instants, into an :class:`IntervalTable`:
sorted, merged, non-overlapping open intervals in UTC epoch seconds plus a running total of
business seconds, which :mod:`covenant.core.business_time` searches with numpy.

How a day's hours are decided, for each local date ``D``:

1. a per-date override (:class:`DayHours`) for ``D`` replaces everything else that day;
2. otherwise a holiday on ``D`` has no shifts, and closes ``D`` from 00:00 to 24:00 (which also
   cuts the after-midnight part of the previous evening's overnight shift);
3. otherwise the weekly hours in force on ``D`` (the last :class:`ScheduleChange` effective on
   or before ``D``, else ``Calendar.hours``) for ``D``'s weekday.

A shift belongs to the day it starts on: ``22:00-06:00`` on Friday runs until Saturday 06:00.
Open time is the union of every day's shifts (an overnight tail may touch or overlap the next
day's first shift; they merge) minus holidays and partial-day :class:`Closure` ranges, which
always win.

Wall clock to instant, exactly across DST: a wall time maps to the *first instant at which the
zone's clock reads that time or later*. For an ordinary time that is the time itself; in a fold
(the repeated hour when clocks go back) it is the first occurrence (``fold=0``), for starts and
ends alike; in a gap (the skipped hour when clocks go forward) it is the instant the gap ends,
so ``02:30`` on the spring-forward night in Europe/Berlin is 03:00 CEST. The mapping never runs
backwards, so a shift can shrink (to nothing, if it lies inside a gap) but never invert. With it
an overnight shift 22:00-06:00 in Europe/Berlin lasts 7 h on the spring-forward night and 9 h on
the fall-back night; Australia/Lord_Howe's 30-minute shift gives 7 h 30 m and 8 h 30 m.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError

DAY_S = 86400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_COMPILED_DAYS = 50 * 366

Int64Array = npt.NDArray[np.int64]


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

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise InputError(
                f"weekly hours need 7 days, got {len(self.days)}", hint="Monday first, 7 entries"
            )
        normal = tuple(_day_shifts(shifts, where=WEEKDAYS[i]) for i, shifts in enumerate(self.days))
        object.__setattr__(self, "days", normal)

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
    ``holidays.country_holidays("DE", subdiv="BY", years=...)``) and is stored as a frozenset.
    """

    zone: str
    hours: WeeklyHours
    changes: tuple[ScheduleChange, ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)
    overrides: tuple[DayHours, ...] = ()
    closures: tuple[Closure, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _DayRules:
    """Per-date lookups built once per compilation."""

    calendar: Calendar
    overrides: dict[date, tuple[Shift, ...]]
    closures: dict[date, list[tuple[int, int]]]
    effective: list[date]

    @classmethod
    def of(cls, calendar: Calendar) -> _DayRules:
        closures: dict[date, list[tuple[int, int]]] = {}
        for c in calendar.closures:
            closures.setdefault(c.day, []).append((c.start, c.end))
        return cls(
            calendar=calendar,
            overrides={o.day: o.shifts for o in calendar.overrides},
            closures=closures,
            effective=[c.effective for c in calendar.changes],
        )

    def shifts(self, day: date) -> tuple[Shift, ...]:
        if day in self.overrides:
            return self.overrides[day]
        if day in self.calendar.holidays:
            return ()
        index = bisect_right(self.effective, day)
        weekly = self.calendar.changes[index - 1].hours if index else self.calendar.hours
        return weekly.days[day.weekday()]

    def closed(self, day: date) -> list[tuple[int, int]]:
        ranges = list(self.closures.get(day, ()))
        if day in self.calendar.holidays and day not in self.overrides:
            ranges.append((0, DAY_S))
        return ranges


class _WallClock:
    """Wall-clock time to instant in one zone (see the module docstring for the convention)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def instant(self, day: date, seconds: int) -> int:
        """The first epoch second at which the clock reads ``day`` + ``seconds`` or later."""
        wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
        first = to_epoch(wall.replace(tzinfo=self.zone, fold=0))
        if self._reading(first) == wall:
            return first  # exists; fold=0 is its first occurrence
        # In a gap: fold=1 reads the wall time with the offset after the transition, giving an
        # instant before the gap; the transition lies between the two. Bisect for it.
        lo = to_epoch(wall.replace(tzinfo=self.zone, fold=1))
        hi = first
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._reading(mid) >= wall:
                hi = mid
            else:
                lo = mid
        return hi

    def _reading(self, epoch: int) -> datetime:
        return from_epoch(epoch).astimezone(self.zone).replace(tzinfo=None)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class IntervalTable:
    """A calendar's open time over ``[start, end)``, in UTC epoch seconds.

    ``starts``/``ends`` are sorted, merged, non-empty and non-touching open intervals inside
    ``[start, end)``; ``cum[i]`` is the business seconds in ``[start, starts[i])``. Arrays are
    read-only int64. Built by :func:`compile_calendar`.
    """

    zone: str
    start: int
    end: int
    starts: Int64Array
    ends: Int64Array
    cum: Int64Array

    def __post_init__(self) -> None:
        arrays = []
        for name in ("starts", "ends", "cum"):
            array = np.array(getattr(self, name), dtype=np.int64, copy=True)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
            arrays.append(array)
        starts, ends, cum = arrays
        if not (starts.ndim == ends.ndim == cum.ndim == 1) or not (
            starts.size == ends.size == cum.size
        ):
            raise InputError("interval table arrays must be 1-D and of one length")
        if self.end <= self.start:
            raise InputError("interval table range is empty", hint="end must be after start")
        lengths = ends - starts
        if starts.size and (
            (lengths <= 0).any()
            or (starts[1:] <= ends[:-1]).any()
            or starts[0] < self.start
            or ends[-1] > self.end
            or (cum != np.cumsum(lengths) - lengths).any()
        ):
            raise InputError(
                "interval table is not sorted, merged, within its range and consistent",
                hint="build it with compile_calendar",
            )

    @property
    def lengths(self) -> Int64Array:
        return self.ends - self.starts

    @property
    def total(self) -> int:
        """Business seconds in the whole range."""
        return int(self.lengths.sum())

    def __len__(self) -> int:
        return int(self.starts.size)


def _union_minus(
    opens: tuple[Int64Array, Int64Array], closes: tuple[Int64Array, Int64Array], lo: int, hi: int
) -> tuple[Int64Array, Int64Array]:
    """Merged intervals covered by some open and no closed interval, clipped to ``[lo, hi)``."""
    points = np.unique(np.concatenate([*opens, *closes, np.array([lo, hi], dtype=np.int64)]))

    def cover(starts: Int64Array, ends: Int64Array) -> Int64Array:
        delta = np.zeros(points.size, dtype=np.int64)
        np.add.at(delta, np.searchsorted(points, starts), 1)
        np.add.at(delta, np.searchsorted(points, ends), -1)
        return np.cumsum(delta)[:-1]  # coverage of segment [points[i], points[i + 1])

    inside = (points[:-1] >= lo) & (points[1:] <= hi)
    is_open = (cover(*opens) > 0) & (cover(*closes) == 0) & inside
    before = np.concatenate([[False], is_open[:-1]])
    after = np.concatenate([is_open[1:], [False]])
    return points[:-1][is_open & ~before], points[1:][is_open & ~after]


def compile_calendar(calendar: Calendar, *, start: datetime, end: datetime) -> IntervalTable:
    """The open intervals of ``calendar`` within ``[start, end)`` (aware datetimes).

    Pass a range that covers every instant you will ask about, including deadlines; the
    arithmetic refuses instants outside it. Sub-second parts are truncated. Loops once per
    local day of the range (at most 50 years).
    """
    lo, hi = to_epoch(start), to_epoch(end)
    if hi <= lo:
        raise InputError(
            f"calendar range {start.isoformat()} .. {end.isoformat()} is empty",
            hint="end must be after start",
        )
    zone = ZoneInfo(calendar.zone)
    first = from_epoch(lo).astimezone(zone).date() - timedelta(days=1)
    last = from_epoch(hi).astimezone(zone).date() + timedelta(days=1)
    days = (last - first).days + 1
    if days > MAX_COMPILED_DAYS:
        raise InputError(
            f"calendar range of {days} days is too long",
            hint="compile at most 50 years; compile per reporting period instead",
        )
    clock_ = _WallClock(zone)
    rules = _DayRules.of(calendar)
    spans: dict[bool, tuple[list[int], list[int]]] = {True: ([], []), False: ([], [])}
    for offset in range(days):
        day = first + timedelta(days=offset)
        ranges = [(True, s.start, s.stop) for s in rules.shifts(day)]
        ranges += [(False, s, e) for s, e in rules.closed(day)]
        for is_open, s, e in ranges:
            a, b = clock_.instant(day, s), clock_.instant(day, e)
            if b > a:
                spans[is_open][0].append(a)
                spans[is_open][1].append(b)

    def arrays(key: bool) -> tuple[Int64Array, Int64Array]:
        return (np.array(spans[key][0], dtype=np.int64), np.array(spans[key][1], dtype=np.int64))

    starts, ends = _union_minus(arrays(True), arrays(False), lo, hi)
    lengths = ends - starts
    cum = np.cumsum(lengths) - lengths
    return IntervalTable(zone=calendar.zone, start=lo, end=hi, starts=starts, ends=ends, cum=cum)


__all__ = [
    "DAY_S",
    "Calendar",
    "Closure",
    "DayHours",
    "IntervalTable",
    "ScheduleChange",
    "Shift",
    "WeeklyHours",
    "clock",
    "compile_calendar",
    "format_clock",
]
