"""Calendars compiled to UTC interval tables: one calendar, or many stacked for one batch.

:func:`compile_calendar` turns a :class:`~covenant.core.calendars.Calendar` into an
:class:`IntervalTable` over a range of instants: sorted, merged, non-touching open intervals in
UTC epoch seconds plus a running total of business seconds. :func:`compile_calendars` compiles
many calendars over one range into a :class:`CalendarSet`, which the arithmetic in
:mod:`covenant.core.business_time` searches in one call for a batch of tickets that each name
their calendar by index.

Compilation is vectorised over the days of the range: the weekly hours become a per-weekday
template laid over every local date at once, holidays, overrides and closures are applied as
arrays, and wall-clock times become instants through the zone's offset segments
(:mod:`covenant.core.wallclock`). Only overrides and closures are looped over, and they are
few.

Instants are taken the same way everywhere: an aware ``datetime`` or integer epoch seconds
(see :func:`epoch_seconds`); a naive datetime raises ``NaiveDatetimeError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S, Calendar, HolidayRule, WeeklyHours
from covenant.core.day_tables import DayTable
from covenant.core.day_tables import build as build_days
from covenant.core.instants import Instant, epoch_seconds, one_instant
from covenant.core.interval_tables import CalendarSet, Intervals, IntervalTable
from covenant.core.timeutil import from_epoch
from covenant.core.wallclock import first_instants, wall_readings
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_COMPILED_DAYS = 50 * 366
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EDGE = 2 * DAY_S  # the zone is read this far beyond the range on both sides


# ----------------------------------------------------------------------------- compilation


def _union_minus(
    opens: tuple[Int64Array, Int64Array], closes: tuple[Int64Array, Int64Array], lo: int, hi: int
) -> tuple[Int64Array, Int64Array]:
    """Merged intervals covered by some open and no closed interval, clipped to ``[lo, hi)``."""
    points = np.unique(np.concatenate([*opens, *closes, np.array([lo, hi], dtype=np.int64)]))

    def cover(starts: Int64Array, ends: Int64Array) -> Int64Array:
        delta = np.bincount(np.searchsorted(points, starts), minlength=points.size)
        delta = delta - np.bincount(np.searchsorted(points, ends), minlength=points.size)
        return np.cumsum(delta)[:-1]  # coverage of segment [points[i], points[i + 1])

    inside = (points[:-1] >= lo) & (points[1:] <= hi)
    is_open = (cover(*opens) > 0) & (cover(*closes) == 0) & inside
    before = np.concatenate([[False], is_open[:-1]])
    after = np.concatenate([is_open[1:], [False]])
    return points[:-1][is_open & ~before], points[1:][is_open & ~after]


def _epoch_day(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _template(weeklies: Sequence[WeeklyHours]) -> tuple[Int64Array, Int64Array]:
    """Shift starts and stops per (schedule, weekday) row, padded with -1."""
    widest = max((len(d) for w in weeklies for d in w.days), default=0)
    starts = np.full((len(weeklies) * 7, max(widest, 1)), -1, dtype=np.int64)
    stops = starts.copy()
    for k, weekly in enumerate(weeklies):
        for weekday, shifts in enumerate(weekly.days):
            for m, shift in enumerate(shifts):
                starts[k * 7 + weekday, m] = shift.start
                stops[k * 7 + weekday, m] = shift.stop
    return starts, stops


def _day_set(days: Iterable[date], first: int, last: int) -> Int64Array:
    found = np.fromiter(map(date.toordinal, days), dtype=np.int64) - _EPOCH_ORDINAL
    return np.sort(found[(found >= first) & (found <= last)])


def _open_intervals(calendar: Calendar, lo: int, hi: int) -> tuple[Int64Array, Int64Array]:
    zone = calendar.zone
    seg_lo, seg_hi = lo - _EDGE, hi + _EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64))
    first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 1
    days = np.arange(first, last + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    effective = np.array([_epoch_day(c.effective) for c in calendar.changes], dtype=np.int64)
    schedule = np.searchsorted(effective, days, side="right")
    t_starts, t_stops = _template([calendar.hours, *(c.hours for c in calendar.changes)])

    overridden = _day_set((o.day for o in calendar.overrides), first, last)
    holidays = _day_set(calendar.holidays, first, last)
    holidays = holidays[~np.isin(holidays, overridden)]
    regular = ~np.isin(days, overridden)
    if calendar.holiday_rule is HolidayRule.SHIFT_START:
        regular &= ~np.isin(days, holidays)
    row = schedule * 7 + weekday
    s, e = t_starts[row], t_stops[row]
    valid = (s >= 0) & regular[:, None]
    base = (days * DAY_S)[:, None]
    open_lo, open_hi = [(base + s)[valid]], [(base + e)[valid]]
    for override in calendar.overrides:
        d = _epoch_day(override.day)
        if first <= d <= last and override.shifts:
            open_lo.append(np.array([d * DAY_S + x.start for x in override.shifts]))
            open_hi.append(np.array([d * DAY_S + x.stop for x in override.shifts]))
    close_lo, close_hi = [], []
    if calendar.holiday_rule is HolidayRule.LOCAL_DAY:
        close_lo.append(holidays * DAY_S)
        close_hi.append(holidays * DAY_S + DAY_S)
    closures = [c for c in calendar.closures if first <= _epoch_day(c.day) <= last]
    if closures:
        close_lo.append(np.array([_epoch_day(c.day) * DAY_S + c.start for c in closures]))
        close_hi.append(np.array([_epoch_day(c.day) * DAY_S + c.end for c in closures]))

    parts = [
        np.concatenate(p).astype(np.int64) if p else np.zeros(0, np.int64)
        for p in (open_lo, open_hi, close_lo, close_hi)
    ]
    sizes = [p.size for p in parts]
    instants = first_instants(zone, seg_lo, seg_hi, np.concatenate(parts))
    o_lo, o_hi, c_lo, c_hi = np.split(instants, np.cumsum(sizes)[:-1])
    keep_open, keep_closed = o_hi > o_lo, c_hi > c_lo
    return _union_minus(
        (o_lo[keep_open], o_hi[keep_open]), (c_lo[keep_closed], c_hi[keep_closed]), lo, hi
    )


def _weekly_intervals(calendar: Calendar, lo: int, hi: int) -> tuple[Int64Array, Int64Array]:
    """The open intervals of ``calendar``'s weekly hours (and schedule changes) alone, within
    ``[lo, hi)``: what :func:`_open_intervals` gives for it without holidays, closures and
    overrides, with no closed time to subtract."""
    zone = calendar.zone
    seg_lo, seg_hi = lo - _EDGE, hi + _EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64))
    days = np.arange(int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2, dtype=np.int64)
    row = (days + 3) % 7  # 1970-01-01 was a Thursday
    if calendar.changes:
        effective = np.array([_epoch_day(c.effective) for c in calendar.changes], dtype=np.int64)
        row += np.searchsorted(effective, days, side="right") * 7
    t_starts, t_stops = _template([calendar.hours, *(c.hours for c in calendar.changes)])
    s, e = t_starts[row], t_stops[row]
    valid = s >= 0
    base = (days * DAY_S)[:, None]
    walls = np.concatenate([(base + s)[valid], (base + e)[valid]])
    instants = first_instants(zone, seg_lo, seg_hi, walls)
    o_lo, o_hi = np.split(instants, 2)
    keep = (o_hi > lo) & (o_lo < hi) & (o_hi > o_lo)
    o_lo, o_hi = np.maximum(o_lo[keep], lo), np.minimum(o_hi[keep], hi)
    if o_lo.size == 0:
        return o_lo, o_hi
    reach = np.maximum.accumulate(o_hi)  # starts rise: days in order, shifts sorted in a day
    heads = np.flatnonzero(np.concatenate([[True], o_lo[1:] > reach[:-1]]))
    return o_lo[heads], np.maximum.reduceat(o_hi, heads)


def _hours_key(calendar: Calendar) -> tuple[object, ...]:
    """A calendar's zone and weekly hours as plain numbers (equal hours, equal keys): hashing
    the hours themselves would walk their dataclasses in Python, for every calendar."""
    if calendar.changes:
        changes = tuple((c.effective, c.hours.key) for c in calendar.changes)
        return (calendar.zone, calendar.hours.key, changes)
    return (calendar.zone, calendar.hours.key)


def _fast(calendar: Calendar) -> bool:
    """Whether ``calendar`` is its weekly hours minus closed time (holidays by ``local-day``
    and closures, no overrides): then it shares its compiled hours with every calendar of the
    same zone and hours, and only its closed time is its own."""
    return calendar.holiday_rule is HolidayRule.LOCAL_DAY and not calendar.overrides


def _plain(calendar: Calendar) -> Calendar:
    return Calendar(zone=calendar.zone, hours=calendar.hours, changes=calendar.changes)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Base:
    """The open intervals of weekly hours alone, and the instants of the local midnights."""

    starts: Int64Array
    ends: Int64Array
    first: int  # epoch day of midnights[0]
    midnights: Int64Array
    edge: tuple[int, int]  # the range the zone was read over

    @classmethod
    def of(cls, calendar: Calendar, lo: int, hi: int) -> _Base:
        starts, ends = _open_intervals(_plain(calendar), lo, hi)
        seg_lo, seg_hi = lo - _EDGE, hi + _EDGE
        wall = wall_readings(calendar.zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64))
        first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2
        days = np.arange(first, last + 1, dtype=np.int64) * DAY_S
        midnights = first_instants(calendar.zone, seg_lo, seg_hi, days)
        return cls(
            starts=starts, ends=ends, first=first, midnights=midnights, edge=(seg_lo, seg_hi)
        )

    def closed(self, calendar: Calendar) -> tuple[Int64Array, Int64Array]:
        """``calendar``'s holidays (whole local dates) and closures as instants."""
        last = self.first + self.midnights.size - 2
        days = _day_set(calendar.holidays, self.first, last) - self.first
        lo, hi = [self.midnights[days]], [self.midnights[days + 1]]
        closures = [c for c in calendar.closures if self.first <= _epoch_day(c.day) <= last]
        if closures:
            walls = np.array(
                [_epoch_day(c.day) * DAY_S + x for c in closures for x in (c.start, c.end)],
                dtype=np.int64,
            )
            instants = first_instants(calendar.zone, *self.edge, walls)
            lo.append(instants[0::2])
            hi.append(instants[1::2])
        return np.concatenate(lo), np.concatenate(hi)


