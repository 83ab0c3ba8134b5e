"""Calendars compiled to UTC interval tables: one calendar, or many stacked for one batch.

:func:`compile_calendar` turns a :class:`~covenant.core.calendars.Calendar` into an
:class:`IntervalTable` over a range of instants: sorted, merged, non-touching open intervals in
UTC epoch seconds plus a running total of business seconds. :func:`compile_calendars` compiles
many calendars over one range into a :class:`CalendarSet` whose day tables
(:mod:`covenant.core.day_tables`) the arithmetic in :mod:`covenant.core.business_time` reads
for a batch of tickets that each name their calendar by index. Calendars of one zone and weekly
hours form a group: the group's hours are compiled once, and each calendar subtracts its own
holidays (every calendar's at once) and closures; the set's stacked intervals are built only
when asked for (``set[k]``, ``set.starts``).

Compilation is vectorised over the days of the range: the weekly hours become a per-weekday
template laid over every local date at once, holidays, overrides and closures are applied as
arrays, and wall-clock times become instants through the zone's offset segments
(:mod:`covenant.core.wallclock`; from the zones' transitions when the caller hands them in as
``zone_data``, else probed from ``zoneinfo``). Only overrides and closures are looped over, and
they are few.

Instants are taken the same way everywhere: an aware ``datetime`` or integer epoch seconds
(see :func:`epoch_seconds`); a naive datetime raises ``NaiveDatetimeError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

import numpy as np
import numpy.typing as npt

from covenant.core.calendar_hours import (
    EDGE,
    EPOCH_ORDINAL,
    NOT_YET,
    day_set,
    epoch_day,
    fast,
    hours_key,
    midnights,
    open_intervals,
    plain,
    weekly_zone,
)
from covenant.core.calendars import DAY_S, Calendar
from covenant.core.day_tables import DayTable
from covenant.core.day_tables import build as build_days
from covenant.core.instants import Instant, epoch_seconds, one_instant
from covenant.core.interval_tables import CalendarSet, Intervals, IntervalTable
from covenant.core.timeutil import from_epoch
from covenant.core.wallclock import NO_ZONES, ZoneData, Zones, first_instants, wall_readings
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_COMPILED_DAYS = 50 * 366


# ----------------------------------------------------------------------------- compilation


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Base:
    """The open intervals of weekly hours alone, and the instants of the local midnights."""

    starts: Int64Array
    ends: Int64Array
    first: int  # epoch day of midnights[0]
    midnights: Int64Array
    edge: tuple[int, int]  # the range the zone was read over
    data: ZoneData | None  # the zone's data, if the caller handed it in

    @classmethod
    def of(cls, calendar: Calendar, lo: int, hi: int, zones: Zones) -> _Base:
        starts, ends = open_intervals(plain(calendar), lo, hi, zones)
        data = zones.get(calendar.zone)
        seg_lo, seg_hi = lo - EDGE, hi + EDGE
        edges = np.array([lo, hi], dtype=np.int64)
        wall = wall_readings(calendar.zone, seg_lo, seg_hi, edges, data)
        first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2
        days = np.arange(first, last + 1, dtype=np.int64) * DAY_S
        midnights = first_instants(calendar.zone, seg_lo, seg_hi, days, data)
        return cls(
            starts=starts,
            ends=ends,
            first=first,
            midnights=midnights,
            edge=(seg_lo, seg_hi),
            data=data,
        )

    def closed(self, calendar: Calendar) -> tuple[Int64Array, Int64Array]:
        """``calendar``'s holidays (whole local dates) and closures as instants."""
        last = self.first + self.midnights.size - 2
        days = day_set(calendar.holidays, self.first, last) - self.first
        lo, hi = [self.midnights[days]], [self.midnights[days + 1]]
        closures = [c for c in calendar.closures if self.first <= epoch_day(c.day) <= last]
        if closures:
            walls = np.array(
                [epoch_day(c.day) * DAY_S + x for c in closures for x in (c.start, c.end)],
                dtype=np.int64,
            )
            instants = first_instants(calendar.zone, *self.edge, walls, self.data)
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


