"""A brute-force reference for one objective: plain Python loops over buckets, no numpy tricks.

Written from the semantics in docs/semantics.md, independently of covenant.core.evaluate;
calendar months are computed here from the natural unit (count 1, no anchor), every other
calendar window by the walk of the zone's clock in ``tests.core.window_reference``.
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
from tests.core import window_reference


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
    w = o.window
    if w.unit is CalendarUnit.MONTH and w.count == 1 and w.anchor is None:
        s, e = month_bounds(w, at)
    else:  # the period holding the instant just before ``at``
        s, e = window_reference.reference_period(w, at - 1)
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
    counts the last max(1, length // slice) complete slices before ``end``, and its events are
    those of these slices.
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
    if alert:
        events = 0
    t = first
    while t + size <= last_end:
        g, tot = per_slice.get(t, (0, 0))
        if alert:
            events += tot
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


def threshold(o: Objective, tier_index: int, *, window_length: int) -> Fraction:
    """The burn rate a tier compares with, from the SRE Workbook and docs/semantics.md.

    A tier that tolerates a share ``s`` of a window W's budget within its long window ``l``
    pages at the burn rate that spends exactly that share: ``s × W / l``; a tier written with a
    burn rate uses it as written. A rate below 1 can never exhaust the budget within W, and one
    above ``1 / (1 − T)`` can never be reached (the error ratio is at most 1), so the rate used
    is pulled back into that range.
    """
    tier = o.alert_tiers[tier_index]
    if tier.burn_rate is not None:
        raw = tier.burn_rate
    else:
        assert tier.budget_fraction is not None
        raw = tier.budget_fraction * window_length / tier.long_window_s
    highest_reachable = 1 / (1 - o.target)
    if raw > highest_reachable:
        return highest_reachable
    if raw < 1:
        return Fraction(1)
    return raw


def budget_units(
    o: Objective, good: list[int], total: list[int], data_start: int, step: int, at: int
) -> int:
    """How many units the error budget is a share of, by enumerating them one by one.

    Occurrences: every event in the window so far. Time slices: every slice of the whole
    window (the past and the rest of the period), except past slices without events when the
    no-data policy skips them.
    """
    start, end, full_start, full_end = bounds(o, at)
    if o.method is BudgetingMethod.OCCURRENCES:
        return window(o, good, total, data_start, step, start, end).events
    size = o.time_slice_window_s
    assert size
    ph = phase(o, at)
    events_in: dict[int, int] = {}
    for i in range(len(total)):
        b = data_start + i * step
        key = b - (b - ph) % size
        events_in[key] = events_in.get(key, 0) + total[i]
    units = 0
    t = full_start
    while (t - ph) % size:
        t += 1
    while t + size <= full_end:
        past = t + size <= end
        if not (past and o.no_data is NoDataPolicy.SKIP and events_in.get(t, 0) == 0):
            units += 1
        t += size
    return units
