"""A calendar's hours on its zone's wall clock, turned into UTC open intervals.

The pieces compilation (:mod:`covenant.core.calendar_compile`) is made of: the weekly hours
become a per-weekday template laid over every local date at once; holidays, overrides and
closures are applied as arrays; wall-clock times become instants through the zone's offset
segments (:mod:`covenant.core.wallclock`). Calendars of one zone whose hours are all they have
(holidays aside) are laid out together, one pass over the zone for all their hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S, Calendar, HolidayRule, WeeklyHours
from covenant.core.wallclock import NO_ZONES, Zones, first_instants, wall_readings

Int64Array = npt.NDArray[np.int64]

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
EDGE = 2 * DAY_S  # the zone is read this far beyond the range on both sides


def union_minus(
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


def epoch_day(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL


def template(weeklies: Sequence[WeeklyHours]) -> tuple[Int64Array, Int64Array]:
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


def day_set(days: Iterable[date], first: int, last: int) -> Int64Array:
    found = np.fromiter(map(date.toordinal, days), dtype=np.int64) - EPOCH_ORDINAL
    return np.sort(found[(found >= first) & (found <= last)])


def open_intervals(
    calendar: Calendar, lo: int, hi: int, zones: Zones = NO_ZONES
) -> tuple[Int64Array, Int64Array]:
    zone = calendar.zone
    data = zones.get(zone)
    seg_lo, seg_hi = lo - EDGE, hi + EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64), data)
    first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 1
    days = np.arange(first, last + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    effective = np.array([epoch_day(c.effective) for c in calendar.changes], dtype=np.int64)
    schedule = np.searchsorted(effective, days, side="right")
    t_starts, t_stops = template([calendar.hours, *(c.hours for c in calendar.changes)])

    overridden = day_set((o.day for o in calendar.overrides), first, last)
    holidays = day_set(calendar.holidays, first, last)
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
        d = epoch_day(override.day)
        if first <= d <= last and override.shifts:
            open_lo.append(np.array([d * DAY_S + x.start for x in override.shifts]))
            open_hi.append(np.array([d * DAY_S + x.stop for x in override.shifts]))
    close_lo, close_hi = [], []
    if calendar.holiday_rule is HolidayRule.LOCAL_DAY:
        close_lo.append(holidays * DAY_S)
        close_hi.append(holidays * DAY_S + DAY_S)
    closures = [c for c in calendar.closures if first <= epoch_day(c.day) <= last]
    if closures:
        close_lo.append(np.array([epoch_day(c.day) * DAY_S + c.start for c in closures]))
        close_hi.append(np.array([epoch_day(c.day) * DAY_S + c.end for c in closures]))

    parts = [
        np.concatenate(p).astype(np.int64) if p else np.zeros(0, np.int64)
        for p in (open_lo, open_hi, close_lo, close_hi)
    ]
    sizes = [p.size for p in parts]
    instants = first_instants(zone, seg_lo, seg_hi, np.concatenate(parts), data)
    o_lo, o_hi, c_lo, c_hi = np.split(instants, np.cumsum(sizes)[:-1])
    keep_open, keep_closed = o_hi > o_lo, c_hi > c_lo
    return union_minus(
        (o_lo[keep_open], o_hi[keep_open]), (c_lo[keep_closed], c_hi[keep_closed]), lo, hi
    )


def weekly_intervals(
    calendar: Calendar, lo: int, hi: int, zones: Zones = NO_ZONES
) -> tuple[Int64Array, Int64Array]:
    """The open intervals of ``calendar``'s weekly hours (and schedule changes) alone, within
    ``[lo, hi)``: what :func:`open_intervals` gives for it without holidays, closures and
    overrides, with no closed time to subtract."""
    zone = calendar.zone
    data = zones.get(zone)
    seg_lo, seg_hi = lo - EDGE, hi + EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64), data)
    days = np.arange(int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2, dtype=np.int64)
    row = (days + 3) % 7  # 1970-01-01 was a Thursday
    if calendar.changes:
        effective = np.array([epoch_day(c.effective) for c in calendar.changes], dtype=np.int64)
        row += np.searchsorted(effective, days, side="right") * 7
    t_starts, t_stops = template([calendar.hours, *(c.hours for c in calendar.changes)])
    s, e = t_starts[row], t_stops[row]
    valid = s >= 0
    base = (days * DAY_S)[:, None]
    walls = np.concatenate([(base + s)[valid], (base + e)[valid]])
    instants = first_instants(zone, seg_lo, seg_hi, walls, data)
    o_lo, o_hi = np.split(instants, 2)
    keep = (o_hi > lo) & (o_lo < hi) & (o_hi > o_lo)
    o_lo, o_hi = np.maximum(o_lo[keep], lo), np.minimum(o_hi[keep], hi)
    if o_lo.size == 0:
        return o_lo, o_hi
    reach = np.maximum.accumulate(o_hi)  # starts rise: days in order, shifts sorted in a day
    heads = np.flatnonzero(np.concatenate([[True], o_lo[1:] > reach[:-1]]))
    return o_lo[heads], np.maximum.reduceat(o_hi, heads)


NOT_YET = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def weekly_zone(
    calendars: Sequence[Calendar], lo: int, hi: int, zones: Zones = NO_ZONES
) -> list[tuple[Int64Array, Int64Array]]:
    """:func:`weekly_intervals` of calendars of one zone (without schedule changes, or just
    one calendar), all at once: one pass over the zone for all their hours."""
    if len(calendars) == 1:
        return [weekly_intervals(calendars[0], lo, hi, zones)]
    zone = calendars[0].zone
    data = zones.get(zone)
    seg_lo, seg_hi = lo - EDGE, hi + EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64), data)
    days = np.arange(int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2, dtype=np.int64)
    t_starts, t_stops = template([c.hours for c in calendars])
    row = (np.arange(len(calendars), dtype=np.int64) * 7)[:, None] + ((days + 3) % 7)[None, :]
    s, e = t_starts[row], t_stops[row]  # (calendar, day, shift)
    valid = s >= 0
    base = (days * DAY_S)[None, :, None]
    owner = np.broadcast_to(np.arange(len(calendars))[:, None, None], s.shape)[valid]
    walls = np.concatenate([(base + s)[valid], (base + e)[valid]])
    o_lo, o_hi = np.split(first_instants(zone, seg_lo, seg_hi, walls, data), 2)
    keep = (o_hi > lo) & (o_lo < hi) & (o_hi > o_lo)
    band = owner[keep] * (hi - lo + 1)  # each calendar on its own band; bands never touch
    a, b = np.maximum(o_lo[keep], lo) - lo + band, np.minimum(o_hi[keep], hi) - lo + band
    if a.size:  # starts rise within a band: calendars, days and shifts in order
        reach = np.maximum.accumulate(b)
        heads = np.flatnonzero(np.concatenate([[True], a[1:] > reach[:-1]]))
        a, b = a[heads], np.maximum.reduceat(b, heads)
    edges = np.searchsorted(a, np.arange(len(calendars) + 1, dtype=np.int64) * (hi - lo + 1))
    return [
        (a[i:j] - k * (hi - lo + 1) + lo, b[i:j] - k * (hi - lo + 1) + lo)
        for k, (i, j) in enumerate(pairwise(edges))
    ]


def hours_key(calendar: Calendar) -> tuple[object, ...]:
    """A calendar's zone and weekly hours as plain numbers (equal hours, equal keys): hashing
    the hours themselves would walk their dataclasses in Python, for every calendar."""
    if calendar.changes:
        changes = tuple((c.effective, c.hours.key) for c in calendar.changes)
        return (calendar.zone, calendar.hours.key, changes)
    return (calendar.zone, calendar.hours.key)


def fast(calendar: Calendar) -> bool:
    """Whether ``calendar`` is its weekly hours minus closed time (holidays by ``local-day``
    and closures, no overrides): then it shares its compiled hours with every calendar of the
    same zone and hours, and only its closed time is its own."""
    return calendar.holiday_rule is HolidayRule.LOCAL_DAY and not calendar.overrides


def plain(calendar: Calendar) -> Calendar:
    return Calendar(zone=calendar.zone, hours=calendar.hours, changes=calendar.changes)


def midnights(zone: str, lo: int, hi: int, zones: Zones = NO_ZONES) -> tuple[int, Int64Array]:
    """``(first, instants)``: the epoch day of the first local date around ``[lo, hi)`` and the
    instants at which each local date from it begins (one more than the dates)."""
    data = zones.get(zone)
    seg_lo, seg_hi = lo - EDGE, hi + EDGE
    wall = wall_readings(zone, seg_lo, seg_hi, np.array([lo, hi], dtype=np.int64), data)
    first, last = int(wall[0]) // DAY_S - 1, int(wall[1]) // DAY_S + 2
    days = np.arange(first, last + 1, dtype=np.int64) * DAY_S
    return first, first_instants(zone, seg_lo, seg_hi, days, data)