def _stacked(calendars: Sequence[Calendar], lo: int, hi: int, zones: Zones) -> Intervals:
    """Every calendar's open intervals over ``[lo, hi)``, stacked. Calendars of one zone and
    weekly hours share one compilation of those hours; each then subtracts its own closed
    time, all at once."""
    width = ((hi - lo) // DAY_S + 1) * DAY_S  # whole days, past the range
    bases: dict[tuple[object, ...], _Base] = {}
    opens_lo, opens_hi, shut_lo, shut_hi = [], [], [], []
    for k, calendar in enumerate(calendars):
        band = k * width
        if not fast(calendar):
            s, e = open_intervals(calendar, lo, hi, zones)
            opens_lo.append(s + band)
            opens_hi.append(e + band)
            continue
        key = (calendar.zone, calendar.hours, calendar.changes)
        base = bases.get(key)
        if base is None:
            base = bases[key] = _Base.of(calendar, lo, hi, zones)
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


def _day_table(calendars: Sequence[Calendar], lo: int, hi: int, zones: Zones) -> DayTable:
    """The day tables of ``calendars`` over whole UTC days covering ``[lo, hi]``: calendars of
    one zone and weekly hours share those hours' intervals (a group); each subtracts its own
    holidays and closures, all calendars at once."""
    origin = lo - lo % DAY_S
    days = (hi - origin) // DAY_S + 1
    span_end = origin + days * DAY_S
    groups: list[tuple[Int64Array, Int64Array]] = []
    group_of = np.empty(len(calendars), dtype=np.int64)
    keys: dict[tuple[object, ...], int] = {}
    midnights_of: dict[str, tuple[int, Int64Array]] = {}
    closing: list[int] = []
    weekly: dict[str | int, list[tuple[int, Calendar]]] = {}  # new groups by zone
    for k, calendar in enumerate(calendars):
        if not fast(calendar):
            group_of[k] = len(groups)
            groups.append(open_intervals(calendar, origin, span_end, zones))
            continue
        key = hours_key(calendar)
        g = keys.get(key)
        if g is None:
            g = keys[key] = len(groups)
            groups.append(NOT_YET)
            weekly.setdefault(calendar.zone if not calendar.changes else k, []).append(
                (g, calendar)
            )
        group_of[k] = g
        if calendar.holidays or calendar.closures:
            closing.append(k)
            if calendar.zone not in midnights_of:
                midnights_of[calendar.zone] = midnights(calendar.zone, origin, span_end, zones)
    for members in weekly.values():
        found = weekly_zone([c for _, c in members], origin, span_end, zones)
        for (g, _), pair in zip(members, found, strict=True):
            groups[g] = pair
    closed = _closed_time(
        [calendars[k] for k in closing],
        np.array(closing, dtype=np.int64),
        midnights_of,
        (origin, span_end),
        zones,
    )
    return build_days(origin=origin, days=days, groups=groups, group_of=group_of, closed=closed)


def _closed_time(
    calendars: Sequence[Calendar],
    owner: Int64Array,
    midnights_of: dict[str, tuple[int, Int64Array]],
    span: tuple[int, int],
    zones: Zones,
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
        - EPOCH_ORDINAL
    )
    names = sorted(midnights_of)
    zone_index = {z: i for i, z in enumerate(names)}
    firsts = np.array([midnights_of[z][0] for z in names], dtype=np.int64)
    counts = np.array([midnights_of[z][1].size for z in names], dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    every = np.concatenate([midnights_of[z][1] for z in names] or [np.zeros(0, dtype=np.int64)])
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
            [epoch_day(c.day) * DAY_S + x for c in calendar.closures for x in (c.start, c.end)],
            dtype=np.int64,
        )
        instants = first_instants(
            calendar.zone, lo - EDGE, hi + EDGE, walls, zones.get(calendar.zone)
        )
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


def compile_calendar(
    calendar: Calendar, *, start: Instant, end: Instant, zone_data: Zones | None = None
) -> IntervalTable:
    """The open intervals of ``calendar`` within ``[start, end)``.

    ``start``/``end`` are aware datetimes or epoch seconds. Pass a range that covers every
    instant you will ask about, including deadlines; the arithmetic refuses instants outside
    it with :class:`~covenant.errors.OutsideCompiledRangeError`. Sub-second parts are
    truncated. At most 50 years. ``zone_data``: as for :func:`compile_calendars`.
    """
    lo, hi = _range(start, end)
    found = _stacked([calendar], lo, hi, NO_ZONES if zone_data is None else zone_data)
    return IntervalTable(
        zone=calendar.zone, start=lo, end=hi, starts=found.starts, ends=found.ends, cum=found.cum
    )


def covering_range(*instants: object, ahead: timedelta = timedelta(0)) -> tuple[int, int]:
    """The range ``(lo, hi)`` in epoch seconds to compile for these ticket instants.

    ``lo`` is the earliest instant, ``hi`` one second past the latest plus ``ahead`` (room for
    deadlines after the last instant). Each argument is anything :func:`epoch_seconds` takes.
    """
    arrays = [a for a in (epoch_seconds(v).reshape(-1) for v in instants) if a.size]
    if not arrays:
        raise InputError("no instants to cover", hint="pass the tickets' instants")
    if ahead < timedelta(0):
        raise InputError(f"ahead {ahead} is negative", hint="give room after the last instant")
    lo = min(int(a.min()) for a in arrays)
    hi = max(int(a.max()) for a in arrays)
    return lo, hi + 1 + int(ahead.total_seconds())


def compile_calendars(
    calendars: Sequence[Calendar],
    *,
    start: Instant | None = None,
    end: Instant | None = None,
    covering: Sequence[object] = (),
    ahead: timedelta = timedelta(0),
    zone_data: Zones | None = None,
) -> CalendarSet:
    """Compile ``calendars`` over one range for batch arithmetic.

    Give the range as ``start``/``end`` (aware datetimes or epoch seconds), or derive it from
    the tickets: ``covering=(created, resolved)`` spans their earliest to latest instant, plus
    ``ahead`` after it for deadlines (see :func:`covering_range`).

    ``zone_data``: the zones' transitions by name (``covenant.sources.zones.read_zones``), which
    makes finding their offsets ~15x faster; the offsets are ``zoneinfo``'s either way (every
    change is checked against it), and a zone without data is probed.
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
    zones = NO_ZONES if zone_data is None else zone_data
    table = _day_table(chosen, lo, hi, zones)
    return CalendarSet(
        calendars=chosen,
        start=lo,
        end=hi,
        intervals=lambda: _stacked(chosen, lo, hi, zones),
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
