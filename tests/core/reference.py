"""A brute-force reference for one objective: plain Python loops over buckets, no numpy tricks.

Written from the semantics in docs/semantics.md, independently of covenant.core.evaluate;
calendar bounds are computed here from the natural unit (count 1, no anchor) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from covenant.core.model import (
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
)


@dataclass
class RefWindow:
    bad: Fraction
    counted: int
    events: int


def month_bounds(window: CalendarWindow, at: int) -> tuple[int, int]:
    zone = ZoneInfo(window.zone)
    local = datetime.fromtimestamp(at - 1, tz=zone)
    assert window.unit is CalendarUnit.MONTH
    assert window.count == 1
    assert window.anchor is None
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    ny, nm = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    end = datetime(ny, nm, 1, tzinfo=zone)
    return int(start.astimezone(UTC).timestamp()), int(end.astimezone(UTC).timestamp())


def bounds(o: Objective, at: int) -> tuple[int, int, int, int]:
    if isinstance(o.window, RollingWindow):
        return at - o.window.seconds, at, at - o.window.seconds, at
    s, e = month_bounds(o.window, at)
    return s, at, s, e


def phase(o: Objective, at: int) -> int:
    """Calendar windows lay slices out from the period start; rolling ones from the epoch."""
    if isinstance(o.window, RollingWindow) or not o.time_slice_window_s:
        return 0
    return bounds(o, at)[2] % o.time_slice_window_s


def window(
    o: Objective,
    good: list[int],
    total: list[int],
    data_start: int,
    step: int,
    start: int,
    end: int,
    *,
    alert: bool = False,
) -> RefWindow:
    """Events, bad units and counted units over [start, end) — buckets wholly inside.

    Time slices: the SLO window counts the slices wholly inside it; an alert window (``alert``)
    counts the last max(1, length // slice) complete slices before ``end``.
    """
    events = good_events = 0
    for i in range(len(total)):
        b = data_start + i * step
        if b >= start and b + step <= end:
            events += total[i]
            good_events += good[i]
    if o.method is BudgetingMethod.OCCURRENCES:
        return RefWindow(bad=Fraction(events - good_events), counted=events, events=events)
    size = o.time_slice_window_s
    assert size
    ph = phase(o, end)
    per_slice: dict[int, tuple[int, int]] = {}
    for i in range(len(total)):
        b = data_start + i * step
        key = b - (b - ph) % size
        g0, t0 = per_slice.get(key, (0, 0))
        per_slice[key] = (g0 + good[i], t0 + total[i])
    last_end = end - (end - ph) % size
    if alert:
        first = last_end - max(1, (end - start) // size) * size
    else:
        first = start + (ph - start) % size
    bad = Fraction(0)
    counted = 0
    t = first
    while t + size <= last_end:
        g, tot = per_slice.get(t, (0, 0))
        if tot == 0:
            if o.no_data is NoDataPolicy.GOOD:
                counted += 1
            elif o.no_data is NoDataPolicy.BAD:
                counted += 1
                bad += 1
        else:
            counted += 1
            ratio = Fraction(g, tot)
            if o.method is BudgetingMethod.TIMESLICES:
                assert o.time_slice_target is not None
                bad += 0 if ratio >= o.time_slice_target else 1
            else:
                bad += 1 - ratio
        t += size
    return RefWindow(bad=bad, counted=counted, events=events)