def _merge_touching(lo: Int64Array, hi: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Sorted disjoint intervals covering the union of ``[lo, hi)`` (touching ones merge)."""
    keep = hi > lo
    lo, hi = lo[keep], hi[keep]
    if lo.size == 0:
        return lo, hi
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    head = np.concatenate([[True], lo[1:] > reach[:-1]])
    heads = np.flatnonzero(head)
    return lo[heads], np.maximum.reduceat(hi, heads)


def _minus(
    starts: Int64Array, ends: Int64Array, c_lo: Int64Array, c_hi: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """Sorted disjoint ``[starts, ends)`` minus sorted disjoint non-touching ``[c_lo, c_hi)``."""
    if c_lo.size == 0 or starts.size == 0:
        return starts, ends
    last = c_lo.size - 1
    i = np.minimum(np.searchsorted(c_hi, starts, side="right"), last)
    start_closed = (c_lo[i] <= starts) & (starts < c_hi[i])
    i = np.minimum(np.searchsorted(c_hi, ends, side="left"), last)
    end_closed = (c_lo[i] < ends) & (ends <= c_hi[i])
    j = np.searchsorted(starts, c_hi, side="right") - 1
    jj = np.maximum(j, 0)
    reopen = (j >= 0) & (starts[jj] < c_hi) & (c_hi < ends[jj])
    j = np.searchsorted(starts, c_lo, side="left") - 1
    jj = np.maximum(j, 0)
    cut = (j >= 0) & (c_lo < ends[jj])
    new_starts = np.sort(np.concatenate([starts[~start_closed], c_hi[reopen]]), kind="stable")
    new_ends = np.sort(np.concatenate([ends[~end_closed], c_lo[cut]]), kind="stable")
    return new_starts, new_ends


def _stacked(calendars: Sequence[Calendar], lo: int, hi: int) -> Intervals:
    """Every calendar's open intervals over ``[lo, hi)``, stacked. Calendars of one zone and
    weekly hours share one compilation of those hours; each then subtracts its own closed
    time, all at once."""
    width = ((hi - lo) // DAY_S + 1) * DAY_S  # whole days, past the range
    bases: dict[tuple[object, ...], _Base] = {}
    opens_lo, opens_hi, shut_lo, shut_hi = [], [], [], []
    for k, calendar in enumerate(calendars):
        band = k * width
        if not _fast(calendar):
            s, e = _open_intervals(calendar, lo, hi)
            opens_lo.append(s + band)
            opens_hi.append(e + band)
            continue
        key = (calendar.zone, calendar.hours, calendar.changes)
        base = bases.get(key)
        if base is None:
            base = bases[key] = _Base.of(calendar, lo, hi)
        opens_lo.append(base.starts + band)
        opens_hi.append(base.ends + band)
        if calendar.holidays or calendar.closures:
            c_lo, c_hi = base.closed(calendar)
            shut_lo.append(np.maximum(c_lo, lo) + band)
            shut_hi.append(np.minimum(c_hi, hi) + band)
    empty = np.zeros(0, dtype=np.int64)
    starts = np.concatenate(opens_lo or [empty])
    ends = np.concatenate(opens_hi or [empty])
    c_lo, c_hi = _merge_touching(
        np.concatenate(shut_lo or [empty]), np.concatenate(shut_hi or [empty])
    )
    starts, ends = _minus(starts, ends, c_lo, c_hi)
    bounds = np.searchsorted(starts, lo + np.arange(len(calendars) + 1, dtype=np.int64) * width)
    lengths = ends - starts
    cum = np.cumsum(lengths) - lengths
    bounds = bounds.astype(np.int64)
    for array in (starts, ends, cum, bounds):
        array.flags.writeable = False
    return Intervals(starts=starts, ends=ends, cum=cum, bounds=bounds)


def _midnights(zone: str, lo: int, hi: int) -> tuple[int, Int64Array]:
    """``(first, instants)``: the epoch day of the first local date around ``[lo, hi)`` and the
    instants at which each local date from it begins (one more than the dates)."""
    seg_lo, seg_hi = lo - _EDGE, hi + _EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64))
    first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2
    days = np.arange(first, last + 1, dtype=np.int64) * DAY_S
    return first, first_instants(zone, seg_lo, seg_hi, days)


def _day_table(calendars: Sequence[Calendar], lo: int, hi: int) -> DayTable:
    """The day tables of ``calendars`` over whole UTC days covering ``[lo, hi]``: calendars of
    one zone and weekly hours share those hours' intervals (a group); each subtracts its own
    holidays and closures, all calendars at once."""
    origin = lo - lo % DAY_S
    days = (hi - origin) // DAY_S + 1
    span_end = origin + days * DAY_S
    groups: list[tuple[Int64Array, Int64Array]] = []
    group_of = np.empty(len(calendars), dtype=np.int64)
    keys: dict[tuple[object, ...], int] = {}
    zones: dict[str, tuple[int, Int64Array]] = {}
    closing: list[int] = []
    for k, calendar in enumerate(calendars):
        if not _fast(calendar):
            group_of[k] = len(groups)
            groups.append(_open_intervals(calendar, origin, span_end))
            continue
        key = _hours_key(calendar)
        g = keys.get(key)
        if g is None:
            g = keys[key] = len(groups)
            groups.append(_weekly_intervals(calendar, origin, span_end))
        group_of[k] = g
        if calendar.holidays or calendar.closures:
            closing.append(k)
            if calendar.zone not in zones:
                zones[calendar.zone] = _midnights(calendar.zone, origin, span_end)
    closed = _closed_time(
        [calendars[k] for k in closing],
        np.array(closing, dtype=np.int64),
        zones,
        (origin, span_end),
    )
    return build_days(origin=origin, days=days, groups=groups, group_of=group_of, closed=closed)


def _closed_time(
    calendars: Sequence[Calendar],
    owner: Int64Array,
    zones: dict[str, tuple[int, Int64Array]],
    span: tuple[int, int],
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """``(calendar, lo, hi)``: the holidays (whole local dates) and closures of ``calendars``
    (calendar ``owner[i]`` is ``calendars[i]``) as instants; holidays of all at once."""
    sizes = np.fromiter((len(c.holidays) for c in calendars), dtype=np.int64, count=len(calendars))
    days = (
        np.fromiter(
            map(date.toordinal, chain.from_iterable(c.holidays for c in calendars)),
            dtype=np.int64,
            count=int(sizes.sum()),
        )
        - _EPOCH_ORDINAL
    )
    names = sorted(zones)
    zone_index = {z: i for i, z in enumerate(names)}
    firsts = np.array([zones[z][0] for z in names], dtype=np.int64)
    counts = np.array([zones[z][1].size for z in names], dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    every = np.concatenate([zones[z][1] for z in names] or [np.zeros(0, dtype=np.int64)])
    of_calendar = np.array([zone_index[c.zone] for c in calendars], dtype=np.int64)
    z = np.repeat(of_calendar, sizes)
    who = np.repeat(owner, sizes)
    at = days - firsts[z]
    ok = (at >= 0) & (at < counts[z] - 1)
    pos = offsets[z][ok] + at[ok]
    k_parts, lo_parts, hi_parts = [who[ok]], [every[pos]], [every[pos + 1]]
    lo, hi = span
    for i, calendar in enumerate(calendars):
        if not calendar.closures:
            continue
        walls = np.array(
            [_epoch_day(c.day) * DAY_S + x for c in calendar.closures for x in (c.start, c.end)],
            dtype=np.int64,
        )
        instants = first_instants(calendar.zone, lo - _EDGE, hi + _EDGE, walls)
        k_parts.append(np.full(instants.size // 2, owner[i], dtype=np.int64))
        lo_parts.append(instants[0::2])
        hi_parts.append(instants[1::2])
    return np.concatenate(k_parts), np.concatenate(lo_parts), np.concatenate(hi_parts)


def _range(start: object, end: object) -> tuple[int, int]:
    lo = one_instant(start, what="calendar range start")
    hi = one_instant(end, what="calendar range end")
    if hi <= lo:
        raise InputError(
            f"calendar range {from_epoch(lo).isoformat()} .. {from_epoch(hi).isoformat()} is empty",
            hint="end must be after start",
        )
    if hi - lo > MAX_COMPILED_DAYS * DAY_S:
        raise InputError(
            f"calendar range of {(hi - lo) // DAY_S} days is too long",
            hint="compile at most 50 years; compile per reporting period instead",
        )
    return lo, hi


def compile_calendar(calendar: Calendar, *, start: Instant, end: Instant) -> IntervalTable:
    """The open intervals of ``calendar`` within ``[start, end)``.

    ``start``/``end`` are aware datetimes or epoch seconds. Pass a range that covers every
    instant you will ask about, including deadlines; the arithmetic refuses instants outside
    it with :class:`~covenant.errors.OutsideCompiledRangeError`. Sub-second parts are
    truncated. At most 50 years.
    """
    lo, hi = _range(start, end)
    found = _stacked([calendar], lo, hi)
    return IntervalTable(
        zone=calendar.zone, start=lo, end=hi, starts=found.starts, ends=found.ends, cum=found.cum
    )


def covering_range(*instants: object, ahead: timedelta = timedelta(0)) -> tuple[int, int]:
    """The range ``(lo, hi)`` in epoch seconds to compile for these ticket instants.

    ``lo`` is the earliest instant, ``hi`` one second past the latest plus ``ahead`` (room for
    deadlines after the last instant). Each argument is anything :func:`epoch_seconds` takes.
    """
    arrays = [epoch_seconds(v).reshape(-1) for v in instants]
    found = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    if found.size == 0:
        raise InputError("no instants to cover", hint="pass the tickets' instants")
    if ahead < timedelta(0):
        raise InputError(f"ahead {ahead} is negative", hint="give room after the last instant")
    return int(found.min()), int(found.max()) + 1 + int(ahead.total_seconds())


def compile_calendars(
    calendars: Sequence[Calendar],
    *,
    start: Instant | None = None,
    end: Instant | None = None,
    covering: Sequence[object] = (),
    ahead: timedelta = timedelta(0),
) -> CalendarSet:
    """Compile ``calendars`` over one range for batch arithmetic.

    Give the range as ``start``/``end`` (aware datetimes or epoch seconds), or derive it from
    the tickets: ``covering=(created, resolved)`` spans their earliest to latest instant, plus
    ``ahead`` after it for deadlines (see :func:`covering_range`).
    """
    if not calendars:
        raise InputError("no calendars to compile", hint="pass at least one Calendar")
    if covering:
        if start is not None or end is not None:
            raise InputError(
                "give either start/end or covering, not both",
                hint="covering derives the range from the tickets' instants",
            )
        lo, hi = covering_range(*covering, ahead=ahead)
    elif start is None or end is None:
        raise InputError(
            "compile_calendars needs a range",
            hint="pass start= and end=, or covering=(created, resolved) with ahead=",
        )
    else:
        lo, hi = _range(start, end)
    lo, hi = _range(lo, hi)
    chosen = tuple(calendars)
    table = _day_table(chosen, lo, hi)
    return CalendarSet(
        calendars=chosen,
        start=lo,
        end=hi,
        intervals=lambda: _stacked(chosen, lo, hi),
        table=lambda: table,
    )


__all__ = [
    "CalendarSet",
    "Instant",
    "IntervalTable",
    "compile_calendar",
    "compile_calendars",
    "covering_range",
    "epoch_seconds",
]
